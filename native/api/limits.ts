// Bounds on the work one request may ask for (time span, rows, points, bytes), checked while the
// arguments are validated, so an absurd request is refused with a 400 before any work starts.
// Each capability declares its own limits beside its schemas (HISTORY_LIMITS, ALARM_LIMITS,
// EVENT_LIMITS, AUDIT_LIMITS, ESG_LIMITS, LEARN_LIMITS); docs/api.md "Limits" lists them all.
import type { z } from 'zod';

import { describeSpan } from '../util/describe.js';

export { DAY_MS, describeSpan, HOUR_MS, MINUTE_MS } from '../util/describe.js';

const group = (n: number) => Math.round(n).toLocaleString('en-US');

/** "256 MB", "1 GB", "40 KB": sizes in messages (binary units, as df and file managers show them). */
export function describeBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toLocaleString('en-US', { maximumFractionDigits: 1 })} ${units[u]}`;
}

/** "1,000,000 rows": counts in messages, grouped so an order of magnitude is readable at a glance. */
export const describeCount = (n: number, what: string) => `${group(n)} ${what}`;

interface SpanOptions {
  /** Used when `to` is absent (requests whose end defaults to now). */
  defaultTo?: () => number;
}

/**
 * A refinement for schemas with `from`/`to` (ms after parsing): the span must not exceed `maxMs`.
 * A request without `from` is bounded otherwise (by its row limit), so only explicit spans count.
 */
export function spanLimit(request: string, maxMs: number, opts: SpanOptions = {}) {
  return (a: { from?: number; to?: number }, ctx: z.RefinementCtx): void => {
    if (a.from === undefined) return;
    const to = a.to ?? opts.defaultTo?.();
    if (to === undefined) return;
    const span = to - a.from;
    if (span > maxMs)
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `from/to span ${describeSpan(span)} exceeds the limit of ${describeSpan(maxMs)} for ${request}`,
      });
  };
}

/** The refusal of a count (rows, points, bytes) over its limit, as one sentence. */
export function overLimit(request: string, what: string, asked: number, max: number, hint = ''): string {
  return `${describeCount(asked, what)} exceeds the limit of ${describeCount(max, what)} for ${request}${hint ? `; ${hint}` : ''}`;
}
