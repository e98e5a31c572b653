import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileCalendar, compileDefinition } from '../../cli/compile/compile-runtime.ts';
import { WorkCalendar } from '../../lib/interpret/calendar.ts';
import { runWorkflow } from '../../lib/interpret/interpret.ts';
import { validateSubmission } from '../../lib/interpret/validate-submission.ts';
import type { Service } from '../../cli/model/catalog.ts';
import { checkEdited, copyBaseline, runHall, STACK_TRACE, sub } from './helpers.ts';

/**
 * Issue 12 "Done when": generated regular expressions and notification templates, hostile ones
 * included, go through check, the interpreter (hall test's engine) and validateSubmission, each case
 * within a wall-clock bound, with no hang and no crash. A few run as real processes (hall check,
 * hall test) on temp catalogs. More runs: HALL_FUZZ_RUNS=500 npx vitest run test/check/budget-fuzz
 */
const RUNS = Number(process.env.HALL_FUZZ_RUNS ?? 40);
/** Wall-clock bound of one in-process case (check + compile + validate + run). Generous: CI shares its cores. */
const CASE_MS = 15_000;

const LEAVE = 'xgc/student-leave.yaml';
const DESTINATION = 'visibleIf: leaveCampus = true';
const APPROVED = '"{{applicant.name}}同学，您的请假已批准。"';

/** Regular expressions built from pieces known to backtrack, nest, look around or refer back. */
const ATOMS = ['a', 'b', '.', '\\w', '\\s', '\\S', '\\d', '[a-z]', '[^@]', '\\u4e00', '[\\u4e00-\\u9fa5]', '中', '\\1', '\\b', '(?=a)', '(?<=a)', '(?!b)', '\\k<n>', '\\p{L}', '\\'];
const regexArb: fc.Arbitrary<string> = fc.letrec<{ re: string }>((tie) => ({
  re: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...ATOMS),
    fc.tuple(tie('re'), fc.constantFrom('*', '+', '?', '{2,}', '{0,40}', '{1000}', '{2,1}', '*?')).map(([r, q]) => `(${r})${q}`),
    fc.tuple(tie('re'), tie('re')).map(([a, b]) => `${a}${b}`),
    fc.tuple(tie('re'), tie('re')).map(([a, b]) => `(${a}|${b})`),
    fc.tuple(tie('re')).map(([a]) => `(?<n>${a})`),
  ),
})).re.map((r) => `^${r}$`);
const KNOWN_HOSTILE = ['^(a+)+$', '^(\\w+\\s?)*$', '(a|a)*b', '^(.*a){20}$', '^\\S+@\\S+\\.\\S+$', '(x+x+)+y', '^(?=.*\\d)(?=.*[a-z]).{8,}$', '^(a)\\1$', '[', '(?<n>a)\\k<n>', 'a{2,1}', '\\'];
const patternArb = fc.oneof(fc.constantFrom(...KNOWN_HOSTILE), regexArb);

/** Values a pattern is tried on: attack strings of repeated characters and a bad last one. */
const valueArb = fc.tuple(fc.constantFrom('a', 'x', '0', ' ', '中', 'ab', '@.', '\u3000'), fc.integer({ min: 0, max: 3000 }), fc.constantFrom('', '!', 'b', '\u0000', '\n')).map(([unit, n, tail]) => unit.repeat(n) + tail);

/** Templates: text, known and unknown variables, and every Handlebars construct outside the closed language. */
const TEMPLATE_PIECES = [
  '同学', '{{applicant.name}}', '{{form.days}}', '{{comment}}', '{{> footer}}', '{{> (lookup . "x")}}', '{{applicant.name x=constructor.constructor}}',
  '{{#if form.days}}', '{{else}}', '{{/if}}', '{{#each form}}', '{{/each}}', '{{#with applicant}}', '{{/with}}', '{{{{raw}}}}', '{{{{/raw}}}}',
  '{{!-- x --}}', '{{!}}', '{{@root}}', '{{../x}}', '{{this}}', '{{constructor}}', '{{__proto__}}', '{{lookup this "constructor"}}',
  '{{#*inline "p"}}', '{{/inline}}', '{{*decorator}}', '{{{applicant.name}}}', '{{&form.days}}', '{{', '}}', '{{#if}}', '{{"lit"}}', '{{1}}', '{{~form.days~}}',
  '{{[constructor]}}', '{{applicant.[__proto__]}}', '{{#if (eq 1 1)}}', '\\{{x}}', '{{#unless form.days}}', '{{/unless}}',
];
const templateArb = fc.array(fc.constantFrom(...TEMPLATE_PIECES), { minLength: 1, maxLength: 8 }).map((parts) => parts.join(''));

/** YAML single-quoted scalar. */
const quoted = (text: string) => `'${text.replace(/'/g, "''").replace(/\n/g, ' ')}'`;

async function runCase(pattern: string, template: string, value: string): Promise<void> {
  const started = performance.now();
  const result = await checkEdited([sub(LEAVE, DESTINATION, `${DESTINATION}\n          pattern: ${quoted(pattern)}`), sub(LEAVE, APPROVED, quoted(template))]);
  // The check never throws; whatever it refuses is a diagnostic on the file.
  const service = result.catalog.services.get('student-leave')?.value as Service | undefined;
  if (service) {
    const definition = compileDefinition(service, 1, 'fuzz');
    const data = { studentName: '张晓明', days: 2, leaveCampus: true, destination: value };
    const errors = validateSubmission(definition, data, { name: '张晓明' });
    expect(Array.isArray(errors)).toBe(true);
    const calendar = new WorkCalendar(compileCalendar(result.catalog.hall!.value));
    const run = runWorkflow(definition, calendar, {
      applicant: { name: '张晓明', college: 'jsj', class: 'jsj-2301' }, data, decisions: [{ step: 'counselor-review', action: 'approve' }],
      submittedAt: '2026-03-02T09:00:00+08:00', service: { id: 'student-leave', name: '学生请假' },
    });
    expect(['approved', 'rejected', 'pending', 'invalid', 'error']).toContain(run.outcome);
  }
  expect(performance.now() - started).toBeLessThan(CASE_MS);
}

describe('budget fuzz: patterns and templates', () => {
  it('check, validateSubmission and the interpreter end within the bound on generated patterns, values and templates', async () => {
    await fc.assert(fc.asyncProperty(patternArb, templateArb, valueArb, async (pattern, template, value) => runCase(pattern, template, value)), { numRuns: RUNS, seed: Number(process.env.HALL_FUZZ_SEED ?? 20261203) });
  }, 600_000);

  it('every known-hostile pattern on a 40-character attack string', async () => {
    for (const pattern of KNOWN_HOSTILE) await runCase(pattern, '{{applicant.name}}', `${'a'.repeat(40)}!`);
  }, 300_000);

  it('hall check and hall test, as processes on temp catalogs, end promptly without a stack trace', async () => {
    const cases = fc.sample(fc.tuple(patternArb, templateArb), { numRuns: 2, seed: 7 });
    cases.unshift(['^(a+)+$', '{{> footer}}{{applicant.name x=constructor.constructor}}']);
    const repo = await copyBaseline();
    try {
      const file = path.join(repo.root, 'catalog', LEAVE);
      const original = await readFile(file, 'utf8');
      for (const [pattern, template] of cases) {
        const text = original
          .replace(DESTINATION, () => `${DESTINATION}\n          pattern: ${quoted(pattern)}`)
          .replace(APPROVED, () => quoted(template))
          .replace('data: { studentName: 张晓明, days: 5, leaveCampus: false }', () => `data: { studentName: 张晓明, days: 5, leaveCampus: true, destination: ${'a'.repeat(34)}b }`);
        await writeFile(file, text);
        for (const command of ['check', 'test']) {
          const run = await runHall([command], { cwd: repo.root, env: { NO_COLOR: '1' } });
          expect(run.timedOut, `${command} on ${pattern} / ${template}`).toBe(false);
          expect([0, 1], `${command}: ${run.stdout}${run.stderr}`).toContain(run.exitCode);
          expect(run.stdout + run.stderr).not.toMatch(STACK_TRACE);
          expect(run.stdout + run.stderr).not.toContain('internal error');
        }
      }
    } finally {
      await repo.dispose();
    }
  }, 600_000);
});
