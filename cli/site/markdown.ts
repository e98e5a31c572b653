import type { MdBlock, MdInline } from './types.ts';

/** Links the site may render: web, mail, in-site paths and anchors; anything else (javascript: …) stays text. */
const SAFE_HREF = /^(https?:\/\/|mailto:|\/|#|\.{0,2}\/?[A-Za-z0-9_-])/;

/** Inline Markdown: `code`, **strong**, *em* / _em_, [text](href). Everything else is text. Pure. */
export function parseInline(source: string): MdInline[] {
  const out: MdInline[] = [];
  const pattern = /`([^`]+)`|\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*|(?<![A-Za-z0-9])_([^_\s][^_]*)_(?![A-Za-z0-9])|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let last = 0;
  for (const m of source.matchAll(pattern)) {
    if (m.index > last) out.push({ type: 'text', text: source.slice(last, m.index) });
    if (m[1] !== undefined) out.push({ type: 'code', text: m[1] });
    else if (m[2] !== undefined) out.push({ type: 'strong', text: m[2] });
    else if (m[3] !== undefined) out.push({ type: 'em', text: m[3] });
    else if (m[4] !== undefined) out.push({ type: 'em', text: m[4] });
    else if (SAFE_HREF.test(m[6]) && !/^\s*(javascript|data|vbscript):/i.test(m[6])) out.push({ type: 'link', text: m[5], href: m[6] });
    else out.push({ type: 'text', text: m[5] });
    last = m.index + m[0].length;
  }
  if (last < source.length) out.push({ type: 'text', text: source.slice(last) });
  return out;
}

/** GitHub's heading anchors, so links written for GitHub (`[English below](#adding-…)`) keep working. */
export function slug(text: string, used: Set<string>): string {
  const base = text
    .replace(/[`*_]|\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
  let id = base;
  for (let i = 1; used.has(id); i++) id = `${base}-${i}`;
  used.add(id);
  return id;
}

const ITEM = /^(\s*)([-*+]|\d+[.)])\s+/;

/**
 * A list starting at `start`: items may be separated by blank lines, continue on indented lines,
 * and hold one nested list (items indented further than the list's own).
 */
function parseList(lines: string[], start: number): { block: MdBlock; next: number } {
  const first = ITEM.exec(lines[start])!;
  const indent = first[1].length;
  const ordered = /\d/.test(first[2]);
  const items: { text: string; sub?: { ordered: boolean; items: string[] } }[] = [];
  let i = start;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) {
      // A blank line ends the list unless the list (or the item) goes on after it.
      let j = i + 1;
      while (j < lines.length && !lines[j].trim()) j++;
      const next = lines[j] ?? '';
      const m = ITEM.exec(next);
      if ((m && m[1].length >= indent && /\d/.test(m[2]) === ordered) || (m && m[1].length > indent) || (!m && /^\s{2,}\S/.test(next) && items.length)) {
        i = j;
        continue;
      }
      break;
    }
    const m = ITEM.exec(line);
    if (m && m[1].length <= indent) {
      if (/\d/.test(m[2]) !== ordered) break;
      items.push({ text: line.slice(m[0].length).trim() });
    } else if (m && items.length) {
      const last = items[items.length - 1];
      last.sub ??= { ordered: /\d/.test(m[2]), items: [] };
      last.sub.items.push(line.slice(m[0].length).trim());
    } else if (/^\s+\S/.test(line) && items.length) {
      const last = items[items.length - 1];
      if (last.sub) last.sub.items[last.sub.items.length - 1] = joinLines([last.sub.items[last.sub.items.length - 1], line.trim()]);
      else last.text = joinLines([last.text, line.trim()]);
    } else {
      break;
    }
    i++;
  }
  const startNumber = ordered ? Number.parseInt(first[2], 10) : undefined;
  return {
    block: {
      type: 'list',
      ordered,
      ...(startNumber !== undefined && startNumber !== 1 ? { start: startNumber } : {}),
      items: items.map((it) => ({ inline: parseInline(it.text), ...(it.sub ? { sub: { ordered: it.sub.ordered, items: it.sub.items.map(parseInline) } } : {}) })),
    },
    next: i,
  };
}

/** Join wrapped lines: a space between Latin words, nothing between Chinese characters. */
const joinLines = (lines: string[]) => lines.reduce((acc, l) => (acc && !CJK_END.test(acc) && !CJK_START.test(l) ? `${acc} ${l}` : acc + l), '');
const CJK_END = /[\u3000-\u9fff\uff00-\uffef]$/;
const CJK_START = /^[\u3000-\u9fff\uff00-\uffef]/;

const cells = (row: string) => row.trim().replace(/^\||\|$/g, '').split('|').map((c) => parseInline(c.trim()));

/**
 * A small Markdown reader for the handbook (docs/*.md written by colleagues): headings, paragraphs,
 * lists, fenced code, quotes and tables. Raw HTML is kept as text. Pure.
 */
export function parseMarkdown(source: string): MdBlock[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const blocks: MdBlock[] = [];
  const ids = new Set<string>();
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) {
      i++;
      continue;
    }
    const fence = /^(```|~~~)\s*([\w-]*)/.exec(line);
    if (fence) {
      const body: string[] = [];
      for (i++; i < lines.length && !lines[i].startsWith(fence[1]); i++) body.push(lines[i]);
      i++;
      blocks.push({ type: 'code', ...(fence[2] ? { lang: fence[2] } : {}), text: body.join('\n') });
      continue;
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      blocks.push({ type: 'heading', level: heading[1].length, id: slug(heading[2], ids), inline: parseInline(heading[2]) });
      i++;
      continue;
    }
    if (/^\s*\|/.test(line) && i + 1 < lines.length && /^\s*\|?\s*:?-{3,}/.test(lines[i + 1])) {
      const head = cells(line);
      const rows: MdInline[][][] = [];
      for (i += 2; i < lines.length && /^\s*\|/.test(lines[i]); i++) rows.push(cells(lines[i]));
      blocks.push({ type: 'table', head, rows });
      continue;
    }
    if (/^>\s?/.test(line)) {
      const body: string[] = [];
      for (; i < lines.length && /^>\s?/.test(lines[i]); i++) body.push(lines[i].replace(/^>\s?/, ''));
      blocks.push({ type: 'quote', inline: parseInline(joinLines(body)) });
      continue;
    }
    if (ITEM.test(line)) {
      const { block, next } = parseList(lines, i);
      blocks.push(block);
      i = next;
      continue;
    }
    const body: string[] = [];
    for (; i < lines.length && lines[i].trim() && !/^(#{1,6}\s|```|~~~|>|\s*([-*+]|\d+[.)])\s)/.test(lines[i]); i++) body.push(lines[i].trim());
    if (!body.length) {
      body.push(lines[i].trim());
      i++;
    }
    blocks.push({ type: 'paragraph', inline: parseInline(joinLines(body)) });
  }
  return blocks;
}
