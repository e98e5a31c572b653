/**
 * The site model: everything the guide site (site/, Astro) renders, compiled from the catalog by
 * `compileSiteModel`. The site reads this JSON and never the YAML. It is a whitelist projection:
 * a field reaches the site only if it is copied here, so forms, scenarios, notification templates,
 * internal notes and unpublished services never do, and the responsible persons of guide.internal
 * only reach the campus edition.
 */

/** Text in Chinese, with English where the catalog gives it. */
export interface SiteText {
  zh: string;
  en?: string;
}

export type Variant = 'public' | 'campus';

export interface SiteModel {
  format: 'servicehall-site/v1';
  variant: Variant;
  /** The date alerts are judged on: from the repository state, so a rebuild of the same state is identical. */
  asOf: string;
  hall: { name: SiteText; university: SiteText; siteUrl: string; campusSiteUrl?: string };
  /** Whether change histories come from git, and whether they may be cut short (shallow clone). */
  history: { available: boolean; shallow: boolean };
  topics: VocabEntry[];
  audiences: VocabEntry[];
  channels: VocabEntry[];
  departments: SiteDepartment[];
  /** Published services of this variant, retired ones included (as tombstones), in reading order. */
  services: SiteService[];
  /**
   * Public edition only: ids of services that were public once (git history) and are campus-only
   * now. Their old addresses get a "仅校内可见" page that names nothing, instead of a 404.
   */
  campusOnly: string[];
  /** Guide changes from git, newest first, for the Atom feed. */
  changes: SiteChange[];
  /** Attachments to copy into the site: only those a published service links to. */
  files: SiteFile[];
  handbook: Handbook;
  /** The statistics page (事项统计): an HTML fragment with inline SVG charts, rendered and escaped by cli/stats. */
  stats: { zh: string; en: string };
}

export interface VocabEntry {
  id: string;
  name: SiteText;
  description?: SiteText;
  /** Listed (not retired) services carrying this entry. */
  count: number;
}

export interface Ref {
  id: string;
  name: SiteText;
}

export interface SitePlace {
  name?: SiteText;
  campus?: SiteText;
  address: SiteText;
  room?: SiteText;
  hours?: SiteText;
  phone?: string;
}

export interface SiteContact {
  name?: SiteText;
  phone?: string;
  email?: string;
  url?: string;
}

export interface SiteDepartment {
  code: string;
  name: SiteText;
  type: 'office' | 'college' | 'center' | 'other';
  description?: SiteText;
  leader: { name: string; title?: SiteText };
  office: SitePlace;
  phone?: string;
  email?: string;
  website?: string;
  /** Listed services it owns, in reading order. */
  services: string[];
  /** Listed services it takes part in without owning them. */
  participates: string[];
}

export interface SiteFile {
  /** Repository-relative source path. */
  source: string;
  /** Site path, e.g. /files/jwc/files/form.docx. */
  url: string;
}

export interface FileLink {
  url: string;
  /** File name shown to readers. */
  name: string;
  /** Upper-case extension, e.g. DOCX. */
  format: string;
}

export interface SiteService {
  id: string;
  url: string;
  name: SiteText;
  /** Sort key: pinyin of the name, then the id. */
  sortKey: string;
  /** Pinyin of the name, full and initials, per word and joined: indexed for search, never shown. */
  pinyin: string[];
  kind: 'guide' | 'online' | 'link' | 'appointment';
  status: 'pilot' | 'online' | 'suspended' | 'retired';
  classification: 'public' | 'campus';
  owner: Ref;
  participants: Ref[];
  audiences: Ref[];
  topics: Ref[];
  channels: Ref[];
  keywords: string[];
  hot: boolean;
  recommended: boolean;
  quickAccess: boolean;
  summary: SiteText;
  reviewed: string;
  alert?: { text: SiteText; from?: string; until?: string };
  retired?: {
    date: string;
    reason: SiteText;
    successor?: Ref & { url: string };
    /** The successor exists but is published only in the campus edition: say so, without naming it. */
    successorOnCampus?: boolean;
  };
  /** Where to apply; absent for guide-only and retired services. */
  apply?: SiteApply;
  /** The guide; absent on a tombstone. */
  guide?: SiteGuide;
  workflow?: SiteWorkflow;
  appointment?: SiteAppointment;
  /**
   * Campus edition only: who handles each step (guide.internal.responsible, seed 004: 科室、岗位、目前负责人).
   * Never in the public edition; guide.internal.notes reach no edition.
   */
  responsible?: SiteResponsible[];
  history: SiteHistoryEntry[];
}

export interface SiteResponsible {
  office?: SiteText;
  post: SiteText;
  name: string;
  phone?: string;
  email?: string;
}

export interface SiteApply {
  kind: 'hall' | 'link' | 'appointment';
  url: string;
  mobileUrl?: string;
  system?: SiteText;
  sso?: boolean;
}

export interface SiteDuration {
  value: number;
  unit: 'workday' | 'day';
  note?: SiteText;
}

export interface SiteMaterial {
  name: SiteText;
  required: boolean;
  form?: 'original' | 'copy' | 'electronic' | 'original-and-copy';
  copies?: number;
  source?: 'applicant' | 'university' | 'government' | 'other';
  sourceNote?: SiteText;
  /** The e-certificate accepted instead; the issuer is named only when it is published in this variant. */
  eCertificate?: { issuer?: Ref & { url: string } };
  blankForm?: FileLink;
  sample?: FileLink;
  basis?: SiteText;
  signature: boolean;
  stamp: boolean;
  note?: SiteText;
  /** Ids of the only situations this material is needed in; absent: every situation. */
  situations?: string[];
}

/** One situation's facts (issue 15 item 10): the guide's, with what the situation states differently. */
export interface SiteSituation {
  id: string;
  name: SiteText;
  description?: SiteText;
  visits: { count: number; reason?: SiteText };
  timeLimit?: SiteGuide['timeLimit'];
  /** Indexes into the guide's materials of the materials needed in this situation. */
  materials: number[];
}

export interface SiteGuide {
  basis: { name: SiteText; article?: SiteText; url?: string }[];
  conditions: SiteText[];
  procedure: SiteText[];
  materials: SiteMaterial[];
  /** Absent for link services, which run on another system's clock. */
  timeLimit?: { type: 'immediate' | 'promised'; legal?: SiteDuration; promised: SiteDuration; external?: SiteDuration };
  /** `computed`: the hall works the amount out from the form (issue 15.9): a rate per unit, or graduated tiers. */
  fees: { free: boolean; items: { name: SiteText; standard: SiteText; basis?: SiteText; waiver?: SiteText; computed?: { rate?: number; tiers?: { upTo?: number; rate: number }[] } }[]; onlinePayment: boolean };
  visits: { count: number; reason?: SiteText };
  /** Present only when the guide declares situations. */
  situations?: SiteSituation[];
  onlineDepth?: { grade: number; flags: string[] };
  result?: { name: SiteText; type: 'certificate' | 'document' | 'approval' | 'record'; sample?: FileLink; eCertificate: boolean };
  locations: SitePlace[];
  contacts: { consultation: SiteContact; complaint: SiteContact };
  faq: { q: SiteText; a: SiteText }[];
  contingency?: SiteText;
  /** The privacy notice (个人信息保护法第十七条): present when the service declares privacy or marks fields sensitive. */
  privacy?: SitePrivacy;
}

/** What the guide tells applicants about their personal information. */
export interface SitePrivacy {
  /** Labels of the fields marked sensitive (masked in lists, every full view recorded). */
  sensitive: SiteText[];
  /** Whether the service limits who reads applications in full (privacy.readers). */
  restricted: boolean;
  /** How long attachments are kept after the application ends. */
  retention?: { value: number; unit: 'day' | 'month' | 'year' };
}

/** The workflow as readers see it: who does what, in which order, within how long. */
export interface SiteWorkflow {
  /** Decision tables (docs/routing.md), shown as tables before the steps that read them. */
  decisions?: SiteDecision[];
  nodes: SiteNode[];
  /** Work days along the longest path (sum of step deadlines), the total the steps promise. */
  longestWorkdays: number;
  /** Work days along the shortest path. */
  shortestWorkdays: number;
  steps: number;
}

/** A decision table in words: each input's label, the table's name, one row per rule (a test per input), and the default. */
export interface SiteDecision {
  id: string;
  name: SiteText;
  /** The column headings, one per input. */
  inputs: SiteText[];
  rows: { when: SiteText[]; result: string }[];
  /** The result when no rule matches; absent when then the result is empty. */
  otherwise?: string;
}

export type SiteNode = SiteStep | SiteBranch | SiteParallel | SiteApplicantStep | SitePublicity | SitePayment;

/** A payment step (issue 15.9b): pay on the campus platform within `days` work days; when unpaid, `unpaid` (or the end). */
export interface SitePayment {
  kind: 'payment';
  id: string;
  name: SiteText;
  days: number;
  /** The payment platform's name (the connector's). */
  platform: SiteText;
  description?: SiteText;
  /** The steps run when the period ends unpaid; empty: the application ends as unpaid (视为放弃). */
  unpaid: SiteNode[];
}

/** A publicity period (issue 15.2): the result published for `days` work days; objections lead to `objections`. */
export interface SitePublicity {
  kind: 'publicity';
  id: string;
  name: SiteText;
  days: number;
  description?: SiteText;
  /** The steps run after the period when someone objected. */
  objections: SiteNode[];
}

/** An applicant step (issue 15.1): what the applicant does after approval (销假, 报到), within how long. */
export interface SiteApplicantStep {
  kind: 'applicant';
  id: string;
  name: SiteText;
  deadline: number;
  /** The form field the deadline counts from (its label), when later than the step's start. */
  dueAfter?: SiteText;
  description?: SiteText;
  /** Labels of what the applicant fills in. */
  fields?: SiteText[];
}

export interface SiteStep {
  kind: 'step';
  id: string;
  name: SiteText;
  department: SiteText;
  /** The role group and the part of it that acts, e.g. 辅导员（申请人所在班级）. */
  role: SiteText;
  /** Work days, or clock hours as an ISO duration (`PT2H`, issue 15.7). */
  deadline: number | string;
  /** Deadlines that depend on the form (issue 15.7), the condition in words: the first that holds applies. */
  deadlineWhen?: { condition: SiteText; deadline: number | string }[];
  actions: ('approve' | 'reject' | 'return' | 'transfer' | 'add-approver' | 'delegate')[];
  description?: SiteText;
  /** A countersign member's condition to take part, in words (countersign variants). */
  when?: SiteText;
  /** 抄送: who gets a copy, for information, when the step approves. */
  cc?: SiteText[];
  /** Return to a chosen step (issue 15.5): the earlier steps it may return to, by name. */
  returnTo?: SiteText[];
  /** The assignee may approve several tasks at once (批量审批). */
  batch?: boolean;
  /** A system step (issue 15.3): the campus system the hall calls; nobody's task. */
  system?: SiteText;
}

export interface SiteBranch {
  kind: 'branch';
  id: string;
  name?: SiteText;
  /** The condition in words. */
  condition: SiteText;
  /** The FEEL expression as written. */
  expression: string;
  then: SiteNode[];
  else: SiteNode[];
}

export interface SiteParallel {
  kind: 'parallel';
  id: string;
  name?: SiteText;
  /** all 会签, any 或签, sequence 依次审批 (the steps in the order they act). */
  mode: 'all' | 'any' | 'sequence';
  steps: SiteStep[];
  /** n of m: the countersign passes once this many approve (countersign variants). */
  atLeast?: number;
  /** 依次审批: a later member may return to an earlier one, and the sequence resumes at that member. */
  returnsWithin?: true;
}

export interface SiteAppointment {
  resources: { id: string; name: SiteText; location?: SitePlace; capacity?: number; note?: SiteText; advanceDays?: number; minNoticeHours?: number; limits?: { perPerson?: { count: number; period: string }; perUnit?: { count: number; period: string } } }[];
  slots: { weekdays: number[]; times: string[]; advanceDays?: number; minNoticeHours?: number; workdaysOnly: boolean };
  /** 预约限额 and the cancellation notice, enforced by the hall (server/engine/booking.ts). */
  limits?: { perPerson?: { count: number; period: string }; perUnit?: { count: number; period: string }; cancelBeforeHours?: number };
}

export interface SiteHistoryEntry {
  date: string;
  commit: string;
  /** The commit subject, left out when the commit also touched a service this variant does not publish. */
  subject?: string;
}

export interface SiteChange extends SiteHistoryEntry {
  service: string;
  name: SiteText;
  /** ISO timestamp of the commit, for the feed. */
  time: string;
}

export interface Handbook {
  /** docs/pr-process.md as blocks, when the repository has it. */
  prProcess?: MdBlock[];
  formats: FormatReference[];
  commonTypes: TypeReference[];
  diagnostics: DiagnosticReference[];
}

/** Inline Markdown, already parsed: the site renders each piece as escaped text, never as raw HTML. */
export type MdInline =
  | { type: 'text'; text: string }
  | { type: 'code'; text: string }
  | { type: 'strong'; text: string }
  | { type: 'em'; text: string }
  | { type: 'link'; text: string; href: string };

/** A list item, with at most one nested list (deeper nesting is flattened into it). */
export interface MdListItem {
  inline: MdInline[];
  sub?: { ordered: boolean; items: MdInline[][] };
}

/** One Markdown block of docs/pr-process.md. */
export type MdBlock =
  | { type: 'heading'; level: number; id: string; inline: MdInline[] }
  | { type: 'paragraph'; inline: MdInline[] }
  | { type: 'list'; ordered: boolean; start?: number; items: MdListItem[] }
  | { type: 'code'; lang?: string; text: string }
  | { type: 'quote'; inline: MdInline[] }
  | { type: 'table'; head: MdInline[][]; rows: MdInline[][][] }
  /** A thematic break (`---`, `***`, `___`). */
  | { type: 'rule' };

export interface FormatReference {
  /** Anchor and heading: the schema object's title, e.g. Service, Material. */
  title: string;
  /** The file kind this section belongs to, e.g. service.schema.json. */
  schema: string;
  description: SiteText;
  properties: PropertyReference[];
  examples: string[];
  /** For a union: the sections it is one of. */
  oneOf?: string[];
}

export interface PropertyReference {
  /** Key path below the section, e.g. timeLimit.promised.value. */
  path: string;
  required: boolean;
  /** Type in words; `link` names another section or common type. */
  type: SiteText;
  link?: string;
  description: SiteText;
  values?: string[];
  constraints: string[];
  examples: string[];
}

export interface TypeReference {
  title: string;
  description: SiteText;
  constraints: string[];
  examples: string[];
}

export interface DiagnosticReference {
  code: string;
  /** The element id of the code's entry on the reference page (see diagnosticReferenceUrl). */
  anchor: string;
  severity: 'error' | 'warning' | 'info';
  title: SiteText;
  message: SiteText;
  hint: SiteText;
  example?: { bad: string; good: string };
}
