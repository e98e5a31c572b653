import { existsSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkSource } from '../../cli/check/check-catalog.ts';
import type { CheckResult } from '../../cli/check/check-catalog.ts';
import { OUTPUT_FORMATS, formatDiagnostics } from '../../cli/diagnostics/format/index.ts';
import { definitionOf } from '../../cli/diagnostics/registry.ts';
import { readCatalog } from '../../cli/load/read-catalog.ts';
import type { CatalogSource } from '../../cli/load/read-catalog.ts';
import { BASELINE, REPO, TODAY } from './helpers.ts';

/** A change to one file's text, as an editor, a bad merge or a careless paste would make it. */
type Mutation = (text: string) => string;

/** More runs for a deeper hunt: HALL_FUZZ_RUNS=5000 npx vitest run test/check/fuzz */
const RUNS = Number(process.env.HALL_FUZZ_RUNS ?? 300);
/**
 * The tests' wall-clock timeouts only catch a hang: each run's own work is bounded by CPU time inside
 * mutationProperty. At 100 ms a run (30 s) they failed on a machine at a load of 15–25 with no change.
 */
const HANG_MS_PER_RUN = 1_000;

const lineSplit = (text: string) => text.split('\n');
const atLine = (f: (lines: string[], i: number) => void) => (pick: number) => (text: string) => {
  const lines = lineSplit(text);
  f(lines, pick % lines.length);
  return lines.join('\n');
};
const atOffset = (pick: number, text: string) => (text.length === 0 ? 0 : pick % (text.length + 1));

const KEY_LINE = /^(\s*(?:-\s+)?)([^\s:#][^:#]*?):(\s|$)/;
const NEW_KEYS = ['__proto__', 'constructor', 'prototype', 'id', 'kind', 'steps', 'if', 'guide', 'x', 'summary ', '"quoted"', '? complex', '<<', '-', '?', '&a x', '*a'];
const NEW_VALUES = ['~', 'null', 'true', '0', '-1', '1e400', '0x1F', '.nan', '[]', '{}', '[a, b]', '{a: 1}', '"unclosed', "'", '*a', '&a', '&a [*a]', '!!binary aGk=', '!!js/undefined', '|', '>-', 'javascript:alert(1)', '<script>x</script>', '2026-13-45', '"{{x}}"', '${x}', '= a', 'TODO', '- item'];
const UNICODE = fc.string({ unit: 'binary', maxLength: 12 });

const MUTATIONS: fc.Arbitrary<Mutation> = fc.oneof(
  fc.nat().map(atLine((lines, i) => lines.splice(i, 1))),
  fc.nat().map(atLine((lines, i) => lines.splice(i, 0, lines[i]))),
  fc.tuple(fc.nat(), fc.constantFrom(...NEW_KEYS)).map(([pick, key]) => atLine((lines, i) => (lines[i] = lines[i].replace(KEY_LINE, `$1${key}:$3`)))(pick)),
  fc.tuple(fc.nat(), fc.oneof(fc.constantFrom(...NEW_VALUES), fc.integer().map(String), UNICODE.map((s) => JSON.stringify(s)))).map(([pick, value]) =>
    atLine((lines, i) => (lines[i] = lines[i].replace(/:\s.*$/, `: ${value}`)))(pick),
  ),
  fc.tuple(fc.nat(), UNICODE).map(([pick, s]) => (text: string) => {
    const at = atOffset(pick, text);
    return text.slice(0, at) + s + text.slice(at);
  }),
  fc.nat().map((pick) => (text: string) => text.slice(0, atOffset(pick, text))),
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 9 }), fc.boolean()).map(([pick, n, tabs]) => atLine((lines, i) => (lines[i] = (tabs ? '\t' : ' ').repeat(n) + lines[i].trimStart()))(pick)),
  fc.tuple(fc.nat(), fc.constantFrom('\t', '\0', '\r', '\ufeff', '\u2028', '\ud800', '---\n', '...\n', '#', '%YAML 1.1\n', '{', '[', '"', "'", '&a ', '*a ')).map(([pick, s]) => (text: string) => {
    const at = atOffset(pick, text);
    return text.slice(0, at) + s + text.slice(at);
  }),
);

/** Every message and hint template of a finding is filled: it names only arguments the finding has. */
function unfilledPlaceholders(result: CheckResult): string[] {
  const missing: string[] = [];
  for (const d of result.diagnostics) {
    const def = definitionOf(d.code);
    for (const template of [def.message.zh, def.message.en, def.hint.zh, def.hint.en]) {
      for (const [, name] of template.matchAll(/(?<!\{)\{(\w+)\}(?!\})/g)) if (name !== 'suggestion' && !(name in d.args)) missing.push(`${d.code}: {${name}}`);
    }
  }
  return missing;
}

function replaceFile(source: CatalogSource, file: string, text: string): CatalogSource {
  return { ...source, yaml: source.yaml.map((f) => (f.file === file ? { file, bytes: new TextEncoder().encode(text) } : f)) };
}

/** Only the files every service depends on (hall, roles, departments) and `keep`: a small catalog to check fast. */
function withSharedFilesAnd(source: CatalogSource, keep: string): CatalogSource {
  const shared = (file: string) => /(^|\/)(hall|roles|department)\.yaml$/.test(file);
  return { ...source, yaml: source.yaml.filter((f) => f.file === keep || shared(f.file)) };
}

/**
 * Mutate one file of `source` and check the catalog: it must end with diagnostics, never throw. With
 * `narrow`, only that file and the shared ones are checked, so a large real catalog stays quick.
 */
function mutationProperty(source: CatalogSource, narrow = false) {
  const files = source.yaml.map((f) => ({ file: f.file, text: new TextDecoder().decode(f.bytes) }));
  const lineCounts = new Map(files.map((f) => [f.file, f.text.split('\n').length]));
  return fc.property(fc.nat(), fc.array(MUTATIONS, { minLength: 1, maxLength: 4 }), (pick, mutations) => {
    const { file, text } = files[pick % files.length];
    const mutated = mutations.reduce((t, m) => m(t), text);
    // A bound on the check's own CPU time, not the wall clock: at a load of 20 the wall clock passed 5 s with no change.
    const started = process.cpuUsage();
    const result = checkSource(replaceFile(narrow ? withSharedFilesAnd(source, file) : source, file, mutated), { today: TODAY });
    const used = process.cpuUsage(started);
    expect((used.user + used.system) / 1000).toBeLessThan(5_000);

    expect(Array.isArray(result.diagnostics)).toBe(true);
    for (const d of result.diagnostics) {
      expect(d.severity).toBe(definitionOf(d.code).severity);
      expect(Number.isInteger(d.line) && d.line >= 1 && Number.isInteger(d.column) && d.column >= 1).toBe(true);
      const lines = d.file === file ? mutated.split('\n').length : lineCounts.get(d.file);
      if (lines !== undefined) expect(d.line).toBeLessThanOrEqual(lines + 1);
    }
    expect(unfilledPlaceholders(result)).toEqual([]);
    const sources = new Map(result.files.map((f) => [f.file, f.text]));
    for (const format of OUTPUT_FORMATS) {
      for (const lang of ['zh', 'en'] as const) expect(typeof formatDiagnostics(format, result.diagnostics, { lang, color: true, sources, filesChecked: result.files.length })).toBe('string');
    }
  });
}

describe('checkSource on mutated catalog files', () => {
  // A library warning would reach the admin's terminal as noise beside the findings.
  let warnings: ReturnType<typeof vi.spyOn>;
  beforeEach(() => {
    warnings = vi.spyOn(process, 'emitWarning');
  });
  afterEach(() => {
    expect(warnings).not.toHaveBeenCalled();
    warnings.mockRestore();
  });

  it('always returns diagnostics for the baseline fixture, never throws', { timeout: RUNS * HANG_MS_PER_RUN }, async () => {
    const source = await readCatalog('catalog', BASELINE);
    fc.assert(mutationProperty(source), { numRuns: RUNS });
  });

  it.runIf(existsSync(path.join(REPO, 'catalog/hall.yaml')))('always returns diagnostics for the real catalog, never throws', { timeout: RUNS * 2 * HANG_MS_PER_RUN }, async () => {
    const source = await readCatalog('catalog', REPO);
    fc.assert(mutationProperty(source, true), { numRuns: Math.ceil(RUNS * 2 / 3) });
  });

  it('finds what a few known mutations break', async () => {
    const source = await readCatalog('catalog', BASELINE);
    const leave = 'catalog/xgc/student-leave.yaml';
    const text = new TextDecoder().decode(source.yaml.find((f) => f.file === leave)!.bytes);
    const codes = (t: string) => checkSource(replaceFile(source, leave, t), { today: TODAY }).diagnostics.map((d) => d.code);
    expect(codes(text.slice(0, text.indexOf('guide:')))).toContain('schema/required');
    expect(codes(text.replace('guide:', 'guide:\0'))).toEqual(['file/binary']);
    expect(codes(text.replace('  summary:', '\tsummary:'))).toEqual(['yaml/tab-indent']);
  });
});
