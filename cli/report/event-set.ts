/**
 * The events already counted, as 64-bit fingerprints in an open-addressing table of typed arrays: eight
 * bytes per slot, about sixteen per event at the table's load, and no string kept. Two different events
 * share a fingerprint with odds of about n²/2⁶⁵ (one in thirty million for a million events). Each slot
 * also records which file (by index) the event was first read from, so a file read twice can be named.
 */
export class EventSet {
  private hi: Int32Array;
  private lo: Int32Array;
  private source: Uint16Array;
  private used = 0;

  /** Room for about `expected` events before the table has to grow (at most 4 M; it grows past that). */
  constructor(expected = 0) {
    let slots = 1 << 16;
    while (slots < expected * 2 && slots < 1 << 23) slots *= 2;
    this.hi = new Int32Array(slots);
    this.lo = new Int32Array(slots);
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
    if ((this.used + 1) * 2 > this.hi.length) this.grow();
    const mask = this.hi.length - 1;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    for (;;) {
      const h = this.hi[i];
      const l = this.lo[i];
      if (h === 0 && l === 0) {
        this.hi[i] = hi;
        this.lo[i] = lo;
        this.source[i] = Math.min(file, 0xffff);
        this.used++;
        return -1;
      }
      if (h === hi && l === lo) return this.source[i];
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const { hi, lo, source } = this;
    this.hi = new Int32Array(hi.length * 2);
    this.lo = new Int32Array(hi.length * 2);
    this.source = new Uint16Array(hi.length * 2);
    this.used = 0;
    for (let i = 0; i < hi.length; i++) if (hi[i] !== 0 || lo[i] !== 0) this.add(hi[i], lo[i], source[i]);
  }
}
