import type { Diagnostic } from '../diagnostics/diagnostic.ts';

/** A text in both languages: every value in a diff is described for the reader, not dumped. */
export interface Bi {
  zh: string;
  en: string;
}

/** What one line of a diff is about; the renderer looks its label up by this name. */
export type Topic =
  | 'name' | 'type' | 'classification' | 'owner' | 'participants' | 'audiences' | 'topics' | 'channels' | 'alert' | 'retired'
  | 'summary' | 'basis' | 'conditions' | 'materials' | 'material' | 'timeLimitType' | 'legalLimit' | 'promisedLimit' | 'fees'
  | 'visits' | 'onlineDepth' | 'result' | 'locations' | 'consultation' | 'complaint' | 'contingency' | 'faq'
  | 'sections' | 'fields' | 'field' | 'steps' | 'step' | 'branch' | 'decisions' | 'decision' | 'parallel' | 'order' | 'notifications' | 'link' | 'appointment' | 'other'
  | 'department' | 'admins' | 'leader' | 'groups' | 'group' | 'hall' | 'listingOther' | 'guideOther'
  | 'procedure' | 'externalLimit' | 'timeLimitOther' | 'reviewed'
  | 'privacy'
  | 'situations' | 'situation';

/**
 * One observed change: a value that went `from` → `to`, or items `added` / `removed`.
 * `subject` names the thing inside the topic (a material, a field, a step).
 */
export interface Change {
  topic: Topic;
  subject?: Bi;
  from?: Bi;
  to?: Bi;
  added?: Bi[];
  removed?: Bi[];
}

export type Status = 'draft' | 'pilot' | 'online' | 'suspended' | 'retired';

/** How a service's runtime definition moves: the version the next build gives it. */
export interface RuntimeVersion {
  /** The base's current version from its manifest, when it has one. */
  from?: number;
  to: number;
  /** Whether `from` came from the base's manifest (false: counted from zero, no manifest entry). */
  fromManifest: boolean;
  /** The base had no runtime definition for the service (new, or was a draft or guide-only). */
  newDefinition: boolean;
}

export interface ServiceDiff {
  id: string;
  name: Bi;
  /** Where the service lives now, or lived, repository-relative. */
  file: string;
  /** The id it had at the base, when it changed. */
  previousId?: string;
  change: 'added' | 'removed' | 'changed';
  status: { from?: Status; to?: Status };
  /** Changes to how the service is listed: name, owner, classification, audiences … */
  service: Change[];
  /** Changes to the guide that users will notice. */
  guide: Change[];
  /** Changes to the form, workflow, link or appointment; present when the runtime behaviour changed. */
  runtime?: { changes: Change[]; version?: RuntimeVersion };
  /** Department codes whose review the change needs: the owner and every participant, before and after. */
  departments: string[];
  /** The head file has errors, so only part of the comparison could be made. */
  incomplete?: boolean;
}

/** A change outside any service: a department file, the role groups, the hall settings. */
export interface OtherDiff {
  file: string;
  what: Bi;
  change: 'added' | 'removed' | 'changed';
  changes: Change[];
  departments: string[];
}

export interface ReviewingDepartment {
  code: string;
  name: Bi;
  /** GitHub handles, without `@` (a PR comment should not ping on every push). */
  admins: string[];
  /** Why: the services or files that need it. */
  reasons: string[];
}

export interface GeneratedCheck {
  status: 'fresh' | 'stale' | 'skipped' | 'failed';
  files?: string[];
  note?: Bi;
}

export interface CatalogDiff {
  base: { ref: string; commit: string };
  services: ServiceDiff[];
  other: OtherDiff[];
  /** Paths outside the catalog that changed and belong to the IT office (schemas/, cli/, site/, .github/ …). */
  toolchain: string[];
  departments: ReviewingDepartment[];
  forbidden: Diagnostic[];
  generated: GeneratedCheck;
}
