import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RuntimeManifest } from '../../generated/types/runtime/manifest.ts';
import { loadAndCheck } from '../../cli/commands/check/run.ts';
import { buildReport } from '../../cli/report/build-report.ts';
import { reportContext } from '../../cli/report/context.ts';
import { generateEvents } from '../../cli/report/generate.ts';
import { listEventFiles } from '../../cli/report/read-events.ts';
import { renderReportPage } from '../../cli/report/render-report.ts';
import { writeEventLog } from '../../cli/report/write-log.ts';
import { barChart, columnChart, heatmap, stackedBarChart, timeSeriesChart } from '../../cli/render/charts.ts';
import { NODE, REPO } from '../check/helpers.ts';
import { ARTIFACTS, launchChromium, screenshots } from '../site/helpers.ts';
import { tempDir } from './helpers.ts';

// Issue 16.5: the charts are ECharts' server-side SVG, with its aria description, in the page's language.

const CHARTS = `
import { barChart, columnChart, heatmap, stackedBarChart, timeSeriesChart } from ${JSON.stringify(pathToFileURL(path.join(REPO, 'cli/render/charts.ts')).href)};
export function all(lang) {
  return [
    barChart({ lang, id: 'b', title: '各部门申请', desc: '教务处 3，学生处 5', bars: [{ label: '教务处', value: 3 }, { label: '学生工作处（学生资助管理中心）', value: 5, note: '5（62.5%）', color: '#c4511a' }] }),
    stackedBarChart({ lang, id: 's', title: '评价构成', desc: '…', series: [{ name: '满意', color: '#0b4f9c' }, { name: '不满意', color: '#c4511a' }], rows: [{ label: '教务处', values: [3, 1] }, { label: '财务处', values: [0, 2] }], share: true }),
    columnChart({ lang, id: 'c', title: '办理用时', desc: '…', columns: Array.from({ length: 12 }, (_, i) => ({ label: String(i), value: (i * 7) % 5 })), labelEvery: 3 }),
    timeSeriesChart({ lang, id: 't', title: '每日申请', desc: '…', points: Array.from({ length: 61 }, (_, i) => ({ date: new Date(Date.UTC(2026, 8, 1 + i)).toISOString().slice(0, 10), value: i % 7 })) }),
    heatmap({ lang, id: 'h', title: '时段', desc: '…', rows: ['周一', '周二'], columns: Array.from({ length: 24 }, (_, i) => String(i)), values: [Array.from({ length: 24 }, (_, i) => i), Array.from({ length: 24 }, () => 1)] }),
  ];
}
`;

let tmp: Awaited<ReturnType<typeof tempDir>>;
let all: (lang: 'zh' | 'en') => string[];
beforeAll(async () => {
  tmp = await tempDir('hall-charts-');
  await writeFile(path.join(tmp.dir, 'charts.ts'), CHARTS);
  ({ all } = (await import(pathToFileURL(path.join(tmp.dir, 'charts.ts')).href)) as { all: typeof all });
});
afterAll(() => tmp.cleanup());

describe('16.5 charts drawn by ECharts', () => {
  it('every chart kind is ECharts SVG with its generated aria description, Chinese or English, and no script or animation', () => {
    const zh = all('zh');
    const en = all('en');
    for (const svg of [...zh, ...en]) {
      expect(svg).toMatch(/^<svg class="chart" role="img" aria-label="[^"]+"/);
      expect(svg).toContain('baseProfile="full"'); // zrender's SVG painter
      expect(svg).not.toMatch(/<script|<animate|ecmeta_|:hover/);
    }
    expect(zh[0]).toContain('aria-label="这是一个关于“各部门申请”的图表。图表类型是柱状图');
    expect(zh[0]).toContain('教务处的数据是3');
    expect(en[0]).toContain('aria-label="This is a chart about &quot;各部门申请&quot; with type Bar chart');
    expect(zh[1]).toContain('第0个系列是一个表示满意的柱状图，其数据是——教务处的数据是75，财务处的数据是0'); // stacked, in percent
    expect(zh[3]).toContain('折线图');
    expect(zh[4]).toContain('热力图');
  });

  it('the same input gives the same bytes: twice in one process, and in another process', async () => {
    expect(all('zh')).toEqual(all('zh'));
    const child = await execa(NODE, ['--input-type=module', '-e', `import { all } from ${JSON.stringify(pathToFileURL(path.join(tmp.dir, 'charts.ts')).href)}; process.stdout.write(JSON.stringify(all('zh')));`]);
    expect(JSON.parse(child.stdout)).toEqual(all('zh'));
  });

  it('the hand-written renderer is gone: charts.ts draws nothing itself', async () => {
    const source = await readFile(path.join(REPO, 'cli/render/charts.ts'), 'utf8');
    expect(source).toContain("from 'echarts/core'");
    expect(source).not.toMatch(/<rect|<polyline|<polygon|<line /);
  });

  it('direct calls render too', () => {
    expect(barChart({ id: 'x', title: 'x', desc: 'x', bars: [] })).toContain('<svg');
    expect(columnChart({ id: 'y', title: 'y', desc: 'y', columns: [] })).toContain('<svg');
    expect(stackedBarChart({ id: 'z', title: 'z', desc: 'z', series: [], rows: [] })).toContain('<svg');
    expect(timeSeriesChart({ id: 'w', title: 'w', desc: 'w', points: [] })).toContain('<svg');
    expect(heatmap({ id: 'v', title: 'v', desc: 'v', rows: [], columns: [], values: [] })).toContain('<svg');
  });
});

describe('16.5 the report page with ECharts charts in Chromium', () => {
  let browser: Browser;
  let page: string;
  beforeAll(async () => {
    const { catalog } = await loadAndCheck(path.join(REPO, 'catalog'), { today: '2026-09-01' });
    const manifest = JSON.parse(await readFile(path.join(REPO, 'generated/runtime/manifest.json'), 'utf8')) as RuntimeManifest;
    const log = path.join(tmp.dir, 'events.jsonl');
    await writeEventLog(generateEvents(catalog, { events: 4000, seed: 3, versions: new Map(manifest.services.map((s) => [s.id, s.current])) }), log);
    const data = await buildReport(await listEventFiles(log), reportContext(catalog, manifest), { now: Date.parse('2026-12-01T00:00:00Z') });
    const html = renderReportPage(data, 'zh');
    expect(renderReportPage(data, 'zh')).toBe(html);
    const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    page = path.join(tmp.dir, 'index.html');
    await writeFile(page, html);
    browser = await launchChromium();
  }, 120_000);
  afterAll(() => browser?.close());

  it('draws every chart with its accessible name, and is screenshotted', async () => {
    const tab = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await tab.goto(pathToFileURL(page).href);
    const charts = (await tab.evaluate(`[...document.querySelectorAll('svg.chart')].map((s) => { const r = s.getBoundingClientRect(); return { w: r.width, h: r.height, name: s.getAttribute('aria-label'), shapes: s.querySelectorAll('path').length }; })`)) as { w: number; h: number; name: string; shapes: number }[];
    expect(charts.length).toBeGreaterThanOrEqual(6);
    for (const c of charts) {
      expect(c.w).toBeGreaterThan(200);
      expect(c.h).toBeGreaterThan(40);
      expect(c.name).toMatch(/^这是一个关于“.+”的图表/);
      expect(c.shapes).toBeGreaterThan(2);
    }
    await tab.close();
    await screenshots(browser, pathToFileURL(page).href, 'report-echarts');
    expect((await readFile(path.join(ARTIFACTS, 'report-echarts-1280.png'))).length).toBeGreaterThan(10_000);
  }, 120_000);
});
