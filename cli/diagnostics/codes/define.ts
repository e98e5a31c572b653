import type { Severity } from '../diagnostic.ts';
import type { DiagnosticDefinition } from '../registry.ts';

/** Shorthand for a registry entry: [zh, en] pairs for title, message and hint. */
export function d(
  severity: Severity,
  title: [string, string],
  message: [string, string],
  hint: [string, string],
  example?: { bad: string; good: string },
): DiagnosticDefinition {
  return { severity, title: { zh: title[0], en: title[1] }, message: { zh: message[0], en: message[1] }, hint: { zh: hint[0], en: hint[1] }, example };
}
