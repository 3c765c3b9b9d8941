// A machine's running state at a moment, from the historian, for learning. A state is stored when
// it changes: a pump that has run for a day may have one stored sample, from the link's first
// moments, followed (seen on the demo plant) by a Bad one that no good sample follows while the
// state does not change. A grid read holds a sample for `maxHoldMs` only and never over a Bad one,
// so it reads such a machine as "no good value" over a whole period; the value in force at the
// period's start is the last good sample at or before it, however old.
import type { Historian } from '../../historian/historian.js';

/** The historian reads this needs (Historian satisfies it). */
export type StateHistory = Pick<Historian, 'valueAt' | 'lastValues' | 'rangeRead'>;

/** Raw reads further back, each only when the nearer one found no good sample (bounded: a week). */
const LOOKBACK_MS = [3_600_000, 86_400_000, 7 * 86_400_000] as const;

/**
 * The last good value of `tag` at or before `t` (ms), NaN when none is stored within a week before
 * it. The value at time first (held up to the tag's maxHoldMs, the common case), then the newest
 * sample if it is no later than `t`, then raw samples read back an hour, a day, a week.
 */
export function stateAt(history: StateHistory, tag: string, t: number): number {
  const at = history.valueAt({ tags: [tag], t, mode: 'previous' })[0];
  if (at && at.value !== null) return at.value;
  const last = history.lastValues({ tags: [tag] })[0];
  if (last?.ts !== null && last?.ts !== undefined && last.ts <= t && last.value !== null) return last.value;
  let to = t;
  for (const back of LOOKBACK_MS) {
    const from = t - back;
    const [s] = history.rangeRead({ tags: [tag], from, to });
    if (s)
      for (let i = s.ts.length - 1; i >= 0; i--) {
        // Good (0) or uncertain (1) quality with a number is a value; Bad (2) is none.
        if ((s.ts[i] as number) <= t && (s.quality[i] as number) < 2 && Number.isFinite(s.values[i] as number))
          return s.values[i] as number;
      }
    to = from;
  }
  return Number.NaN;
}
