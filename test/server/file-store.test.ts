// The file store refuses a body the multipart parser cut short: what arrived is not the whole file. Before, each
// upload route (attachments, signatures, the pages' form) checked `truncated` itself; one forgotten check would
// have stored a cut file as if it were complete.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { FileStore, TooLargeError } from '../../server/files/file-store.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function store(): Promise<{ files: FileStore; root: string }> {
  const root = await mkdtemp(path.join(tmpdir(), 'file-store-'));
  dirs.push(root);
  return { files: await FileStore.open(root), root };
}

/** What @fastify/busboy hands a route when a part reached its `fileSize` limit: the bytes so far, then `truncated`. */
function cutShort(bytes: Buffer): Readable {
  return Object.assign(Readable.from([bytes]), { truncated: true });
}

async function leftovers(root: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) if (entry.isFile()) found.push(entry.name);
  return found;
}

describe('FileStore.stage', () => {
  it('refuses a stream the parser truncated, as too large, and keeps no temporary file', async () => {
    const { files, root } = await store();
    await expect(files.stage(cutShort(Buffer.from('half a photo')), 1024)).rejects.toBeInstanceOf(TooLargeError);
    expect(await leftovers(root)).toEqual([]);
  });

  it('refuses a stream past its limit, and keeps no temporary file', async () => {
    const { files, root } = await store();
    await expect(files.stage(Readable.from([Buffer.alloc(2048)]), 1024)).rejects.toBeInstanceOf(TooLargeError);
    expect(await leftovers(root)).toEqual([]);
  });

  it('stages a whole stream within its limit', async () => {
    const { files } = await store();
    const staged = await files.stage(Readable.from([Buffer.from('a whole photo')]), 1024);
    expect(staged.size).toBe(13);
    await files.discard(staged);
  });
});
