import { BarChart, HeatmapChart, LineChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TitleComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import type { EChartsCoreOption } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';

/**
 * Static SVG charts for the statistics page and the operations report, drawn by ECharts' server-side SVG
 * renderer (the charting library Chinese users already know): plain strings, no script, no animation,
 * deterministic bytes. Each chart is an `<svg role="img">` whose `aria-label` is ECharts' own description
 * of the chart and its data, in Chinese or English, and it sits beside a table of the same figures, so
 * nothing is shown only as a picture.
 */

echarts.use([BarChart, LineChart, HeatmapChart, GridComponent, LegendComponent, TitleComponent, VisualMapComponent, AriaComponent, SVGRenderer]);

export const PALETTE = {
  brand: '#0b4f9c',
  soft: '#a9c4e4',
  grid: '#d4d9e0',
  ink: '#1a1a1a',
  muted: '#555555',
  warn: '#c4511a',
};

/** Five levels from good to bad (blue → orange), readable by people who cannot tell red from green. */
export const SCALE5 = ['#0b4f9c', '#4f86c6', '#a9c4e4', '#f0a35e', '#c4511a'];
/** Categorical series (blue, orange, green-teal, purple, grey). */
export const SERIES = ['#0b4f9c', '#e08a2c', '#2a9d8f', '#7b5ea7', '#9a9a9a', '#a9c4e4'];

const FONT = 'system-ui, -apple-system, PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif';

/** Rough width of text in pixels: CJK and full-width characters take one em, others a little over half. */
export function textWidth(text: string, size: number): number {
  let em = 0;
  for (const ch of text) em += /[\u1100-\u115f\u2150-\u218f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 1 : 0.58;
  return em * size;
}

// No canvas on the server: ECharts measures labels (for truncation and overlap) with this estimate.
echarts.setPlatformAPI({
  measureText(text: string, font?: string) {
    const size = Number(/(\d+(?:\.\d+)?)px/.exec(font ?? '')?.[1] ?? 12);
    return { width: textWidth(text, size) } as ReturnType<NonNullable<Parameters<typeof echarts.setPlatformAPI>[0]["measureText"]>>;
  },
});

export interface ChartText {
  /** Unique within the page: prefixes the SVG's internal ids and classes. */
  id: string;
  title: string;
  /** The figures in words: kept as the SVG's `<desc>` beside ECharts' generated `aria-label`. */
  desc: string;
  /** Language of ECharts' generated description; Chinese when absent. */
  lang?: 'zh' | 'en';
}

/**
 * Render one chart to an SVG string. ECharts numbers its renderers per process ("zr0", "zr1", …) in ids
 * and class names; they are renamed after the chart's id so that the same chart is the same bytes in
 * any process and two charts on a page never share an id. The hover stylesheet and ECharts' bookkeeping
 * attributes are dropped: the page is static.
 */
function render(chart: ChartText, width: number, height: number, option: EChartsCoreOption, exclude: number[] = []): string {
  const instance = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height, locale: chart.lang === 'en' ? 'EN' : 'ZH' });
  // ECharts writes its aria description onto the chart's DOM node; on the server there is none, so
  // hand it one that keeps the attributes (ECharts 6 leaves SSR aria as a TODO).
  const attributes: Record<string, string> = {};
  (instance.getZr() as unknown as { dom: unknown }).dom = { setAttribute: (name: string, value: string) => (attributes[name] = value) };
  try {
    instance.setOption({
      animation: false,
      aria: { enabled: true, label: { data: { maxCount: 24, excludeDimensionId: exclude } } },
      title: { text: chart.title, show: false },
      textStyle: { fontFamily: FONT, color: PALETTE.ink },
      ...option,
    });
    const svg = instance.renderToSVGString();
    const label = attributes['aria-label'] ?? chart.title;
    const prefix = chart.id.replace(/[^\w-]/g, '_');
    return svg
      .replace(/<svg width="[^"]*" height="[^"]*"/, `<svg class="chart" role="img" aria-label="${escapeXml(label)}" width="100%" style="max-width:${width}px"`)
      .replace(/(<svg[^>]*>)/, `$1<title>${escapeXml(chart.title)}</title><desc>${escapeXml(chart.desc)}</desc>`)
      .replace(/\bzr\d+-/g, `${prefix}-`)
      .replace(/ ecmeta_[a-z_]+="[^"]*"/g, '')
      .replace(/ class="[\w-]+-cls-\d+"/g, '')
      .replace(/<style\s*><!\[CDATA\[[\s\S]*?\]\]>\s*<\/style>/, '')
      .replace(/\n+/g, '');
  } finally {
    instance.dispose();
  }
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const axisText = { color: PALETTE.muted, fontSize: 11 };
const splitLine = { lineStyle: { color: PALETTE.grid, width: 0.5 } };

export interface Bar {
  label: string;
  value: number;
  /** Text after the bar; the value when absent. */
  note?: string;
  color?: string;
}

/** Left margin for category labels: the longest label, within a share of the width. */
function labelRoom(labels: string[], width: number, size: number): number {
  return Math.min(Math.round(width * 0.42), Math.ceil(Math.max(24, ...labels.map((l) => textWidth(l, size)))) + 20);
}

/** Horizontal bars, one per named category, the first on top, each with its note after it. */
export function barChart(chart: ChartText & { bars: Bar[]; width?: number; max?: number }): string {
  const width = chart.width ?? 480;
  const size = 13;
  const labels = chart.bars.map((b) => b.label);
  const left = labelRoom(labels, width, size);
  const right = Math.ceil(Math.max(30, ...chart.bars.map((b) => textWidth(b.note ?? String(b.value), size)))) + 12;
  return render(
    chart,
    width,
    chart.bars.length * 30 + 16,
    {
      grid: { left, right, top: 8, bottom: 8 },
      xAxis: { type: 'value', show: false, min: 0, ...(chart.max !== undefined ? { max: chart.max } : {}) },
      yAxis: { type: 'category', inverse: true, data: labels, axisTick: { show: false }, axisLine: { lineStyle: { color: PALETTE.grid } }, axisLabel: { color: PALETTE.ink, fontSize: size, width: left - 12, overflow: 'truncate' } },
      series: [
        {
          type: 'bar',
          name: chart.title,
          barWidth: 14,
          data: chart.bars.map((b) => ({ value: b.value, itemStyle: { color: b.color ?? PALETTE.brand } })),
          label: { show: true, position: 'right', color: PALETTE.muted, fontSize: size, formatter: ({ dataIndex }: { dataIndex: number }) => chart.bars[dataIndex].note ?? String(chart.bars[dataIndex].value) },
        },
      ],
    },
    [1],
  );
}

export interface StackedRow {
  label: string;
  values: number[];
}

/**
 * Horizontal stacked bars with a legend: parts of a whole per row (e.g. ratings per department). With
 * `share`, each row fills the width (the mix, in percent); otherwise bars are to scale.
 */
export function stackedBarChart(chart: ChartText & { series: { name: string; color: string }[]; rows: StackedRow[]; share?: boolean; width?: number }): string {
  const width = chart.width ?? 480;
  const size = 13;
  const labels = chart.rows.map((r) => r.label);
  const left = labelRoom(labels, width, size);
  const legendRows = Math.ceil(chart.series.reduce((w, s) => w + textWidth(s.name, 12) + 40, 0) / width);
  const top = 12 + legendRows * 22;
  const totals = chart.rows.map((r) => r.values.reduce((a, b) => a + b, 0));
  const value = (v: number, row: number) => (chart.share ? (totals[row] ? Math.round((v / totals[row]) * 10000) / 100 : 0) : v);
  return render(
    chart,
    width,
    top + chart.rows.length * 30 + 12,
    {
      legend: { top: 0, left: 0, itemWidth: 12, itemHeight: 12, textStyle: { fontSize: 12, color: PALETTE.ink } },
      grid: { left, right: 12, top, bottom: 8 },
      xAxis: { type: 'value', show: false, min: 0, ...(chart.share ? { max: 100 } : {}) },
      yAxis: { type: 'category', inverse: true, data: labels, axisTick: { show: false }, axisLine: { lineStyle: { color: PALETTE.grid } }, axisLabel: { color: PALETTE.ink, fontSize: size, width: left - 12, overflow: 'truncate' } },
      series: chart.series.map((s, j) => ({
        type: 'bar',
        name: s.name,
        stack: 'all',
        barWidth: 14,
        itemStyle: { color: s.color },
        data: chart.rows.map((r, i) => value(r.values[j] ?? 0, i)),
      })),
    },
    // The category, and the two dimensions ECharts adds for stacking.
    [1, 2, 3],
  );
}

/** Vertical columns with a label under each: for ordered bins (days taken, hours of the day). */
export function columnChart(chart: ChartText & { columns: Bar[]; width?: number; height?: number; labelEvery?: number }): string {
  const width = chart.width ?? 640;
  return render(
    chart,
    width,
    chart.height ?? 200,
    {
      grid: { left: 44, right: 8, top: 10, bottom: 24 },
      xAxis: { type: 'category', data: chart.columns.map((c) => c.label), axisTick: { show: false }, axisLine: { lineStyle: { color: PALETTE.grid } }, axisLabel: { ...axisText, interval: (chart.labelEvery ?? 1) - 1 } },
      yAxis: { type: 'value', min: 0, minInterval: 1, splitNumber: 4, splitLine, axisLabel: axisText },
      series: [{ type: 'bar', name: chart.title, barCategoryGap: '24%', data: chart.columns.map((c) => ({ value: c.value, itemStyle: { color: c.color ?? PALETTE.brand } })) }],
    },
    [0],
  );
}

/** A daily series as an area over a year or any span, with month ticks: quiet days show as troughs. */
export function timeSeriesChart(chart: ChartText & { points: { date: string; value: number }[]; width?: number; height?: number; monthLabel?: (month: string) => string }): string {
  const width = chart.width ?? 640;
  const dates = chart.points.map((p) => p.date);
  const tick = (index: number) => index === 0 || dates[index].endsWith('-01');
  return render(
    chart,
    width,
    chart.height ?? 200,
    {
      grid: { left: 44, right: 12, top: 10, bottom: 24 },
      xAxis: {
        type: 'category',
        boundaryGap: false,
        data: dates,
        axisLine: { lineStyle: { color: PALETTE.grid } },
        axisTick: { interval: tick, lineStyle: { color: PALETTE.muted } },
        axisLabel: { ...axisText, interval: tick, hideOverlap: true, formatter: (date: string) => (chart.monthLabel ? chart.monthLabel(date.slice(0, 7)) : date.slice(0, 7)) },
      },
      yAxis: { type: 'value', min: 0, minInterval: 1, splitNumber: 4, splitLine, axisLabel: axisText },
      series: [{ type: 'line', name: chart.title, showSymbol: false, lineStyle: { color: PALETTE.brand, width: 1.2 }, itemStyle: { color: PALETTE.brand }, areaStyle: { color: PALETTE.soft, opacity: 1 }, data: chart.points.map((p) => p.value) }],
    },
    [0],
  );
}

/** A grid of cells shaded by value: applications by weekday and hour. */
export function heatmap(chart: ChartText & { rows: string[]; columns: string[]; values: number[][]; width?: number; labelEvery?: number }): string {
  const width = chart.width ?? 640;
  const cell = (width - 48) / Math.max(1, chart.columns.length);
  const h = Math.min(24, cell);
  const data = chart.values.flatMap((row, r) => row.map((v, c) => [c, r, v]));
  return render(
    chart,
    width,
    Math.round(chart.rows.length * h + 32),
    {
      grid: { left: 44, right: 4, top: 4, bottom: 24 },
      xAxis: { type: 'category', data: chart.columns, splitArea: { show: false }, axisTick: { show: false }, axisLine: { show: false }, axisLabel: { ...axisText, interval: (chart.labelEvery ?? 3) - 1 } },
      yAxis: { type: 'category', data: chart.rows, inverse: true, axisTick: { show: false }, axisLine: { show: false }, axisLabel: { color: PALETTE.ink, fontSize: 12 } },
      visualMap: { show: false, min: 0, max: Math.max(1, ...chart.values.flat()), inRange: { color: ['#f3f6fa', PALETTE.brand] } },
      series: [{ type: 'heatmap', name: chart.title, data, itemStyle: { borderColor: '#ffffff', borderWidth: 1 } }],
    },
    [0, 1],
  );
}
