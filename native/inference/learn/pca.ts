// "Learn normal behaviour": fit a PCA / Hotelling T² anomaly model on a period of normal operation
// and write it as an ONNX graph. Runs in the console (TypeScript + ml-matrix), no Python.
//
// The model sees a window of W samples per tag. It averages the window (a causal moving average:
// single samples of pumps are noisy, a fault is a sustained shift), centres the means on those of
// the training windows, projects onto the principal components that explain
// `varianceFraction` of the variance and computes T² = Σ t²/λ, divided by the training T²'s
// `quantile` so that 1.0 is the edge of normal. Each tag's contribution u_j·(P Λ⁻¹ Pᵀ u)_j sums
// exactly to the score, so "which tags" and "how abnormal" come from the same arithmetic.
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { runToEnd } from '../../util/sliced.js';
import { GraphBuilder } from '../onnx/builder.js';

export interface PcaFitOptions {
  /** Window length in samples (the moving average). */
  window: number;
  /** Share of the variance the kept components explain. */
  varianceFraction: number;
  /** Quantile of the training scores that maps to 1.0. */
  quantile: number;
  /** Threshold on the score, in units of that quantile (margin for what the period did not show). */
  thresholdScale: number;
  /**
   * 't2': the score is T² alone. 't2q': the larger of T² and Q (SPE, the squared residual off the
   * kept components, also scaled to its training quantile), so a shift in a direction the normal
   * period never moved in (a tag that only showed noise) is caught too.
   */
  statistic: 't2' | 't2q';
  /** Called with 0…1 while fitting (the console shows a progress bar). */
  onProgress?: (fraction: number) => void;
}

export const DEFAULT_PCA_OPTIONS: PcaFitOptions = {
  window: 30,
  varianceFraction: 0.9,
  quantile: 0.99,
  thresholdScale: 1.5,
  statistic: 't2',
};

export interface PcaModel {
  onnx: Uint8Array;
  /** Per-tag normalisation applied before the graph (the manifest's). */
  mean: number[];
  std: number[];
  threshold: number;
  components: number;
  /** Scores of the training windows, as the graph computes them (float64 here). */
  trainScores: number[];
}

export const PCA_GRAPH = { input: 'window', score: 'score', contributions: 'contributions' } as const;

function quantile(values: number[], q: number): number {
  // A typed array sorts numerically, several times faster than a comparator on a day of scores.
  const s = Float64Array.from(values).sort();
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1)))] as number;
}

/** Rows of work between two yields of fitPcaSteps: a few milliseconds of arithmetic each. */
const ROWS_PER_STEP = 8_192;

/** Fit on `rows` (samples × tags, raw engineering values on a regular grid, all Good), in one go. */
export function fitPca(rows: number[][], opts: PcaFitOptions = DEFAULT_PCA_OPTIONS): PcaModel {
  return runToEnd(fitPcaSteps([rows], opts));
}

/**
 * The fit as steps: `segments` are stretches of a regular grid (windows never span two of them),
 * and the generator yields after every ROWS_PER_STEP rows of work, so runSliced keeps the event
 * loop free while a day of samples is fitted. Memory is the input plus its window means.
 */
export function* fitPcaSteps(
  segments: readonly (readonly number[][])[],
  opts: PcaFitOptions = DEFAULT_PCA_OPTIONS,
): Generator<void, PcaModel> {
  const cols = segments.find((s) => s.length > 0)?.[0]?.length ?? 0;
  const w = opts.window;
  if (cols === 0) throw new Error('no input tags');
  let total = 0;
  let windows = 0;
  for (const seg of segments) {
    total += seg.length;
    windows += Math.max(0, seg.length - w + 1);
  }
  if (windows < 2 * cols + 1)
    throw new Error(
      segments.length === 1
        ? `${total} samples are too few: need at least ${w + 2 * cols} for ${cols} tags and a window of ${w}`
        : `${total} samples in ${segments.length} stretches give ${windows} windows, too few: need at least ${2 * cols + 1} for ${cols} tags and a window of ${w}`,
    );
  let work = 0;
  /** True when enough rows were processed since the last yield. */
  const due = (rows: number) => {
    work += rows;
    if (work < ROWS_PER_STEP) return false;
    work = 0;
    return true;
  };
  for (const seg of segments)
    for (const r of seg) {
      if (r.length !== cols || r.some((v) => !Number.isFinite(v))) throw new Error('training rows must be complete and finite');
      if (due(1)) yield;
    }
  const progress = opts.onProgress ?? (() => {});
  progress(0);

  // Per-tag mean and sample standard deviation over every row of every stretch (two passes).
  const mean = new Array<number>(cols).fill(0);
  const std = new Array<number>(cols).fill(0);
  for (const seg of segments)
    for (const r of seg) {
      for (let j = 0; j < cols; j++) mean[j] += (r[j] as number) / total;
      if (due(1)) yield;
    }
  for (const seg of segments)
    for (const r of seg) {
      for (let j = 0; j < cols; j++) std[j] += ((r[j] as number) - (mean[j] as number)) ** 2 / Math.max(1, total - 1);
      if (due(1)) yield;
    }
  // A tag that never moved gets unit scale: any later movement then counts in its own units.
  for (let j = 0; j < cols; j++) std[j] = Math.sqrt(std[j] as number) || 1;

  // Moving averages of the standardised rows over `w` samples, one per complete window of a
  // stretch, computed row by row so a day-long stretch can yield part way; the last `w` rows are kept.
  const m: number[][] = [];
  for (const seg of segments) {
    const acc = new Array<number>(cols).fill(0);
    const ring: number[][] = new Array(w);
    for (let i = 0; i < seg.length; i++) {
      const z = (seg[i] as number[]).map((v, j) => (v - (mean[j] as number)) / (std[j] as number));
      for (let j = 0; j < cols; j++) acc[j] += z[j] as number;
      if (i >= w) {
        const old = ring[i % w] as number[];
        for (let j = 0; j < cols; j++) acc[j] -= old[j] as number;
      }
      ring[i % w] = z;
      if (i >= w - 1) m.push(acc.map((v) => v / w));
      if (due(1)) yield;
    }
  }
  // Centred but not rescaled: averaging shrinks a noisy tag's spread, and rescaling it back would
  // give its residual noise the same weight as a genuinely steady signal's shift.
  const mu2 = new Array<number>(cols).fill(0);
  for (const r of m) {
    for (let j = 0; j < cols; j++) mu2[j] += (r[j] as number) / m.length;
    if (due(1)) yield;
  }
  for (const r of m) {
    for (let j = 0; j < cols; j++) r[j] = (r[j] as number) - (mu2[j] as number);
    if (due(1)) yield;
  }
  const u = m;
  progress(0.3);
  yield;

  const covRows: number[][] = Array.from({ length: cols }, () => new Array<number>(cols).fill(0));
  for (let i = 0; i < u.length; i++) {
    const r = u[i] as number[];
    for (let j = 0; j < cols; j++) {
      const rj = r[j] as number;
      const c = covRows[j] as number[];
      for (let k = j; k < cols; k++) c[k] += rj * (r[k] as number);
    }
    if (due(1)) yield;
  }
  for (let j = 0; j < cols; j++)
    for (let k = j; k < cols; k++) {
      const v = ((covRows[j] as number[])[k] as number) / Math.max(1, u.length - 1);
      (covRows[j] as number[])[k] = v;
      (covRows[k] as number[])[j] = v;
    }
  const { loadings: P, lambda, totalVar } = pcaComponents(covRows, opts.varianceFraction);
  const k = P.length;
  progress(0.6);
  yield;

  const t2: number[] = [];
  const spe: number[] = [];
  const rec = new Array<number>(cols);
  for (const row of u) {
    let s = 0;
    rec.fill(0);
    for (let a = 0; a < k; a++) {
      let t = 0;
      const p = P[a] as number[];
      for (let j = 0; j < cols; j++) t += (p[j] as number) * (row[j] as number);
      s += (t * t) / (lambda[a] as number);
      for (let j = 0; j < cols; j++) rec[j] += t * (p[j] as number);
    }
    t2.push(s);
    let q = 0;
    for (let j = 0; j < cols; j++) q += ((row[j] as number) - (rec[j] as number)) ** 2;
    spe.push(q);
    if (due(1)) yield;
  }
  const limit = Math.max(quantile(t2, opts.quantile), 1e-9);
  yield;
  // Q's limit is floored: with all variance kept the residual is rounding noise.
  const qLimit = Math.max(quantile(spe, opts.quantile), 1e-6 * Math.max(totalVar, 1e-12));
  yield;
  const useQ = opts.statistic === 't2q';
  const trainScores = t2.map((v, i) => (useQ ? Math.max(v / limit, (spe[i] as number) / qLimit) : v / limit));
  yield;

  const onnx = pcaGraph({ window: w, mu2, loadings: P, lambda, limit, qLimit, statistic: opts.statistic });
  progress(1);
  return { onnx, mean, std, threshold: opts.thresholdScale, components: k, trainScores };
}

/** What the ONNX graph of a PCA model needs: the fit's window, centre, kept components and limits. */
export interface PcaGraphParts {
  window: number;
  /** Mean of the training windows' standardised means (the centre). */
  mu2: readonly number[];
  /** Kept components: k loadings of `cols` each. */
  loadings: readonly (readonly number[])[];
  lambda: readonly number[];
  /** T²'s training quantile (1.0 of the score). */
  limit: number;
  /** Q's training quantile (used by 't2q'). */
  qLimit: number;
  statistic: 't2' | 't2q';
}

/** The model's graph: window → mean → centred → T² (and Q) scaled to the limits, with per-tag contributions. */
export function pcaGraph(parts: PcaGraphParts): Uint8Array {
  const { window: w, mu2, loadings: P, lambda, limit, qLimit } = parts;
  const cols = mu2.length;
  const k = P.length;
  const useQ = parts.statistic === 't2q';
  const g = new GraphBuilder('pca-t2');
  const input = g.input(PCA_GRAPH.input, ['batch', w, cols]);
  const avg = g.op('ReduceMean', [input], { axes: [1], keepdims: 0 });
  const scaled = g.op('Sub', [avg, g.floats([...mu2], [cols])]);
  const pFlat: number[] = [];
  for (let j = 0; j < cols; j++) for (let a = 0; a < k; a++) pFlat.push((P[a] as number[])[j] as number);
  const pT: number[] = [];
  for (let a = 0; a < k; a++) for (let j = 0; j < cols; j++) pT.push((P[a] as number[])[j] as number);
  const pT2 = g.floats(pT, [k, cols]);
  const t = g.op('MatMul', [scaled, g.floats(pFlat, [cols, k])]);
  const tw = g.op('Div', [
    t,
    g.floats(
      lambda.map((l) => l * limit),
      [k],
    ),
  ]);
  const back = g.op('MatMul', [tw, pT2]);
  const axis1 = g.int64s([1]);
  if (useQ) {
    const tContrib = g.op('Mul', [scaled, back]);
    const resid = g.op('Sub', [scaled, g.op('MatMul', [t, pT2])]);
    const qContrib = g.op('Div', [g.op('Mul', [resid, resid]), g.floats([qLimit], [1])]);
    const tScore = g.op('ReduceSum', [tContrib, axis1], { keepdims: 0 });
    const qScore = g.op('ReduceSum', [qContrib, axis1], { keepdims: 0 });
    g.op('Max', [tScore, qScore], {}, PCA_GRAPH.score);
    // Shares of T² + Q per tag: which tags moved, in or off the normal pattern.
    g.op('Add', [tContrib, qContrib], {}, PCA_GRAPH.contributions);
  } else {
    g.op('Mul', [scaled, back], {}, PCA_GRAPH.contributions);
    g.op('ReduceSum', [PCA_GRAPH.contributions, axis1], { keepdims: 0 }, PCA_GRAPH.score);
  }
  g.output(PCA_GRAPH.score, ['batch']);
  g.output(PCA_GRAPH.contributions, ['batch', cols]);
  return g.encode({ kind: 'anomaly', method: useQ ? 'pca-t2-spe' : 'pca-hotelling-t2', components: String(k) });
}

/**
 * The principal components of a covariance (cols × cols): the fewest that explain
 * `varianceFraction` of the variance, largest first; eigenvalues floored so that a degenerate
 * direction cannot blow up the score.
 */
export function pcaComponents(covRows: number[][], varianceFraction: number): { loadings: number[][]; lambda: number[]; totalVar: number } {
  const cov = new Matrix(covRows);
  const evd = new EigenvalueDecomposition(cov, { assumeSymmetric: true });
  const ev = evd.realEigenvalues;
  const order = ev.map((_, i) => i).sort((a, b) => (ev[b] as number) - (ev[a] as number));
  const totalVar = ev.reduce((a, b) => a + Math.max(0, b), 0);
  const keep: number[] = [];
  let explained = 0;
  for (const i of order) {
    keep.push(i);
    explained += Math.max(0, ev[i] as number);
    if (explained >= varianceFraction * totalVar) break;
  }
  const loadings = keep.map((i) => evd.eigenvectorMatrix.getColumn(i));
  const lambda = keep.map((i) => Math.max(ev[i] as number, 1e-6 * Math.max(totalVar, 1e-12)));
  return { loadings, lambda, totalVar };
}
