// Threshold calibration and the persistence rule of an anomaly score: one mechanism for the console
// (native/inference/service.ts applies the rule to every model's score at run time), the demo
// models' fits (models/training/fit-demo-common.ts calibrates their thresholds) and the SKAB
// evaluation (models/eval/skab.ts), as pure functions that can be checked by hand.
//
// Why held back: a threshold read off the very windows the model was fitted on sits at the edge of
// what the fit has already absorbed, so the first minutes after learning (drift, a slightly
// different flow) already cross it. Scores of normal windows the fit did not see, from the end of
// the same learning period, show how far normal wanders beyond the fit; the threshold is put there.

/** The q-quantile of `values`: the element at floor(q·(n − 1)) of the sorted values. */
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

function checkRule(k: number, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`n must be a whole number of at least 1, got ${n}`);
  if (!Number.isInteger(k) || k < 1 || k > n) throw new Error(`k must be a whole number from 1 to n = ${n}, got ${k}`);
}

/**
 * The persistence rule "k of n" on a stream of scores: `push(score)` returns the k-th largest of
 * the last n scores (windows not yet seen count as 0, i.e. not over any threshold). That value is
 * over a threshold exactly when at least k of the last n scores are, so one number carries both
 * the rule and how far beyond the threshold the persistent part of the score is. Causal: it never
 * looks ahead, so what it buys in false alarms it pays in delay — an episode is flagged k − 1
 * windows after its first window over the threshold at the earliest, and a cleared one n − k + 1
 * windows after its last.
 */
export class Persistence {
  readonly k: number;
  readonly n: number;
  private readonly ring: Float64Array;
  private readonly scratch: Float64Array;
  private next = 0;
  private seen = 0;

  constructor(k: number, n: number) {
    checkRule(k, n);
    this.k = k;
    this.n = n;
    this.ring = new Float64Array(n);
    this.scratch = new Float64Array(n);
  }

  /** Windows pushed since the start or the last reset, at most n. */
  get count(): number {
    return this.seen;
  }

  push(score: number): number {
    // A score that is not a number (a broken window) counts as far over: it must not hide a fault.
    this.ring[this.next] = Number.isNaN(score) ? Number.POSITIVE_INFINITY : score;
    this.next = (this.next + 1) % this.n;
    if (this.seen < this.n) this.seen++;
    this.scratch.set(this.ring);
    this.scratch.sort();
    return this.scratch[this.n - this.k] as number;
  }

  /** Forget the scores (a new episode of operation: the machine stopped, the model changed). */
  reset(): void {
    this.ring.fill(0);
    this.next = 0;
    this.seen = 0;
  }
}

/**
 * The rule on 0/1 flags: the alarm is on at i when at least k of the n flags ending at i
 * (i − n + 1 … i; fewer at the start of the series) are on.
 */
export function persist(flags: ArrayLike<number>, k: number, n: number): number[] {
  checkRule(k, n);
  // The same answer as Persistence on 0/1 scores (the k-th largest of the last n is 1 exactly when
  // k of them are 1), as a running count: the evaluation applies it to millions of flags.
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
