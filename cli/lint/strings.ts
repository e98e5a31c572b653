/** A key path inside a document, e.g. `['guide', 'materials', 0, 'name']`. */
export type KeyPath = (string | number)[];

/**
 * Call `visit` for every string in `value` with its key path, not descending into keys in `skip`. The
 * path array is reused while walking (a large catalog holds millions of strings), so a rule that
 * keeps a path copies it.
 */
export function forEachString(value: unknown, visit: (text: string, path: readonly (string | number)[]) => void, path: KeyPath = [], skip?: ReadonlySet<string>): void {
  if (typeof value === 'string') {
    visit(value, path);
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      forEachString(value[i], visit, path, skip);
      path.pop();
    }
  } else if (value && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      if (skip?.has(key)) continue;
      path.push(key);
      forEachString((value as Record<string, unknown>)[key], visit, path, skip);
      path.pop();
    }
  }
}
