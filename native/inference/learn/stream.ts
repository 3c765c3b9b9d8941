// Learning from the historian in constant memory: the same PCA / Hotelling T² model as pca.ts, fitted
// in three passes over the period, each reading it one stretch at a time (learnPlan), so what is held
// is one stretch of rows, a covariance and two bounded score samples, whatever the length of the
// period. Pass 1: per-tag mean and σ of the training rows, and the excluded spans. Pass 2: covariance
// of the standardised window means. Pass 3: T² (and Q) of every window, training and held back.
// The last fifth of each stretch is held back, never fitted on: its first half calibrates the model
// alarm's threshold (calibrate.ts, as the demo models are calibrated), its second half is scored
// with that threshold and the k-of-n rule to give the false alarm rate the report shows.
import type { Contributor, ExcludedSpan, LearnReport } from '../../api/prediction-requests.js';
import { mulberry32 } from '../../util/random.js';
import { calibrateThreshold, Persistence } from '../calibrate.js';
import { type PcaFitOptions, pcaComponents, pcaGraph } from './pca.js';
import type { LearnSegment } from './plan.js';

/** One stretch of the grid as read: times and one column per input (NaN where there is no value). */
export interface StretchRows {
  ts: Float64Array;
  columns: Float64Array[];
}

/** Why a row is left out, or null to use it. */
export type RowFilter = (t: number, row: Float64Array) => { reason: ExcludedSpan['reason']; detail: string } | null;

export interface StreamFitInput {
  segments: readonly LearnSegment[];
  subsampled: boolean;
  /** Input tag names, in column order (the report's contributors name them). */
  tags: readonly string[];
  read: (segment: LearnSegment) => StretchRows;
  exclude: RowFilter;
  periodMs: number;
  options: PcaFitOptions;
  /** Excluded spans listed (the rest counted). */
  maxSpans: number;
  /** Called as the work goes (phase, 0…1 over the whole fit). */
  progress?: (phase: 'reading' | 'covariance' | 'scoring', fraction: number) => void;
}

export interface StreamFit {
  onnx: Uint8Array;
  mean: number[];
  std: number[];
  /** The model alarm's threshold on the graph's score (the manifest's `threshold`). */
  threshold: number;
  components: number;
  report: LearnReport;
}

/**
 * The learned model's alarm: the demo models' rule (models/training/fit-demo-common.ts DEMO_ALARM):
 * the threshold at `margin` × the `quantile` of the calibration windows' scores, never below
 * `floor` (the fit's own 1.5 × the 99th percentile of the training windows), and k of the last n
 * windows over it (eval:skab's choice on every fold).
 */
export const LEARNED_ALARM = { k: 10, n: 20, quantile: 0.999, margin: 3 } as const;

/** Which rows of a stretch calibrate the threshold and which give the false alarm rate (the manifest records it). */
export const HELD_BACK_TEXT =
  'the last fifth (by time) of each 10-minute stretch of the period, never fitted on: its first half calibrates the threshold, its second half gives the false alarm rate';

/** Scores kept for the quantiles: exact up to this many windows, a uniform sample beyond. */
export const SCORE_SAMPLE = 16_384;
/** Rows handled between two yields. */
const ROWS_PER_STEP = 8_192;
/** Share of each stretch, at its end, held back from the fit. */
const HELD_BACK = 0.2;

/** A uniform sample of a stream of numbers of fixed size (reservoir sampling, seeded). */
class Reservoir {
  readonly values = new Float64Array(SCORE_SAMPLE);
  seen = 0;
  private readonly random = mulberry32(17);
  add(v: number): void {
    if (this.seen < SCORE_SAMPLE) this.values[this.seen] = v;
    else {
      const j = Math.floor(this.random() * (this.seen + 1));
      if (j < SCORE_SAMPLE) this.values[j] = v;
    }
    this.seen++;
  }
  /** The kept values, sorted (a copy). */
  sorted(): Float64Array {
    return this.values.slice(0, Math.min(this.seen, SCORE_SAMPLE)).sort();
  }
}

const quantileOf = (sorted: Float64Array, q: number) =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))] as number);

/** train: fitted on; calib: held back, calibrates the threshold; held: held back, scored for the false alarm rate. */
type Role = 'train' | 'calib' | 'held';

/**
 * One pass over the period: every row of every stretch, in order, with its role, or the reason it
 * is left out. `run` is true for the first row of a run of usable rows of one role (a window never
 * spans a gap, an excluded row, a stretch boundary or the held-back edge).
 */
function* pass(
  input: StreamFitInput,
  onRow: (row: Float64Array, role: Role, run: boolean, t: number) => void,
  onExcluded: ((t: number, reason: ExcludedSpan['reason'], detail: string) => void) | null,
  progress: (done: number) => void,
): Generator<void> {
  const cols = input.tags.length;
  const row = new Float64Array(cols);
  let work = 0;
  for (let s = 0; s < input.segments.length; s++) {
    const seg = input.segments[s] as LearnSegment;
    const { ts, columns } = input.read(seg);
    yield;
    const heldFrom = seg.from + (1 - HELD_BACK) * (seg.to - seg.from);
    const evalFrom = seg.from + (1 - HELD_BACK / 2) * (seg.to - seg.from);
    let last: Role | null = null;
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i] as number;
      for (let j = 0; j < cols; j++) row[j] = (columns[j] as Float64Array)[i] as number;
      const why = input.exclude(t, row);
      if (why) {
        last = null;
        onExcluded?.(t, why.reason, why.detail);
      } else {
        const role: Role = t >= evalFrom ? 'held' : t >= heldFrom ? 'calib' : 'train';
        onRow(row, role, role !== last, t);
        last = role;
      }
      if (++work >= ROWS_PER_STEP) {
        work = 0;
        yield;
      }
    }
    progress((s + 1) / input.segments.length);
  }
}

/** The fit as steps for runSliced: yields after each stretch read and every few thousand rows. */
export function* fitStreaming(input: StreamFitInput): Generator<void, StreamFit> {
  const { options: opts } = input;
  const cols = input.tags.length;
  const w = opts.window;
  const report = (phase: 'reading' | 'covariance' | 'scoring', base: number) => (done: number) => input.progress?.(phase, base + done / 3);

  // Pass 1: mean and σ of the training rows (shifted sums: the first row is the shift), the spans.
  const shift = new Float64Array(cols);
  const sum = new Float64Array(cols);
  const sumSq = new Float64Array(cols);
  let n = 0;
  let read = 0;
  let heldRows = 0;
  let excludedRows = 0;
  const spans: ExcludedSpan[] = [];
  let more = 0;
  let open: ExcludedSpan | null = null;
  const close = () => {
    if (!open) return;
    if (spans.length < input.maxSpans) spans.push(open);
    else more++;
    open = null;
  };
  yield* pass(
    input,
    (row, role) => {
      read++;
      close();
      if (role !== 'train') {
        heldRows++;
        return;
      }
      if (n === 0) shift.set(row);
      for (let j = 0; j < cols; j++) {
        const d = (row[j] as number) - (shift[j] as number);
        sum[j] += d;
        sumSq[j] += d * d;
      }
      n++;
    },
    (t, reason, detail) => {
      read++;
      excludedRows++;
      if (open && open.reason === reason && open.detail === detail && t <= open.to) open.to = t + input.periodMs;
      else {
        close();
        open = { from: t, to: t + input.periodMs, reason, detail };
      }
    },
    report('reading', 0),
  );
  close();
  if (n < 2)
    throw new Error(`${n} usable rows to learn on (${excludedRows} of ${read} left out): choose a longer period of normal operation`);
  const mean = Array.from(sum, (s, j) => (shift[j] as number) + s / n);
  const std = Array.from(sumSq, (q, j) => {
    const m = (sum[j] as number) / n;
    // A tag that never moved gets unit scale: any later movement then counts in its own units.
    return Math.sqrt(Math.max(0, (q - n * m * m) / (n - 1))) || 1;
  });

  // Windows: the standardised rows of a run, averaged over `w` in a ring.
  const ring = new Float64Array(w * cols);
  const acc = new Float64Array(cols);
  const m = new Float64Array(cols);
  let inRun = 0;
  /** Adds the row to the run; true when `m` holds a complete window's mean. */
  const windowOf = (row: Float64Array, run: boolean): boolean => {
    if (run) {
      inRun = 0;
      acc.fill(0);
    }
    const slot = (inRun % w) * cols;
    for (let j = 0; j < cols; j++) {
      const z = ((row[j] as number) - (mean[j] as number)) / (std[j] as number);
      if (inRun >= w) acc[j] -= ring[slot + j] as number;
      ring[slot + j] = z;
      acc[j] += z;
    }
    inRun++;
    if (inRun < w) return false;
    for (let j = 0; j < cols; j++) m[j] = (acc[j] as number) / w;
    return true;
  };

  // Pass 2: covariance of the training windows' means (sums of products, centred at the end).
  const s1 = new Float64Array(cols);
  const s2 = new Float64Array(cols * cols);
  let windows = 0;
  let heldWindows = 0;
  let calibWindows = 0;
  yield* pass(
    input,
    (row, role, run) => {
      if (!windowOf(row, run)) return;
      if (role === 'held') {
        heldWindows++;
        return;
      }
      if (role === 'calib') {
        calibWindows++;
        return;
      }
      windows++;
      for (let j = 0; j < cols; j++) {
        const mj = m[j] as number;
        s1[j] += mj;
        for (let k = j; k < cols; k++) s2[j * cols + k] += mj * (m[k] as number);
      }
    },
    null,
    report('covariance', 1 / 3),
  );
  if (windows < 2 * cols + 1)
    throw new Error(
      `${n} usable rows give ${windows} windows of ${w} samples, too few: need at least ${2 * cols + 1} for ${cols} tags (runs shorter than a window are not used)`,
    );
  const mu2 = Array.from(s1, (v) => v / windows);
  const covRows = Array.from({ length: cols }, () => new Array<number>(cols).fill(0));
  for (let j = 0; j < cols; j++)
    for (let k = j; k < cols; k++) {
      const v = ((s2[j * cols + k] as number) - windows * (mu2[j] as number) * (mu2[k] as number)) / (windows - 1);
      (covRows[j] as number[])[k] = v;
      (covRows[k] as number[])[j] = v;
    }
  if (calibWindows === 0)
    throw new Error(
      `no held-back window to calibrate the model alarm's threshold on (the first half of the last fifth of each stretch holds fewer than ${w} usable rows in a run): choose a longer period of normal operation`,
    );
  const { loadings: P, lambda, totalVar } = pcaComponents(covRows, opts.varianceFraction);
  const k = P.length;
  yield;

  // Pass 3: T², Q and (held back) each tag's share, per window. The held-back windows are kept in
  // time order (their count is known from pass 2 and bounded by the plan's rows): the k-of-n rule
  // needs them in order once the threshold is known.
  const trainT2 = new Reservoir();
  const trainQ = new Reservoir();
  const calibT2 = new Float64Array(calibWindows);
  const calibQ = new Float64Array(calibWindows);
  const heldT2 = new Float64Array(heldWindows);
  const heldQ = new Float64Array(heldWindows);
  /** 1 where a held-back window starts a run (the rule starts from nothing, as after a start). */
  const heldRun = new Uint8Array(heldWindows);
  let ci = 0;
  let hi = 0;
  let heldRunOpen = false;
  const heldContribT2 = new Float64Array(cols);
  const heldContribQ = new Float64Array(cols);
  const u = new Float64Array(cols);
  const t = new Float64Array(k);
  yield* pass(
    input,
    (row, role, run) => {
      if (run) heldRunOpen = false;
      if (!windowOf(row, run)) return;
      for (let j = 0; j < cols; j++) u[j] = (m[j] as number) - (mu2[j] as number);
      let t2 = 0;
      for (let a = 0; a < k; a++) {
        const p = P[a] as number[];
        let ta = 0;
        for (let j = 0; j < cols; j++) ta += (p[j] as number) * (u[j] as number);
        t[a] = ta;
        t2 += (ta * ta) / (lambda[a] as number);
      }
      let q = 0;
      for (let j = 0; j < cols; j++) {
        let rec = 0;
        let back = 0;
        for (let a = 0; a < k; a++) {
          const pj = (P[a] as number[])[j] as number;
          rec += (t[a] as number) * pj;
          back += ((t[a] as number) / (lambda[a] as number)) * pj;
        }
        const r = (u[j] as number) - rec;
        q += r * r;
        if (role === 'held') {
          heldContribT2[j] += (u[j] as number) * back;
          heldContribQ[j] += r * r;
        }
      }
      if (role === 'train') {
        trainT2.add(t2);
        trainQ.add(q);
      } else if (role === 'calib') {
        calibT2[ci] = t2;
        calibQ[ci++] = q;
      } else {
        heldRun[hi] = heldRunOpen ? 0 : 1;
        heldRunOpen = true;
        heldT2[hi] = t2;
        heldQ[hi++] = q;
      }
    },
    null,
    report('scoring', 2 / 3),
  );
  const limit = Math.max(quantileOf(trainT2.sorted(), opts.quantile), 1e-9);
  // Q's limit is floored: with all variance kept the residual is rounding noise.
  const qLimit = Math.max(quantileOf(trainQ.sorted(), opts.quantile), 1e-6 * Math.max(totalVar, 1e-12));
  const useQ = opts.statistic === 't2q';
  // The graph's score of each window (÷ `by`), written over its T² array: no further copy is held.
  const graphScores = (t2s: Float64Array, qs: Float64Array, count: number, by = 1): Float64Array => {
    const out = t2s.subarray(0, count);
    for (let i = 0; i < count; i++) {
      const s = (t2s[i] as number) / limit;
      out[i] = (useQ ? Math.max(s, (qs[i] as number) / qLimit) : s) / by;
    }
    return out;
  };
  // The threshold: calibrated on the calibration windows' graph scores (the copy calibrate.ts sorts).
  const calibScores = graphScores(calibT2, calibQ, calibWindows);
  const calibrated = calibrateThreshold(calibScores, LEARNED_ALARM.quantile, LEARNED_ALARM.margin);
  const threshold = Math.max(opts.thresholdScale, calibrated);
  // Scores as the console shows them: the graph's score ÷ the manifest threshold (1.0 = the alarm).
  const train = graphScores(trainT2.values, trainQ.values, Math.min(trainT2.seen, SCORE_SAMPLE), threshold);
  const calib = calibScores.map((v) => v / threshold);
  const heldInOrder = graphScores(heldT2, heldQ, heldWindows, threshold);
  yield;
  // As the console publishes it: the k-th largest of the last n windows, from nothing at each run's start.
  const rule = new Persistence(LEARNED_ALARM.k, LEARNED_ALARM.n);
  let above = 0;
  let alarmed = 0;
  for (let i = 0; i < heldWindows; i++) {
    if (heldRun[i] === 1) rule.reset();
    const s = heldInOrder[i] as number;
    if (s > 1) above++;
    if (rule.push(s) > 1) alarmed++;
  }
  train.sort();
  calib.sort();
  const held = heldInOrder.sort();
  const bins = 20;
  const histogram = Array.from({ length: bins }, (_, i) => ({
    from: Math.round(i * 10) / 100,
    to: i === bins - 1 ? null : Math.round((i + 1) * 10) / 100,
    count: 0,
  }));
  for (const s of held) (histogram[Math.min(bins - 1, Math.floor(s * 10))] as { count: number }).count++;
  const contrib = Array.from(heldContribT2, (c, j) => Math.max(0, c / limit + (useQ ? (heldContribQ[j] as number) / qLimit : 0)));
  const total = contrib.reduce((a, b) => a + b, 0);
  const contributors: Contributor[] = contrib
    .map((c, j) => ({ tag: input.tags[j] as string, share: total > 0 ? c / total : 0 }))
    .sort((a, b) => b.share - a.share);
  const qs = [0.5, 0.9, 0.99, 0.999, 1];
  // Health 100 is "no more unusual than 99.9 % of the normal windows the fit did not see" (health.ts).
  const healthNormal = Math.min(0.99, Math.max(0, quantileOf(calib, LEARNED_ALARM.quantile)));
  const onnx = pcaGraph({ window: w, mu2, loadings: P, lambda, limit, qLimit, statistic: opts.statistic });
  input.progress?.('scoring', 1);
  return {
    onnx,
    mean,
    std,
    threshold,
    components: k,
    report: {
      rows: { read, train: n, heldBack: heldRows, excluded: excludedRows },
      windows: { train: windows, heldBack: heldWindows, calibration: calibWindows },
      falseAlarmRate: heldWindows > 0 ? alarmed / heldWindows : 0,
      windowsAboveRate: heldWindows > 0 ? above / heldWindows : 0,
      alarm: {
        k: LEARNED_ALARM.k,
        n: LEARNED_ALARM.n,
        quantile: LEARNED_ALARM.quantile,
        margin: LEARNED_ALARM.margin,
        threshold,
        floored: threshold > calibrated,
      },
      quantiles: qs.map((q) => ({ q, train: quantileOf(train, q), heldBack: quantileOf(held, q) })),
      histogram,
      contributors,
      excluded: spans,
      excludedMore: more,
      subsampled: input.subsampled,
      components: k,
      healthNormal,
    },
  };
}
