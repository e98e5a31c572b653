import eventSchema from '../../schemas/runtime/event.schema.json' with { type: 'json' };
import { MISSING, MONTH_DAYS, addToKey, checkedAtFromBytes, daysFromCivil, fieldSeed, finishCheck, fold, foldAscii, foldParts, isDate, isLeap, parseInstant, resetKey } from './parse-event.ts';
import type { EventType, Rating } from './parse-event.ts';

/**
 * The byte-level reader of one log line: the common event (a flat JSON object of plain strings and whole
 * numbers, one level of `applicant`) read straight from the bytes, without JSON.parse building an object
 * and a string for every field. Only the strings the figures keep (instance, service, group, department,
 * at) are decoded; the ones the fingerprint needs are hashed in place; enums are matched against their
 * bytes. Everything then goes through checkEvent's own finishCheck, so the two readers accept the same
 * events and produce the same CHECKED and EVENT_KEY.
 *
 * It answers only "a valid event, dated …" or "not sure": a line with anything it does not read (escapes,
 * fractions, exponents, negative numbers, true/false/null, arrays, deeper objects, a key given twice, a
 * field of the wrong type, a value outside its enum, a malformed line) returns NaN and the caller reads it
 * the ordinary way (JSON.parse, checkEvent), which words the problem. The caller guarantees the bytes are
 * UTF-8 (the reader checks each chunk with isUtf8 before offering its lines here).
 */

/** The keys this reader knows how to check (the event schema's properties; a test keeps the two lists equal). */
export const KEYS = ['type', 'at', 'instance', 'service', 'version', 'step', 'action', 'outcome', 'rating', 'id', 'group', 'department', 'channel', 'scope', 'comment', 'person', 'proxy', 'to', 'returnTo', 'order', 'transaction', 'due', 'until', 'dueAt', 'reason', 'missing', 'position', 'amountFen', 'objections', 'onBehalfOf', 'applicant'] as const;
const [TYPE, AT, INSTANCE, SERVICE, VERSION, STEP, ACTION, OUTCOME, RATING, ID, GROUP, DEPARTMENT, CHANNEL, SCOPE, COMMENT, PERSON, PROXY, TO, RETURN_TO, ORDER, TRANSACTION, DUE, UNTIL, DUE_AT, REASON, MISSING_KEY, POSITION, AMOUNT_FEN, OBJECTIONS, ON_BEHALF_OF, APPLICANT] = KEYS.map((_, i) => i);
/** The fingerprint seed of each key checkEvent hashes a text field under (0 when it does not). */
const SEEDS = KEYS.map((k, i) => (i === STEP ? 1 : i >= GROUP && i <= TRANSACTION ? fieldSeed(k) : 0));

/**
 * The enums, read from the event schema when the module loads: a value the schema gains later is read here
 * at full speed (and a value it drops is left to checkEvent, which words the problem).
 */
const SCHEMA = eventSchema.properties;
/**
 * The same text as an internalized string (as a literal in the source is): the report compares these with
 * literals ('submitted', 'approved', …) for every event, and two internalized strings compare by identity.
 */
const internal = <T extends string>(values: readonly string[]) => values.map((v) => Object.keys({ [v]: 0 })[0] as T);
const EVENT_TYPES = internal<EventType>(SCHEMA.type.enum);
const ACTIONS = internal(SCHEMA.action.enum);
const OUTCOMES = internal(SCHEMA.outcome.enum);
const RATINGS = internal<Rating>(SCHEMA.rating.enum);
const REASONS = internal(SCHEMA.reason.enum);
const POSITIONS = SCHEMA.position.enum;
// Keys seen are a bit mask of 31 bits.
if (KEYS.length > 31) throw new Error('scan-event.ts: more than 31 keys to track');

/**
 * Byte strings → index, by open addressing on (length, first, last, middle byte) and a full compare. Used
 * for keys and for enum values, so a known word costs a few byte reads and no string.
 */
class ByteTable {
  private readonly words: Uint8Array[];
  private readonly slots: Int16Array;
  private readonly mask: number;
  constructor(words: readonly string[]) {
    this.words = words.map((w) => new TextEncoder().encode(w));
    // At most a quarter full, however many words the schema lists.
    let size = 256;
    while (size < words.length * 4) size *= 2;
    this.slots = new Int16Array(size).fill(-1);
    this.mask = size - 1;
    this.words.forEach((bytes, index) => {
      let h = this.hash(bytes, 0, bytes.length);
      while (this.slots[h] !== -1) h = (h + 1) & this.mask;
      this.slots[h] = index;
    });
  }
  private hash(b: Uint8Array, s: number, e: number): number {
    const n = e - s;
    return (n * 37 + b[s] * 7 + b[e - 1] * 3 + b[s + (n >> 1)]) & this.mask;
  }
  /** The index of `b[s, e)` among the words, or -1. */
  find(b: Uint8Array, s: number, e: number): number {
    if (e <= s) return -1;
    for (let h = this.hash(b, s, e); ; h = (h + 1) & this.mask) {
      const index = this.slots[h];
      if (index === -1) return -1;
      const w = this.words[index];
      if (w.length !== e - s) continue;
      let i = 0;
      while (i < w.length && w[i] === b[s + i]) i++;
      if (i === w.length) return index;
    }
  }
}

const KEY_TABLE = new ByteTable(KEYS);
/** Each key followed by `":`, one after another, where each starts and how long it is with those two. */
const KEY_BYTES = new TextEncoder().encode(KEYS.map((k) => `${k}":`).join(''));
const KEY_LENGTH = Int32Array.from(KEYS, (k) => k.length + 2);
const KEY_START = Int32Array.from(KEYS, (_, i) => KEYS.slice(0, i).reduce((n, k) => n + k.length + 2, 0));

/** What each value of an enum adds to the fingerprint (finishCheck's seeds), worked out once. */
const partsOf = (seed: number, values: readonly string[]) => {
  const parts = values.map((v) => foldParts(seed, v));
  return { a: Int32Array.from(parts, (p) => p[0]), b: Int32Array.from(parts, (p) => p[1]) };
};
const TYPE_PARTS = partsOf(2, EVENT_TYPES);
const ACTION_PARTS = partsOf(7, ACTIONS);
const OUTCOME_PARTS = partsOf(8, OUTCOMES);
const RATING_PARTS = partsOf(9, RATINGS);
/**
 * Which key each event type had at each place in the line last time (-1 an unknown key, -2 not yet seen):
 * a runtime writes every event of a type with its keys in one order, so the guess is nearly always right.
 */
const MAX_PREDICTED = 24;
const PREDICTED = new Int8Array((EVENT_TYPES.length + 1) * MAX_PREDICTED).fill(-2);
const TYPE_TABLE = new ByteTable(EVENT_TYPES);
const ACTION_TABLE = new ByteTable(ACTIONS);
const OUTCOME_TABLE = new ByteTable(OUTCOMES);
const RATING_TABLE = new ByteTable(RATINGS);
const REASON_TABLE = new ByteTable(REASONS);
const POSITION_TABLE = new ByteTable(POSITIONS);

/**
 * Strings decoded from bytes, kept so the same bytes give the same string object (a service id, a group, a
 * department, an application's id across its events): Map look-ups on it then find a hash already computed,
 * and no string is made for it again. Direct-mapped on the bytes' hash (`h`, computed while the value is
 * scanned), each slot's bytes kept in one flat array and compared in full; a value longer than a slot is
 * decoded afresh each time.
 */
class StringCache {
  private readonly width: number;
  private readonly seed: number;
  private readonly mask: number;
  private readonly bytes: Uint8Array;
  private readonly lengths: Int32Array;
  private readonly values: string[];
  /** Each slot's text's part of the fingerprint (foldParts under `seed`). */
  private readonly partsA: Int32Array;
  private readonly partsB: Int32Array;
  /** The parts of the text the last get() returned. */
  partA = 0;
  partB = 0;
  /** `seed`: the one the field is folded into the fingerprint with; `width`: the longest value kept, in bytes. */
  constructor(slots: number, seed: number, width = 48) {
    this.seed = seed;
    this.width = width;
    this.mask = slots - 1;
    this.bytes = new Uint8Array(slots * width);
    this.lengths = new Int32Array(slots).fill(-1);
    this.values = new Array<string>(slots).fill('');
    this.partsA = new Int32Array(slots);
    this.partsB = new Int32Array(slots);
  }
  /** The string of `b[s, e)`, whose hash is `h` (see nextHash) and which is plain ASCII when `ascii`. */
  get(b: Bytes, s: number, e: number, ascii: boolean, h: number): string {
    const n = e - s;
    if (n > this.width) {
      const text = ascii ? b.latin1Slice(s, e) : b.utf8Slice(s, e);
      [this.partA, this.partB] = foldParts(this.seed, text);
      return text;
    }
    const slot = h & this.mask;
    const at = slot * this.width;
    const known = this.bytes;
    if (this.lengths[slot] === n) {
      let i = 0;
      while (i < n && known[at + i] === b[s + i]) i++;
      if (i === n) {
        this.partA = this.partsA[slot];
        this.partB = this.partsB[slot];
        return this.values[slot];
      }
    }
    const text = ascii ? b.latin1Slice(s, e) : b.utf8Slice(s, e);
    for (let i = 0; i < n; i++) known[at + i] = b[s + i];
    this.lengths[slot] = n;
    this.values[slot] = text;
    [this.partA, this.partB] = foldParts(this.seed, text);
    this.partsA[slot] = this.partA;
    this.partsB[slot] = this.partB;
    return text;
  }
}

/**
 * StringCache's hash, h·31 + byte from HASH_BASIS: a shift, a subtraction and an addition a byte (a slot
 * index needs no stronger mixing: every hit is checked byte for byte), and ids that differ in their last
 * characters (sq-0000001, sq-0000002, …) land in neighbouring slots instead of colliding.
 */
const HASH_BASIS = 7;
const nextHash = (h: number, byte: number) => ((h << 5) - h + byte) | 0;

/** Services, groups and departments: a few thousand in any hall. The seeds are checkEvent's (finishCheck's for service). */
const services = new StringCache(4096, 4);
const groups = new StringCache(1024, fieldSeed('group'));
const departments = new StringCache(1024, fieldSeed('department'));
/**
 * Applications' ids (a UUID is 36 bytes): an application's events lie close together in the log, so a slot
 * lives long enough to be reused. Small enough (160 KB) to stay in the processor's cache.
 */
const instances = new StringCache(4096, 3, 40);

/** Node's Buffer decoders without toString's argument handling (they are what toString calls). */
type Bytes = Buffer & { latin1Slice(start: number, end: number): string; utf8Slice(start: number, end: number): string };

/** The digit at `b[i]`, or -10000 (see parse-event.ts's digitAt). */
function digit(b: Uint8Array, i: number): number {
  const d = b[i] - 48;
  return d >= 0 && d <= 9 ? d : -10000;
}

/** Whether `b[s, s + 10)` is YYYY-MM-DD of a real calendar day (parse-event.ts's dateAt, on bytes). */
function dateBytes(b: Uint8Array, s: number): boolean {
  if (b[s + 4] !== 45 || b[s + 7] !== 45) return false;
  const year = digit(b, s) * 1000 + digit(b, s + 1) * 100 + digit(b, s + 2) * 10 + digit(b, s + 3);
  const month = digit(b, s + 5) * 10 + digit(b, s + 6);
  const day = digit(b, s + 8) * 10 + digit(b, s + 9);
  return year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= (month === 2 && isLeap(year) ? 29 : MONTH_DAYS[month - 1]);
}

/** Where the value instantBytes read ends: the index of its closing quote. */
let instantEnd = 0;

/**
 * The common date-times read straight from the string value starting at `b[s]`, with its closing quote:
 * YYYY-MM-DD, "T", "t" or a space, hh:mm:ss, a fraction or not, then "Z", "z", ±hh:mm, ±hhmm or ±hh — the
 * instant (epoch ms) parseInstant gives the same text, computed the same way, and `instantEnd` set. NaN when
 * it is anything else (a leap second, an hour past 23, a missing offset, …): the caller then reads the
 * value as text, the ordinary way, so nothing this function leaves out is judged here.
 */
function instantBytes(b: Uint8Array, s: number): number {
  if (!dateBytes(b, s) || b[s + 13] !== 58 || b[s + 16] !== 58) return Number.NaN;
  const sep = b[s + 10];
  if (sep !== 84 && sep !== 116 && sep !== 32) return Number.NaN;
  const hour = digit(b, s + 11) * 10 + digit(b, s + 12);
  const minute = digit(b, s + 14) * 10 + digit(b, s + 15);
  const second = digit(b, s + 17) * 10 + digit(b, s + 18);
  if (hour < 0 || minute < 0 || second < 0 || hour > 23 || minute > 59 || second > 59) return Number.NaN;
  let i = s + 19;
  let ms = 0;
  if (b[i] === 46) {
    let scale = 100;
    const start = ++i;
    for (let d = digit(b, i); d >= 0; d = digit(b, ++i)) {
      ms += d * scale;
      scale /= 10;
    }
    if (i === start) return Number.NaN;
    ms = Math.floor(ms);
  }
  let sign = 1;
  let oh = 0;
  let om = 0;
  const z = b[i];
  if (z === 90 || z === 122) i++;
  else if (z === 43 || z === 45) {
    sign = z === 43 ? 1 : -1;
    oh = digit(b, i + 1) * 10 + digit(b, i + 2);
    if (b[i + 3] === 0x22) i += 3;
    else if (b[i + 5] === 0x22) {
      om = digit(b, i + 3) * 10 + digit(b, i + 4);
      i += 5;
    } else if (b[i + 6] === 0x22 && b[i + 3] === 58) {
      om = digit(b, i + 4) * 10 + digit(b, i + 5);
      i += 6;
    } else return Number.NaN;
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return Number.NaN;
  } else return Number.NaN;
  if (b[i] !== 0x22) return Number.NaN;
  instantEnd = i;
  const year = digit(b, s) * 1000 + digit(b, s + 1) * 100 + digit(b, s + 2) * 10 + digit(b, s + 3);
  const month = digit(b, s + 5) * 10 + digit(b, s + 6);
  const day = digit(b, s + 8) * 10 + digit(b, s + 9);
  return ((daysFromCivil(year, month, day) * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + ms - sign * (oh * 60 + om) * 60_000;
}

/** Bytes inside a JSON string: plain ASCII, the closing quote, UTF-8 beyond ASCII, or what this reader leaves to JSON.parse (a backslash, a control character). */
const PLAIN = 0;
const QUOTE = 1;
const NON_ASCII = 2;
const OTHER = 3;
const BYTE_CLASS = new Uint8Array(256).map((_, c) => (c === 0x22 ? QUOTE : c === 0x5c || c < 0x20 ? OTHER : c >= 0x80 ? NON_ASCII : PLAIN));

/** JSON's white space; most bytes asked about are not, and fail the first test. */
const isSpace = (c: number) => c <= 32 && (c === 32 || c === 9 || c === 10 || c === 13);

/**
 * Read one line `b[start, end)` as an event. Returns its instant (epoch ms) with CHECKED and EVENT_KEY
 * filled, as checkEvent(JSON.parse(line)) would; NaN when this reader is not sure (read it the ordinary way).
 */
export function scanEvent(buf: Buffer, start: number, end: number): number {
  const b = buf as Bytes;
  let i = start;
  while (i < end && isSpace(b[i])) i++;
  if (b[i] !== 0x7b) return Number.NaN;
  i++;
  let type: EventType | undefined, at: string | undefined, instance: string | undefined, service: string | undefined, version: number | undefined;
  let step: boolean | undefined, action: string | undefined, outcome: string | undefined, rating: string | undefined, id: string | undefined;
  let group: string | undefined, department: string | undefined, onBehalfOf: boolean | undefined, reason: string | undefined, missing: boolean | undefined;
  let to: boolean | undefined, until: boolean | undefined, objections: number | undefined, amountFen: number | undefined;
  /** `at` as read from its bytes, and where they are (NaN when it was read as text). */
  let atMs = Number.NaN;
  let atStart = 0;
  let atEnd = 0;
  let seen = 0;
  /** Keys read so far, and the type's place in PREDICTED (0 until the type is read). */
  let ordinal = 0;
  let typeSlot = 0;
  resetKey();
  while (i < end && isSpace(b[i])) i++;
  if (b[i] === 0x7d) i++;
  else
    for (;;) {
      // A key: plain characters only.
      if (b[i] !== 0x22) return Number.NaN;
      const ks = ++i;
      // The key the last event of this type had here, when these bytes are it (a known key holds no
      // quote, backslash or control character, so matching it is reading it); else read and look it up.
      const slot = typeSlot * MAX_PREDICTED + (ordinal < MAX_PREDICTED ? ordinal : 0);
      const guess = ordinal < MAX_PREDICTED ? PREDICTED[slot] : -1;
      let key = -1;
      if (guess >= 0) {
        // The guess with its closing quote and colon, as a runtime writes them (`"at":`), in one comparison.
        const n = KEY_LENGTH[guess];
        const from = KEY_START[guess];
        let j = 0;
        if (ks + n <= end) while (j < n && KEY_BYTES[from + j] === b[ks + j]) j++;
        if (j === n) {
          key = guess;
          i = ks + n;
        }
      }
      if (key === -1) {
        for (let c = b[i]; c !== 0x22; c = b[++i]) if (i >= end || c === 0x5c || c < 0x20) return Number.NaN;
        key = KEY_TABLE.find(b, ks, i);
        if (ordinal < MAX_PREDICTED) PREDICTED[slot] = key;
        i++;
        while (i < end && isSpace(b[i])) i++;
        if (b[i] !== 0x3a) return Number.NaN;
        i++;
      }
      ordinal++;
      while (i < end && isSpace(b[i])) i++;
      if (key !== -1) {
        // A key given twice: JSON.parse keeps the last; leave that to it.
        if (seen & (1 << key)) return Number.NaN;
        seen |= 1 << key;
      }
      const c = b[i];
      if (c === 0x22 && (key === AT || key === DUE || key === UNTIL) && (key === AT ? !Number.isNaN((atMs = instantBytes(b, i + 1))) : dateBytes(b, i + 1) && b[i + 11] === 0x22)) {
        // An instant or a date of the common shapes, read from its bytes, no string made (CHECKED.at is
        // decoded from them if it is ever read).
        const vs = i + 1;
        if (key === AT) {
          at = '';
          atStart = vs;
          atEnd = instantEnd;
          i = atEnd + 1;
        } else {
          if (key === UNTIL) until = true;
          i = vs + 11;
        }
      } else if (c === 0x22) {
        // A string without escapes or control characters.
        const vs = ++i;
        let ascii = true;
        // The bytes' hash, for the values StringCache keeps, computed on the way.
        let h = HASH_BASIS;
        if (key === INSTANCE || key === SERVICE || key === GROUP || key === DEPARTMENT)
          for (;;) {
            const x = b[i];
            const kind = BYTE_CLASS[x];
            if (kind === PLAIN) {
              h = nextHash(h, x);
              i++;
              continue;
            }
            if (kind === QUOTE) break;
            if (kind !== NON_ASCII) return Number.NaN;
            h = nextHash(h, x);
            ascii = false;
            i++;
          }
        else
          for (;;) {
            while (BYTE_CLASS[b[i]] === PLAIN) i++;
            const kind = BYTE_CLASS[b[i]];
            if (kind === QUOTE) break;
            if (kind !== NON_ASCII) return Number.NaN; // a backslash, a control character, or the end of the buffer
            ascii = false;
            i++;
          }
        if (i >= end) return Number.NaN;
        const ve = i;
        i++;
        switch (key) {
          case -1:
            break;
          case TYPE: {
            const t = TYPE_TABLE.find(b, vs, ve);
            if (t === -1) return Number.NaN;
            type = EVENT_TYPES[t];
            typeSlot = t + 1;
            addToKey(TYPE_PARTS.a[t], TYPE_PARTS.b[t]);
            break;
          }
          case AT:
          case DUE:
          case UNTIL:
          case DUE_AT: {
            if (!ascii) return Number.NaN;
            if (key === AT) {
              at = b.latin1Slice(vs, ve);
              break;
            }
            const text = b.latin1Slice(vs, ve);
            if (key === AT) at = text;
            else if (key === DUE_AT) {
              if (Number.isNaN(parseInstant(text))) return Number.NaN;
            } else if (!isDate(text)) return Number.NaN;
            else if (key === UNTIL) until = true;
            break;
          }
          case INSTANCE:
            instance = instances.get(b, vs, ve, ascii, h);
            addToKey(instances.partA, instances.partB);
            break;
          case SERVICE:
            service = services.get(b, vs, ve, ascii, h);
            addToKey(services.partA, services.partB);
            break;
          case ID:
            if (ve === vs) return Number.NaN;
            id = ascii ? b.latin1Slice(vs, ve) : b.utf8Slice(vs, ve);
            break;
          case ACTION: {
            const a = ACTION_TABLE.find(b, vs, ve);
            if (a === -1) return Number.NaN;
            action = ACTIONS[a];
            addToKey(ACTION_PARTS.a[a], ACTION_PARTS.b[a]);
            break;
          }
          case OUTCOME: {
            const o = OUTCOME_TABLE.find(b, vs, ve);
            if (o === -1) return Number.NaN;
            outcome = OUTCOMES[o];
            addToKey(OUTCOME_PARTS.a[o], OUTCOME_PARTS.b[o]);
            break;
          }
          case RATING: {
            const r = RATING_TABLE.find(b, vs, ve);
            if (r === -1) return Number.NaN;
            rating = RATINGS[r];
            addToKey(RATING_PARTS.a[r], RATING_PARTS.b[r]);
            break;
          }
          case REASON: {
            const r = REASON_TABLE.find(b, vs, ve);
            if (r === -1) return Number.NaN;
            reason = REASONS[r];
            break;
          }
          case POSITION:
            if (POSITION_TABLE.find(b, vs, ve) === -1) return Number.NaN;
            break;
          case MISSING_KEY:
            if (!ascii || !MISSING.test(b.latin1Slice(vs, ve))) return Number.NaN;
            missing = true;
            break;
          case ON_BEHALF_OF:
            onBehalfOf = true;
            break;
          case VERSION:
          case AMOUNT_FEN:
          case OBJECTIONS:
          case APPLICANT:
            return Number.NaN;
          default: {
            // A text field the fingerprint reads (step, group, department, channel, scope, …, transaction).
            if (key === GROUP) {
              group = groups.get(b, vs, ve, ascii, h);
              addToKey(groups.partA, groups.partB);
            } else if (key === DEPARTMENT) {
              department = departments.get(b, vs, ve, ascii, h);
              addToKey(departments.partA, departments.partB);
            } else if (ascii) foldAscii(SEEDS[key], b, vs, ve);
            else fold(SEEDS[key], b.utf8Slice(vs, ve));
            if (key === STEP) step = true;
            else if (key === TO) to = true;
          }
        }
      } else if (c >= 0x30 && c <= 0x39) {
        // A whole number, 0 or without leading zeros, exact as a double (at most 15 digits).
        let n = c - 0x30;
        const ns = i++;
        if (c !== 0x30) for (let d = b[i] - 0x30; d >= 0 && d <= 9; d = b[++i] - 0x30) n = n * 10 + d;
        const x = b[i];
        if (i - ns > 15 || (x >= 0x30 && x <= 0x39) || x === 0x2e || x === 0x65 || x === 0x45) return Number.NaN;
        if (key === VERSION) version = n;
        else if (key === AMOUNT_FEN) amountFen = n;
        else if (key === OBJECTIONS) objections = n;
        else if (key !== -1) return Number.NaN;
      } else if (c === 0x7b && key === APPLICANT) {
        // applicant: an object of plain strings (type, college, department must be strings; others may be).
        i++;
        while (i < end && isSpace(b[i])) i++;
        if (b[i] === 0x7d) i++;
        else
          for (;;) {
            if (b[i] !== 0x22) return Number.NaN;
            for (let x = b[++i]; x !== 0x22; x = b[++i]) if (i >= end || x === 0x5c || x < 0x20) return Number.NaN;
            i++;
            while (i < end && isSpace(b[i])) i++;
            if (b[i] !== 0x3a) return Number.NaN;
            i++;
            while (i < end && isSpace(b[i])) i++;
            if (b[i] !== 0x22) return Number.NaN;
            for (let x = b[++i]; x !== 0x22; x = b[++i]) if (i >= end || x === 0x5c || x < 0x20) return Number.NaN;
            i++;
            while (i < end && isSpace(b[i])) i++;
            if (b[i] === 0x2c) {
              i++;
              while (i < end && isSpace(b[i])) i++;
              continue;
            }
            if (b[i] !== 0x7d) return Number.NaN;
            i++;
            break;
          }
      } else return Number.NaN;
      while (i < end && isSpace(b[i])) i++;
      if (b[i] === 0x2c) {
        i++;
        while (i < end && isSpace(b[i])) i++;
        continue;
      }
      if (b[i] !== 0x7d) return Number.NaN;
      i++;
      break;
    }
  while (i < end && isSpace(b[i])) i++;
  if (i !== end) return Number.NaN;
  const checked = finishCheck(type, at, instance, service, version, step, action, outcome, rating, id, group, department, onBehalfOf, reason, missing, to, until, objections, amountFen, atMs, true);
  if (typeof checked !== 'number') return Number.NaN;
  if (!Number.isNaN(atMs)) checkedAtFromBytes(b, atStart, atEnd);
  return checked;
}
