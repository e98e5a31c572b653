import type { RuntimeEvent } from '../../generated/types/runtime/event.ts';

export type EventType = RuntimeEvent['type'];
export type Rating = NonNullable<RuntimeEvent['rating']>;

/** The five levels of 好差评 (国办发〔2019〕51号), best first; the last two are 差评. */
export const RATINGS: readonly Rating[] = ['非常满意', '满意', '基本满意', '不满意', '非常不满意'];
const APPLICANT_TEXT = ['type', 'college', 'department'] as const;
/** An unassigned step's missing value: `applicant.<attribute>` or `form.<field>` (the schema's pattern). */
export const MISSING = /^(applicant|form)\.[a-zA-Z][a-zA-Z0-9]*$/;
/** Types whose events name their step (the schema's allOf). */
const NEEDS_STEP = new Set<string>(['assigned', 'unassigned', 'acted', 'overdue', 'published', 'objected', 'publicized', 'ordered', 'paid', 'unpaid', 'transferred', 'added', 'delegated']);

/** Why a line of the log was not counted. Plain data; the renderers word it. */
export type LineProblem =
  | { kind: 'not-json'; detail: string }
  | { kind: 'not-object' }
  | { kind: 'missing'; field: string }
  | { kind: 'invalid'; field: string; value: string }
  | { kind: 'too-long' }
  | { kind: 'bad-utf8'; column: number }
  /** Dated before the hall calendar's first year, or after the moment the report runs (plus the skew). */
  | { kind: 'out-of-window'; at: string; bound: 'before' | 'after'; limit: string }
  /** The same event (same `id`, or the same content when it has none) read before, from file `of`. */
  | { kind: 'duplicate'; of: string }
  /** A second, different submission or conclusion of an application that already has one. */
  | { kind: 'conflict'; type: EventType; instance: string }
  /** The file breaks off here (a truncated gzip, an I/O error) after `byte` bytes (decompressed). */
  | { kind: 'unreadable'; detail: string; byte: number };

/** The kinds of LineProblem, in the order the console and the report list them. */
export const PROBLEM_KINDS = ['unreadable', 'bad-utf8', 'too-long', 'not-json', 'not-object', 'missing', 'invalid', 'out-of-window', 'duplicate', 'conflict'] as const satisfies readonly LineProblem['kind'][];


const shown = (value: unknown) => {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
};

export const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
export const isLeap = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);

/** Days from 1970-01-01 to a proleptic Gregorian date (Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The digit at `i`, or -10000: weighted by up to 1000 in a year, it still leaves any sum negative, which no range check below lets through. */
const digitAt = (s: string, i: number) => {
  const d = s.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : -10000;
};

/** What `\s` matches in a JavaScript regular expression (ajv-formats splits a date-time on `t|\s`). */
function isRegexSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** Whether `s` from `i` is YYYY-MM-DD of a real calendar day (the schema's `format: date`, as ajv-formats checks it). */
function dateAt(s: string, i: number): boolean {
  if (s.charCodeAt(i + 4) !== 45 || s.charCodeAt(i + 7) !== 45) return false;
  const year = digitAt(s, i) * 1000 + digitAt(s, i + 1) * 100 + digitAt(s, i + 2) * 10 + digitAt(s, i + 3);
  const month = digitAt(s, i + 5) * 10 + digitAt(s, i + 6);
  const day = digitAt(s, i + 8) * 10 + digitAt(s, i + 9);
  return year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= (month === 2 && isLeap(year) ? 29 : MONTH_DAYS[month - 1]);
}

/** A `format: date` value: YYYY-MM-DD naming a day that exists (2026-02-30 does not). */
export function isDate(s: string): boolean {
  return s.length === 10 && dateAt(s, 0);
}

/**
 * An RFC 3339 date-time with an offset, as the schema's `format: date-time` is checked (ajv-formats, full
 * mode): "T", "t" or any white space between date and time, seconds required, a fraction optional, the
 * offset "Z", "+08:00", "+0800" or "+08", and a leap second only at 23:59 UTC → epoch milliseconds (a leap
 * second counts as :59); NaN when it is not one. Read by hand with integer arithmetic: it runs once per event
 * and costs a fraction of `Date.parse`.
 */
export function parseInstant(s: string): number {
  // Events come in bursts at one instant: the same text (often the same string) as the last one asked about.
  if (s === lastInstantText) return lastInstant;
  lastInstantText = s;
  lastInstant = readInstant(s);
  return lastInstant;
}

let lastInstantText = '';
let lastInstant = Number.NaN;

function readInstant(s: string): number {
  const n = s.length;
  if (n < 20 || !dateAt(s, 0) || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return Number.NaN;
  const sep = s.charCodeAt(10);
  if (sep !== 84 && sep !== 116 && !isRegexSpace(sep)) return Number.NaN;
  const year = digitAt(s, 0) * 1000 + digitAt(s, 1) * 100 + digitAt(s, 2) * 10 + digitAt(s, 3);
  const month = digitAt(s, 5) * 10 + digitAt(s, 6);
  const day = digitAt(s, 8) * 10 + digitAt(s, 9);
  const hour = digitAt(s, 11) * 10 + digitAt(s, 12);
  const minute = digitAt(s, 14) * 10 + digitAt(s, 15);
  const second = digitAt(s, 17) * 10 + digitAt(s, 18);
  if (hour < 0 || minute < 0 || second < 0) return Number.NaN;
  let i = 19;
  let ms = 0;
  if (s.charCodeAt(i) === 46) {
    let scale = 100;
    const start = ++i;
    for (let d = digitAt(s, i); d >= 0; d = digitAt(s, ++i)) {
      ms += d * scale;
      scale /= 10;
    }
    if (i === start) return Number.NaN;
    ms = Math.floor(ms);
  }
  let sign = 1;
  let oh = 0;
  let om = 0;
  const z = s.charCodeAt(i);
  if ((z === 90 || z === 122) && i + 1 === n) sign = 1;
  else if (z === 43 || z === 45) {
    sign = z === 43 ? 1 : -1;
    oh = digitAt(s, i + 1) * 10 + digitAt(s, i + 2);
    if (i + 3 === n) om = 0;
    else if (i + 5 === n) om = digitAt(s, i + 3) * 10 + digitAt(s, i + 4);
    else if (i + 6 === n && s.charCodeAt(i + 3) === 58) om = digitAt(s, i + 4) * 10 + digitAt(s, i + 5);
    else return Number.NaN;
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return Number.NaN;
  } else return Number.NaN;
  if (hour > 23 || minute > 59 || second > 59) {
    // A leap second: ajv-formats lets 60 seconds (and a fraction) through only at 23:59 UTC.
    const utcMinute = minute - om * sign;
    const utcHour = hour - oh * sign - (utcMinute < 0 ? 1 : 0);
    if (!((utcHour === 23 || utcHour === -1) && (utcMinute === 59 || utcMinute === -1) && second <= 60)) return Number.NaN;
  }
  return ((daysFromCivil(year, month, day) * 24 + hour) * 60 + minute) * 60_000 + Math.min(second, 59) * 1000 + ms - sign * (oh * 60 + om) * 60_000;
}

/**
 * The fingerprint of the last event checkEvent accepted: of its `id` when it has one, else of every field
 * that tells two events apart (the instant as parsed, so "+08:00" and "Z" spellings of it agree). Fields
 * are hashed apart and summed, so the order of keys in the line does not matter.
 */
export const EVENT_KEY = new Int32Array(2);

/** The fields of an event the figures read, as checked. */
export interface CheckedEvent {
  type: EventType;
  at: string;
  instance: string;
  service: string;
  version: number;
  group: string | undefined;
  department: string | undefined;
  outcome: 'approved' | 'rejected' | 'unpaid' | undefined;
  rating: Rating | undefined;
  /** 委托: a stand-in acted for an absent approver (the event's `onBehalfOf`). */
  standIn: boolean;
  /** The event has an `id`, so EVENT_KEY is the id's fingerprint (else its content's, instant included). */
  keyed: boolean;
}

/**
 * The last event checkEvent accepted, copied into one object of one shape: events of different types
 * have different shapes, and reading their fields straight from the parsed objects makes every read site
 * megamorphic (several times slower at a million events).
 */
export const CHECKED: CheckedEvent = {
  type: 'submitted',
  // `at` is wanted only for a line reported as a problem: from the byte reader it is kept as bytes, decoded when asked for.
  get at() {
    if (atLength >= 0) {
      atText = atBytes.latin1Slice(0, atLength);
      atLength = -1;
    }
    return atText;
  },
  set at(text: string) {
    atText = text;
    atLength = -1;
  },
  instance: '',
  service: '',
  version: 0,
  group: undefined,
  department: undefined,
  outcome: undefined,
  rating: undefined,
  standIn: false,
  keyed: false,
};

/** CHECKED.at: its text, or (atLength ≥ 0) its ASCII bytes, not yet decoded. */
const atBytes = Buffer.alloc(64) as Buffer & { latin1Slice(start: number, end: number): string };
let atLength = -1;
let atText = '';

/** Set CHECKED.at to the ASCII text `b[s, e)`, copied now and decoded only if it is read. */
export function checkedAtFromBytes(b: Uint8Array, s: number, e: number): void {
  if (e - s > atBytes.length) {
    CHECKED.at = Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('latin1');
    return;
  }
  for (let i = s; i < e; i++) atBytes[i - s] = b[i];
  atLength = e - s;
}
let keyA = 0;
let keyB = 0;

/** Add a field's hash (two 32-bit FNV-1a style lanes, seeded by the field) to the fingerprint. */
export function fold(seed: number, text: string): void {
  let a = Math.imul(0x811c9dc5 ^ seed, 0x01000193);
  let b = Math.imul(0x2f3b5c71 ^ seed, 0x5bd1e995);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 13;
  }
  keyA = (keyA + a) | 0;
  keyB = (keyB + Math.imul(b ^ (b >>> 15), 0x27d4eb2d)) | 0;
}

/** fold() of the text whose bytes `buf[start, end)` are all ASCII (so each byte is its char code), read in place. */
export function foldAscii(seed: number, buf: Uint8Array, start: number, end: number): void {
  let a = Math.imul(0x811c9dc5 ^ seed, 0x01000193);
  let b = Math.imul(0x2f3b5c71 ^ seed, 0x5bd1e995);
  for (let i = start; i < end; i++) {
    const c = buf[i];
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 13;
  }
  keyA = (keyA + a) | 0;
  keyB = (keyB + Math.imul(b ^ (b >>> 15), 0x27d4eb2d)) | 0;
}

/**
 * What fold(seed, text) adds to the fingerprint, as [a, b]: the byte reader works it out once for a text
 * that recurs (an event type, an enum value, a service, an application's id) and adds it with addToKey.
 */
export function foldParts(seed: number, text: string): [number, number] {
  const [a, b] = [keyA, keyB];
  keyA = 0;
  keyB = 0;
  fold(seed, text);
  const parts: [number, number] = [keyA, keyB];
  keyA = a;
  keyB = b;
  return parts;
}

/** Add parts foldParts gave to the fingerprint (the fields' parts are summed, so the order does not matter). */
export function addToKey(a: number, b: number): void {
  keyA = (keyA + a) | 0;
  keyB = (keyB + b) | 0;
}

/** Start a new fingerprint. */
export function resetKey(): void {
  keyA = 0;
  keyB = 0;
}

/** The seed a text field is hashed with (checkEvent's, so both readers agree). */
export const fieldSeed = (key: string) => key.length * 961 + key.charCodeAt(0) * 31 + key.charCodeAt(1);

/** Add a number's hash (an instant, a version) to the fingerprint. */
function foldNumber(seed: number, n: number): void {
  const low = n | 0;
  const high = Math.floor(n / 4294967296) | 0;
  let a = Math.imul(Math.imul(seed ^ 0x811c9dc5, 0x01000193) ^ low, 0x01000193);
  a = Math.imul(a ^ high, 0x01000193);
  let b = Math.imul(Math.imul(seed ^ 0x2f3b5c71, 0x5bd1e995) ^ high, 0x5bd1e995);
  b = Math.imul(b ^ low ^ (b >>> 13), 0x5bd1e995);
  keyA = (keyA + (a ^ (a >>> 16))) | 0;
  keyB = (keyB + (b ^ (b >>> 15))) | 0;
}

/**
 * Check one parsed line against the event schema (schemas/runtime/event.schema.json): the same required
 * fields, types and enums, written out by hand because it runs a million times per report. A test keeps
 * it in step with the schema by running both over the same lines. Returns the event's instant (epoch ms)
 * when it is valid, else what is wrong, so a valid line allocates nothing here.
 */
export function checkEvent(value: unknown): number | LineProblem {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { kind: 'not-object' };
  const e = value as Record<string, unknown>;
  let type: unknown, at: unknown, instance: unknown, service: unknown, version: unknown, step: unknown, action: unknown, outcome: unknown, rating: unknown, id: unknown, group: unknown, department: unknown, onBehalfOf: unknown;
  let reason: unknown, missing: unknown, to: unknown, until: unknown, objections: unknown, amountFen: unknown;
  keyA = 0;
  keyB = 0;
  // One pass over the keys present: events of different types have different shapes, and reading a fixed
  // list of names from each would make every read site megamorphic (several times slower here).
  const keys = Object.keys(e);
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k];
    const v = e[key];
    switch (key) {
      case 'type':
        type = v;
        break;
      case 'at':
        at = v;
        break;
      case 'instance':
        instance = v;
        break;
      case 'service':
        service = v;
        break;
      case 'version':
        version = v;
        break;
      case 'step':
        step = v;
        if (typeof v !== 'string') return { kind: 'invalid', field: key, value: shown(v) };
        fold(1, v);
        break;
      case 'action':
        action = v;
        break;
      case 'outcome':
        outcome = v;
        break;
      case 'rating':
        rating = v;
        break;
      case 'id':
        if (typeof v !== 'string' || v === '') return { kind: 'invalid', field: key, value: shown(v) };
        id = v;
        break;
      case 'group':
      case 'department':
      case 'channel':
      case 'scope':
      case 'comment':
      case 'person':
      case 'proxy':
      case 'to':
      case 'returnTo':
      case 'order':
      case 'transaction':
        if (typeof v !== 'string') return { kind: 'invalid', field: key, value: shown(v) };
        if (key === 'group') group = v;
        else if (key === 'department') department = v;
        else if (key === 'to') to = v;
        fold(fieldSeed(key), v);
        break;
      case 'due':
      case 'until':
        if (typeof v !== 'string' || !isDate(v)) return { kind: 'invalid', field: key, value: shown(v) };
        if (key === 'until') until = v;
        break;
      case 'dueAt':
        if (typeof v !== 'string' || Number.isNaN(parseInstant(v))) return { kind: 'invalid', field: key, value: shown(v) };
        break;
      case 'reason':
        if (v !== 'missing-value' && v !== 'no-holder') return { kind: 'invalid', field: key, value: shown(v) };
        reason = v;
        break;
      case 'missing':
        if (typeof v !== 'string' || !MISSING.test(v)) return { kind: 'invalid', field: key, value: shown(v) };
        missing = v;
        break;
      case 'position':
        if (v !== 'before' && v !== 'after') return { kind: 'invalid', field: key, value: shown(v) };
        break;
      case 'amountFen':
      case 'objections':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) return { kind: 'invalid', field: key, value: shown(v) };
        if (key === 'amountFen') amountFen = v;
        else objections = v;
        break;
      case 'onBehalfOf':
        if (typeof v !== 'string') return { kind: 'invalid', field: key, value: shown(v) };
        onBehalfOf = v;
        break;
      case 'applicant': {
        const a = v as Record<string, unknown>;
        if (a === null || typeof a !== 'object' || Array.isArray(a)) return { kind: 'invalid', field: key, value: shown(a) };
        for (const field of APPLICANT_TEXT) if (a[field] !== undefined && typeof a[field] !== 'string') return { kind: 'invalid', field: `applicant.${field}`, value: shown(a[field]) };
        break;
      }
      default:
      // Other properties are allowed: the schema leaves the event open for runtimes to add their own.
    }
  }
  return finishCheck(type, at, instance, service, version, step, action, outcome, rating, id, group, department, onBehalfOf, reason, missing, to, until, objections, amountFen);
}

/**
 * The rest of checkEvent, once each field present has been read (and those checkEvent hashes folded into
 * the fingerprint): required fields, types and enums, then the fingerprint and CHECKED. Shared by
 * checkEvent and the byte-level reader (scan-event.ts), so both accept exactly the same events.
 */
export function finishCheck(type: unknown, at: unknown, instance: unknown, service: unknown, version: unknown, step: unknown, action: unknown, outcome: unknown, rating: unknown, id: unknown, group: unknown, department: unknown, onBehalfOf: unknown, reason: unknown, missing: unknown, to: unknown, until: unknown, objections: unknown, amountFen: unknown, atMs = Number.NaN, textsFolded = false): number | LineProblem {
  if (type === undefined) return { kind: 'missing', field: 'type' };
  if (typeof type !== 'string' || !isEventType(type)) return { kind: 'invalid', field: 'type', value: shown(type) };
  if (at === undefined) return { kind: 'missing', field: 'at' };
  // `atMs`: the byte reader has read `at` already (as parseInstant would), and sets CHECKED.at itself.
  const epochMs = !Number.isNaN(atMs) ? atMs : typeof at === 'string' ? parseInstant(at) : Number.NaN;
  if (Number.isNaN(epochMs)) return { kind: 'invalid', field: 'at', value: shown(at) };
  if (instance === undefined) return { kind: 'missing', field: 'instance' };
  if (typeof instance !== 'string' || instance === '') return { kind: 'invalid', field: 'instance', value: shown(instance) };
  if (service === undefined) return { kind: 'missing', field: 'service' };
  if (typeof service !== 'string') return { kind: 'invalid', field: 'service', value: shown(service) };
  if (version === undefined) return { kind: 'missing', field: 'version' };
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) return { kind: 'invalid', field: 'version', value: shown(version) };
  // The fields each type requires (the schema's allOf).
  if (step === undefined && NEEDS_STEP.has(type)) return { kind: 'missing', field: 'step' };
  if (type === 'unassigned') {
    if (group === undefined) return { kind: 'missing', field: 'group' };
    if (reason !== 'no-holder' && missing === undefined) return { kind: 'missing', field: 'missing' };
  }
  if (to === undefined && (type === 'transferred' || type === 'added' || type === 'delegated')) return { kind: 'missing', field: 'to' };
  if (type === 'published' && until === undefined) return { kind: 'missing', field: 'until' };
  if (type === 'publicized' && objections === undefined) return { kind: 'missing', field: 'objections' };
  if ((type === 'ordered' || type === 'paid') && amountFen === undefined) return { kind: 'missing', field: 'amountFen' };
  // 'complete': an applicant's own step (销假, 报到) done.
  if (action !== undefined && action !== 'approve' && action !== 'reject' && action !== 'return' && action !== 'complete') return { kind: 'invalid', field: 'action', value: shown(action) };
  if (type === 'acted' && action === undefined) return { kind: 'missing', field: 'action' };
  if (outcome !== undefined && outcome !== 'approved' && outcome !== 'rejected' && outcome !== 'unpaid') return { kind: 'invalid', field: 'outcome', value: shown(outcome) };
  if (type === 'completed' && outcome === undefined) return { kind: 'missing', field: 'outcome' };
  if (rating !== undefined && !isRating(rating)) return { kind: 'invalid', field: 'rating', value: shown(rating) };
  if (type === 'rated' && rating === undefined) return { kind: 'missing', field: 'rating' };
  if (id !== undefined) {
    keyA = 0;
    keyB = 0;
    fold(0, id as string);
  } else {
    // `textsFolded`: the byte reader has added type, instance, service, action, outcome and rating already.
    if (!textsFolded) {
      fold(2, type);
      fold(3, instance);
      fold(4, service);
      if (action !== undefined) fold(7, action as string);
      if (outcome !== undefined) fold(8, outcome as string);
      if (rating !== undefined) fold(9, rating as string);
    }
    foldNumber(5, version);
    foldNumber(6, epochMs);
  }
  EVENT_KEY[0] = keyA;
  EVENT_KEY[1] = keyB;
  CHECKED.type = type as EventType;
  if (Number.isNaN(atMs)) CHECKED.at = at as string;
  CHECKED.instance = instance;
  CHECKED.service = service;
  CHECKED.version = version;
  CHECKED.group = group as string | undefined;
  CHECKED.department = department as string | undefined;
  CHECKED.outcome = outcome as CheckedEvent['outcome'];
  CHECKED.rating = rating as Rating | undefined;
  CHECKED.standIn = onBehalfOf !== undefined;
  CHECKED.keyed = id !== undefined;
  return epochMs;
}

function isEventType(type: string): boolean {
  switch (type) {
    case 'submitted':
    case 'assigned':
    case 'unassigned':
    case 'acted':
    case 'returned':
    case 'resubmitted':
    case 'overdue':
    case 'completed':
    case 'withdrawn':
    case 'rated':
    case 'expired':
    // Approver actions (issue 15.6): hand-overs, copies and their acknowledgement, the applicant's reminders.
    case 'transferred':
    case 'added':
    case 'delegated':
    case 'resolved':
    case 'copied':
    case 'acknowledged':
    case 'urged':
    // System steps (15.3), publicity periods (15.2) and payment steps (15.9b): events of the runtime's log too.
    case 'called':
    case 'published':
    case 'objected':
    case 'publicized':
    case 'ordered':
    case 'paid':
    case 'unpaid':
      return true;
    default:
      return false;
  }
}

function isRating(rating: unknown): boolean {
  return rating === '非常满意' || rating === '满意' || rating === '基本满意' || rating === '不满意' || rating === '非常不满意';
}

/** The problem of a line that JSON.parse rejected. */
export function notJson(error: unknown): LineProblem {
  return { kind: 'not-json', detail: (error as Error).message.slice(0, 80) };
}
