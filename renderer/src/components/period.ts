// Time-range inputs for the history screens: `<input type="datetime-local">` speaks local wall-clock
// text without a zone, the API speaks ms since epoch; these convert between the two.

/** `YYYY-MM-DDTHH:mm` in local time, what a datetime-local input shows. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** The ms a datetime-local value stands for, or undefined when empty or not a time. */
export function fromLocalInput(value: string): number | undefined {
  if (!value) return undefined;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? ms : undefined;
}

export const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
