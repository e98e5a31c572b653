import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckCache, decode, encode } from '../../cli/check/check-cache.ts';
import { checkSource } from '../../cli/check/check-catalog.ts';
import { runtimeFingerprint } from '../../cli/compile/fingerprint.ts';
import type { Service } from '../../cli/model/catalog.ts';
import { TODAY, baselineSource, editSource, sub } from './helpers.ts';
import type { Edit } from './helpers.ts';

/**
 * The check cache's storage (issue 16 item 2): a base file plus an appended log. A one-file change
 * appends to the log and leaves the base as it was; a log cut short or damaged by a crash, or written by
 * another toolchain, costs misses and never a wrong result. Every check here is compared with one
 * without a cache.
 */
const TOOLCHAIN = 'test-toolchain';
let cacheDir: string;

beforeEach(async () => {
  cacheDir = await mkdtemp(path.join(tmpdir(), 'hall-check-cache-'));
});
afterEach(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

const checkDir = () => path.join(cacheDir, 'check');
const file = (name: string) => path.join(checkDir(), name);

/** Check the baseline with `edits`, with a cache of `toolchain` and without one; both results, and the cache. */
async function check(edits: Edit[], toolchain = TOOLCHAIN) {
  const source = editSource(await baselineSource(), edits);
  const cache = new CheckCache(cacheDir, toolchain);
  const cached = checkSource(source, { today: TODAY, cache });
  const clean = checkSource(source, { today: TODAY });
  expect(cached.diagnostics).toStrictEqual(clean.diagnostics);
  expect([...cached.catalog.services.keys()]).toEqual([...clean.catalog.services.keys()]);
  for (const [id, s] of cached.catalog.services) expect(s.value, id).toStrictEqual(clean.catalog.services.get(id)!.value);
  return { cache, cached, clean, yamlFiles: source.yaml.length, services: clean.catalog.services.size };
}

const RENAME: Edit = sub('jsj/lab-booking.yaml', 'name: 实验室预约', 'name: 实验室预约服务');
/** A finding the lint cache must carry: a TODO in a note (policy/todo). */
const TODO: Edit = sub('jsj/lab-booking.yaml', 'capacity: 40', 'capacity: 40\n      note: "TODO: 100%, 待定"');

describe('check cache: base file and log', () => {
  it('a first check writes a base; a one-file change appends to the log and leaves the base untouched', async () => {
    const first = await check([]);
    expect(first.cache.misses.parse).toBe(first.yamlFiles);
    expect(existsSync(file('parse.bin'))).toBe(true);
    expect(existsSync(file('parse.log'))).toBe(false);
    const base = readFileSync(file('parse.bin'));

    const second = await check([RENAME]);
    // Only the edited file is parsed and linted again: hall.yaml's value decoded from the cache hashes as
    // it did when freshly parsed (the lint context), so no other service is relinted.
    expect(second.cache.misses).toEqual({ parse: 1, lint: 1 });
    expect(readFileSync(file('parse.bin')).equals(base)).toBe(true);
    const log = statSync(file('parse.log')).size;
    expect(log).toBeGreaterThan(0);
    expect(log).toBeLessThan(base.length);

    // Unchanged: nothing is written at all.
    const third = await check([RENAME]);
    expect(third.cache.misses).toEqual({ parse: 0, lint: 0 });
    expect(statSync(file('parse.log')).size).toBe(log);

    // Back to the first state: the log's entries are replaced again, and the results still equal a clean check.
    const back = await check([]);
    expect(back.cache.misses).toEqual({ parse: 1, lint: 1 });
  });

  it('lint findings come back from the log as they were found', async () => {
    await check([]);
    const found = await check([TODO]);
    expect(found.cache.misses.lint).toBe(1);
    expect(found.cached.diagnostics.map((d) => d.code)).toContain('policy/todo');
    const again = await check([TODO]);
    expect(again.cache.misses).toEqual({ parse: 0, lint: 0 });
    expect(again.cached.diagnostics.map((d) => d.code)).toContain('policy/todo');
  });

  it('a log record cut short by a crash ends the log: that file is a miss, the result is a clean check’s', async () => {
    await check([]);
    await check([RENAME]);
    const log = readFileSync(file('parse.log'));
    writeFileSync(file('parse.log'), log.subarray(0, log.length - 7));
    const after = await check([RENAME]);
    expect(after.cache.misses.parse).toBe(1);
    // Nothing is appended after a cut record (it would never be read): the cache is written as a new base.
    expect(existsSync(file('parse.log'))).toBe(false);
    const next = await check([RENAME]);
    expect(next.cache.misses.parse).toBe(0);
  });

  it('a damaged log record (its hash does not match) is not read', async () => {
    await check([]);
    await check([RENAME]);
    const log = readFileSync(file('parse.log'));
    log[log.length - 3] ^= 0xff;
    writeFileSync(file('parse.log'), log);
    const after = await check([RENAME]);
    expect(after.cache.misses.parse).toBe(1);
    expect((await check([RENAME])).cache.misses.parse).toBe(0);
  });

  it('another toolchain’s cache is not used, and its log is not applied', async () => {
    await check([]);
    await check([RENAME]);
    const other = await check([RENAME], 'another-toolchain');
    expect(other.cache.misses.parse).toBe(other.yamlFiles);
    expect(existsSync(file('parse.log'))).toBe(false);
    const back = await check([RENAME]);
    expect(back.cache.misses.parse).toBe(back.yamlFiles);
  });

  it('a service’s runtime fingerprint remembered with its parse is the one computed from its value', async () => {
    await check([]);
    const { cached, clean } = await check([RENAME]);
    for (const [id, s] of cached.catalog.services) expect(runtimeFingerprint(s.value), id).toBe(runtimeFingerprint(structuredClone(clean.catalog.services.get(id)!.value) as Service));
  });
});

describe('check cache: entry encoding', () => {
  it('gives back plain data and the values JSON cannot hold', () => {
    const plain = { a: 1, b: [1, 2.5, 'x', null, true], c: { d: '汉字 \u2028 \ud800' } };
    expect(encode(plain)[0]).toBe(0x4a);
    expect(decode(encode(plain))).toStrictEqual(plain);
    // Kept with v8's serializer: JSON would turn them into null, 0, a string or drop them.
    for (const odd of [{ n: Infinity }, { n: -Infinity }, { n: Number.NaN }, [-0], { u: undefined }, { d: new Date(0) }, [1, , 3]]) {
      const back = decode(encode(odd));
      expect(back).toStrictEqual(odd);
      expect(encode(odd)[0]).toBe(0x56);
    }
    expect(Object.is((decode(encode([-0])) as number[])[0], -0)).toBe(true);
    const proto = JSON.parse('{"__proto__": {"x": 1}}') as object;
    expect(encode(proto)[0]).toBe(0x56);
    expect(Object.keys(decode(encode(proto)) as object)).toEqual(['__proto__']);
  });

  it('hashes the lint context the same from a freshly parsed hall.yaml and from one decoded from the cache', async () => {
    await check([]);
    const { cached, clean } = await check([RENAME]);
    expect(CheckCache.lintContext(cached.catalog, TODAY)).toBe(CheckCache.lintContext(clean.catalog, TODAY));
  });
});
