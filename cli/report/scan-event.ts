import eventSchema from '../../schemas/runtime/event.schema.json' with { type: 'json' };
import { MISSING, fieldSeed, finishCheck, fold, foldAscii, isDate, parseInstant, resetKey } from './parse-event.ts';
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
const EVENT_TYPES = SCHEMA.type.enum as readonly EventType[];
const ACTIONS = SCHEMA.action.enum as readonly string[];
const OUTCOMES = SCHEMA.outcome.enum as readonly string[];
const RATINGS = SCHEMA.rating.enum as readonly Rating[];
const REASONS = SCHEMA.reason.enum as readonly string[];
const POSITIONS = SCHEMA.position.enum as readonly string[];
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
  /** Whether word `index`, then a closing quote, is at `b[s]`, before `end`. */
  at(b: Uint8Array, s: number, end: number, index: number): boolean {
    const w = this.words[index];
    if (s + w.length >= end) return false;
    for (let i = 0; i < w.length; i++) if (w[i] !== b[s + i]) return false;
    return b[s + w.length] === 0x22;
  }

  /** The byte length of word `index`. */
  length(index: number): number {
    return this.words[index].length;
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
 * department): Map look-ups on it then find a hash already computed. Bounded; past its size a string is
 * decoded afresh each time.
 */
class StringCache {
  private readonly keys: (Uint8Array | undefined)[] = new Array(4096).fill(undefined);
  private readonly values: string[] = new Array(4096).fill('');
  get(b: Bytes, s: number, e: number, ascii: boolean): string {
    let h = 0x811c9dc5;
    for (let i = s; i < e; i++) h = Math.imul(h ^ b[i], 0x01000193);
    const slot = (h ^ (h >>> 16)) & 4095;
    const known = this.keys[slot];
    if (known !== undefined && known.length === e - s) {
      let i = 0;
      while (i < known.length && known[i] === b[s + i]) i++;
      if (i === known.length) return this.values[slot];
    }
    const text = ascii ? b.latin1Slice(s, e) : b.utf8Slice(s, e);
    this.keys[slot] = new Uint8Array(b.subarray(s, e));
    this.values[slot] = text;
    return text;
  }
}

const cache = new StringCache();

/** Node's Buffer decoders without toString's argument handling (they are what toString calls). */
type Bytes = Buffer & { latin1Slice(start: number, end: number): string; utf8Slice(start: number, end: number): string };

/**
 * The last `at` read, as bytes and as text: events come in bursts at one instant (a submission and its first
 * assignment, a decision and the next step), and reusing the text also lets parseInstant answer from its memo.
 */
const lastAtBytes = new Uint8Array(64);
let lastAtLength = -1;
let lastAt = '';

function sameAsLastAt(b: Uint8Array, s: number, e: number): boolean {
  if (e - s !== lastAtLength) return false;
  for (let i = 0; i < lastAtLength; i++) if (lastAtBytes[i] !== b[s + i]) return false;
  return true;
}

function rememberAt(text: string, b: Uint8Array, s: number, e: number): string {
  if (e - s <= lastAtBytes.length) {
    for (let i = s; i < e; i++) lastAtBytes[i - s] = b[i];
    lastAtLength = e - s;
    lastAt = text;
  } else lastAtLength = -1;
  return text;
}

/** Bytes inside a JSON string: plain ASCII, the closing quote, UTF-8 beyond ASCII, or what this reader leaves to JSON.parse (a backslash, a control character). */
const PLAIN = 0;
const QUOTE = 1;
const NON_ASCII = 2;
const OTHER = 3;
const BYTE_CLASS = new Uint8Array(256).map((_, c) => (c === 0x22 ? QUOTE : c === 0x5c || c < 0x20 ? OTHER : c >= 0x80 ? NON_ASCII : PLAIN));

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

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
      let key: number;
      if (guess >= 0 && KEY_TABLE.at(b, ks, end, guess)) {
        key = guess;
        i = ks + KEY_TABLE.length(guess);
      } else {
        for (let c = b[i]; c !== 0x22; c = b[++i]) if (i >= end || c === 0x5c || c < 0x20) return Number.NaN;
        key = KEY_TABLE.find(b, ks, i);
        if (ordinal < MAX_PREDICTED) PREDICTED[slot] = key;
      }
      ordinal++;
      i++;
      while (i < end && isSpace(b[i])) i++;
      if (b[i] !== 0x3a) return Number.NaN;
      i++;
      while (i < end && isSpace(b[i])) i++;
      if (key !== -1) {
        // A key given twice: JSON.parse keeps the last; leave that to it.
        if (seen & (1 << key)) return Number.NaN;
        seen |= 1 << key;
      }
      const c = b[i];
      if (c === 0x22) {
        // A string without escapes or control characters.
        const vs = ++i;
        let ascii = true;
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
            break;
          }
          case AT:
          case DUE:
          case UNTIL:
          case DUE_AT: {
            if (!ascii) return Number.NaN;
            if (key === AT) {
              at = sameAsLastAt(b, vs, ve) ? lastAt : rememberAt(b.latin1Slice(vs, ve), b, vs, ve);
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
            instance = ascii ? b.latin1Slice(vs, ve) : b.utf8Slice(vs, ve);
            break;
          case SERVICE:
            service = cache.get(b, vs, ve, ascii);
            break;
          case ID:
            if (ve === vs) return Number.NaN;
            id = ascii ? b.latin1Slice(vs, ve) : b.utf8Slice(vs, ve);
            break;
          case ACTION: {
            const a = ACTION_TABLE.find(b, vs, ve);
            if (a === -1) return Number.NaN;
            action = ACTIONS[a];
            break;
          }
          case OUTCOME: {
            const o = OUTCOME_TABLE.find(b, vs, ve);
            if (o === -1) return Number.NaN;
            outcome = OUTCOMES[o];
            break;
          }
          case RATING: {
            const r = RATING_TABLE.find(b, vs, ve);
            if (r === -1) return Number.NaN;
            rating = RATINGS[r];
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
            if (key === GROUP || key === DEPARTMENT) {
              const text = cache.get(b, vs, ve, ascii);
              if (key === GROUP) group = text;
              else department = text;
              fold(SEEDS[key], text);
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
  const checked = finishCheck(type, at, instance, service, version, step, action, outcome, rating, id, group, department, onBehalfOf, reason, missing, to, until, objections, amountFen);
  return typeof checked === 'number' ? checked : Number.NaN;
}
