/**
 * Catalog statistics for `hall stats` and the guide site's statistics page. Both entry points are pure:
 * `computeCatalogStats(catalog, {asOf, scope})` → data; `renderStatsPage(stats, lang)` → an HTML fragment
 * with inline SVG charts.
 */
export { computeCatalogStats, KINDS, STATUSES, REVIEW_DAYS, LIMIT_BINS } from './catalog-stats.ts';
export type { CatalogStats, DepartmentStats, ServiceRow, StatsFigures, StatsScope } from './catalog-stats.ts';
export { renderStatsPage, renderStatsMarkdown, renderStatsCsv, FRAGMENT_CSS } from './render-stats.ts';
export type { StatsPageOptions } from './render-stats.ts';
