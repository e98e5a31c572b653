import type { SiteText } from './types.ts';

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

function render(tokens: Token[], lang: 'zh' | 'en', label: (name: string, lang: 'zh' | 'en') => string | undefined): string | undefined {
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
    .trim();
}

/**
 * A FEEL condition in words for readers: field ids become their labels, operators become words,
 * e.g. `terms > 2` → 「本次休学学期数」大于 2. Anything this does not understand is shown as written.
 * Pure.
 */
export function conditionInWords(expression: string, label: (name: string, lang: 'zh' | 'en') => string | undefined): SiteText {
  const tokens = tokenize(expression);
  const zh = tokens && render(tokens, 'zh', label);
  const en = tokens && render(tokens, 'en', label);
  return { zh: zh ?? expression, en: en ?? expression };
}
