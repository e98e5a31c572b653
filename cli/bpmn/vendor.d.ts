// Minimal types for the BPMN libraries that ship none usable under `module: nodenext`
// (bpmn-moddle's typings target its old default export; bpmnlint has none).

declare module 'bpmn-moddle' {
  /** A moddle element: typed by `$type`, properties read with `get` and written as fields. */
  export interface ModdleElement {
    $type: string;
    $attrs: Record<string, string>;
    $parent?: ModdleElement;
    id?: string;
    get(name: string): any;
    set(name: string, value: unknown): void;
    [key: string]: any;
  }
  export interface FromXmlResult {
    rootElement: ModdleElement;
    warnings: { message: string }[];
    elementsById: Record<string, ModdleElement>;
    references: unknown[];
  }
  export class BpmnModdle {
    constructor(packages?: Record<string, unknown>);
    create(type: string, attrs?: Record<string, unknown>): ModdleElement;
    fromXML(xml: string, type?: string): Promise<FromXmlResult>;
    toXML(element: ModdleElement, options?: { format?: boolean; preamble?: boolean }): Promise<{ xml: string }>;
  }
}

declare module 'bpmnlint' {
  export interface LintReport {
    id?: string;
    message: string;
    category: 'error' | 'warn' | 'info' | 'rule-error';
    path?: (string | number)[];
  }
  export class Linter {
    constructor(options: { config: Record<string, unknown>; resolver: unknown });
    lint(definitions: unknown): Promise<Record<string, LintReport[]>>;
  }
}

declare module 'bpmnlint/lib/resolver/node-resolver.js' {
  export default class NodeResolver {
    constructor(options?: Record<string, unknown>);
  }
}
