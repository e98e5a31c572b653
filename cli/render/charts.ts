/**
 * Static SVG charts for the statistics page and the operations report: plain strings, no script, no
 * fonts, deterministic bytes. Each chart is an `<svg role="img">` with a `<title>` and a `<desc>` and
 * sits beside a table of the same figures, so nothing is shown only as a picture.
 *
 * A small renderer of our own rather than a charting library: the well-known ones (D3, Vega, Chart.js)
 * either need a DOM or a canvas, or ship far more than five chart shapes need; this file is the whole of it.
 */

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

const FONT = 'font-family="system-ui, -apple-system, &quot;PingFang SC&quot;, &quot;Microsoft YaHei&quot;, &quot;Noto Sans CJK SC&quot;, sans-serif"';

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Rough width of text in ems: CJK and full-width characters take one em, others a little over half. */
export function textWidth(text: string, size: number): number {
  let em = 0;
  for (const ch of text) em += /[\u1100-\u115f\u2150-\u218f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 1 : 0.58;
  return em * size;
}

/** Cut text to fit a width, marking the cut with an ellipsis. */
function fit(text: string, width: number, size: number): string {
  if (textWidth(text, size) <= width) return text;
  let out = '';
  for (const ch of text) {
    if (textWidth(`${out}${ch}…`, size) > width) break;
    out += ch;
  }
  return `${out}…`;
}

const n2 = (x: number) => (Math.round(x * 100) / 100).toString();

function frame(id: string, title: string, desc: string, width: number, height: number, body: string, size = 13): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="${id}-t ${id}-d" viewBox="0 0 ${n2(width)} ${n2(height)}" width="100%" style="max-width:${n2(width)}px" ${FONT} font-size="${size}">` +
    `<title id="${id}-t">${escapeXml(title)}</title><desc id="${id}-d">${escapeXml(desc)}</desc>${body}</svg>`
  );
}

export interface ChartText {
  /** Unique within the page: used for the ids that tie the title and description to the chart. */
  id: string;
  title: string;
  /** What the chart shows, for screen readers: the main figures in words. */
  desc: string;
}

export interface Bar {
  label: string;
  value: number;
  /** Text after the bar; the value when absent. */
  note?: string;
  color?: string;
}

/**
 * Horizontal bars, one per row, each under its label: the shape for named categories with long Chinese
 * labels, and one that stays legible when a phone shrinks the chart.
 */
export function barChart(chart: ChartText & { bars: Bar[]; width?: number; max?: number }): string {
  const width = chart.width ?? 480;
  const size = 14;
  const row = 40;
  const noteWidth = Math.max(40, ...chart.bars.map((b) => textWidth(b.note ?? String(b.value), size))) + 16;
  const plot = width - noteWidth;
  const max = chart.max ?? Math.max(1, ...chart.bars.map((b) => b.value));
  const body = chart.bars
    .map((b, i) => {
      const y = i * row;
      const w = max > 0 ? (Math.max(0, b.value) / max) * plot : 0;
      return (
        `<text x="0" y="${n2(y + 15)}" fill="${PALETTE.ink}">${escapeXml(fit(b.label, width, size))}</text>` +
        `<rect x="0" y="${n2(y + 20)}" width="${n2(w)}" height="14" fill="${b.color ?? PALETTE.brand}"/>` +
        `<text x="${n2(w + 6)}" y="${n2(y + 32)}" fill="${PALETTE.muted}">${escapeXml(b.note ?? String(b.value))}</text>`
      );
    })
    .join('');
  return frame(chart.id, chart.title, chart.desc, width, chart.bars.length * row + 4, body, size);
}

export interface StackedRow {
  label: string;
  values: number[];
}

/**
 * Horizontal stacked bars under their labels, with a legend: parts of a whole per row (e.g. ratings per
 * department). With `share`, each row fills the width (the mix); otherwise bars are to scale.
 */
export function stackedBarChart(chart: ChartText & { series: { name: string; color: string }[]; rows: StackedRow[]; share?: boolean; width?: number }): string {
  const width = chart.width ?? 480;
  const size = 14;
  const row = 40;
  const totalWidth = Math.max(40, ...chart.rows.map((r) => textWidth(String(r.values.reduce((a, b) => a + b, 0)), size))) + 16;
  const plot = width - totalWidth;
  const max = Math.max(1, ...chart.rows.map((r) => r.values.reduce((a, b) => a + b, 0)));
  // Legend: series names in a wrapping row above the bars.
  let lx = 0;
  let ly = 14;
  const legend = chart.series
    .map((s) => {
      const w = 18 + textWidth(s.name, size) + 14;
      if (lx + w > width && lx > 0) {
        lx = 0;
        ly += 22;
      }
      const out = `<rect x="${n2(lx)}" y="${n2(ly - 11)}" width="12" height="12" fill="${s.color}"/><text x="${n2(lx + 16)}" y="${n2(ly)}" fill="${PALETTE.ink}">${escapeXml(s.name)}</text>`;
      lx += w;
      return out;
    })
    .join('');
  const top = ly + 14;
  const body = chart.rows
    .map((r, i) => {
      const y = top + i * row;
      const total = r.values.reduce((a, b) => a + b, 0);
      const scale = chart.share ? (total > 0 ? plot / total : 0) : plot / max;
      let x = 0;
      const parts = r.values
        .map((v, j) => {
          const w = v * scale;
          const part = w > 0 ? `<rect x="${n2(x)}" y="${n2(y + 20)}" width="${n2(w)}" height="14" fill="${chart.series[j]?.color ?? PALETTE.muted}"/>` : '';
          x += w;
          return part;
        })
        .join('');
      return `<text x="0" y="${n2(y + 15)}" fill="${PALETTE.ink}">${escapeXml(fit(r.label, width, size))}</text>${parts}<text x="${n2(x + 6)}" y="${n2(y + 32)}" fill="${PALETTE.muted}">${total}</text>`;
    })
    .join('');
  return frame(chart.id, chart.title, chart.desc, width, top + chart.rows.length * row + 4, `${legend}${body}`, size);
}

/** Vertical columns with a label under each: for ordered bins (days taken, hours of the day). */
export function columnChart(chart: ChartText & { columns: Bar[]; width?: number; height?: number; labelEvery?: number }): string {
  const width = chart.width ?? 640;
  const height = chart.height ?? 200;
  const left = 44;
  const bottom = 22;
  const top = 8;
  const plotH = height - top - bottom;
  const max = niceMax(Math.max(1, ...chart.columns.map((c) => c.value)));
  const step = (width - left) / Math.max(1, chart.columns.length);
  const every = chart.labelEvery ?? Math.max(1, Math.ceil((chart.columns.length * 28) / (width - left)));
  const grid = axis(left, top, width, plotH, max);
  const cols = chart.columns
    .map((c, i) => {
      const h = (Math.max(0, c.value) / max) * plotH;
      const x = left + i * step;
      const label = i % every === 0 ? `<text x="${n2(x + step / 2)}" y="${n2(height - 6)}" text-anchor="middle" fill="${PALETTE.muted}" font-size="11">${escapeXml(c.label)}</text>` : '';
      return `<rect x="${n2(x + step * 0.12)}" y="${n2(top + plotH - h)}" width="${n2(step * 0.76)}" height="${n2(h)}" fill="${c.color ?? PALETTE.brand}"/>${label}`;
    })
    .join('');
  return frame(chart.id, chart.title, chart.desc, width, height, `${grid}${cols}`);
}

/** A daily series as an area over a year or any span, with month ticks: quiet days show as troughs. */
export function timeSeriesChart(chart: ChartText & { points: { date: string; value: number }[]; width?: number; height?: number; monthLabel?: (month: string) => string }): string {
  const width = chart.width ?? 640;
  const height = chart.height ?? 200;
  const left = 44;
  const bottom = 22;
  const top = 8;
  const plotH = height - top - bottom;
  const plotW = width - left - 4;
  const n = chart.points.length;
  const max = niceMax(Math.max(1, ...chart.points.map((p) => p.value)));
  const x = (i: number) => left + (n <= 1 ? plotW / 2 : (i / (n - 1)) * plotW);
  const y = (v: number) => top + plotH - (Math.max(0, v) / max) * plotH;
  const line = chart.points.map((p, i) => `${n2(x(i))},${n2(y(p.value))}`).join(' ');
  const area = n ? `<polygon points="${n2(x(0))},${n2(top + plotH)} ${line} ${n2(x(n - 1))},${n2(top + plotH)}" fill="${PALETTE.soft}"/>` : '';
  const ticks = chart.points
    .map((p, i) => ({ p, i }))
    .filter(({ p, i }) => p.date.endsWith('-01') || i === 0)
    .map(({ p, i }) => {
      const label = chart.monthLabel ? chart.monthLabel(p.date.slice(0, 7)) : p.date.slice(0, 7);
      return `<line x1="${n2(x(i))}" y1="${n2(top + plotH)}" x2="${n2(x(i))}" y2="${n2(top + plotH + 4)}" stroke="${PALETTE.muted}"/><text x="${n2(x(i) + 2)}" y="${n2(height - 6)}" fill="${PALETTE.muted}" font-size="11">${escapeXml(label)}</text>`;
    })
    .join('');
  return frame(chart.id, chart.title, chart.desc, width, height, `${axis(left, top, width, plotH, max)}${area}${n ? `<polyline points="${line}" fill="none" stroke="${PALETTE.brand}" stroke-width="1.2"/>` : ''}${ticks}`);
}

/** A grid of cells shaded by value: applications by weekday and hour. */
export function heatmap(chart: ChartText & { rows: string[]; columns: string[]; values: number[][]; width?: number; labelEvery?: number }): string {
  const width = chart.width ?? 640;
  const size = 12;
  const left = Math.max(...chart.rows.map((r) => textWidth(r, size))) + 10;
  const cell = (width - left) / Math.max(1, chart.columns.length);
  const h = Math.min(24, cell);
  const max = Math.max(1, ...chart.values.flat());
  const every = chart.labelEvery ?? 3;
  const cells = chart.values
    .map((row, r) =>
      row
        .map((v, c) => {
          const t = v / max;
          return `<rect x="${n2(left + c * cell)}" y="${n2(r * h)}" width="${n2(cell - 1)}" height="${n2(h - 1)}" fill="${shade(t)}"><title>${escapeXml(`${chart.rows[r]} ${chart.columns[c]}: ${v}`)}</title></rect>`;
        })
        .join(''),
    )
    .join('');
  const rowLabels = chart.rows.map((r, i) => `<text x="${n2(left - 6)}" y="${n2(i * h + h / 2 + 4)}" text-anchor="end" fill="${PALETTE.ink}" font-size="${size}">${escapeXml(r)}</text>`).join('');
  const colLabels = chart.columns
    .map((c, i) => (i % every === 0 ? `<text x="${n2(left + i * cell + cell / 2)}" y="${n2(chart.rows.length * h + 14)}" text-anchor="middle" fill="${PALETTE.muted}" font-size="11">${escapeXml(c)}</text>` : ''))
    .join('');
  return frame(chart.id, chart.title, chart.desc, width, chart.rows.length * h + 20, `${cells}${rowLabels}${colLabels}`);
}

/** White → brand blue. */
function shade(t: number): string {
  const from = [0xf3, 0xf6, 0xfa];
  const to = [0x0b, 0x4f, 0x9c];
  const c = from.map((f, i) => Math.round(f + (to[i] - f) * Math.min(1, Math.max(0, t))));
  return `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** A round number at or above `max` for the top of an axis: 1, 2 or 5 times a power of ten. */
export function niceMax(max: number): number {
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

function axis(left: number, top: number, width: number, plotH: number, max: number): string {
  const lines: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    const y = top + plotH - (plotH * i) / 4;
    lines.push(`<line x1="${left}" y1="${n2(y)}" x2="${n2(width)}" y2="${n2(y)}" stroke="${PALETTE.grid}" stroke-width="${i === 0 ? 1 : 0.5}"/>`);
    lines.push(`<text x="${left - 4}" y="${n2(y + 4)}" text-anchor="end" fill="${PALETTE.muted}" font-size="11">${formatAxis(v)}</text>`);
  }
  return lines.join('');
}

function formatAxis(v: number): string {
  if (v >= 10_000) return `${n2(v / 1000)}k`;
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}
