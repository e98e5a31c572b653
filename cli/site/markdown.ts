import { Lexer } from 'marked';
import type { Token, Tokens } from 'marked';
import type { MdBlock, MdInline, MdListItem } from './types.ts';

/*
 * The handbook's Markdown (docs/*.md written by colleagues) is read by `marked`'s lexer, a CommonMark
 * and GFM reader that is widely used and kept up to date: thematic breaks, setext headings, nested
 * lists, link destinations with parentheses and backslash escapes are its job, not a regex's. Only its
 * tokens are used, never its HTML: the tokens become MdBlock data that the site renders element by
 * element as escaped text, so raw HTML in a document stays text and no link can carry a script.
 */

/** Links the site may render: web, mail, in-site paths and anchors; anything else (javascript: …) stays text. */
const SAFE_HREF = /^(https?:\/\/|mailto:|\/|#|\.{0,2}\/?[A-Za-z0-9_-])/;
const isSafeHref = (href: string) => SAFE_HREF.test(href) && !/^\s*(javascript|data|vbscript):/i.test(href);

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Character references as the characters they stand for (the site escapes text again when it renders it). */
const decode = (text: string) =>
  text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] !== '#') return ENTITIES[ref.toLowerCase()] ?? whole;
    const code = ref[1].toLowerCase() === 'x' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });

const CJK_END = /[\u3000-\u9fff\uff00-\uffef]$/;
const CJK_START = /^[\u3000-\u9fff\uff00-\uffef]/;

/** A soft line break: a space between Latin words, nothing between Chinese characters. */
const joinLines = (text: string) => text.split('\n').reduce((acc, line, i) => (i === 0 ? line : !CJK_END.test(acc) && !CJK_START.test(line) ? `${acc} ${line}` : acc + line), '');

/** The plain text of inline tokens (for strong/em/link labels, which the site renders as one piece of text). */
function plain(tokens: Token[] | undefined): string {
  return (tokens ?? [])
    .map((t) => {
      if ('tokens' in t && t.tokens?.length && t.type !== 'codespan') return plain(t.tokens);
      if (t.type === 'br') return ' ';
      if (t.type === 'image') return (t as Tokens.Image).text;
      return 'text' in t ? decode(joinLines(String(t.text))) : '';
    })
    .join('');
}

/** Push text, merging it with the text before so unsafe links and escapes leave no seams. */
function pushText(out: MdInline[], text: string): void {
  if (!text) return;
  const last = out.at(-1);
  if (last?.type === 'text') last.text += text;
  else out.push({ type: 'text', text });
}

function inlineOf(tokens: Token[] | undefined, out: MdInline[] = []): MdInline[] {
  for (const t of tokens ?? []) {
    switch (t.type) {
      case 'codespan':
        out.push({ type: 'code', text: decode((t as Tokens.Codespan).text) });
        break;
      case 'strong':
        out.push({ type: 'strong', text: plain((t as Tokens.Strong).tokens) });
        break;
      case 'em':
        out.push({ type: 'em', text: plain((t as Tokens.Em).tokens) });
        break;
      case 'link': {
        const link = t as Tokens.Link;
        if (isSafeHref(link.href)) out.push({ type: 'link', text: plain(link.tokens), href: link.href });
        // An unsafe link keeps its label as text, and only its label.
        else pushText(out, plain(link.tokens));
        break;
      }
      case 'br':
        pushText(out, ' ');
        break;
      case 'text':
        if ('tokens' in t && t.tokens?.length) inlineOf(t.tokens, out);
        else pushText(out, decode(joinLines((t as Tokens.Text).text)));
        break;
      default:
        // Raw inline HTML, images, escapes, strikethrough …: their text, shown as text.
        pushText(out, 'tokens' in t && t.tokens?.length ? plain(t.tokens) : t.type === 'image' ? (t as Tokens.Image).text : 'text' in t ? joinLines(String(t.text)) : '');
    }
  }
  // Soft breaks between inline pieces (a line ending right before a link …) read as one line too.
  return out;
}

/** Inline Markdown: `code`, **strong**, *em* / _em_, [text](href); everything else is text. Pure. */
export function parseInline(source: string): MdInline[] {
  return inlineOf(new Lexer().inlineTokens(source));
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

/** The inline content of a list item or quote: its text and paragraphs, one after another. */
function flowOf(tokens: Token[]): MdInline[] {
  const out: MdInline[] = [];
  for (const t of tokens) {
    if (t.type === 'list' || t.type === 'space') continue;
    if (out.length) pushText(out, ' ');
    if (t.type === 'text' || t.type === 'paragraph' || t.type === 'heading') inlineOf((t as Tokens.Text).tokens ?? [{ type: 'text', raw: t.raw, text: (t as Tokens.Text).text }], out);
    else if (t.type === 'code') out.push({ type: 'code', text: (t as Tokens.Code).text });
    else pushText(out, 'text' in t ? String(t.text).trim() : '');
  }
  return out;
}

/** Items of a nested list, deeper levels flattened into it (the site shows two levels). */
function nestedItems(list: Tokens.List): MdInline[][] {
  return list.items.flatMap((item) => [flowOf(item.tokens), ...item.tokens.filter((t): t is Tokens.List => t.type === 'list').flatMap(nestedItems)]);
}

function listOf(list: Tokens.List): MdBlock {
  const items = list.items.map((item): MdListItem => {
    const sub = item.tokens.filter((t): t is Tokens.List => t.type === 'list');
    return { inline: flowOf(item.tokens), ...(sub.length ? { sub: { ordered: sub[0].ordered, items: sub.flatMap(nestedItems) } } : {}) };
  });
  const start = list.ordered && typeof list.start === 'number' && list.start !== 1 ? { start: list.start } : {};
  return { type: 'list', ordered: list.ordered, ...start, items };
}

function blocksOf(tokens: Token[], ids: Set<string>, out: MdBlock[]): MdBlock[] {
  for (const t of tokens) {
    switch (t.type) {
      case 'heading': {
        const h = t as Tokens.Heading;
        out.push({ type: 'heading', level: h.depth, id: slug(h.text, ids), inline: inlineOf(h.tokens) });
        break;
      }
      case 'paragraph':
        out.push({ type: 'paragraph', inline: inlineOf((t as Tokens.Paragraph).tokens) });
        break;
      case 'list':
        out.push(listOf(t as Tokens.List));
        break;
      case 'code': {
        const c = t as Tokens.Code;
        out.push({ type: 'code', ...(c.lang ? { lang: c.lang.split(/\s/)[0] } : {}), text: c.text });
        break;
      }
      case 'blockquote':
        out.push({ type: 'quote', inline: flowOf((t as Tokens.Blockquote).tokens) });
        break;
      case 'table': {
        const table = t as Tokens.Table;
        out.push({ type: 'table', head: table.header.map((c) => inlineOf(c.tokens)), rows: table.rows.map((r) => r.map((c) => inlineOf(c.tokens))) });
        break;
      }
      case 'hr':
        out.push({ type: 'rule' });
        break;
      case 'html': {
        // Raw HTML is kept as text, never markup.
        const text = (t as Tokens.HTML).text.trim();
        if (text) out.push({ type: 'paragraph', inline: [{ type: 'text', text }] });
        break;
      }
      case 'text':
        out.push({ type: 'paragraph', inline: inlineOf((t as Tokens.Text).tokens ?? [{ type: 'text', raw: t.raw, text: (t as Tokens.Text).text }]) });
        break;
      default:
        // space, link reference definitions: nothing to show.
        break;
    }
  }
  return out;
}

/** The handbook's Markdown as blocks: headings, paragraphs, lists, code, quotes, tables and rules. Pure. */
export function parseMarkdown(source: string): MdBlock[] {
  return blocksOf(new Lexer({ gfm: true }).lex(source.replace(/\r\n?/g, '\n')), new Set(), []);
}
