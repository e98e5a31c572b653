/**
 * The events already counted, as 64-bit fingerprints in an open-addressing table: no string kept. Two
 * different events share a fingerprint with odds of about n²/2⁶⁵ (one in thirty million for a million
 * events). Each slot also records which file (by index) the event was first read from, so a file read twice
 * can be named. A slot's two halves sit side by side (one trip to memory for both): ten bytes a slot in all.
 */
export class EventSet {
  /** Slot i: [2i] high word, [2i+1] low word; 0/0 marks an empty slot. */
  private table: Int32Array;
  private source: Uint16Array;
  private slots: number;
  private used = 0;

  /** Room for about `expected` events before the table has to grow (at most 4 M; it grows past that). */
  constructor(expected = 0, smallest = 1 << 16) {
    let slots = smallest;
    while (slots * 0.5 < expected && slots < 1 << 22) slots *= 2;
    this.slots = slots;
    this.table = new Int32Array(slots * 2);
    this.source = new Uint16Array(slots);
  }

  get size(): number {
    return this.used;
  }

  /**
   * Add a fingerprint (hi, lo) first read from file `file`. Returns -1 when it is new, else the file index
   * the earlier copy was read from.
   */
  add(hi: number, lo: number, file: number): number {
    // 0/0 marks an empty slot: move the (vanishingly rare) real 0/0 fingerprint aside.
    if (hi === 0 && lo === 0) lo = 1;
    if ((this.used + 1) * 2 > this.slots) this.grow();
    const t = this.table;
    const mask = this.slots - 1;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    for (;;) {
      const h = t[i << 1];
      const l = t[(i << 1) + 1];
      if (h === 0 && l === 0) {
        t[i << 1] = hi;
        t[(i << 1) + 1] = lo;
        this.source[i] = Math.min(file, 0xffff);
        this.used++;
        return -1;
      }
      if (h === hi && l === lo) return this.source[i];
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const { table, source } = this;
    this.slots *= 2;
    this.table = new Int32Array(this.slots * 2);
    this.source = new Uint16Array(this.slots);
    this.used = 0;
    for (let i = 0; i < source.length; i++) if (table[i << 1] !== 0 || table[(i << 1) + 1] !== 0) this.add(table[i << 1], table[(i << 1) + 1], source[i]);
  }
}

/**
 * The fingerprints of events without an `id`, one small EventSet per local day. Such an event's fingerprint
 * covers its instant, so an event and its copy always fall on the same day: looking only there is exact.
 * A log is read roughly in time order, so the day being filled stays in the processor's cache instead of
 * every event costing a trip to a table the size of the whole log.
 */
export class DayEventSets {
  private readonly days = new Map<number, EventSet>();
  private lastDay = Number.NaN;
  private last: EventSet | undefined;

  /** EventSet.add on the table of local day `day`. */
  add(day: number, hi: number, lo: number, file: number): number {
    let set = day === this.lastDay ? this.last : this.days.get(day);
    if (!set) {
      // A day is about as busy as the one before: start with room for as many events instead of growing to it.
      set = new EventSet(this.last?.size ?? 0, 1 << 10);
      this.days.set(day, set);
    }
    this.lastDay = day;
    this.last = set;
    return set.add(hi, lo, file);
  }
}
