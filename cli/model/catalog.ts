import type { Department } from '../../generated/types/department.ts';
import type { Hall } from '../../generated/types/hall.ts';
import type { RoleGroup } from '../../generated/types/roles.ts';
import type { ApplicantStep, FormField, LocalizedText, Parallel, PaymentStep, PublicityStep, Service, Step, SystemStep, WorkflowNode } from '../../generated/types/service.ts';
import type { ParsedFile } from '../load/parse-file.ts';

export type { Department, Hall, RoleGroup, Service, Step, FormField, WorkflowNode, LocalizedText, ApplicantStep, PublicityStep, PaymentStep };

/** A value together with the file it came from, so any later stage can point back at its YAML. */
export interface Located<T> {
  value: T;
  parsed: ParsedFile;
  /** Key path of `value` inside its document. */
  path: (string | number)[];
}

/** The whole catalog after validation and reference resolution. */
export interface Catalog {
  /** Catalog folder relative to the repository root, e.g. `catalog`. */
  dir: string;
  /** Every file in the catalog (attachments too), repository-relative. */
  files: Set<string>;
  hall?: Located<Hall>;
  departments: Map<string, Located<Department>>;
  groups: Map<string, Located<RoleGroup>>;
  services: Map<string, Located<Service>>;
}

export function textZh(text: LocalizedText | undefined): string {
  if (text === undefined) return '';
  return typeof text === 'string' ? text : text.zh;
}

export function textEn(text: LocalizedText | undefined): string | undefined {
  if (text === undefined || typeof text === 'string') return undefined;
  return text.en;
}

export function isParallel(node: WorkflowNode): node is Parallel {
  return 'parallel' in node;
}

/** An applicant step (issue 15.1): performed by the applicant, never by a role group. */
export function isApplicantStep(node: WorkflowNode): node is ApplicantStep {
  return 'by' in node;
}

/** Every applicant step of a workflow in document order, with its key path. */
export function* applicantStepsOf(nodes: WorkflowNode[] | undefined): Generator<{ step: ApplicantStep; path: (string | number)[] }> {
  for (const { node, path } of nodesOf(nodes)) if (isApplicantStep(node)) yield { step: node, path };
}

/** Every approval step of a workflow (applicant steps are not: see applicantStepsOf) in document order, with its key path. */
export function* stepsOf(nodes: WorkflowNode[] | undefined, path: (string | number)[] = ['workflow', 'steps']): Generator<{ step: Step; path: (string | number)[] }> {
  if (!nodes) return;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i];
    const p = [...path, i];
    if ('if' in node) {
      yield* stepsOf(node.then, [...p, 'then']);
      yield* stepsOf(node.else, [...p, 'else']);
    } else if ('parallel' in node) {
      for (let j = 0; j < node.steps.length; j++) yield { step: node.steps[j], path: [...p, 'steps', j] };
    } else if (isPublicityStep(node)) {
      yield* stepsOf(node.objections, [...p, 'objections']);
    } else if (isPaymentStep(node)) {
      yield* stepsOf(node.unpaid, [...p, 'unpaid']);
    } else if (!isApplicantStep(node) && !isSystemStep(node)) {
      yield { step: node, path: p };
    }
  }
}

/** A system step (issue 15.3): the hall calls a campus system; nobody handles it, so it is not among stepsOf's steps. */
export function isSystemStep(node: WorkflowNode): node is SystemStep {
  return 'system' in node;
}

/** A publicity period (issue 15.2, docs/publicity.md): nobody handles it; its objection steps are walked by stepsOf and nodesOf. */
export function isPublicityStep(node: WorkflowNode): node is PublicityStep {
  return 'publicity' in node;
}

/** A payment step (issue 15.9b, docs/payment.md): nobody handles it; its unpaid steps are walked by stepsOf and nodesOf. */
export function isPaymentStep(node: WorkflowNode): node is PaymentStep {
  return 'payment' in node;
}

/** Every payment step of a workflow in document order, with its key path. */
export function* paymentStepsOf(nodes: WorkflowNode[] | undefined): Generator<{ step: PaymentStep; path: (string | number)[] }> {
  for (const { node, path } of nodesOf(nodes)) if (isPaymentStep(node)) yield { step: node, path };
}

/** Every publicity period of a workflow in document order, with its key path. */
export function* publicityStepsOf(nodes: WorkflowNode[] | undefined): Generator<{ step: PublicityStep; path: (string | number)[] }> {
  for (const { node, path } of nodesOf(nodes)) if (isPublicityStep(node)) yield { step: node, path };
}

/** Every system step of a workflow in document order, with its key path. */
export function* systemStepsOf(nodes: WorkflowNode[] | undefined, path: (string | number)[] = ['workflow', 'steps']): Generator<{ step: SystemStep; path: (string | number)[] }> {
  for (const { node, path: p } of nodesOf(nodes, path)) if (isSystemStep(node)) yield { step: node, path: p };
}

/** Every workflow node (steps, branches, countersigns) with its key path. */
export function* nodesOf(nodes: WorkflowNode[] | undefined, path: (string | number)[] = ['workflow', 'steps']): Generator<{ node: WorkflowNode; path: (string | number)[] }> {
  if (!nodes) return;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i];
    const p = [...path, i];
    yield { node, path: p };
    if ('if' in node) {
      yield* nodesOf(node.then, [...p, 'then']);
      yield* nodesOf(node.else, [...p, 'else']);
    } else if ('parallel' in node) {
      yield* nodesOf(node.steps, [...p, 'steps']);
    } else if (isPublicityStep(node)) {
      yield* nodesOf(node.objections, [...p, 'objections']);
    } else if (isPaymentStep(node)) {
      yield* nodesOf(node.unpaid, [...p, 'unpaid']);
    }
  }
}

/** Top-level form fields (the names conditions and templates may use), with key paths. */
export function* fieldsOf(service: Service): Generator<{ field: FormField; path: (string | number)[] }> {
  const sections = service.form?.sections ?? [];
  for (let s = 0; s < sections.length; s++) {
    for (let f = 0; f < sections[s].fields.length; f++) yield { field: sections[s].fields[f], path: ['form', 'sections', s, 'fields', f] };
  }
}

/**
 * What the catalog knows of the directory: its department codes and hall.yaml's person-id format. The
 * checks and `hall test` validate department and person fields against it, as the runtime does against
 * the identity platform.
 */
export function directoryOf(catalog: Catalog): { departments: string[]; personId?: { pattern: string; example?: string } } {
  const personId = catalog.hall?.value.personId;
  return { departments: [...catalog.departments.keys()], ...(personId && isRegExp(personId.pattern) ? { personId } : {}) };
}

/** True when `pattern` compiles as a JavaScript regular expression (with the `u` flag). */
export function isRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}
