// Metrics exactly as the published leaderboards compute them, in one place so the evaluation tools
// and their tests share them.

/** Point-wise confusion counts of a binary prediction against binary labels. */
export interface Confusion {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export function confusion(predicted: ArrayLike<number>, actual: ArrayLike<number>): Confusion {
  if (predicted.length !== actual.length) throw new Error(`${predicted.length} predictions for ${actual.length} labels`);
  const c: Confusion = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (let i = 0; i < predicted.length; i++) {
    const p = predicted[i] === 1;
    const a = actual[i] === 1;
    if (p && a) c.tp++;
    else if (p) c.fp++;
    else if (a) c.fn++;
    else c.tn++;
  }
  return c;
}

export function addConfusion(a: Confusion, b: Confusion): Confusion {
  return { tp: a.tp + b.tp, fp: a.fp + b.fp, fn: a.fn + b.fn, tn: a.tn + b.tn };
}

const round2 = (v: number) => Math.round(v * 100) / 100;
/** 0 where the ratio is undefined (no positives, or nothing predicted and nothing to find). */
const ratio = (num: number, den: number) => (den === 0 ? 0 : num / den);

/**
 * SKAB's outlier-detection metrics (core/metrics.py): F1 = TP / (TP + (FP + FN) / 2),
 * FAR = FP / (FP + TN) · 100, MAR = FN / (FN + TP) · 100, unrounded. For choosing between settings:
 * rounded figures turn small real differences into ties and let a pooled F1 of 0.795 pass 0.80.
 */
export function skabMetricsExact(c: Confusion): { f1: number; far: number; mar: number } {
  return {
    f1: ratio(c.tp, c.tp + (c.fp + c.fn) / 2),
    far: ratio(c.fp, c.fp + c.tn) * 100,
    mar: ratio(c.fn, c.fn + c.tp) * 100,
  };
}

/** skabMetricsExact rounded to 2 decimals, as SKAB's leaderboard reports them (for reporting only). */
export function skabMetrics(c: Confusion): { f1: number; far: number; mar: number } {
  const m = skabMetricsExact(c);
  return { f1: round2(m.f1), far: round2(m.far), mar: round2(m.mar) };
}

/** Root-mean-square error. */
export function rmse(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += ((predicted[i] as number) - (actual[i] as number)) ** 2;
  return Math.sqrt(s / actual.length);
}

/**
 * The PHM08 challenge score: Σ exp(−d/13) − 1 for early predictions (d < 0) and exp(d/10) − 1
 * for late ones, d = predicted − true RUL. Late predictions cost more.
 */
export function phm08Score(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = (predicted[i] as number) - (actual[i] as number);
    s += d < 0 ? Math.exp(-d / 13) - 1 : Math.exp(d / 10) - 1;
  }
  return s;
}

/**
 * Detection delay of every anomalous episode (a run of 1s in `labels`): samples from its first
 * sample to the first predicted 1 inside it, or null when the prediction never fires inside it.
 */
export function detectionDelays(predicted: ArrayLike<number>, labels: ArrayLike<number>): (number | null)[] {
  if (predicted.length !== labels.length) throw new Error(`${predicted.length} predictions for ${labels.length} labels`);
  const delays: (number | null)[] = [];
  let start = -1;
  let found = false;
  for (let i = 0; i <= labels.length; i++) {
    const a = i < labels.length && labels[i] === 1;
    if (a && start < 0) {
      start = i;
      found = false;
    }
    if (a && !found && predicted[i] === 1) {
      delays.push(i - start);
      found = true;
    }
    if (!a && start >= 0) {
      if (!found) delays.push(null);
      start = -1;
    }
  }
  return delays;
}
