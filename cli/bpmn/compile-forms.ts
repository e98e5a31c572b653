import type { RuntimeDefinition, RuntimeField, RuntimeNode, RuntimeStep } from '../../generated/types/runtime/definition.ts';
import { applicantSteps } from '../../lib/interpret/applicant-step.ts';
import { EXECUTION_PLATFORM_VERSION } from './compile-process.ts';
import { ACTION_LABEL, APPLY_FORM, decisionsOf, LAST_DECISION_VAR, REVIEW_COMMENT_KEY, REVIEW_DECISION_KEY, REVISE_FORM, formBase, reviewForm } from './names.ts';
import { withZeebeVisibility } from './typed-condition.ts';
import { REVIEW_RETURN_TO_KEY } from './return-to.ts';

/**
 * form-js schema version written into every form. The components used (group with path, dynamiclist,
 * filepicker, documentPreview) exist since form-js 1.13, the version Camunda 8.7 ships.
 */
export const FORM_SCHEMA_VERSION = 18;

type Component = Record<string, unknown>;
/** A Camunda form (form-js JSON). */
export type CamundaForm = Record<string, unknown> & { id: string; components: Component[] };

/**
 * How a form shows fields: filled in by the applicant, revised, shown to an approver, or a step's own.
 * A step's required fields are required to approve only; form-js cannot make `required` depend on the
 * decision, so where the step can also reject or return they are marked, and the process checks them.
 */
type Mode = 'apply' | 'revise' | 'review' | 'step' | 'step-optional';

/** Up to this many options are shown as radio buttons, more as a drop-down. */
const MAX_RADIO_OPTIONS = 4;

/** Every step of a workflow, in order (inside branches and countersigns too). */
export function stepsOf(nodes: RuntimeNode[]): RuntimeStep[] {
  return nodes.flatMap((node) => (node.kind === 'step' ? [node] : node.kind === 'parallel' ? node.steps : node.kind === 'applicant' || node.kind === 'publicity' || node.kind === 'payment' ? [] : [...stepsOf(node.then), ...stepsOf(node.else)]));
}

/**
 * The Camunda forms of one service version, by file name (without `.form`): `apply` for the start
 * event, `revise` for the applicant's task after a return, and `review-<step>` for each approval
 * task. Keys are the form field ids, so a form reads and writes the same process variables the
 * conditions and candidate groups use. Pure.
 */
export function compileForms(typedDefinition: RuntimeDefinition, serviceName: string): Map<string, CamundaForm> {
  // form-js evaluates visibility on JSON form data, where a date is text: convert as for Zeebe.
  const definition = withZeebeVisibility(typedDefinition);
  const base = formBase(definition.id, definition.version);
  const forms = new Map<string, CamundaForm>();
  const form = (name: string, components: Component[]): CamundaForm => ({
    components,
    executionPlatform: 'Camunda Cloud',
    executionPlatformVersion: EXECUTION_PLATFORM_VERSION,
    exporter: { name: 'servicehall', version: '1' },
    id: `${base}-${name}`,
    schemaVersion: FORM_SCHEMA_VERSION,
    type: 'default',
    versionTag: `v${definition.version}`,
  });
  const steps = stepsOf(definition.workflow?.steps ?? []);
  const returns = steps.some((s) => s.actions.includes('return'));

  forms.set(APPLY_FORM, form(APPLY_FORM, [heading('Text_title', `## ${serviceName}`), ...applicationFields(definition, 'apply')]));
  if (returns) {
    forms.set(
      REVISE_FORM,
      form(REVISE_FORM, [
        heading('Text_title', `## ${serviceName}：修改后重新提交`),
        heading('Text_returned', `**{{${LAST_DECISION_VAR}.name}}** 退回了您的申请，意见：{{${LAST_DECISION_VAR}.comment}}`),
        ...applicationFields(definition, 'revise'),
      ]),
    );
  }
  for (const step of steps) {
    forms.set(
      reviewForm(step.id),
      form(reviewForm(step.id), [
        heading('Text_title', `## ${serviceName}：${step.name.zh}`),
        ...applicationFields(definition, 'review'),
        ...(step.fields?.length ? [fieldGroup('Step_fields', '本环节填写', step.fields, schemaProperties(step.schema), decisionsOf(step).every((a) => a === 'approve') ? 'step' : 'step-optional')] : []),
        { id: 'Separator_decision', type: 'separator' },
        {
          id: 'Field_review_decision',
          key: REVIEW_DECISION_KEY,
          label: '办理意见',
          type: 'radio',
          validate: { required: true },
          values: decisionsOf(step).map((a) => ({ label: ACTION_LABEL[a], value: a })),
        },
        // Return to a chosen step (return-to.ts): where a return goes; the applicant unless a step is chosen.
        ...(step.returnTo ? [returnToField(step, steps)] : []),
        {
          id: 'Field_review_comment',
          key: REVIEW_COMMENT_KEY,
          label: '意见说明',
          ...(decisionsOf(step).some((a) => a !== 'approve') ? { description: '不同意或退回修改时，请写明理由。' } : {}),
          type: 'textarea',
          validate: { maxLength: 1000 },
        },
      ]),
    );
  }
  // Applicant steps (issue 15.1): the applicant's own form, with what they fill in at the step.
  for (const step of applicantSteps(definition.workflow?.steps ?? [])) {
    forms.set(
      reviewForm(step.id),
      form(reviewForm(step.id), [
        heading('Text_title', `## ${serviceName}：${step.name.zh}`),
        ...(step.description ? [heading('Text_description', step.description.zh)] : []),
        ...(step.fields?.length ? [fieldGroup('Step_fields', '请填写', step.fields, schemaProperties(step.schema), 'step')] : []),
      ]),
    );
  }
  return forms;
}

function returnToField(step: RuntimeStep, steps: RuntimeStep[]): Component {
  return {
    id: 'Field_review_return_to',
    key: REVIEW_RETURN_TO_KEY,
    label: '退回到',
    description: '只在退回时选择；不选则退回申请人修改。',
    type: 'select',
    values: [{ label: '申请人（修改后重新提交）', value: '' }, ...(step.returnTo ?? []).map((id) => ({ label: steps.find((s) => s.id === id)?.name.zh ?? id, value: id }))],
    conditional: { hide: `=${REVIEW_DECISION_KEY} != "return"` },
  };
}

function heading(id: string, text: string): Component {
  return { id, text, type: 'text' };
}

function schemaProperties(schema: Record<string, unknown> | undefined): Record<string, Record<string, unknown>> {
  return (schema?.properties ?? {}) as Record<string, Record<string, unknown>>;
}

/** The application's sections as groups of fields, and for an appointment the booked resource, date and slot. */
function applicationFields(definition: RuntimeDefinition, mode: Mode): Component[] {
  const properties = schemaProperties(definition.form?.schema);
  const groups = (definition.form?.sections ?? []).map((section) => fieldGroup(`Section_${idPart(section.id)}`, section.title.zh, section.fields, properties, mode, section.visibleIf));
  const appointment = definition.appointment;
  if (!appointment) return groups;
  const readonly = mode === 'review' ? { readonly: true } : { validate: { required: true } };
  const booking: Component = {
    components: [
      { id: 'Field_booking_resource', key: 'resource', label: '预约资源', type: 'select', values: appointment.resources.map((r) => ({ label: r.name.zh, value: r.id })), ...readonly },
      { dateLabel: '日期', id: 'Field_booking_date', key: 'date', subtype: 'date', type: 'datetime', ...readonly },
      { id: 'Field_booking_slot', key: 'slot', label: '时段', type: 'select', values: appointment.slots.times.map((t) => ({ label: t, value: t })), ...readonly },
    ],
    description: '名额、提前量和冲突由办事大厅检查，Camunda 表单不检查。',
    id: 'Booking_section',
    label: '预约',
    path: 'booking',
    showOutline: true,
    type: 'group',
  };
  return [booking, ...groups];
}

function fieldGroup(id: string, label: string, fields: RuntimeField[], properties: Record<string, Record<string, unknown>>, mode: Mode, visibleIf?: string): Component {
  return {
    components: fields.map((field) => fieldComponent(field, properties[field.id] ?? {}, mode, field.id)),
    id,
    label,
    showOutline: true,
    type: 'group',
    ...(visibleIf ? { conditional: { hide: hideWhenNot(visibleIf) } } : {}),
  };
}

/** form-js hides a component when `hide` is true; a null condition counts as false, as in the interpreter. */
function hideWhenNot(visibleIf: string): string {
  return `=not((${visibleIf}) = true)`;
}

function idPart(id: string): string {
  return id.replace(/[^A-Za-z0-9_]/g, '_');
}

function fieldComponent(field: RuntimeField, schema: Record<string, unknown>, mode: Mode, path: string): Component {
  const review = mode === 'review';
  // Prefill comes from the hall's data platform, which Camunda does not have: at the start the
  // applicant types the value; afterwards (revise) a read-only value stays read-only.
  const readonly = review || (mode === 'revise' && field.readonly === true);
  // form-js has no general FEEL validation: a validIf rule is stated, and checked by the hall.
  const description = [
    field.help?.zh,
    field.prefill && mode === 'apply' ? `（可由数据中心预填：${field.prefill}）` : undefined,
    field.validIf && !readonly ? `要求：${field.validMessage?.zh ?? field.validIf}` : undefined,
    field.required && mode === 'step-optional' ? '（同意时必填）' : undefined,
  ]
    .filter(Boolean)
    .join(' ');
  const common: Component = {
    id: `Field_${idPart(path)}`,
    key: field.id,
    label: field.label.zh,
    ...(description ? { description } : {}),
    ...(field.visibleIf ? { conditional: { hide: hideWhenNot(field.visibleIf) } } : {}),
    ...(readonly ? { readonly: true } : {}),
  };
  const validate: Record<string, unknown> = {};
  if (field.required && !readonly && field.type !== 'boolean' && mode !== 'step-optional') validate.required = true;
  if (!readonly) {
    for (const [from, to] of [['minLength', 'minLength'], ['maxLength', 'maxLength'], ['minimum', 'min'], ['maximum', 'max']] as const) {
      if (typeof schema[from] === 'number' && !(from === 'minLength' && schema[from] === 0)) validate[to] = schema[from];
    }
    if (typeof schema.pattern === 'string') {
      validate.pattern = schema.pattern;
      if (field.patternMessage) validate.patternErrorMessage = field.patternMessage.zh;
    }
  }
  const withValidate = (component: Component): Component => (Object.keys(validate).length ? { ...component, validate } : component);
  const options = (field.options ?? []).map((o) => ({ label: o.label.zh, value: o.value }));

  switch (field.type) {
    case 'textarea':
      return withValidate({ ...common, type: 'textarea' });
    case 'number':
      return withValidate({ ...common, type: 'number' });
    case 'money':
      return withValidate({ ...common, appearance: { prefixAdorner: '¥' }, decimalDigits: 2, increment: '0.01', type: 'number' });
    case 'date':
      return withValidate({ ...common, dateLabel: field.label.zh, subtype: 'date', type: 'datetime' });
    case 'datetime':
      return withValidate({ ...common, dateLabel: `${field.label.zh}（日期）`, subtype: 'datetime', timeLabel: '时间', timeSerializingFormat: 'utc_offset', type: 'datetime', use24h: true });
    case 'daterange': {
      const part = (key: 'start' | 'end', label: string): Component => ({
        dateLabel: label,
        id: `Field_${idPart(path)}_${key}`,
        key,
        subtype: 'date',
        type: 'datetime',
        ...(readonly ? { readonly: true } : field.required ? { validate: { required: true } } : {}),
      });
      const { key: _key, ...rest } = common;
      return { ...rest, id: `Group_${idPart(path)}`, components: [part('start', '开始日期'), part('end', '结束日期')], path: field.id, showOutline: false, type: 'group' };
    }
    case 'choice':
      return withValidate({ ...common, type: options.length <= MAX_RADIO_OPTIONS ? 'radio' : 'select', values: options });
    case 'multichoice':
      return withValidate({ ...common, type: 'checklist', values: options });
    case 'boolean':
      return { ...common, type: 'checkbox' };
    case 'file': {
      if (readonly) {
        const { key: _key, readonly: _readonly, ...rest } = common;
        return { ...rest, dataSource: `=${field.id}`, title: field.label.zh, type: 'documentPreview' };
      }
      return withValidate({ ...common, type: 'filepicker', multiple: field.maxFiles !== 1, ...(field.accept?.length ? { accept: field.accept.join(',') } : {}) });
    }
    case 'table': {
      const items = ((schema.items as Record<string, unknown> | undefined)?.properties ?? {}) as Record<string, Record<string, unknown>>;
      const { key: _key, readonly: _readonly, ...rest } = common;
      return {
        ...rest,
        allowAddRemove: !readonly,
        components: (field.columns ?? []).map((column) => fieldComponent(column, items[column.id] ?? {}, mode, `${path}_${column.id}`)),
        defaultRepetitions: 1,
        id: `List_${idPart(path)}`,
        isRepeating: true,
        path: field.id,
        showOutline: true,
        type: 'dynamiclist',
      };
    }
    case 'email':
      if (!readonly) validate.validationType = 'email';
      return withValidate({ ...common, type: 'textfield' });
    default:
      // text, phone, idcard, person, department: a text field with the submission schema's checks.
      return withValidate({ ...common, type: 'textfield' });
  }
}
