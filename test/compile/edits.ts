import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Node } from 'yaml';

/** One edit of a YAML file: what it does, and the file's text after it. */
export interface Edit {
  label: string;
  text: string;
}

/**
 * One edit per node of a YAML document: every scalar changed (text gets a character more, a number
 * one more, a boolean flipped) and every map entry and list item deleted. Each edit is a separate
 * copy of the document, so each changes exactly one field.
 */
export function oneEditPerPath(text: string): Edit[] {
  const doc = parseDocument(text);
  const paths: { path: (string | number)[]; node: Node }[] = [];
  const walk = (node: unknown, path: (string | number)[]) => {
    if (isMap(node)) for (const pair of node.items) walk(pair.value, [...path, String((pair.key as { value: unknown }).value)]);
    else if (isSeq(node)) node.items.forEach((item, i) => walk(item, [...path, i]));
    if (node && path.length) paths.push({ path, node: node as Node });
  };
  walk(doc.contents, []);
  const edits: Edit[] = [];
  for (const { path, node } of paths) {
    const where = path.join('.');
    if (isScalar(node)) {
      const v = node.value;
      const changed = typeof v === 'string' ? `${v}改` : typeof v === 'number' ? v + 1 : typeof v === 'boolean' ? !v : undefined;
      if (changed !== undefined) {
        const copy = doc.clone();
        copy.setIn(path, changed);
        edits.push({ label: `change ${where}`, text: copy.toString() });
      }
    }
    const copy = doc.clone();
    copy.deleteIn(path);
    edits.push({ label: `delete ${where}`, text: copy.toString() });
  }
  return edits;
}
