import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FEEL_LIMITS, evaluateFeel, fieldsOfDefinition, typeData } from '../../lib/interpret/feel.ts';
import { runWorkflow } from '../../lib/interpret/interpret.ts';
import { validateSubmission } from '../../lib/runtime/index.ts';
import type { RuntimeNode } from '../../generated/types/runtime/definition.ts';
import { hall, scratchCopy } from '../helpers/cli.ts';
import { FLOWS, loadFlows } from '../helpers/flows.ts';

/**
 * Generated FEEL, hostile pieces included (huge and fractional ranges, nested iteration, recursion,
 * strings grown by string join or doubling, catastrophic regular expressions, deep nesting), through
 * every place a condition runs: the shared evaluator, `validateSubmission`, the interpreter, and
 * `hall check` / `hall test` as processes. Each case must end within a wall-clock bound without a throw.
 * More runs: HALL_FUZZ_RUNS=2000 npx vitest run test/interpret/feel-fuzz
 */
const RUNS = Number(process.env.HALL_FUZZ_RUNS ?? 120);
/**
 * Bounds per case: CPU time (the budget plus room for parsing; independent of the neighbours' load on
 * a shared machine) and wall-clock time (generous, since a busy machine stretches it, yet finite: a hang
 * or a 4 GB crash never meets it).
 */
const BOUND_CPU_MS = FEEL_LIMITS.timeMs * 10;
const BOUND_WALL_MS = 30_000;
const AT = '2026-03-02T09:00:00+08:00';

const doubling = `{a: "xxxxxxxxxxxxxxxx", ${Array.from({ length: 28 }, (_, i) => `k${i}: ${i === 0 ? 'a' : `k${i - 1}`} + ${i === 0 ? 'a' : `k${i - 1}`}`).join(', ')}}.k27`;
const HOSTILE = [
  'count(for i in 1..100000000 return i) > 0',
  'count(for i in 1..2000, j in 1..2000 return i) > 0',
  'count(for i in 1..amount * 1000 return i) > 0',
  'count(for i in 1..amount, j in 1..amount return i) > 0',
  '{f: function(n) if n < 2 then n else f(n-1) + f(n-2)}.f(40) > 0',
  'string length(string join(for i in 1..amount * 1000 return "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")) > 0',
  `string length(${doubling}) > 0`,
  `upper case(${doubling}) = "x"`,
  'matches(category + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", "^(.*a+)+$")',
  'some i in 1..amount * 1000 satisfies i < 0',
  'every i in 0.5..amount satisfies i > 0',
  'count(for i in 1..1.5 return i) > 0',
  'sort(for i in 1..amount * 10 return -i, function(x, y) x < y)[1] < 0',
  'count(distinct values(for i in 1..amount * 100 return i)) > 0',
  `${'('.repeat(1500)}amount${')'.repeat(1500)} > 0`,
  `"${'x'.repeat(5000)}" = category`,
];

const FIELDS = ['amount', 'urgent', 'category', 'unit', 'urgentReason', 'idNumber', 'applicant.name', 'applicant.department', 'missing'];
const LITERALS = ['0', '1', '-1', '100000', '1.5', 'true', 'false', 'null', '"设备"', '""', 'date("2027-01-01")', 'today()', 'now()', 'duration("P3D")', '[1, 2, 3]', '{a: 1}', '1..10'];

const expression = fc.letrec<{ e: string; bin: string; not: string; ifx: string; loop: string; call: string; quant: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...FIELDS),
    fc.constantFrom(...LITERALS),
    fc.string({ maxLength: 6 }).map((s) => JSON.stringify(s)),
    fc.constantFrom(...HOSTILE),
    tie('bin'), tie('not'), tie('ifx'), tie('loop'), tie('call'), tie('quant'),
  ),
  bin: fc.tuple(tie('e'), fc.constantFrom('=', '!=', '<', '<=', '>', '>=', 'and', 'or', '+', '-', '*', '/', '**', 'between 1 and', 'in'), tie('e')).map(([a, op, b]) => `(${a}) ${op} (${b})`),
  not: tie('e').map((a) => `not(${a})`),
  ifx: fc.tuple(tie('e'), tie('e'), tie('e')).map(([a, b, c]) => `if ${a} then ${b} else ${c}`),
  loop: fc.tuple(fc.constantFrom('1..10', '1..amount', '[1, 2, 3]', '1..100000000', '1..amount * 1000'), tie('e')).map(([r, body]) => `count(for i in ${r} return ${body})`),
  quant: fc.tuple(fc.constantFrom('some', 'every'), fc.constantFrom('1..amount', '[1, 2]', '1..amount * 1000'), tie('e')).map(([q, r, body]) => `${q} i in ${r} satisfies ${body}`),
  call: fc.tuple(
    fc.constantFrom('string length', 'upper case', 'count', 'sum', 'string join', 'list contains', 'matches', 'replace', 'date', 'number', 'substring', 'sort', 'reverse', 'distinct values', 'concatenate', 'append', 'flatten', 'string', 'split', 'get value', 'is defined'),
    fc.array(tie('e'), { maxLength: 3 }),
  ).map(([f, args]) => `${f}(${args.join(', ')})`),
})).e;

const { definition: flow, calendar } = await loadFlows();
/** Big data: a range bounded by `amount * 1000` asks for 2e8 values. */
const DATA = { amount: 200000, urgent: true, urgentReason: '年底结算', category: '设备', unit: 'dept-b' };
const APPLICANT = { name: '钱二', department: 'dept-b' };

function timed<T>(run: () => T): { value: T; cpu: number; wall: number } {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const value = run();
  const used = process.cpuUsage(cpu);
  return { value, cpu: (used.user + used.system) / 1000, wall: performance.now() - started };
}

function withinBounds(e: string, { cpu, wall }: { cpu: number; wall: number }, factor = 1) {
  expect(cpu, `CPU ms: ${e.slice(0, 200)}`).toBeLessThan(BOUND_CPU_MS * factor);
  expect(wall, `wall ms: ${e.slice(0, 200)}`).toBeLessThan(BOUND_WALL_MS);
}

describe('FEEL fuzz: no hang and no crash wherever a condition runs (issue 12 "Done when")', () => {
  it('the shared evaluator ends every expression within its bound', () => {
    const context = { ...typeData(fieldsOfDefinition(flow), DATA), applicant: APPLICANT };
    fc.assert(
      fc.property(expression, (e) => {
        const run = timed(() => evaluateFeel(e, context, AT));
        expect(typeof run.value.ok).toBe('boolean');
        withinBounds(e, run);
      }),
      { numRuns: RUNS, seed: 12_2 },
    );
    expect(process.memoryUsage().rss).toBeLessThan(2e9);
  }, 600_000);

  it('validateSubmission ends every validIf and visibleIf within its bound', () => {
    const definition = structuredClone(flow);
    const field = definition.form!.sections[0].fields.find((f) => f.id === 'category')!;
    fc.assert(
      fc.property(expression, fc.boolean(), (e, asVisibility) => {
        if (asVisibility) {
          field.visibleIf = e;
          delete field.validIf;
        } else {
          field.validIf = e;
          delete field.visibleIf;
        }
        const run = timed(() => validateSubmission(definition, DATA, APPLICANT, undefined, AT));
        expect(Array.isArray(run.value)).toBe(true);
        withinBounds(e, run, 3);
      }),
      { numRuns: Math.ceil(RUNS / 2), seed: 12_3 },
    );
  }, 600_000);

  it('the interpreter (hall test, hall simulate) ends every branch condition within its bound', () => {
    const definition = structuredClone(flow);
    const branch = definition.workflow!.steps.find((n: RuntimeNode) => n.kind === 'branch') as Extract<RuntimeNode, { kind: 'branch' }>;
    fc.assert(
      fc.property(expression, (e) => {
        branch.condition = e;
        const run = timed(() => runWorkflow(definition, calendar, { applicant: APPLICANT, data: DATA, decisions: [{ step: 'unit-review', action: 'approve' }], submittedAt: AT, service: { id: 'flow', name: '流程' } }));
        expect(['approved', 'rejected', 'pending', 'invalid', 'error']).toContain(run.value.outcome);
        withinBounds(e, run, 3);
      }),
      { numRuns: Math.ceil(RUNS / 2), seed: 12_4 },
    );
  }, 600_000);

  it('hall check and hall test, as processes, end on hostile and generated conditions without a crash', async () => {
    const generated = fc.sample(expression, { numRuns: 2, seed: 12_5 });
    const cases = ['string length(string join(for i in 1..amount * 1000 return "xxxxxxxxxxxxxxxx")) > 3', 'count(for i in 1..2000, j in 1..2000 return i) > amount', ...generated];
    for (const condition of cases) {
      const dir = await scratchCopy(FLOWS);
      const file = path.join(dir, 'catalog/ops/flow.yaml');
      await writeFile(file, (await readFile(file, 'utf8')).replace('if: amount > 100000', `if: ${JSON.stringify(condition)}`));
      for (const args of [['check'], ['test', '--service', 'flow']]) {
        const started = Date.now();
        const result = await hall(args, { cwd: dir });
        const ms = Date.now() - started;
        expect(ms, `${args[0]}: ${condition.slice(0, 200)}`).toBeLessThan(120_000);
        expect([0, 1], `${args[0]}: ${condition.slice(0, 200)}\n${result.all}`).toContain(result.exitCode);
        expect(result.all).not.toMatch(/heap|internal error|内部错误|\n\s+at .*:\d+:\d+/i);
      }
    }
  }, 900_000);
});
