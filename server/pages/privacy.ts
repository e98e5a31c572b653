import type { ApplicationRecord, Engine } from '../engine/engine.ts';
import { readsInFull, recordFieldView, revealedBy } from '../privacy/access.ts';
import { maskApplication, maskText, personalFields } from '../privacy/mask.ts';

/**
 * The pages under the API's privacy rules (个人信息保护法; server/privacy/mask.ts and access.ts, one
 * implementation): as `GET /api/applications/:id` answers, a page shows an application masked — ID-card
 * and phone numbers, the service's sensitive fields, numbers typed into comments — to everyone but its
 * applicant; as `GET /api/applications/:id/full` does, a "查看完整信息" POST shows it in full to an entitled
 * reader (readsInFull: the approvers, or only `privacy.readers` where the service names them) and records
 * who saw which fields when. The applicant's own application is theirs: shown in full, nothing recorded.
 */
export interface PageView {
  /** The application as the page may show it. */
  application: ApplicationRecord;
  /** Whether personal content was masked (comments then pass through maskText too). */
  masked: boolean;
  /** Whether this viewer may ask for the full view, and there is something it would reveal. */
  mayReveal: boolean;
}

/** How a page shows an application to a viewer: masked unless they are the applicant or asked for (and may have) the full view. */
export async function pageView(engine: Engine, viewer: string, application: ApplicationRecord, full = false): Promise<PageView> {
  if (application.applicantId === viewer) return { application, masked: false, mayReveal: false };
  const definition = engine.runtime.version(application.service, application.version);
  if (full) return { application, masked: false, mayReveal: false };
  const reveals = revealedBy(definition, application).length > 0 || containsNumbers(application);
  const mayReveal = reveals && (await readsInFull(engine, viewer, application));
  return { application: maskApplication(application, personalFields(definition)), masked: true, mayReveal };
}

/**
 * The full view a page's "查看完整信息" asked for: refused (false) when the viewer does not read this
 * application in full; otherwise recorded (who, when, which personal fields, through which page) and granted.
 */
export async function revealOnPage(engine: Engine, viewer: string, application: ApplicationRecord, route: string): Promise<boolean> {
  if (!(await readsInFull(engine, viewer, application))) return false;
  await recordFieldView(engine, viewer, application, revealedBy(engine.runtime.version(application.service, application.version), application), route);
  return true;
}

/** Free text as a page shows it: masked where the application is. */
export function shownText(text: string, masked: boolean): string {
  return masked ? maskText(text) : text;
}

/** Whether masking would change anything outside the declared personal fields (numbers typed into free text). */
function containsNumbers(application: ApplicationRecord): boolean {
  const text = JSON.stringify([application.data, application.applicant, application.decisions]);
  return maskText(text) !== text;
}
