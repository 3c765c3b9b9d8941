// A slowly adapting baseline for an anomaly model's inputs (manifest `adapt`, off unless a model
// declares it): the normalisation's mean follows the machine's slow drift (a rig warming over hours)
// but not a fault. One mechanism for the console (native/inference/service.ts) and the SKAB
// evaluation (models/eval/skab.ts), so a model scores on site as it was measured.
//
// Every window is shifted by an offset (per input, in the normalised units the window holds) before
// the graph sees it. After the window's score is known, the offset moves towards the window's own
// mean by 1/tau of the distance (an exponentially weighted mean with a time constant of tau windows)
// — but only when the window is judged normal: fewer than `k` of the last `n` windows, this one
// included, scored above `gate` (normalised, 1.0 = the model alarm's threshold; the k-of-n rule of
// calibrate.ts). With gate ≤ 1 and the alarm's own k of n, the offset is frozen whenever the model
// alarm's condition holds, so a step fault is never learned away; a fault that creeps in below the
// gate is followed at 1/tau per window (the limit of the method: tau long against a fault's onset,
// short against the drift). Only the mean adapts; the covariance is the one learned.
//
// Every input is shifted, so the mechanism suits graphs that score the window's mean against a
// learned centre (the PCA models of learn/pca.ts, whose centre is ≈ 0 in these units: the offset
// then converges on the drift itself). A model that regresses dependent on independent inputs
// (learn/conditional.ts) would see its independent inputs shifted too: none of those declares it.
//
// With `delay` d, a window's mean enters the baseline d windows after it was scored, and only if it
// was judged normal then and so were the `clear` windows after it (0 when omitted): the offset
// follows the machine as it was d windows ago. The windows at the start of an episode, scored before
// the gate's k of n caught up (judged normal then), are left out by `clear`; a fault that lasts
// fewer than d windows is never part of the baseline while it lasts, however far below the gate it
// stays (the weak valve faults of SKAB, which the undelayed baseline follows). Slow drift is
// followed with a lag of d + tau windows instead of tau (its cost: drift over d windows must stay
// within the threshold).
import { Persistence } from './calibrate.js';

export interface AdaptSpec {
  /** Time constant in windows (one window per grid step). */
  tau: number;
  /** A window is normal when fewer than k of the last n scored above this (normalised score). */
  gate: number;
  /** 1 when omitted: no window of the last n over the gate. */
  k?: number;
  n: number;
  /** Windows between a window being scored and its mean entering the baseline (0 when omitted). */
  delay?: number;
  /** With a delay: windows after a window that must also have been judged normal for it to enter (0 when omitted, less than delay). */
  clear?: number;
}

export function checkAdapt(spec: AdaptSpec): void {
  if (!(Number.isFinite(spec.tau) && spec.tau >= 1)) throw new Error(`adapt.tau must be at least 1 window, got ${spec.tau}`);
  if (!(Number.isFinite(spec.gate) && spec.gate > 0)) throw new Error(`adapt.gate must be a positive score, got ${spec.gate}`);
  if (!Number.isInteger(spec.n) || spec.n < 1) throw new Error(`adapt.n must be a whole number of at least 1, got ${spec.n}`);
  const k = spec.k ?? 1;
  if (!Number.isInteger(k) || k < 1 || k > spec.n) throw new Error(`adapt.k must be a whole number from 1 to n = ${spec.n}, got ${k}`);
  const d = spec.delay ?? 0;
  if (!Number.isInteger(d) || d < 0) throw new Error(`adapt.delay must be a whole number of windows, 0 or more, got ${d}`);
  const c = spec.clear ?? 0;
  if (!Number.isInteger(c) || c < 0 || (c > 0 && c >= d))
    throw new Error(`adapt.clear must be a whole number of windows from 0 to adapt.delay − 1 = ${d - 1}, got ${c}`);
}

export class Baseline {
  readonly spec: AdaptSpec;
  private readonly inputs: number;
  private readonly off: Float64Array;
  /** The gate's k-of-n rule over the scores since the start or the last reset. */
  private readonly rule: Persistence;
  /** The last `delay` windows' means (inputs each) and whether each was judged normal, oldest at `head`. */
  private readonly pastMeans: Float64Array;
  private readonly pastNormal: Uint8Array;
  private head = 0;
  private pending = 0;

  constructor(inputs: number, spec: AdaptSpec) {
    checkAdapt(spec);
    if (!Number.isInteger(inputs) || inputs < 1) throw new Error(`a baseline needs at least one input, got ${inputs}`);
    this.spec = spec;
    this.inputs = inputs;
    this.off = new Float64Array(inputs);
    this.rule = new Persistence(spec.k ?? 1, spec.n);
    const d = spec.delay ?? 0;
    this.pastMeans = new Float64Array(d * inputs);
    this.pastNormal = new Uint8Array(d);
  }

  /** The current offset per input (normalised units), a copy. */
  get offset(): number[] {
    return Array.from(this.off);
  }

  /**
   * Shift a window (rows × inputs, row-major, normalised) by the offset, in place. Returns the
   * window's mean per input before the shift: what `update` follows.
   */
  shift(data: Float32Array): Float64Array {
    const n = this.inputs;
    if (data.length % n !== 0 || data.length === 0) throw new Error(`a window of ${data.length} values is not rows of ${n} inputs`);
    const rows = data.length / n;
    const mean = new Float64Array(n);
    for (let r = 0; r < rows; r++)
      for (let j = 0; j < n; j++) {
        const i = r * n + j;
        mean[j] += (data[i] as number) / rows;
        data[i] = (data[i] as number) - (this.off[j] as number);
      }
    return mean;
  }

  /**
   * The shifted window scored `score` (normalised): follow its mean if it is judged normal. Returns
   * true when the offset moved. A score that is not a number counts as far over the gate.
   */
  update(mean: ArrayLike<number>, score: number): boolean {
    if (mean.length !== this.inputs) throw new Error(`${mean.length} means for ${this.inputs} inputs`);
    const kth = this.rule.push(score);
    // Until n windows are seen (after a start) there is no evidence the machine is in its normal state.
    const normal = this.rule.count >= this.spec.n && kth <= this.spec.gate;
    const d = this.spec.delay ?? 0;
    if (d === 0) return normal ? this.follow(mean, 0) : false;
    // Delayed: this window waits d windows; the one that waited longest enters if it was normal.
    let moved = false;
    if (this.pending === d) {
      // It enters when it and the `clear` windows after it (the next oldest in the ring) were judged normal.
      let clear = this.pastNormal[this.head] === 1;
      for (let i = 1; clear && i <= (this.spec.clear ?? 0); i++) clear = this.pastNormal[(this.head + i) % d] === 1;
      moved = clear && this.follow(this.pastMeans, this.head * this.inputs);
      this.pending--;
    }
    for (let j = 0; j < this.inputs; j++) this.pastMeans[this.head * this.inputs + j] = mean[j] as number;
    this.pastNormal[this.head] = normal ? 1 : 0;
    this.head = (this.head + 1) % d;
    this.pending++;
    return moved;
  }

  /** Move the offset 1/tau of the way to the means at `from` of `means`. */
  private follow(means: ArrayLike<number>, from: number): true {
    for (let j = 0; j < this.inputs; j++)
      this.off[j] = (this.off[j] as number) + ((means[from + j] as number) - (this.off[j] as number)) / this.spec.tau;
    return true;
  }

  /**
   * A new episode of operation (the machine stopped): the gate judges from nothing again and the
   * windows still waiting out the delay are dropped (they belong to the episode that ended); the
   * offset is kept.
   */
  resetGate(): void {
    this.rule.reset();
    this.head = 0;
    this.pending = 0;
  }
}
