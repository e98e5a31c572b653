import Handlebars from 'handlebars';

const BLOCK_HELPERS = new Set(['if', 'unless', 'each', 'with']);

/** Results by template text: catalogs repeat the same notification wording across many services. */
const checked = new Map<string, { syntax?: string; names: string[] }>();

/** Parse a Handlebars notification template and list the variable paths it reads. */
export function checkTemplate(template: string): { syntax?: string; names: string[] } {
  let result = checked.get(template);
  if (!result) checked.set(template, (result = parseTemplate(template)));
  return result;
}

function parseTemplate(template: string): { syntax?: string; names: string[] } {
  let ast: hbs.AST.Program;
  try {
    ast = Handlebars.parse(template);
  } catch (error) {
    return { syntax: String((error as Error).message).split('\n')[0], names: [] };
  }
  const names: string[] = [];
  const pathOf = (expr: hbs.AST.Expression) => {
    if (expr.type === 'PathExpression') names.push((expr as hbs.AST.PathExpression).original);
    if (expr.type === 'SubExpression') visitCall(expr as hbs.AST.SubExpression);
  };
  const visitCall = (node: { path: hbs.AST.Expression; params: hbs.AST.Expression[] }) => {
    const head = node.path as hbs.AST.PathExpression;
    if (node.params.length === 0 && !BLOCK_HELPERS.has(head.original)) pathOf(node.path);
    else {
      if (!BLOCK_HELPERS.has(head.original)) names.push(head.original);
      node.params.forEach(pathOf);
    }
  };
  const visit = (program: hbs.AST.Program | undefined) => {
    for (const statement of program?.body ?? []) {
      if (statement.type === 'MustacheStatement') visitCall(statement as hbs.AST.MustacheStatement);
      if (statement.type === 'BlockStatement') {
        const block = statement as hbs.AST.BlockStatement;
        visitCall(block);
        visit(block.program);
        visit(block.inverse);
      }
    }
  };
  visit(ast);
  return { names };
}
