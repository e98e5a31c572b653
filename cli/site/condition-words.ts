import type { SiteText } from './types.ts';
import type { Interval } from '../../lib/interpret/decision.ts';
import { parseUnaryTest } from '../../lib/interpret/decision.ts';

type Token = { type: 'name' | 'string' | 'number' | 'op' | 'paren' | 'comma'; text: string };

const OPERATORS = ['!=', '>=', '<=', '=', '>', '<'];

function tokenize(expression: string): Token[] | undefined {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expression.length) {
    const c = expression[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      const end = expression.indexOf('"', i + 1);
      if (end === -1) return undefined;
      tokens.push({ type: 'string', text: expression.slice(i + 1, end) });
      i = end + 1;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(expression.slice(i))!;
      tokens.push({ type: 'number', text: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*/.exec(expression.slice(i))!;
      tokens.push({ type: 'name', text: m[0] });
      i += m[0].length;
    } else if (c === '(' || c === ')') {
      tokens.push({ type: 'paren', text: c });
      i++;
    } else if (c === ',') {
      tokens.push({ type: 'comma', text: c });
      i++;
    } else {
      const op = OPERATORS.find((o) => expression.startsWith(o, i));
      if (!op) return undefined;
      tokens.push({ type: 'op', text: op });
      i += op.length;
    }
  }
  return tokens;
}

const WORDS = {
  zh: { '=': '为', '!=': '不为', '>': '大于', '>=': '不少于', '<': '小于', '<=': '不超过', and: '并且', or: '或者', not: '并非', true: '“是”', false: '“否”', contains: '包含', quote: (s: string) => `“${s}”`, name: (s: string) => `「${s}」` },
  en: { '=': 'is', '!=': 'is not', '>': 'is more than', '>=': 'is at least', '<': 'is less than', '<=': 'is at most', and: 'and', or: 'or', not: 'not', true: '"yes"', false: '"no"', contains: 'includes', quote: (s: string) => `"${s}"`, name: (s: string) => `“${s}”` },
};

/** Ends a phrase the next word follows without a space (按“审批级别”表，结果为…). */
const JOIN = '\u0001';

/** A name read from a decision table: its result, e.g. 按“审批级别”表，结果 / by the “审批级别” table, the result. */
const TABLE_WORDS = { zh: (s: string) => `按“${s}”表，结果${JOIN}`, en: (s: string) => `by the “${s}” table, the result` };

function render(tokens: Token[], lang: 'zh' | 'en', label: (name: string, lang: 'zh' | 'en') => string | undefined, table?: (name: string, lang: 'zh' | 'en') => string | undefined): string | undefined {
  const w = WORDS[lang];
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.type === 'name' && t.text === 'list' && tokens[i + 1]?.text === 'contains' && tokens[i + 2]?.text === '(') {
      // list contains(field, "value") → 「field」包含“value”
      const [a, comma, b, close] = tokens.slice(i + 3, i + 7);
      if (a?.type !== 'name' || comma?.type !== 'comma' || close?.text !== ')' || !b || b.type === 'op') return undefined;
      const name = label(a.text, lang);
      const value = b.type === 'string' ? w.quote(b.text) : b.type === 'name' ? label(b.text, lang) : b.text;
      if (!name || !value) return undefined;
      out.push(`${w.name(name)} ${w.contains} ${value}`);
      i += 6;
    } else if (t.type === 'name' && (t.text === 'and' || t.text === 'or' || t.text === 'not' || t.text === 'true' || t.text === 'false')) {
      out.push(w[t.text]);
    } else if (t.type === 'name' && table?.(t.text, lang)) {
      out.push(TABLE_WORDS[lang](table(t.text, lang)!));
    } else if (t.type === 'name') {
      const name = label(t.text, lang);
      if (!name) return undefined;
      out.push(w.name(name));
    } else if (t.type === 'string') {
      out.push(w.quote(t.text));
    } else if (t.type === 'op') {
      out.push(w[t.text as '=']);
    } else {
      out.push(t.text);
    }
  }
  return out
    .join(' ')
    .replace(/\( /g, '(')
    .replace(/ \)/g, ')')
    .replace(lang === 'zh' ? / ?([「“（()）」”]) ?/g : /$^/, '$1')
    .replace(/ +/g, ' ')
    .replace(new RegExp(`${JOIN} ?`, 'g'), '')
    .trim();
}

/**
 * A FEEL condition in words for readers: field ids become their labels, operators become words,
 * e.g. `terms > 2` → 「本次休学学期数」大于 2, and a decision table's id is read as the table's result
 * (`approvalLevel = "校级"` → 按“审批级别”表，结果为“校级”). Anything this does not understand is shown as written.
 * Pure.
 */
export function conditionInWords(expression: string, label: (name: string, lang: 'zh' | 'en') => string | undefined, table?: (name: string, lang: 'zh' | 'en') => string | undefined): SiteText {
  const tokens = tokenize(expression);
  const zh = tokens && render(tokens, 'zh', label, table);
  const en = tokens && render(tokens, 'en', label, table);
  return { zh: zh ?? expression, en: en ?? expression };
}

const amount = (n: number) => (Number.isInteger(n) && Math.abs(n) >= 1000 ? n.toLocaleString('en-US') : String(n));

function bandInWords(band: Interval, lang: 'zh' | 'en'): string {
  const w = WORDS[lang];
  if (band.lo === band.hi) return lang === 'zh' ? `等于 ${amount(band.lo)}` : `exactly ${amount(band.lo)}`;
  const parts: string[] = [];
  if (band.lo !== -Infinity) parts.push(`${w[band.loIn ? '>=' : '>']} ${amount(band.lo)}`);
  if (band.hi !== Infinity) parts.push(`${w[band.hiIn ? '<=' : '<']} ${amount(band.hi)}`);
  return parts.length ? parts.join(lang === 'zh' ? ' 且' : ' and ') : (lang === 'zh' ? '任何值' : 'any value');
}

/**
 * A decision rule's test in words for the guide's table: `[5000..50000)` → 不少于 5,000 且小于 50,000,
 * `< 5000` → 小于 5,000, `"本科生", "研究生"` → “本科生”或“研究生”, `-` → 任何值. Pure.
 */
export function unaryTestInWords(when: string): SiteText {
  const test = parseUnaryTest(when);
  const said = (lang: 'zh' | 'en') => {
    if (!test) return when;
    if (test.kind === 'any') return lang === 'zh' ? '任何值' : 'any value';
    if (test.kind === 'texts') return test.values.map((v) => WORDS[lang].quote(v)).join(lang === 'zh' ? '或' : ' or ');
    return test.bands.map((band) => bandInWords(band, lang)).join(lang === 'zh' ? '，或' : ', or ');
  };
  return { zh: said('zh'), en: said('en') };
}
