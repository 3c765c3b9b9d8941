// Which stretches of a learning period are read: bounded memory whatever the period. A period of
// at most LEARN_LIMITS.samples grid rows is read whole (in segment-sized reads); a longer one is
// subsampled as evenly spread stretches of `segmentMs` adding up to that many rows, so learning on
// a year holds no more samples than learning on a day, and still sees every season of it.
import { LEARN_LIMITS } from '../../api/prediction-requests.js';

/** Grid times from `from` to `to`, both included (as the historian's range read on a grid returns them). */
export interface LearnSegment {
  from: number;
  to: number;
}

export interface LearnPlan {
  segments: LearnSegment[];
  /** True when the period is read whole; false when it is subsampled. */
  whole: boolean;
}

export function learnPlan(
  from: number,
  to: number,
  periodMs: number,
  limits: { samples: number; segmentMs: number } = LEARN_LIMITS,
): LearnPlan {
  const segmentMs = Math.max(1, Math.ceil(limits.segmentMs / periodMs)) * periodMs;
  const budgetMs = limits.samples * periodMs;
  const segments: LearnSegment[] = [];
  if (to - from <= budgetMs) {
    // Whole, read a segment at a time; each read stops one grid step before the next begins, so
    // joined again they are exactly the rows of one read of the period.
    for (let t = from; t < to; t += segmentMs) segments.push({ from: t, to: t + segmentMs >= to ? to : t + segmentMs - periodMs });
    return { segments, whole: true };
  }
  const count = Math.max(1, Math.floor(budgetMs / segmentMs));
  const stride = (to - from) / count;
  for (let i = 0; i < count; i++) {
    // Each stretch starts on the grid, so its rows line up with those of the period's other stretches.
    const start = from + Math.floor((i * stride) / periodMs) * periodMs;
    segments.push({ from: start, to: Math.min(start + segmentMs - periodMs, to) });
  }
  return { segments, whole: false };
}
