import { REVIEW_RETURN_TO_KEY } from '../../cli/bpmn/return-to.ts';
import { decisionsOf } from '../../cli/bpmn/names.ts';
import { createRequire } from 'node:module';
import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { stepsOf } from '../../cli/bpmn/compile-forms.ts';
import type { RuntimeApplicantStep, RuntimeNode } from '../../generated/types/runtime/definition.ts';
import { REVIEW_COMMENT_KEY, REVIEW_DECISION_KEY } from '../../cli/bpmn/names.ts';
import { planExampleCatalog } from './example.ts';

/**
 * Every Camunda form the example catalog produces loads in form-js's own viewer (the library Tasklist
 * renders forms with) without warnings, with exactly the fields the YAML declares.
 */
const dom = new JSDOM('<!doctype html><html><body></body></html>', { pretendToBeVisual: true });
const globals = globalThis as Record<string, unknown>;
for (const name of ['window', 'document', 'navigator', 'Node', 'Element', 'HTMLElement', 'DocumentFragment', 'MutationObserver', 'CustomEvent', 'Event', 'KeyboardEvent', 'getComputedStyle', 'requestAnimationFrame', 'cancelAnimationFrame', 'DOMParser']) {
  if (name === 'navigator' && globals.navigator) continue;
  globals[name] = (dom.window as unknown as Record<string, unknown>)[name];
}
// The ESM build imports lodash subpaths Node cannot resolve without extensions; the CommonJS build loads.
const { Form } = createRequire(import.meta.url)('@bpmn-io/form-js-viewer') as { Form: new (options: { container: unknown }) => any };

const example = await planExampleCatalog();
const formFiles = [...example.files].filter(([file]) => file.endsWith('.form'));

/** The keys a form should bind: top-level field ids (a daterange or table binds its id as a path). */
function expectedKeys(file: string): { keys: string[]; actions?: string[] } {
  const [, id, version, name] = /^(.+)\/v(\d+)\/(.+)\.form$/.exec(file)!;
  const definition = JSON.parse(example.runtimeFiles.get(`${id}/v${version}.json`)!);
  const application: string[] = (definition.form?.sections ?? []).flatMap((s: { fields: { id: string }[] }) => s.fields.map((f) => f.id));
  if (definition.appointment) application.push('booking');
  if (name === 'apply' || name === 'revise') return { keys: application };
  const step = stepsOf(definition.workflow.steps).find((s) => `review-${s.id}` === name);
  // The applicant's own step (销假, issue 15.1): its form asks only for the step's fields; completing it is the one decision.
  const own = applicantSteps(definition.workflow.steps).find((s) => `review-${s.id}` === name);
  if (own) return { keys: (own.fields ?? []).map((f) => f.id) };
  if (!step) throw new Error(`${file}: no step for this form`);
  // A step with return targets (issue 15.5) also asks where a return goes.
  return { keys: [...application, ...(step.fields ?? []).map((f) => f.id), REVIEW_DECISION_KEY, REVIEW_COMMENT_KEY, ...(step.returnTo ? [REVIEW_RETURN_TO_KEY] : [])], actions: decisionsOf(step) };
}

function applicantSteps(nodes: RuntimeNode[]): RuntimeApplicantStep[] {
  return nodes.flatMap((n) => (n.kind === 'applicant' ? [n] : n.kind === 'branch' ? [...applicantSteps(n.then), ...applicantSteps(n.else)] : []));
}

describe('Camunda forms of the example catalog', () => {
  it('exist for every service with a workflow', () => {
    expect(formFiles.length).toBeGreaterThan(0);
    for (const s of example.services.filter((s) => s.bpmn)) expect(example.files.has(`${s.id}/v${s.definition.version}/apply.form`), s.id).toBe(true);
  });

  it.each(formFiles)('%s loads in form-js with the declared fields', async (file, text) => {
    const schema = JSON.parse(text);
    expect(schema.id).toBe(`${file.split('/')[0]}-${file.split('/')[1]}-${file.split('/')[2].replace(/\.form$/, '')}`);
    const container = dom.window.document.createElement('div');
    dom.window.document.body.append(container);
    const form = new Form({ container });
    try {
      const { warnings } = await form.importSchema(schema, {});
      expect(warnings).toEqual([]);
      const fields = form.get('formFieldRegistry').getAll() as { key?: string; path?: string; dataSource?: string; type: string; values?: { value: string }[]; id: string; _parent?: string }[];
      const ids = new Set(fields.map((f) => f.id));
      expect(ids.size, 'component ids are unique').toBe(fields.length);
      // Top-level bindings: components whose parent is the form or a section group without a path. An
      // approver sees uploaded files through a document preview, which reads the variable without binding it.
      const parentOf = new Map(fields.map((f) => [f.id, f._parent]));
      const bound = (f: { key?: string; path?: string; dataSource?: string; type: string }) => f.key ?? f.path ?? (f.type === 'documentPreview' ? f.dataSource?.replace(/^=/, '') : undefined);
      const topLevel = fields.filter((f) => {
        if (!bound(f)) return false;
        for (let p = parentOf.get(f.id); p; p = parentOf.get(p)) {
          const parent = fields.find((x) => x.id === p);
          if (parent?.path) return false;
        }
        return true;
      });
      const { keys, actions } = expectedKeys(file);
      expect(topLevel.map(bound).sort()).toEqual([...keys].sort());
      if (actions) {
        const decision = fields.find((f) => f.key === REVIEW_DECISION_KEY)!;
        expect(decision.values!.map((v) => v.value)).toEqual(actions);
        // An approver cannot submit without choosing an allowed action.
        const errors = form.validate() as Record<string, string[]>;
        expect(Object.keys(errors)).toContain(decision.id);
      }
    } finally {
      form.destroy();
      container.remove();
    }
  });
});
