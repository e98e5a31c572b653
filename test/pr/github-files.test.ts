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

interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, { permissions?: Record<string, string>; steps?: { uses?: string; run?: string }[]; uses?: string }>;
}

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
    expect(text).toContain('npx hall diff --base HEAD^1 --output diff.md');
    expect(text).toContain("marker='<!-- servicehall:diff -->'");
    expect(text).toContain('--method PATCH');
    expect(text).toContain('name: site-preview');
  });

  it('ci.yml runs .ci/run on Node 22 and 24, and publish.yml deploys Pages and publishes generated/', () => {
    const ci = parse(read('workflows', 'ci.yml')) as { jobs: { test: { strategy: { matrix: { node: number[] } }; steps: { run?: string }[] } } };
    expect(ci.jobs.test.strategy.matrix.node).toEqual([22, 24]);
    expect(ci.jobs.test.steps.map((s) => s.run).filter(Boolean)).toContain('bash .ci/run');
    const publish = read('workflows', 'publish.yml');
    expect(publish).toContain('actions/deploy-pages@');
    expect(publish).toContain('runtime-definitions-${{ github.sha }}');
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
