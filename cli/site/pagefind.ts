import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

/** The page's URL for a built HTML file: services/x/index.html → /services/x/. */
export function urlOfPage(relative: string): string {
  const posix = relative.split(path.sep).join('/');
  return `/${posix.replace(/(^|\/)index\.html$/, '$1')}`;
}

/**
 * Index the built site with Pagefind's Node API: only pages that mark their searchable part with
 * data-pagefind-body (live service pages; tombstones and listings carry none), added in sorted
 * order so the index is byte-identical from build to build. Writes `<dir>/pagefind/`.
 * Returns how many pages were indexed.
 */
export async function indexSite(dir: string): Promise<number> {
  const pagefind = await import('pagefind');
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.html')).sort();
  const { index, errors } = await pagefind.createIndex({});
  if (!index) throw new Error(`pagefind: ${errors.join('; ')}`);
  let indexed = 0;
  try {
    for (const file of files) {
      const content = await readFile(path.join(dir, file), 'utf8');
      if (!content.includes('data-pagefind-body')) continue;
      const added = await index.addHTMLFile({ url: urlOfPage(file), content });
      if (added.errors.length) throw new Error(`pagefind: ${file}: ${added.errors.join('; ')}`);
      indexed++;
    }
    const written = await index.writeFiles({ outputPath: path.join(dir, 'pagefind') });
    if (written.errors.length) throw new Error(`pagefind: ${written.errors.join('; ')}`);
  } finally {
    await index.deleteIndex();
    await pagefind.close();
  }
  return indexed;
}
