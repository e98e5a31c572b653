import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import formSchema from './github-issue-forms.schema.json' with { type: 'json' };
import { REPO } from './helpers.ts';

const GITHUB = path.join(REPO, '.github');
const WORKFLOWS = readdirSync(path.join(GITHUB, 'workflows')).filter((f) => /\.ya?ml$/.test(f)).sort();
const FORMS = readdirSync(path.join(GITHUB, 'ISSUE_TEMPLATE')).filter((f) => /\.ya?ml$/.test(f) && f !== 'config.yml').sort();
const read = (...parts: string[]) => readFileSync(path.join(GITHUB, ...parts), 'utf8');

interface Step {
  uses?: string;
  run?: string;
  if?: string;
  id?: string;
  'working-directory'?: string;
  with?: Record<string, unknown>;
}
interface Job {
  permissions?: Record<string, string>;
  steps?: Step[];
  uses?: string;
  needs?: string | string[];
  if?: string;
  container?: string;
  strategy?: { matrix: { include?: { node: number; image: string }[] } };
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}
const needsOf = (job: Job) => (Array.isArray(job.needs) ? job.needs : job.needs ? [job.needs] : []);

describe('workflows', () => {
  it('has the CI, PR and publish workflows', () => {
    expect(WORKFLOWS).toEqual(['ci.yml', 'pr.yml', 'publish.yml']);
  });

  it.each(WORKFLOWS)('%s validates against GitHub\'s workflow schema (@action-validator/core)', (file) => {
    expect(validateWorkflow(read('workflows', file)).errors).toEqual([]);
  });

  it('the validator catches a broken workflow (control)', () => {
    const broken = read('workflows', 'pr.yml').replace('runs-on: ubuntu-latest', 'runs-on: ubuntu-latest\n    run-on: typo');
    expect(validateWorkflow(broken).errors.length).toBeGreaterThan(0);
  });

  it.each(WORKFLOWS)('%s pins every action to a full commit SHA with its release tag', (file) => {
    const text = read('workflows', file);
    const uses = [...text.matchAll(/uses:\s*(\S+)(.*)$/gm)];
    expect(uses.length).toBeGreaterThan(0);
    for (const [, ref, rest] of uses) {
      if (ref.startsWith('./')) continue;
      expect(ref, ref).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
      expect(rest, ref).toMatch(/^ # v\d+\.\d+\.\d+$/);
    }
    expect(text).toContain('cross-checked in several unrelated public');
  });

  it.each(WORKFLOWS)('%s grants the least privilege: read-only by default, writes only where a job needs them', (file) => {
    const workflow = parse(read('workflows', file)) as Workflow;
    expect(workflow.permissions).toEqual({ contents: 'read' });
    const writes = Object.entries(workflow.jobs).flatMap(([name, job]) => Object.entries(job.permissions ?? {}).filter(([, v]) => v === 'write').map(([k]) => `${name}:${k}`));
    expect(writes).toEqual({ 'ci.yml': [], 'pr.yml': ['comment:pull-requests'], 'publish.yml': ['deploy:pages', 'deploy:id-token'] }[file]);
  });

  it('PRs never run with secrets: pull_request only, never pull_request_target, and forks get no comment job', () => {
    const text = read('workflows', 'pr.yml');
    const pr = parse(text) as Workflow;
    expect(Object.keys(pr.on)).toEqual(['pull_request']);
    for (const file of WORKFLOWS) expect(read('workflows', file)).not.toMatch(/pull_request_target|secrets\./);
    expect(text).toContain("github.event.pull_request.head.repo.full_name == github.repository");
    // The job that may write checks out no PR code at all.
    expect((pr.jobs.comment.steps ?? []).some((s) => s.uses?.startsWith('actions/checkout'))).toBe(false);
    for (const job of Object.values(pr.jobs)) for (const step of job.steps ?? []) if (step.uses?.startsWith('actions/checkout')) expect(JSON.stringify(step)).toContain('"persist-credentials":false');
  });

  it('pr.yml checks with annotations, tests, checks generated/, posts the diff as one sticky comment and uploads the site preview', () => {
    const text = read('workflows', 'pr.yml');
    expect(text).toContain('npx hall check --format github');
    expect(text).toContain('npx hall build --check');
    expect(text).toContain('uses: ./.github/workflows/ci.yml');
    expect(text).toContain('node ../trusted/cli/hall.ts diff catalog --base HEAD^1 --output ../diff.md');
    expect(text).toContain("marker='<!-- servicehall:diff -->'");
    expect(text).toContain('--method PATCH');
    expect(text).toContain('name: site-preview');
  });

  it('ci.yml runs .ci/run on Node 22 and 24, and publish.yml deploys Pages and publishes generated/', () => {
    const ci = parse(read('workflows', 'ci.yml')) as { jobs: { test: { strategy: { matrix: { include: { node: number }[] } }; steps: { run?: string }[] } } };
    expect(ci.jobs.test.strategy.matrix.include.map((x) => x.node)).toEqual([22, 24]);
    expect(ci.jobs.test.steps.map((s) => s.run).filter(Boolean)).toContain('bash .ci/run');
    const publish = read('workflows', 'publish.yml');
    expect(publish).toContain('actions/deploy-pages@');
    expect(publish).toContain('runtime-definitions-${{ github.sha }}');
  });
});

describe('the PR gate cannot be talked round (issue 12.9)', () => {
  const pr = parse(read('workflows', 'pr.yml')) as Workflow;
  const publish = parse(read('workflows', 'publish.yml')) as Workflow;
  const trustedJobs = Object.entries(pr.jobs).filter(([, job]) => (job.steps ?? []).some((s) => /hall(\.ts)? (diff|check)/.test(s.run ?? '') && s['working-directory'] === 'pr'));

  it('runs hall diff and hall check from the base branch\'s toolchain on the PR\'s catalog', () => {
    expect(trustedJobs.map(([name]) => name).sort()).toEqual(['diff', 'trusted-check']);
    for (const [name, job] of trustedJobs) {
      const steps = job.steps ?? [];
      const checkout = steps.find((s) => s.uses?.startsWith('actions/checkout'));
      // The PR's merge commit goes to pr/; the toolchain is its first parent, the base, in trusted/.
      expect(checkout?.with, name).toMatchObject({ path: 'pr', 'fetch-depth': 2, 'persist-credentials': false });
      expect(steps.map((s) => s.run ?? '')).toContain('git -C pr worktree add --detach ../trusted HEAD^1');
      for (const step of steps) {
        const run = step.run ?? '';
        // Nothing of the PR is installed or run: no npm in pr/, no npx (it would resolve the PR's own bin).
        if (/\bnpm\b/.test(run)) expect(step['working-directory'], `${name}: ${run}`).toBe('trusted');
        expect(run, name).not.toMatch(/\bnpx\b/);
        if (/hall/.test(run)) {
          expect(step['working-directory'], `${name}: ${run}`).toBe('pr');
          for (const call of run.match(/\S*hall\.ts\b/g) ?? []) expect(call).toBe('../trusted/cli/hall.ts');
        }
      }
      const node = steps.find((s) => s.uses?.startsWith('actions/setup-node'));
      expect(node?.with?.['node-version-file'], name).toBe('trusted/.nvmrc');
    }
  });

  it('fails the PR on forbidden changes in a job of its own, and comments only after the summary job succeeded', () => {
    expect(needsOf(pr.jobs.forbidden)).toEqual(['diff']);
    expect(JSON.stringify(pr.jobs.forbidden.steps)).toContain("needs.diff.outputs.forbidden != '0'");
    expect(needsOf(pr.jobs.comment)).toContain('diff');
    // always(), !cancelled() or failure() would let it post after a failed summary job.
    expect(pr.jobs.comment.if ?? '').not.toMatch(/always\(\)|cancelled\(\)|failure\(\)/);
    expect(pr.jobs.comment.if).toContain('github.event.pull_request.head.repo.full_name == github.repository');
  });

  it('publishes only after the tests pass', () => {
    const tests = Object.entries(publish.jobs).filter(([, job]) => job.uses === './.github/workflows/ci.yml').map(([name]) => name);
    expect(tests).toEqual(['test']);
    // Every job that builds or deploys depends on the tests, directly or through another job.
    const dependsOnTests = (name: string): boolean => needsOf(publish.jobs[name]).some((n) => n === 'test' || dependsOnTests(n));
    for (const name of Object.keys(publish.jobs).filter((n) => n !== 'test')) expect(dependsOnTests(name), name).toBe(true);
  });

  it.each(WORKFLOWS)('%s pins every container image by digest', (file) => {
    const text = read('workflows', file);
    const workflow = parse(text) as Workflow;
    const images = Object.values(workflow.jobs).flatMap((job) => [
      ...(job.container && !job.container.includes('${{') ? [job.container] : []),
      ...(job.strategy?.matrix.include?.map((x) => x.image).filter(Boolean) ?? []),
    ]);
    for (const image of images) expect(image).toMatch(/^[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}$/);
    for (const job of Object.values(workflow.jobs)) if (job.container?.includes('${{')) expect(job.container).toBe('${{ matrix.image }}');
    if (file === 'ci.yml') expect(images).toHaveLength(2);
  });

  it('the structural checks catch a gate that runs the PR\'s own toolchain (control)', () => {
    const broken = parse(read('workflows', 'pr.yml').replace('node ../trusted/cli/hall.ts diff', 'npx hall diff')) as Workflow;
    const run = (broken.jobs.diff.steps ?? []).map((s) => s.run ?? '').join('\n');
    expect(run).toMatch(/\bnpx\b/);
  });
});

describe('issue forms', () => {
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(formSchema);

  it('has the new-service, change and retirement requests', () => {
    expect(FORMS).toEqual(['change.yml', 'new-service.yml', 'retirement.yml']);
  });

  it.each(FORMS)('%s validates against GitHub\'s issue-form schema, with unique ids and labels', (file) => {
    const form = parse(read('ISSUE_TEMPLATE', file)) as { body: { type: string; id?: string; attributes: { label?: string } }[] };
    const valid = validate(form);
    expect(validate.errors ?? [], file).toEqual([]);
    expect(valid).toBe(true);
    const ids = form.body.flatMap((e) => (e.id ? [e.id] : []));
    const labels = form.body.flatMap((e) => (e.attributes.label ? [e.attributes.label] : []));
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(labels).size).toBe(labels.length);
  });

  it('the schema catches a broken form (control)', () => {
    const form = parse(read('ISSUE_TEMPLATE', 'change.yml')) as { body: Record<string, unknown>[] };
    form.body[1] = { type: 'checkboxes', attributes: { label: 'x', options: [{ label: 'a' }] }, validations: { required: true } };
    expect(validate(form)).toBe(false);
    expect(validate({ name: 'x', description: 'y', body: [{ type: 'markdown', attributes: { value: 'only text' } }] })).toBe(false);
  });

  it('the new-service request asks what seed 002\'s request form and seed 004\'s flow inventory ask', () => {
    const form = parse(read('ISSUE_TEMPLATE', 'new-service.yml')) as { body: { id?: string }[] };
    const ids = form.body.map((e) => e.id).filter(Boolean);
    // 申请建设部门, 流程名称, 主要内容说明, 申请原因及要求, 业务流程情况说明, 业务流程图 (002);
    // 工作详细流程 with materials, time limit, unit, office, post; contacts; existing systems (004).
    expect(ids).toEqual(expect.arrayContaining(['department', 'name', 'summary', 'reason', 'basis', 'flowchart', 'steps', 'time-limit', 'contacts', 'system', 'participants']));
  });
});

describe('pull request template', () => {
  it('carries the reviewer checklist for every role', () => {
    const text = read('pull_request_template.md');
    for (const heading of ['业务主管部门', '每个参与部门', '信息化主管部门', '提交人自查']) expect(text).toContain(heading);
    expect(text.match(/^- \[ \]/gm)?.length).toBeGreaterThanOrEqual(10);
  });
});
