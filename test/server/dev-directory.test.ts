import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadAndCheck } from '../../cli/commands/check/run.ts';
import { stepsOf } from '../../cli/model/catalog.ts';
import { routeStep } from '../../lib/interpret/fallback.ts';
import { resolveScope } from '../../lib/interpret/interpret.ts';
import { checkDirectoryFile } from '../../server/directory/check.ts';
import { readVocabulary } from '../../server/directory/vocabulary.ts';
import { ROOT } from '../helpers/cli.ts';

/**
 * `hall dev` imports examples/directory.yaml (the personas). Every step of every example service people can apply
 * for must have a holder there, or the preview stops at that step with nobody to pick. An applicant-dependent scope
 * (applicant.college, department: applicant.department …) counts as held when it resolves to a held group@scope for
 * at least one persona of the service's audiences; a scope the form chooses (form.*) when someone holds the group
 * anywhere — the form's choice cannot be known here, so that is the most this guard can promise. The file itself is
 * checked against the catalog's groups and scopes by `hall serve --dev` on start (dev.test.ts starts it).
 */
const checked = await loadAndCheck(path.join(ROOT, 'catalog'), {});
const directory = parse(readFileSync(path.join(ROOT, 'examples/directory.yaml'), 'utf8')) as { people: { id: string; name: string; attributes?: Record<string, unknown>; holds?: string[] }[] };
const held = new Set(directory.people.flatMap((p) => p.holds ?? []));
const groupsHeld = new Set([...held].map((h) => h.split('@')[0]));
const applicantTypes = new Map((checked.catalog.hall?.value.audiences ?? []).map((a) => [a.id, a.applicantType]));

/** Each example service open to applicants, each approver step of it, and whether the directory has a holder for it. */
function unheldSteps(): string[] {
  const missing: string[] = [];
  for (const [id, located] of checked.catalog.services) {
    const service = located.value;
    if (!service.workflow || service.status === 'retired' || service.status === 'draft') continue;
    const types = new Set((service.audiences ?? []).map((a) => applicantTypes.get(a)).filter(Boolean));
    // A unit applies through a member of its staff.
    if (service.audiences?.includes('unit')) types.add('教职工');
    const applicants = directory.people.filter((p) => types.has(p.attributes?.type as string)).map((p) => ({ name: p.name, number: p.id, ...p.attributes }));
    for (const { step } of stepsOf(service.workflow.steps)) {
      if ('system' in step || 'by' in step) continue;
      const byForm = [step.scope, step.department, step.fallback].some((ref) => typeof ref === 'string' && ref.startsWith('form.'));
      if (byForm) {
        if (!groupsHeld.has(step.group)) missing.push(`${id} › ${step.id}: ${step.group}@(form)`);
        continue;
      }
      const assignees = applicants.map((applicant) => {
        const routed = routeStep(step, applicant, {});
        const scope = resolveScope(routed.scope, routed.department, applicant, {});
        return scope === undefined ? step.group : `${step.group}@${scope}`;
      });
      // Fixed scopes resolve alike for everyone (and need no applicant at all).
      const fixed = !step.scope.startsWith('applicant.') && !(step.scope === 'department' && step.department.startsWith('applicant.'));
      const candidates = fixed ? [step.scope === 'university' ? step.group : `${step.group}@${step.scope === 'department' ? step.department : step.scope}`] : assignees;
      if (!candidates.some((a) => held.has(a))) missing.push(`${id} › ${step.id}: ${[...new Set(candidates)].join(' / ') || `${step.group}@${step.scope} (no persona of ${[...types].join('、')})`}`);
    }
  }
  return missing;
}

describe('the dev directory (examples/directory.yaml)', () => {
  it('has a holder for every step of every example service, so hall dev can walk each flow to its end', () => {
    expect(unheldSteps()).toEqual([]);
  });

  it('reads as the same people, holdings and attributes from its YAML and its CSV twin, both clean', async () => {
    const vocabulary = await readVocabulary(path.join(ROOT, 'catalog'));
    const [yaml, csv] = await Promise.all(['yaml', 'csv'].map((ext) => checkDirectoryFile(path.join(ROOT, `examples/directory.${ext}`), vocabulary)));
    expect([...yaml.diagnostics, ...csv.diagnostics]).toEqual([]);
    const people = (d: typeof yaml) => d.directory!.people.map((p) => ({ ...p, holds: [...(p.holds ?? [])].sort(), attributes: Object.fromEntries(Object.entries(p.attributes ?? {}).filter(([, v]) => v !== '')) }));
    expect(people(csv)).toEqual(people(yaml));
  });

  it('has a teacher who applies for 本科课程教材选用审批 and its four approvers in turn', () => {
    const teacher = directory.people.find((p) => p.attributes?.type === '教职工' && !p.holds?.length && p.attributes.department === 'jsj');
    expect(teacher).toBeDefined();
    for (const group of ['academic-secretary@jsj', 'department-deputy@jsj', 'office-staff@jwc', 'department-deputy@xcb']) expect(held, group).toContain(group);
  });
});
