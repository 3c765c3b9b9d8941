// Failed sign-ins per key (a client address, or an account) in a sliding window. Complements the
// per-account lockout: lockout stops guessing one account's password, this stops one client trying
// many accounts. Checking a password is asynchronous (scrypt), so an attempt reserves its place
// before the hash runs and settles it after: attempts in flight count as failures until they are
// known not to be, and 150 parallel guesses cannot all pass a check made before any of them failed.
// Memory is bounded: at most `maxKeys` keys are tracked, the stalest forgotten first.

export interface RateLimitOptions {
  /** Failed attempts allowed per window. */
  attempts: number;
  windowMs: number;
  maxKeys?: number;
  now?: () => number;
}

export class LoginRateLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly pending = new Map<string, number>();
  private readonly now: () => number;
  private readonly maxKeys: number;

  constructor(private readonly opts: RateLimitOptions) {
    this.now = opts.now ?? Date.now;
    this.maxKeys = opts.maxKeys ?? 10_000;
  }

  /** 0 when the key may try now, otherwise how long it must wait (ms). Attempts in flight count. */
  retryAfter(key: string): number {
    const recent = this.recent(key);
    if (recent.length + (this.pending.get(key) ?? 0) < this.opts.attempts) return 0;
    // Attempts still in flight settle within a hash's time; until then, wait as for a full window.
    const oldest = recent.length >= this.opts.attempts ? (recent[recent.length - this.opts.attempts] ?? 0) : this.now();
    return Math.max(1, oldest + this.opts.windowMs - this.now());
  }

  /**
   * Take a place for one attempt, synchronously: 0 when taken (call `settle` once the attempt is
   * decided), otherwise how long to wait and nothing is taken.
   */
  reserve(key: string): number {
    const wait = this.retryAfter(key);
    if (wait === 0) this.pending.set(key, (this.pending.get(key) ?? 0) + 1);
    return wait;
  }

  /** The reserved attempt is decided: a failure stays counted, a success frees its place. */
  settle(key: string, failed: boolean): void {
    const n = (this.pending.get(key) ?? 0) - 1;
    if (n > 0) this.pending.set(key, n);
    else this.pending.delete(key);
    if (failed) this.fail(key);
  }

  fail(key: string): void {
    const recent = this.recent(key);
    recent.push(this.now());
    if (recent.length > this.opts.attempts) recent.shift();
    // Re-inserting moves the key to the end of the Map's order, so the first key is the stalest.
    this.failures.delete(key);
    this.failures.set(key, recent);
    if (this.failures.size > this.maxKeys) {
      const stalest = this.failures.keys().next().value;
      if (stalest !== undefined) this.failures.delete(stalest);
    }
  }

  /** Forget a key's failures (a successful sign-in, an administrator's unlock). */
  clear(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string): number[] {
    const cutoff = this.now() - this.opts.windowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length === 0) this.failures.delete(key);
    else this.failures.set(key, list);
    return list;
  }
}
