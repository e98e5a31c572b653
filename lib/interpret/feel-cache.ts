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
