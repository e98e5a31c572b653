/**
 * The BPMN export's own element model and XML writer. The export builds a few dozen kinds of element
 * (cli/bpmn/compile-process.ts, layout.ts) and writes them as Camunda Modeler does; building them as
 * bpmn-moddle objects and writing them with its generic, descriptor-driven writer was about 40% of a cold
 * build's CPU. Here an element is a plain object and each kind's properties are listed once, in the order
 * bpmn-moddle's descriptors give them, so the bytes are those `moddle.toXML(definitions, { format: true })`
 * writes for the same elements: same escaping, namespace declarations in order of first use, attributes in
 * descriptor order, two-space indentation. test/bpmn/xml-writer.test.ts holds the two writers to the same
 * bytes over every example, a synthetic catalog and random names.
 *
 * An element carrying a property its kind does not list is refused (an Error): a property the writer does
 * not know would otherwise vanish from the file without a word.
 */

/** An element of the export's model: its BPMN type (`bpmn:UserTask`), its properties as fields. */
export interface BpmnElement {
  $type: string;
  /** Attributes outside the model: namespace declarations and their attributes (the root's `modeler:*`). */
  $attrs: Record<string, string>;
  id?: string;
  name?: string;
  get(name: string): any;
  set(name: string, value: unknown): void;
  [key: string]: any;
}

/** What builds elements: `bpmnModel` here, or (in the reference test) a bpmn-moddle instance. */
export interface BpmnFactory {
  create(type: string, attrs?: Record<string, unknown>): BpmnElement;
}

/** Properties that hold a list: `get` gives an empty list where none was set, as bpmn-moddle does. */
const MANY = new Set(['documentation', 'flowElements', 'incoming', 'outgoing', 'eventDefinitions', 'values', 'rootElements', 'diagrams', 'planeElement', 'waypoint', 'inputParameters', 'outputParameters']);

class Element implements BpmnElement {
  [key: string]: any;
  $type: string;
  $attrs: Record<string, string> = {};
  constructor(type: string, attrs: Record<string, unknown> | undefined) {
    this.$type = type;
    if (attrs) Object.assign(this, attrs);
  }
  get(name: string): any {
    let value = this[name];
    if (value === undefined && MANY.has(name)) this[name] = value = [];
    return value;
  }
  set(name: string, value: unknown): void {
    this[name] = value;
  }
}

/** The export's element factory. */
export const bpmnModel: BpmnFactory = {
  create: (type, attrs) => {
    if (!KINDS.has(type)) throw new Error(`BPMN export: no element kind ${type} (cli/bpmn/xml.ts lists the kinds the export writes)`);
    return new Element(type, attrs);
  },
};

/**
 * How a property is written, as bpmn-moddle's descriptor says:
 * a: an attribute; r: an attribute naming the referenced element's id; b: the element's text;
 * e: a child element (many or one), tagged by its own type; R: a child `<prefix:name>id</prefix:name>` per
 * referenced element; x: a child tagged by the property, typed with `xsi:type` (an expression);
 * p: a child tagged by the property, of the property's own type (a waypoint).
 */
type How = 'a' | 'r' | 'b' | 'e' | 'R' | 'x' | 'p';
interface Property {
  name: string;
  how: How;
  /** The property's tag, for R, x and p. */
  tag?: string;
  /** A value bpmn-moddle leaves out because it is the default. */
  byDefault?: unknown;
}
interface Kind {
  tag: string;
  props: Property[];
}

const p = (name: string, how: How, extra: Omit<Property, 'name' | 'how'> = {}): Property => ({ name, how, ...extra });
const id = p('id', 'a');
const documentation = p('documentation', 'e');
const extensionElements = p('extensionElements', 'e');
const name = p('name', 'a');
const incoming = p('incoming', 'R', { tag: 'bpmn:incoming' });
const outgoing = p('outgoing', 'R', { tag: 'bpmn:outgoing' });
const eventDefinitions = p('eventDefinitions', 'e');
/** Every flow node starts so (BaseElement, FlowElement, FlowNode), in this order. */
const node = [id, documentation, extensionElements, name, incoming, outgoing];
const dflt = p('default', 'r');

/** Every kind the export writes, its properties in bpmn-moddle's descriptor order (bpmn-moddle 10, zeebe-bpmn-moddle 2). */
const KINDS = new Map<string, Kind>([
  ['bpmn:Definitions', { tag: 'bpmn:definitions', props: [id, name, p('targetNamespace', 'a'), p('rootElements', 'e'), p('diagrams', 'e'), p('exporter', 'a'), p('exporterVersion', 'a')] }],
  ['bpmn:Process', { tag: 'bpmn:process', props: [id, documentation, extensionElements, name, p('flowElements', 'e'), p('isExecutable', 'a')] }],
  ['bpmn:Documentation', { tag: 'bpmn:documentation', props: [p('text', 'b')] }],
  ['bpmn:ExtensionElements', { tag: 'bpmn:extensionElements', props: [p('values', 'e')] }],
  ['bpmn:StartEvent', { tag: 'bpmn:startEvent', props: [...node, eventDefinitions] }],
  ['bpmn:EndEvent', { tag: 'bpmn:endEvent', props: [...node, eventDefinitions] }],
  ['bpmn:IntermediateThrowEvent', { tag: 'bpmn:intermediateThrowEvent', props: [...node, eventDefinitions] }],
  ['bpmn:IntermediateCatchEvent', { tag: 'bpmn:intermediateCatchEvent', props: [...node, eventDefinitions] }],
  ['bpmn:BoundaryEvent', { tag: 'bpmn:boundaryEvent', props: [...node, eventDefinitions, p('cancelActivity', 'a', { byDefault: true }), p('attachedToRef', 'r')] }],
  ['bpmn:ExclusiveGateway', { tag: 'bpmn:exclusiveGateway', props: [...node, dflt] }],
  ['bpmn:ParallelGateway', { tag: 'bpmn:parallelGateway', props: node }],
  ['bpmn:EventBasedGateway', { tag: 'bpmn:eventBasedGateway', props: node }],
  ['bpmn:UserTask', { tag: 'bpmn:userTask', props: [...node, dflt] }],
  ['bpmn:ServiceTask', { tag: 'bpmn:serviceTask', props: [...node, dflt] }],
  ['bpmn:ReceiveTask', { tag: 'bpmn:receiveTask', props: [...node, dflt, p('messageRef', 'r')] }],
  ['bpmn:SubProcess', { tag: 'bpmn:subProcess', props: [...node, dflt, p('flowElements', 'e')] }],
  ['bpmn:SequenceFlow', { tag: 'bpmn:sequenceFlow', props: [id, documentation, extensionElements, name, p('conditionExpression', 'x', { tag: 'bpmn:conditionExpression' }), p('sourceRef', 'r'), p('targetRef', 'r')] }],
  ['bpmn:FormalExpression', { tag: 'bpmn:formalExpression', props: [p('body', 'b')] }],
  ['bpmn:Error', { tag: 'bpmn:error', props: [id, name, p('errorCode', 'a')] }],
  ['bpmn:Message', { tag: 'bpmn:message', props: [id, extensionElements, name] }],
  ['bpmn:TimerEventDefinition', { tag: 'bpmn:timerEventDefinition', props: [id, p('timeDate', 'x', { tag: 'bpmn:timeDate' }), p('timeCycle', 'x', { tag: 'bpmn:timeCycle' }), p('timeDuration', 'x', { tag: 'bpmn:timeDuration' })] }],
  ['bpmn:ErrorEventDefinition', { tag: 'bpmn:errorEventDefinition', props: [id, p('errorRef', 'r')] }],
  ['bpmn:TerminateEventDefinition', { tag: 'bpmn:terminateEventDefinition', props: [id] }],
  ['bpmn:MessageEventDefinition', { tag: 'bpmn:messageEventDefinition', props: [id, p('messageRef', 'r')] }],
  ['zeebe:VersionTag', { tag: 'zeebe:versionTag', props: [p('value', 'a')] }],
  ['zeebe:FormDefinition', { tag: 'zeebe:formDefinition', props: [p('formKey', 'a'), p('formId', 'a')] }],
  ['zeebe:UserTask', { tag: 'zeebe:userTask', props: [] }],
  ['zeebe:AssignmentDefinition', { tag: 'zeebe:assignmentDefinition', props: [p('assignee', 'a'), p('candidateGroups', 'a'), p('candidateUsers', 'a')] }],
  ['zeebe:TaskSchedule', { tag: 'zeebe:taskSchedule', props: [p('dueDate', 'a'), p('followUpDate', 'a')] }],
  ['zeebe:IoMapping', { tag: 'zeebe:ioMapping', props: [p('inputParameters', 'e'), p('outputParameters', 'e')] }],
  ['zeebe:Input', { tag: 'zeebe:input', props: [p('source', 'a'), p('target', 'a')] }],
  ['zeebe:Output', { tag: 'zeebe:output', props: [p('source', 'a'), p('target', 'a')] }],
  ['zeebe:TaskDefinition', { tag: 'zeebe:taskDefinition', props: [p('type', 'a'), p('retries', 'a')] }],
  ['zeebe:TaskHeaders', { tag: 'zeebe:taskHeaders', props: [p('values', 'e')] }],
  ['zeebe:Header', { tag: 'zeebe:header', props: [id, p('key', 'a'), p('value', 'a')] }],
  ['zeebe:Subscription', { tag: 'zeebe:subscription', props: [p('correlationKey', 'a')] }],
  ['bpmndi:BPMNDiagram', { tag: 'bpmndi:BPMNDiagram', props: [id, p('plane', 'e'), name] }],
  ['bpmndi:BPMNPlane', { tag: 'bpmndi:BPMNPlane', props: [id, p('bpmnElement', 'r'), p('planeElement', 'e')] }],
  ['bpmndi:BPMNShape', { tag: 'bpmndi:BPMNShape', props: [id, p('bpmnElement', 'r'), p('bounds', 'e'), p('isHorizontal', 'a'), p('isExpanded', 'a'), p('isMarkerVisible', 'a'), p('label', 'e')] }],
  ['bpmndi:BPMNEdge', { tag: 'bpmndi:BPMNEdge', props: [id, p('bpmnElement', 'r'), p('waypoint', 'p', { tag: 'di:waypoint' }), p('label', 'e')] }],
  ['bpmndi:BPMNLabel', { tag: 'bpmndi:BPMNLabel', props: [id, p('bounds', 'e')] }],
  ['dc:Bounds', { tag: 'dc:Bounds', props: [p('x', 'a'), p('y', 'a'), p('width', 'a'), p('height', 'a')] }],
  ['dc:Point', { tag: 'dc:Point', props: [p('x', 'a'), p('y', 'a')] }],
]);

/** The namespaces bpmn-moddle knows, by prefix: declared on the root, in order of first use. */
const NAMESPACES: Record<string, string> = {
  bpmn: 'http://www.omg.org/spec/BPMN/20100524/MODEL',
  bpmndi: 'http://www.omg.org/spec/BPMN/20100524/DI',
  dc: 'http://www.omg.org/spec/DD/20100524/DC',
  di: 'http://www.omg.org/spec/DD/20100524/DI',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  zeebe: 'http://camunda.org/schema/zeebe/1.0',
};

const ATTR_ESCAPES: Record<string, string> = { '\n': '&#10;', '\n\r': '&#10;', '"': '&#34;', "'": '&#39;', '<': '&#60;', '>': '&#62;', '&': '&#38;' };
const BODY_ESCAPES: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;' };
const ATTR_SPECIAL = /<|>|'|"|&|\n\r|\n/g;
const BODY_SPECIAL = /<|>|&/g;
const ATTR_ANY = /[<>'"&\n]/;
const BODY_ANY = /[<>&]/;

/** An attribute value as bpmn-moddle escapes it (a `\n\r` pair is one line break; a lone `\r` stays). */
export function escapeAttr(value: string): string {
  return ATTR_ANY.test(value) ? value.replace(ATTR_SPECIAL, (s) => ATTR_ESCAPES[s]) : value;
}

/** Element text as bpmn-moddle escapes it. */
export function escapeBody(value: string): string {
  return BODY_ANY.test(value) ? value.replace(BODY_SPECIAL, (s) => BODY_ESCAPES[s]) : value;
}

const PREAMBLE = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** A set value that is written (bpmn-moddle leaves out unset, null, default and empty-list values). */
function present(prop: Property, value: unknown): boolean {
  if (value === undefined || value === null || value === prop.byDefault) return false;
  return Array.isArray(value) ? value.length > 0 : true;
}

/** A kind's properties split as they are written: attributes on the tag, then the text or the children. */
interface Plan {
  tag: string;
  names: Set<string>;
  attrs: Property[];
  body?: Property;
  children: Property[];
}
const PLANS = new Map<string, Plan>(
  [...KINDS].map(([type, kind]) => [
    type,
    { tag: kind.tag, names: new Set(kind.props.map((prop) => prop.name)), attrs: kind.props.filter((prop) => prop.how === 'a' || prop.how === 'r'), body: kind.props.find((prop) => prop.how === 'b'), children: kind.props.filter((prop) => 'eRxp'.includes(prop.how)) },
  ]),
);

const INDENTS: string[] = [''];
const indentOf = (depth: number): string => (INDENTS[depth] ??= `${indentOf(depth - 1)}  `);

const planOf = (element: BpmnElement): Plan => {
  const plan = PLANS.get(element.$type);
  if (!plan) throw new Error(`BPMN export: no element kind ${element.$type} (cli/bpmn/xml.ts)`);
  for (const key in element) {
    if (key[0] !== '$' && Object.hasOwn(element, key) && !plan.names.has(key)) throw new Error(`BPMN export: ${element.$type} has a property ${key} that cli/bpmn/xml.ts does not write`);
  }
  return plan;
};

/**
 * The document bpmn-moddle's `toXML(definitions, { format: true })` writes for these elements, byte for
 * byte (preamble, namespace declarations on the root, indentation by two spaces, a newline after each line).
 */
export function writeBpmnXml(definitions: BpmnElement): string {
  const used: string[] = [];
  const use = (tag: string): void => {
    const prefix = tag.slice(0, tag.indexOf(':'));
    if (!used.includes(prefix)) used.push(prefix);
  };
  // Joined once at the end: cheaper than flattening a string built by thousands of `+=`.
  const out: string[] = [];
  /** Where the root's namespace declarations go: known only once the whole document is written. */
  let declarationsAt = -1;
  const custom: [string, string][] = [];

  /** Writes `element`, tagged `tag` when a property names it (else by its kind), typed by xsi:type when `typed`. */
  const write = (element: BpmnElement, depth: number, propertyTag: string | undefined, typed: boolean): void => {
    const plan = planOf(element);
    const tag = propertyTag ?? plan.tag;
    const indent = indentOf(depth);
    // bpmn-moddle logs namespaces in this order: an expression's xsi:type, the tag, its attributes, its children.
    let open = `${indent}<${tag}`;
    let attrs = '';
    if (typed) {
      use('bpmn:');
      use('xsi:');
      attrs += ` xsi:type="bpmn:t${element.$type.slice('bpmn:'.length)}"`;
    }
    use(tag);
    for (const prop of plan.attrs) {
      const value = element[prop.name];
      if (!present(prop, value)) continue;
      if (prop.how === 'r') attrs += ` ${prop.name}="${escapeAttr(String((value as BpmnElement).id))}"`;
      else attrs += ` ${prop.name}="${typeof value === 'string' ? escapeAttr(value) : String(value)}"`;
    }
    // Attributes outside the model come after the model's; namespace declarations among them go to the root's.
    for (const key in element.$attrs) {
      const value = element.$attrs[key];
      if (key.startsWith('xmlns:')) {
        if (NAMESPACES[key.slice('xmlns:'.length)]) throw new Error(`BPMN export: ${key} is declared by the writer`);
        custom.push([key.slice('xmlns:'.length), value]);
      } else attrs += ` ${key}="${escapeAttr(value)}"`;
    }
    if (declarationsAt === -1) {
      out.push(open);
      declarationsAt = out.length;
      open = '';
    }
    const text = plan.body && element[plan.body.name];
    if (plan.body && present(plan.body, text)) {
      out.push(`${open}${attrs}>${escapeBody(String(text))}</${tag}>\n`);
      return;
    }
    const children = plan.children.filter((prop) => present(prop, element[prop.name]));
    if (children.length === 0) {
      out.push(`${open}${attrs} />\n`);
      return;
    }
    out.push(`${open}${attrs}>\n`);
    const inner = indentOf(depth + 1);
    for (const prop of children) {
      const value = element[prop.name];
      if (prop.how === 'R') {
        use(prop.tag!);
        for (const ref of value as BpmnElement[]) out.push(`${inner}<${prop.tag}>${escapeBody(String(ref.id))}</${prop.tag}>\n`);
      } else if (prop.how === 'x') {
        write(value as BpmnElement, depth + 1, prop.tag!, true);
      } else if (Array.isArray(value)) {
        for (const child of value as BpmnElement[]) write(child, depth + 1, prop.how === 'p' ? prop.tag : undefined, false);
      } else {
        write(value as BpmnElement, depth + 1, undefined, false);
      }
    }
    out.push(`${indent}</${tag}>\n`);
  };
  write(definitions, 0, undefined, false);
  // Known namespaces in order of first use, then those the document declares itself.
  const declarations = [...used.map((prefix) => [prefix, NAMESPACES[prefix]] as const), ...custom].map(([prefix, uri]) => ` xmlns:${prefix}="${escapeAttr(uri)}"`).join('');
  out.splice(declarationsAt, 0, declarations);
  return PREAMBLE + out.join('');
}
