// Refused sign-in attempts (throttled by the address limit, or against a locked name) go to the audit
// trail in aggregate: one row per name, address and reason per period, with how many there were and
// when the first and last came. A burst of guesses is then a handful of rows, not one row per guess,
// so an attacker cannot grow auth.db without bound. (RepeatedFault does the same for log lines; the
// audit trail needs structured rows with the count, and a flush when the console stops.)
import type { AuditInput } from './audit.js';

export interface Refusal {
  action: string;
  reason: 'rate_limited' | 'locked';
  /** The name tried. */
  target: string;
  origin: string;
  address?: string | null;
  position?: string | null;
}

interface Pending {
  refusal: Refusal;
  count: number;
  first: number;
  last: number;
}

export interface ThrottleAuditOptions {
  periodMs: number;
  now: () => number;
  write(entry: AuditInput): void;
  /** Distinct bursts held before all are written early (memory bound). */
  maxKeys?: number;
}

export class ThrottleAudit {
  private readonly pending = new Map<string, Pending>();
  private readonly maxKeys: number;

  constructor(private readonly opts: ThrottleAuditOptions) {
    this.maxKeys = opts.maxKeys ?? 1000;
  }

  record(refusal: Refusal): void {
    const t = this.opts.now();
    const key = JSON.stringify([refusal.action, refusal.reason, refusal.target, refusal.address ?? null]);
    const p = this.pending.get(key);
    if (p && t - p.first < this.opts.periodMs) {
      p.count++;
      p.last = t;
      return;
    }
    if (p) this.writeOne(key, p);
    if (this.pending.size >= this.maxKeys) this.flush(true);
    this.pending.set(key, { refusal, count: 1, first: t, last: t });
  }

  /** Write the bursts whose period is over, or all of them (`all`: the console is stopping). */
  flush(all: boolean): void {
    const t = this.opts.now();
    for (const [key, p] of [...this.pending]) if (all || t - p.first >= this.opts.periodMs) this.writeOne(key, p);
  }

  private writeOne(key: string, p: Pending): void {
    this.pending.delete(key);
    const { refusal: r } = p;
    this.opts.write({
      actor: null,
      origin: r.origin,
      action: r.action,
      target: r.target,
      result: 'denied',
      ts: p.last,
      details: {
        reason: r.reason,
        count: p.count,
        first: p.first,
        last: p.last,
        address: r.address ?? null,
        position: r.position ?? null,
      },
    });
  }
}
