/**
 * The session lookup of every request, kept briefly in the process (issue 13: on PostgreSQL it was a round
 * trip of its own before each change, a quarter of a submission's after pipelining).
 *
 * Why a short cache and not a lookup folded into the change's first statement: the person is needed
 * before the change starts (the CSRF check, the applicant's attributes the form and the routing read), and
 * every route, not only the engine's, needs it.
 *
 * What it costs: a session deleted from the store (there is no sign-out route; an operator revokes a session
 * by deleting its row, and a person's sessions end with their row) still works in a process that looked it
 * up for at most {@link SESSION_CACHE_SECONDS} seconds; a session that expires stops at its expiry, never
 * later (the expiry is checked on every request, cached or not). Only sessions found are kept (an unknown id
 * is looked up every time: a new session signed in through another process works at once), at most
 * {@link SESSION_CACHE_ENTRIES}, the oldest dropped first.
 */

export const SESSION_CACHE_SECONDS = 5;
export const SESSION_CACHE_ENTRIES = 10_000;

export class SessionCache<T extends { expiresAt: string }> {
  private readonly kept = new Map<string, { value: T; until: number }>();
  /** Lookups under way, so the same request's two (rate limit, then the route) and concurrent ones share one. */
  private readonly loading = new Map<string, Promise<T | undefined>>();
  private readonly seconds: number;
  private readonly entries: number;
  private readonly clock: () => number;

  constructor(options: { seconds?: number; entries?: number; clock?: () => number } = {}) {
    this.seconds = options.seconds ?? SESSION_CACHE_SECONDS;
    this.entries = options.entries ?? SESSION_CACHE_ENTRIES;
    this.clock = options.clock ?? Date.now;
  }

  /** The session `id` (kept, or read with `load`), or undefined when there is none or it has expired. */
  async get(id: string, load: (id: string) => Promise<T | undefined>): Promise<T | undefined> {
    const now = this.clock();
    const kept = this.kept.get(id);
    const value = kept && kept.until > now ? kept.value : await this.load(id, load, now);
    return value && value.expiresAt >= new Date(this.clock()).toISOString() ? value : undefined;
  }

  /** Forget a session at once (a sign-out in this process). */
  forget(id: string): void {
    this.kept.delete(id);
  }

  private load(id: string, load: (id: string) => Promise<T | undefined>, now: number): Promise<T | undefined> {
    let pending = this.loading.get(id);
    if (!pending) {
      pending = load(id).then(
        (value) => {
          this.loading.delete(id);
          this.kept.delete(id);
          if (value && this.seconds > 0) {
            this.kept.set(id, { value, until: now + this.seconds * 1000 });
            if (this.kept.size > this.entries) this.kept.delete(this.kept.keys().next().value!);
          }
          return value;
        },
        (error: unknown) => {
          this.loading.delete(id);
          throw error;
        },
      );
      this.loading.set(id, pending);
    }
    return pending;
  }
}
