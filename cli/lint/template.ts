import { inspectTemplate } from '../../lib/interpret/notification-template.ts';
import type { TemplateInspection } from '../../lib/interpret/notification-template.ts';

/** Results by template text: catalogs repeat the same notification wording across many services. */
const checked = new Map<string, TemplateInspection>();

/** Parse a notification template: its syntax error, constructs outside the closed language, and the variables it reads. */
export function checkTemplate(template: string): TemplateInspection {
  let result = checked.get(template);
  if (!result) checked.set(template, (result = inspectTemplate(template)));
  return result;
}
