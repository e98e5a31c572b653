import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { diagnosticAt } from '../diagnostics/report.ts';
import type { Catalog } from '../model/catalog.ts';
import { RULES } from './rules.ts';
import type { LintContext, Rule } from './rules.ts';

/** Run the named rules over a resolved catalog. Pure: `today` is passed in. */
export function lintCatalog(catalog: Catalog, options: { today: string; rules?: Record<string, Rule> }): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const ctx: LintContext = {
    catalog,
    today: options.today,
    report(located, code, path, args = {}, opts = {}) {
      diagnostics.push(diagnosticAt(located.parsed, code, path, args, opts));
    },
  };
  for (const rule of Object.values(options.rules ?? RULES)) rule(ctx);
  return diagnostics;
}
