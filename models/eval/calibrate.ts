// Threshold calibration and the persistence rule for an anomaly score, as pure functions over
// score series so that they can be checked by hand and reused by any scorer.
//
// Why held back: a threshold read off the very windows the model was fitted on sits at the edge of
// what the fit has already absorbed, so the first minutes after learning (drift, a slightly
// different flow) already cross it. Scores of normal windows the fit did not see, from the end of
// the same learning period, show how far normal wanders beyond the fit; the threshold is put there.

/** The q-quantile of `values` as pca.ts reads it: the element at floor(q·(n − 1)) of the sorted values. */
export function quantileOf(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) throw new Error('no scores to calibrate on');
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile must be between 0 and 1, got ${q}`);
  const sorted = Float64Array.from(values).sort();
  if (!Number.isFinite(sorted[sorted.length - 1] as number) || Number.isNaN(sorted[0] as number))
    throw new Error('scores to calibrate on must be finite');
  return sorted[Math.floor(q * (sorted.length - 1))] as number;
}

/**
 * The alarm threshold: `margin` × the `quantile` of the scores of held-back normal windows
 * (windows of the learning period that the fit did not use). quantile 1 is their maximum.
 */
export function calibrateThreshold(heldBack: ArrayLike<number>, quantile: number, margin: number): number {
  if (!(margin > 0) || !Number.isFinite(margin)) throw new Error(`margin must be a positive number, got ${margin}`);
  return margin * quantileOf(heldBack, quantile);
}

/**
 * The persistence rule "k of n": the alarm is on at i when at least k of the n flags ending at i
 * (i − n + 1 … i; fewer at the start of the series) are on. Causal: it never looks ahead, so what
 * it buys in false alarms it pays in delay (up to k − 1 samples at the start of an episode).
 */
export function persist(flags: ArrayLike<number>, k: number, n: number): number[] {
  if (!Number.isInteger(n) || n < 1) throw new Error(`n must be a whole number of at least 1, got ${n}`);
  if (!Number.isInteger(k) || k < 1 || k > n) throw new Error(`k must be a whole number from 1 to n = ${n}, got ${k}`);
  const out = new Array<number>(flags.length);
  let on = 0;
  for (let i = 0; i < flags.length; i++) {
    if (flags[i] === 1) on++;
    if (i >= n && flags[i - n] === 1) on--;
    out[i] = on >= k ? 1 : 0;
  }
  return out;
}

/** 1 where the score exceeds the threshold. */
export function exceeds(scores: ArrayLike<number>, threshold: number): number[] {
  return Array.from(scores, (s) => (s > threshold ? 1 : 0));
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
