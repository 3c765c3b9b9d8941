// Time ranges for the history screens: `<input type="datetime-local">` speaks local wall-clock text
// without a zone, the API speaks ms since epoch; these convert between the two.

/** A span of time in ms since epoch. */
export interface TimeRange {
  from: number;
  to: number;
}

/**
 * `YYYY-MM-DDTHH:mm` in local time, what a datetime-local input shows; with `'second'`,
 * `YYYY-MM-DDTHH:mm:ss` for an input with `step={1}`.
 */
export function toLocalInput(ms: number, precision: 'minute' | 'second' = 'minute'): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  const minute = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
  return precision === 'second' ? `${minute}:${p(d.getSeconds())}` : minute;
}

/** The ms a datetime-local value stands for, or undefined when empty or not a time. */
export function fromLocalInput(value: string): number | undefined {
  if (!value) return undefined;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? ms : undefined;
}

/** The `from` / `to` arguments of a query from two datetime-local values; an empty one is no bound. */
export function rangeArgs(from: string, to: string): { from?: number; to?: number } {
  const f = fromLocalInput(from);
  const t = fromLocalInput(to);
  return { ...(f !== undefined ? { from: f } : {}), ...(t !== undefined ? { to: t } : {}) };
}
