import { FeelDate, FeelDateTime, FeelDuration, FeelTime } from 'feelin';
import { parser } from 'lezer-feel';

/**
 * A bounded cache of parsed FEEL expressions (issue 13). feelin's `evaluate(expression, context)` parses the
 * expression on every call and has no API to keep a parsed form: under load the hall spent a quarter of its
 * CPU re-parsing the same few form conditions on every submission and every approval's replay.
 *
 * feelin parses through lezer-feel's shared `parser`: `parser.configure({ top, contextTracker, dialect })`
 * then `.parse(expression)`. The tree depends on the expression and on the names the context defines (the
 * tracker lets a name contain spaces or operators when the context has such a key, at any depth), never on
 * the values themselves. So a parse is reused only for the same expression, top rule and dialect, and a
 * context with exactly the same keys at every depth ({@link shapeOf}); anything else parses as before.
 * The cache is armed for one evaluation at a time ({@link parsedOnce}); every other parse (the checker's,
 * the editor's) passes straight through.
 */

/** Most parsed trees kept; the least recently used is dropped beyond it. */
export const FEEL_CACHE_SIZE = 2_000;

/** Contexts with more keys than this (a long table) are parsed every time: their shape costs more to key. */
const SHAPE_LIMIT = 2_000;

type Configured = { parse(input: string): unknown };
type Configure = (config: { top?: string; dialect?: string; contextTracker?: unknown }) => Configured;

const trees = new Map<string, unknown>();
let armed: string | undefined;

/** How many parses were served from the cache and how many ran (for tests and the benchmark). */
export const feelParseStats = { hits: 0, misses: 0 };

const original = parser.configure.bind(parser) as Configure;
(parser as unknown as { configure: Configure }).configure = (config) => {
  const configured = original(config);
  const shape = armed;
  armed = undefined;
  if (shape === undefined) return configured;
  return {
    parse(input: string) {
      const key = `${config.top ?? ''}\u0001${config.dialect ?? ''}\u0001${input}\u0001${shape}`;
      const found = trees.get(key);
      if (found !== undefined) {
        // Least recently used order: a hit moves to the end.
        trees.delete(key);
        trees.set(key, found);
        feelParseStats.hits++;
        return found;
      }
      const tree = configured.parse(input);
      feelParseStats.misses++;
      trees.set(key, tree);
      if (trees.size > FEEL_CACHE_SIZE) trees.delete(trees.keys().next().value!);
      return tree;
    },
  };
};

/**
 * The keys of `value` at every depth, as one string: two contexts with the same shape give a FEEL
 * expression the same parse. Undefined when the context is too large to be worth keying.
 */
export function shapeOf(value: Record<string, unknown>): string | undefined {
  const parts: string[] = [];
  let count = 0;
  const seen = new Set<object>();
  const walk = (v: object): boolean => {
    if (seen.has(v)) return true;
    seen.add(v);
    const proto = Object.getPrototypeOf(v);
    // A class instance (a FEEL date, a Date) is told apart by its class: feelin converts some of them.
    parts.push(proto === Object.prototype || proto === null ? '{' : Array.isArray(v) ? '[' : `${proto?.constructor?.name ?? '?'}{`);
    for (const key of Object.keys(v)) {
      if (++count > SHAPE_LIMIT) return false;
      parts.push(JSON.stringify(key));
      const inner = (v as Record<string, unknown>)[key];
      if (inner !== null && typeof inner === 'object' && !walk(inner)) return false;
    }
    parts.push('}');
    seen.delete(v);
    return true;
  };
  return walk(value) ? parts.join('') : undefined;
}

/**
 * Run `evaluate` (one call of feelin's `evaluate` on `context`) with the parse cache armed for it. The first
 * parse it asks for is looked up by the expression and the context's shape.
 */
export function parsedOnce<T>(context: Record<string, unknown>, evaluate: () => T): T {
  armed = shapeOf(context);
  try {
    return evaluate();
  } finally {
    armed = undefined;
  }
}

/**
 * Results of evaluations, kept per expression and input values (issue 13). Past the parse, feelin builds
 * its execution tree on every call (`_buildExecutionTree`, not exported, so not reusable) and then
 * evaluates it: under load that was most of the FEEL time, for the same few conditions on the same data
 * (a submission validates the form and runs the flow over it; every approval replays the application's
 * flow on data that never changes).
 *
 * A FEEL expression without functions in its scope is a pure function of its expression and its values,
 * so an answer is reused only when the scope holds nothing but values whose whole meaning is in their key:
 * null, booleans, numbers, strings, FEEL dates, times, date-times and durations (by class and canonical
 * `iso`, which feelin's own equality reads), and plain objects and arrays of those. A scope holding a
 * function (`today()`, `now()`, the work-day functions: anything time-dependent), a JS Date or any other
 * object is evaluated every time; so is a scope whose key would be long (a big table). Only successes with
 * a primitive value (null, boolean, number, string) are kept, so a cached answer is never an object a caller
 * could change; failures and budget overruns are evaluated again each time.
 */

/** Most results kept; the least recently used is dropped beyond it. */
export const FEEL_RESULTS_SIZE = 10_000;

/** Scopes whose key would be longer than this are evaluated every time. */
const RESULT_KEY_LIMIT = 2_000;

const results = new Map<string, null | boolean | number | string>();

/** Evaluations answered from the result memo (for tests and the benchmark; feelParseStats counts the parses of the others). */
export const feelResultStats = { hits: 0, misses: 0 };

/**
 * The key of `scope`'s values for the result memo, or undefined when an evaluation on it must run. A function
 * at the top of the scope that the expression cannot call (`mentions` says none of the words of its name is in
 * the expression: the work-day functions, always in scope because their names hold a space) only counts by its
 * name; any other function makes the evaluation run.
 */
export function valuesKey(scope: Record<string, unknown>, mentions: (word: string) => boolean = () => true): string | undefined {
  let key = '';
  const names = Object.keys(scope);
  for (const name of names) {
    if (typeof scope[name] === 'function') {
      if (wordsOf(name).some((word) => mentions(word))) return undefined;
      key += `${JSON.stringify(name)}ƒ`;
    }
  }
  const add = (v: unknown, depth: number): boolean => {
    if (key.length > RESULT_KEY_LIMIT || depth > 8) return false;
    if (v === null) key += 'n';
    else if (v === undefined) key += 'u';
    else if (typeof v === 'boolean') key += v ? 't' : 'f';
    else if (typeof v === 'number') key += `d${Object.is(v, -0) ? '-0' : String(v)};`;
    else if (typeof v === 'string') key += `s${JSON.stringify(v)}`;
    else if (typeof v !== 'object') return false;
    else if (v instanceof FeelDate || v instanceof FeelDateTime || v instanceof FeelTime || v instanceof FeelDuration) {
      key += `${v.constructor.name}${JSON.stringify((v as { iso: string }).iso)}`;
    } else if (Array.isArray(v)) {
      key += '[';
      for (const item of v) if (!add(item, depth + 1)) return false;
      key += ']';
    } else {
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return false;
      key += '{';
      for (const name of Object.keys(v)) {
        key += JSON.stringify(name);
        if (!add((v as Record<string, unknown>)[name], depth + 1)) return false;
      }
      key += '}';
    }
    return true;
  };
  // The values beside the functions, written as add() writes a plain object of them (without making that object: issue 13).
  if (key.length > RESULT_KEY_LIMIT) return undefined;
  key += '{';
  for (const name of names) {
    const value = scope[name];
    if (typeof value === 'function') continue;
    key += JSON.stringify(name);
    if (!add(value, 1)) return undefined;
  }
  return `${key}}`;
}

/** The words of a function's name in a scope, split once per name (the work-day functions are in every scope). */
const nameWords = new Map<string, string[]>();

function wordsOf(name: string): string[] {
  let words = nameWords.get(name);
  if (!words) {
    words = name.split(/[^\p{L}\p{N}_$]+/u).filter((word) => word !== '');
    if (nameWords.size < 1_000) nameWords.set(name, words);
  }
  return words;
}

/**
 * The value of `expression` on `scope`, from the memo when the same expression was evaluated on the same
 * values, else from `evaluate` (kept when it is a primitive). `evaluate` throws for a failure: nothing is kept.
 */
export function memoised(expression: string, scope: Record<string, unknown>, mentions: (word: string) => boolean, evaluate: () => unknown): unknown {
  const values = valuesKey(scope, mentions);
  if (values === undefined) return evaluate();
  const key = `${expression}\u0000${values}`;
  const found = results.get(key);
  if (found !== undefined || results.has(key)) {
    results.delete(key);
    results.set(key, found!);
    feelResultStats.hits++;
    return found;
  }
  const value = evaluate();
  feelResultStats.misses++;
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') {
    results.set(key, value);
    if (results.size > FEEL_RESULTS_SIZE) results.delete(results.keys().next().value!);
  }
  return value;
}
