import pc from 'picocolors';
import type { Diagnostic } from '../diagnostic.ts';
import { counted } from '../../../lib/shared/plural.ts';
import { renderDiagnostic } from '../registry.ts';
import type { FormatOptions } from './index.ts';
import { countBySeverity } from './index.ts';

const LABELS = {
  zh: { error: '错误', warning: '警告', info: '提示', fix: '怎么改', none: (f: number) => `没有发现问题（检查了 ${f} 个文件）。`, summary: (e: number, w: number, f: number) => `共 ${e} 个错误，${w} 个警告（检查了 ${f} 个文件）。` },
  en: { error: 'error', warning: 'warning', info: 'info', fix: 'How to fix', none: (f: number) => `No problems found in ${counted(f, 'file')}.`, summary: (e: number, w: number, f: number) => `${counted(e, 'error')}, ${counted(w, 'warning')} in ${counted(f, 'file')}.` },
};

/** Display width in a terminal: CJK and full-width characters take two columns. */
function width(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : ch === '\t' ? 2 : 1;
  return w;
}

/** Widest slice of a source line shown in a frame: a minified or generated line can be a megabyte. */
const FRAME_WIDTH = 100;

/** The part of `line` shown around `column` (1-based), and where `column` falls in it. */
function around(line: string, column: number): { shown: string; column: number } {
  if (line.length <= FRAME_WIDTH) return { shown: line, column };
  const start = Math.max(0, Math.min(column - 1 - FRAME_WIDTH / 2, line.length - FRAME_WIDTH));
  const end = start + FRAME_WIDTH;
  const head = start > 0 ? '…' : '';
  return { shown: head + line.slice(start, end) + (end < line.length ? '…' : ''), column: column - start + head.length };
}

function codeFrame(lines: string[], d: Diagnostic, color: boolean): string {
  if (d.line < 1 || d.line > lines.length) return '';
  const from = Math.max(1, d.line - 2);
  const to = Math.min(lines.length, d.line + 2);
  const gutter = String(to).length;
  const out: string[] = [];
  for (let n = from; n <= to; n++) {
    const { shown: raw, column } = around(lines[n - 1].replace(/\r$/, ''), n === d.line ? d.column : 1);
    const content = raw.replace(/\t/g, '  ');
    const marker = n === d.line ? (color ? pc.red('>') : '>') : ' ';
    out.push(`  ${marker} ${String(n).padStart(gutter)} | ${content}`);
    if (n === d.line) {
      const before = raw.slice(0, Math.max(0, column - 1));
      const endCol = d.endLine === d.line && d.endColumn && d.endColumn > d.column ? column + (d.endColumn - d.column) : column + 1;
      const span = Math.max(1, width(raw.slice(column - 1, endCol - 1)));
      const carets = '^'.repeat(Math.min(span, 60));
      out.push(`    ${' '.repeat(gutter)} | ${' '.repeat(width(before))}${color ? pc.red(carets) : carets}`);
    }
  }
  return out.join('\n');
}

/** Human output: position, message, the lines around it with a caret, and how to fix it. */
export function formatPretty(diagnostics: Diagnostic[], options: FormatOptions): string {
  const L = LABELS[options.lang];
  const paint = (fn: (s: string) => string, s: string) => (options.color ? fn(s) : s);
  // Each file is split into lines once, however many findings point into it.
  const split = new Map<string, string[] | undefined>();
  const linesOf = (file: string) => {
    if (!split.has(file)) split.set(file, options.sources.get(file)?.split('\n'));
    return split.get(file);
  };
  const blocks = diagnostics.map((d) => {
    const r = renderDiagnostic(d, options.lang);
    const sev = d.severity === 'error' ? paint(pc.red, L.error) : d.severity === 'warning' ? paint(pc.yellow, L.warning) : paint(pc.blue, L.info);
    const head = `${paint(pc.bold, `${d.file}:${d.line}:${d.column}`)}  ${sev}  ${paint(pc.dim, d.code)}`;
    const frame = linesOf(d.file) ? codeFrame(linesOf(d.file)!, d, options.color) : '';
    return [head, `  ${r.message}`, frame, `  ${paint(pc.cyan, options.lang === 'zh' ? `${L.fix}：` : `${L.fix}: `)}${r.hint}`].filter(Boolean).join('\n');
  });
  const counts = countBySeverity(diagnostics);
  const summary = diagnostics.length === 0 ? `${paint(pc.green, '✔')} ${L.none(options.filesChecked)}` : L.summary(counts.error, counts.warning, options.filesChecked);
  return [...blocks, summary].join('\n\n') + '\n';
}
