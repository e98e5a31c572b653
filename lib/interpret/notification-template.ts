import Handlebars from 'handlebars';

/**
 * Notification templates are a closed language: text, `{{variable}}`, and `{{#if variable}}…{{else}}…{{/if}}`
 * (or `#unless`). Variables are dotted names (`applicant.name`, `form.days`). Everything else Handlebars
 * can do — partials, hash arguments, subexpressions, `each`/`with`, raw blocks, decorators, `@data`,
 * `this` and `../`, literals, comments, any other helper — is refused: in a template written by a
 * department admin and rendered on the hall's server, each of them is either a way to reach into the
 * program or a way to hide text from the check.
 */

export interface TemplateProblem {
  /** What was found, as the admin wrote it (shortened), e.g. `{{> footer}}`. */
  construct: string;
  kind: { zh: string; en: string };
  /** 1-based line and column inside the template text. */
  line: number;
  column: number;
}

export interface TemplateInspection {
  /** Set when the text does not parse as a template at all. */
  syntax?: string;
  /** Constructs outside the closed language, in order. */
  problems: TemplateProblem[];
  /** Variable names the template reads (valid only when `syntax` and `problems` are empty). */
  names: string[];
}

const CONDITIONALS = new Set(['if', 'unless']);
/** A variable: dotted segments of letters, digits, `_` and `-` (field ids are camelCase). */
const NAME = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$/;
/** Names every JavaScript object answers to: never a variable, whatever the catalog says. */
const OBJECT_NAMES = new Set(['constructor', '__proto__', 'prototype', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', 'toString', 'valueOf']);

const KINDS = {
  partial: { zh: '片段引用（partial）', en: 'a partial' },
  hash: { zh: '命名参数', en: 'a hash argument' },
  subexpression: { zh: '子表达式', en: 'a subexpression' },
  helper: { zh: '未定义的助手函数', en: 'a helper we do not define' },
  block: { zh: '不支持的块', en: 'a block we do not define' },
  decorator: { zh: '装饰器', en: 'a decorator' },
  comment: { zh: '模板注释', en: 'a template comment' },
  data: { zh: '@ 数据变量', en: 'an @data variable' },
  context: { zh: 'this 或 ../ 上下文引用', en: 'a this or ../ reference' },
  literal: { zh: '字面量', en: 'a literal' },
  name: { zh: '不允许的变量名', en: 'a name that is not a variable' },
  arguments: { zh: '条件块的参数个数不对（只能写一个变量）', en: 'a condition with other than one variable' },
} as const;

/** Parse a template and list what it reads and everything outside the closed language. Pure; never throws. */
export function inspectTemplate(template: string): TemplateInspection {
  let ast: hbs.AST.Program;
  try {
    ast = Handlebars.parseWithoutProcessing(template);
  } catch (error) {
    return { syntax: String((error as Error).message ?? error).split('\n')[0], problems: [], names: [] };
  }
  const problems: TemplateProblem[] = [];
  const names: string[] = [];
  const lines = template.split('\n');
  const sourceOf = (loc: hbs.AST.SourceLocation | undefined) => {
    if (!loc) return '';
    const text = loc.start.line === loc.end.line ? lines[loc.start.line - 1].slice(loc.start.column, loc.end.column) : `${lines[loc.start.line - 1].slice(loc.start.column)}…`;
    // A block is shown by its opening tag: `{{#each form.x}}`, not its whole body.
    const close = /^[^]*?\}\}+/.exec(text);
    const head = close ? close[0] : text;
    return head.length > 40 ? `${head.slice(0, 39)}…` : head;
  };
  const refuse = (kind: keyof typeof KINDS, node: hbs.AST.Node) => {
    problems.push({ construct: sourceOf(node.loc), kind: KINDS[kind], line: node.loc?.start.line ?? 1, column: (node.loc?.start.column ?? 0) + 1 });
  };
  /** A variable reference, or a refusal of whatever stands in its place. */
  const variable = (expr: hbs.AST.Expression, owner: hbs.AST.Node) => {
    if (expr.type === 'SubExpression') return refuse('subexpression', expr);
    if (expr.type !== 'PathExpression') return refuse('literal', owner);
    const path = expr as hbs.AST.PathExpression;
    if (path.data) return refuse('data', owner);
    if (path.depth > 0 || /^(this|\.)([./]|$)/.test(path.original)) return refuse('context', owner);
    if (!NAME.test(path.original) || path.parts.some((p) => OBJECT_NAMES.has(p))) return refuse('name', owner);
    names.push(path.original);
  };
  const visit = (program: hbs.AST.Program | undefined) => {
    for (const statement of program?.body ?? []) {
      switch (statement.type) {
        case 'ContentStatement':
          break;
        case 'MustacheStatement': {
          const m = statement as hbs.AST.MustacheStatement;
          if (m.hash?.pairs.length) refuse('hash', m);
          else if (m.params.length) refuse('helper', m);
          else variable(m.path, m);
          break;
        }
        case 'BlockStatement': {
          const block = statement as hbs.AST.BlockStatement;
          const head = block.path.type === 'PathExpression' ? (block.path as hbs.AST.PathExpression).original : '';
          if (!CONDITIONALS.has(head) || (block as { openStrip?: unknown; program: { blockParams?: unknown } }).program.blockParams) refuse('block', block);
          else if (block.hash?.pairs.length) refuse('hash', block);
          else if (block.params.length !== 1) refuse('arguments', block);
          else variable(block.params[0], block);
          visit(block.program);
          visit(block.inverse);
          break;
        }
        case 'PartialStatement':
        case 'PartialBlockStatement':
          refuse('partial', statement);
          break;
        case 'DecoratorBlock':
        case 'Decorator':
          refuse('decorator', statement);
          break;
        case 'CommentStatement':
          refuse('comment', statement);
          break;
        default:
          refuse('block', statement);
      }
    }
  };
  visit(ast);
  return { problems, names };
}

/** A template that cannot be rendered: outside the closed language, or it failed while rendering. */
export class TemplateError extends Error {}

/** An environment of its own: no helper, partial or decorator anyone registers elsewhere reaches it. */
const sandbox = Handlebars.create();
const cache = new Map<string, HandlebarsTemplateDelegate>();

/**
 * Render a notification template. Refuses (TemplateError) anything outside the closed language, so a
 * definition that skipped the check cannot run code; the compiled template knows only `if`/`unless`,
 * reads no prototype properties, and escapes nothing (notifications are plain text).
 */
export function renderTemplate(template: string, context: Record<string, unknown>): string {
  let compiled = cache.get(template);
  if (!compiled) {
    const inspection = inspectTemplate(template);
    if (inspection.syntax) throw new TemplateError(inspection.syntax);
    if (inspection.problems.length) throw new TemplateError(`${inspection.problems[0].kind.en}: ${inspection.problems[0].construct}`);
    compiled = sandbox.compile(template, { noEscape: true, strict: false, knownHelpers: { if: true, unless: true }, knownHelpersOnly: true, data: false });
    cache.set(template, compiled);
  }
  try {
    return compiled(context, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false, allowCallsToHelperMissing: false });
  } catch (error) {
    throw new TemplateError(String((error as Error).message ?? error));
  }
}
