import { RE2JS } from 're2js';

/**
 * Form patterns are written by department admins and run on every submission, so they run on RE2
 * (`re2js`, pure JavaScript): matching takes time linear in the value, whatever the pattern. Where a
 * pattern means something different in JavaScript and in RE2, it is rewritten here to mean what it
 * means in JavaScript (the Camunda form and any JSON Schema validator evaluate it there), so a value is
 * accepted or refused the same way everywhere.
 */

/** Longest pattern accepted: a real one is a few dozen characters. */
export const MAX_PATTERN_LENGTH = 500;
/** Longest text value a submission may carry in any field without its own `maxLength`. */
export const MAX_VALUE_LENGTH = 10_000;

/** JavaScript's `\s`: RE2's `\s` is only ASCII white space. */
const JS_SPACE = '\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';
/** JavaScript's `.` without the `s` flag: RE2's `.` excludes only `\n`. */
const JS_DOT = '[^\\n\\r\\u2028\\u2029]';

/** A pattern the linear-time engine cannot run, with the reason in RE2's words. */
export class PatternError extends Error {}

/** The RE2 source that means what `pattern` means as a JavaScript `u`-mode regular expression. Throws PatternError. */
export function toRe2Source(pattern: string): string {
  if (pattern.length > MAX_PATTERN_LENGTH) throw new PatternError(`pattern longer than ${MAX_PATTERN_LENGTH} characters`);
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      i++;
      if (next === 's') out += inClass ? JS_SPACE : `[${JS_SPACE}]`;
      else if (next === 'S') {
        if (inClass) throw new PatternError('\\S inside [...] is not supported: list the characters instead');
        out += `[^${JS_SPACE}]`;
      } else out += c + next;
    } else if (c === '[' && !inClass) {
      inClass = true;
      out += c;
      // `[]` and `[^]` are JavaScript's empty and any-character classes; RE2 reads `]` there as a member.
      if (pattern[i + 1] === ']' || (pattern[i + 1] === '^' && pattern[i + 2] === ']')) throw new PatternError('an empty class [] or [^] is not supported');
    } else if (c === ']' && inClass) {
      inClass = false;
      out += c;
    } else if (c === '.' && !inClass) out += JS_DOT;
    else out += c;
  }
  try {
    const source = RE2JS.translateRegExp(out);
    RE2JS.compile(source);
    return source;
  } catch (error) {
    throw new PatternError(String((error as Error).message ?? error).replace(/^error parsing regexp: /, ''));
  }
}

export interface LinearRegExp {
  test(value: string): boolean;
  toString(): string;
}

const compiled = new Map<string, LinearRegExp>();

/** A compiled pattern that matches in linear time. Throws PatternError for a pattern RE2 cannot run. */
export function linearRegExp(pattern: string): LinearRegExp {
  let re = compiled.get(pattern);
  if (!re) {
    const engine = RE2JS.compile(toRe2Source(pattern));
    // JSON Schema's `pattern` is unanchored: a match anywhere in the value counts, as in RegExp#test.
    // ajv keys its compiled patterns by toString(): each pattern needs its own.
    re = { test: (value: string) => engine.test(value), toString: () => `/${pattern}/u` };
    compiled.set(pattern, re);
  }
  return re;
}

/**
 * ajv's `code.regExp` option: every `pattern` in a compiled JSON Schema is evaluated on RE2.
 * `code` names the function for ajv's standalone output.
 */
export const ajvRegExp = Object.assign((pattern: string) => linearRegExp(pattern), { code: 'linearRegExp' });
