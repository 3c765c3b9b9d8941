// Failed sign-ins per client address in a sliding window. Complements the per-account lockout:
// lockout stops guessing one account's password, this stops one client trying many accounts.
// Memory is bounded: at most `maxKeys` addresses are tracked, the stalest forgotten first.

export interface RateLimitOptions {
  /** Failed attempts allowed per window. */
  attempts: number;
  windowMs: number;
  maxKeys?: number;
  now?: () => number;
}

export class LoginRateLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly now: () => number;
  private readonly maxKeys: number;

  constructor(private readonly opts: RateLimitOptions) {
    this.now = opts.now ?? Date.now;
    this.maxKeys = opts.maxKeys ?? 10_000;
  }

  /** 0 when the address may try now, otherwise how long it must wait (ms). */
  retryAfter(key: string): number {
    const recent = this.recent(key);
    if (recent.length < this.opts.attempts) return 0;
    return Math.max(1, (recent[0] ?? 0) + this.opts.windowMs - this.now());
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

  private recent(key: string): number[] {
    const cutoff = this.now() - this.opts.windowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length === 0) this.failures.delete(key);
    else this.failures.set(key, list);
    return list;
  }
}
