/** Formatting shared by the statistics and report renderers: numbers, shares, tables as HTML, Markdown and CSV. */
import type { LocalizedText } from '../model/catalog.ts';
import { textEn, textZh } from '../model/catalog.ts';

export type Lang = 'zh' | 'en';

/** Text in Chinese and, where the catalog has it, English. */
export interface Text {
  zh: string;
  en?: string;
}

export const text = (value: LocalizedText | undefined): Text => {
  const en = textEn(value);
  return en === undefined ? { zh: textZh(value) } : { zh: textZh(value), en };
};

/** Text in the reader's language, falling back to Chinese. */
export const inLang = (t: Text, lang: Lang): string => (lang === 'en' ? (t.en ?? t.zh) : t.zh);

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A share as a percentage with one decimal ("–" when there is nothing to divide). */
export function percent(part: number, whole: number): string {
  return whole > 0 ? `${(Math.round((part / whole) * 1000) / 10).toFixed(1)}%` : '–';
}

/** A ratio rounded to four decimals for machine-readable output (null when undefined). */
export function ratio(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part / whole) * 10000) / 10000 : null;
}

/** Thousands separated: 1,000,000. */
export function count(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function fixed(n: number | null | undefined, digits = 1): string {
  return n === null || n === undefined || Number.isNaN(n) ? '–' : n.toFixed(digits);
}

/** A cell: text, and whether it is a number (right-aligned). */
export type Cell = string | number | { text: string; numeric?: boolean; html?: string };

const cellText = (c: Cell) => (typeof c === 'object' ? c.text : String(c));
const cellNumeric = (c: Cell) => typeof c === 'number' || (typeof c === 'object' && Boolean(c.numeric));

export function htmlTable(head: string[], rows: Cell[][], options: { caption?: string; className?: string } = {}): string {
  const numeric = head.map((_, i) => rows.length > 0 && rows.every((r) => cellNumeric(r[i])));
  const th = head.map((h, i) => `<th scope="col"${numeric[i] ? ' class="num"' : ''}>${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map((r) => `<tr>${r.map((c, i) => {
      const content = typeof c === 'object' && c.html !== undefined ? c.html : escapeHtml(typeof c === 'number' ? count(c) : cellText(c));
      return i === 0 ? `<th scope="row">${content}</th>` : `<td${numeric[i] ? ' class="num"' : ''}>${content}</td>`;
    }).join('')}</tr>`)
    .join('');
  return `<div class="table-scroll"><table${options.className ? ` class="${options.className}"` : ''}>${options.caption ? `<caption>${escapeHtml(options.caption)}</caption>` : ''}<thead><tr>${th}</tr></thead><tbody>${body}</tbody></table></div>`;
}

const mdEscape = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdownTable(head: string[], rows: Cell[][]): string {
  const numeric = head.map((_, i) => rows.length > 0 && rows.every((r) => cellNumeric(r[i])));
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head.map(mdEscape)), line(numeric.map((n) => (n ? '---:' : '---'))), ...rows.map((r) => line(r.map((c) => mdEscape(typeof c === 'number' ? count(c) : cellText(c)))))].join('\n');
}

/** RFC 4180 CSV; a leading BOM so spreadsheet programs read the Chinese as UTF-8. */
export function csv(head: string[], rows: (string | number | null | undefined)[][]): string {
  const cell = (v: string | number | null | undefined) => {
    const s = v === null || v === undefined ? '' : String(v);
    // A leading =, +, - or @ would run as a formula in a spreadsheet: quote it with an apostrophe.
    const safe = /^[=+\-@\t\r]/.test(s) && typeof v === 'string' ? `'${s}` : s;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  return `\ufeff${[head, ...rows].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}
