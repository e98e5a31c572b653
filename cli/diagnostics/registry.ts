import type { Diagnostic, Lang, Severity } from './diagnostic.ts';
import { CHECK_DIAGNOSTICS } from './codes/check.ts';
import { DIRECTORY_DIAGNOSTICS } from './codes/directory.ts';
import { PR_DIAGNOSTICS } from './codes/pr.ts';
import { TIME_DIAGNOSTICS } from './codes/time.ts';
import { PRIVACY_DIAGNOSTICS } from './codes/privacy.ts';
import { COUNTERSIGN_DIAGNOSTICS } from './codes/countersign.ts';
import { ROUTING_DIAGNOSTICS } from './codes/routing.ts';
import { DECISION_DIAGNOSTICS } from './codes/decisions.ts';
import { SITUATION_DIAGNOSTICS } from './codes/situations.ts';
import { FEE_DIAGNOSTICS } from './codes/fees.ts';
import { ACTION_DIAGNOSTICS } from './codes/actions.ts';
import { PROXY_DIAGNOSTICS } from './codes/proxy.ts';
import { APPLICANT_STEP_DIAGNOSTICS } from './codes/applicant-steps.ts';
import { SYSTEM_STEP_DIAGNOSTICS } from './codes/system-steps.ts';
import { RETURN_TO_DIAGNOSTICS } from './codes/return-to.ts';
import { PUBLICITY_DIAGNOSTICS } from './codes/publicity.ts';
import { PAYMENT_DIAGNOSTICS } from './codes/payment.ts';
import { BOOKING_DIAGNOSTICS } from './codes/booking.ts';

/**
 * Every diagnostic the toolchain can emit, under a permanent name. Names never change once released:
 * admins search for them, and the site's error reference is generated from this table.
 * Messages and hints are templates; `{name}` is replaced by the diagnostic's argument of that name.
 */
export interface DiagnosticDefinition {
  severity: Severity;
  title: Record<Lang, string>;
  message: Record<Lang, string>;
  hint: Record<Lang, string>;
  /** A broken and a fixed YAML snippet for the reference page. */
  example?: { bad: string; good: string };
}

/** One table of every code: each area of the toolchain keeps its codes in codes/<area>.ts. */
export const DIAGNOSTICS = {
  ...CHECK_DIAGNOSTICS,
  ...PR_DIAGNOSTICS,
  ...DIRECTORY_DIAGNOSTICS,
  ...TIME_DIAGNOSTICS,
  ...PRIVACY_DIAGNOSTICS,
  ...COUNTERSIGN_DIAGNOSTICS,
  ...ROUTING_DIAGNOSTICS,
  ...DECISION_DIAGNOSTICS,
  ...SITUATION_DIAGNOSTICS,
  ...FEE_DIAGNOSTICS,
  ...ACTION_DIAGNOSTICS,
  ...PROXY_DIAGNOSTICS,
  ...APPLICANT_STEP_DIAGNOSTICS,
  ...SYSTEM_STEP_DIAGNOSTICS,
  ...RETURN_TO_DIAGNOSTICS,
  ...PUBLICITY_DIAGNOSTICS,
  ...PAYMENT_DIAGNOSTICS,
  ...BOOKING_DIAGNOSTICS,
} satisfies Record<string, DiagnosticDefinition>;

export type DiagnosticCode = keyof typeof DIAGNOSTICS;

function fill(template: string, args: Diagnostic['args'], lang: Lang): string {
  return template
    .replace(/\{(\w+)\}/g, (whole, name: string) => {
      if (name === 'suggestion' && !(name in args)) {
        const suggest = args.suggest;
        if (suggest === undefined) return '';
        return lang === 'zh' ? `是不是想写“${textOf(suggest, lang)}”？` : `Did you mean "${textOf(suggest, lang)}"?`;
      }
      return name in args ? textOf(args[name], lang) : whole;
    })
    .trim();
}

function textOf(value: Diagnostic['args'][string], lang: Lang): string {
  return typeof value === 'object' ? value[lang] : String(value);
}

export function definitionOf(code: string): DiagnosticDefinition {
  const def = (DIAGNOSTICS as Record<string, DiagnosticDefinition>)[code];
  if (!def) throw new Error(`unregistered diagnostic code ${code}`);
  return def;
}

/** The message and hint of a diagnostic in the reader's language. */
export function renderDiagnostic(diagnostic: Diagnostic, lang: Lang): { title: string; message: string; hint: string } {
  const def = definitionOf(diagnostic.code);
  return {
    title: def.title[lang],
    message: fill(def.message[lang], diagnostic.args, lang),
    hint: fill(def.hint[lang], diagnostic.args, lang),
  };
}
