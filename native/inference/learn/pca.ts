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
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1)))] as number;
}

function meanStd(rows: number[][], cols: number): { mean: number[]; std: number[] } {
  const mean = new Array<number>(cols).fill(0);
  const std = new Array<number>(cols).fill(0);
  for (const r of rows) for (let j = 0; j < cols; j++) mean[j] += (r[j] as number) / rows.length;
  for (const r of rows)
    for (let j = 0; j < cols; j++) std[j] += ((r[j] as number) - (mean[j] as number)) ** 2 / Math.max(1, rows.length - 1);
  // A tag that never moved gets unit scale: any later movement then counts in its own units.
  return { mean, std: std.map((v) => Math.sqrt(v) || 1) };
}

/** Moving averages of `rows` over `w` samples, one per complete window. */
export function windowMeans(rows: number[][], w: number): number[][] {
  const cols = rows[0]?.length ?? 0;
  const out: number[][] = [];
  const acc = new Array<number>(cols).fill(0);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as number[];
    for (let j = 0; j < cols; j++) acc[j] += r[j] as number;
    if (i >= w) {
      const old = rows[i - w] as number[];
      for (let j = 0; j < cols; j++) acc[j] -= old[j] as number;
    }
    if (i >= w - 1) out.push(acc.map((v) => v / w));
  }
  return out;
}

/** Fit on `rows` (samples × tags, raw engineering values on a regular grid, all Good). */
export function fitPca(rows: number[][], opts: PcaFitOptions = DEFAULT_PCA_OPTIONS): PcaModel {
  const cols = rows[0]?.length ?? 0;
  const w = opts.window;
  if (cols === 0) throw new Error('no input tags');
  if (rows.length < w + 2 * cols)
    throw new Error(`${rows.length} samples are too few: need at least ${w + 2 * cols} for ${cols} tags and a window of ${w}`);
  for (const r of rows)
    if (r.length !== cols || r.some((v) => !Number.isFinite(v))) throw new Error('training rows must be complete and finite');
  const progress = opts.onProgress ?? (() => {});
  progress(0);

  const { mean, std } = meanStd(rows, cols);
  const z = rows.map((r) => r.map((v, j) => (v - (mean[j] as number)) / (std[j] as number)));
  const m = windowMeans(z, w);
  // Centred but not rescaled: averaging shrinks a noisy tag's spread, and rescaling it back would
  // give its residual noise the same weight as a genuinely steady signal's shift.
  const { mean: mu2 } = meanStd(m, cols);
  const u = new Matrix(m.map((r) => r.map((v, j) => v - (mu2[j] as number))));
  progress(0.3);

  const cov = u
    .transpose()
    .mmul(u)
    .div(Math.max(1, u.rows - 1));
  const evd = new EigenvalueDecomposition(cov, { assumeSymmetric: true });
  const ev = evd.realEigenvalues;
  const order = ev.map((_, i) => i).sort((a, b) => (ev[b] as number) - (ev[a] as number));
  const total = ev.reduce((a, b) => a + Math.max(0, b), 0);
  const keep: number[] = [];
  let explained = 0;
  for (const i of order) {
    keep.push(i);
    explained += Math.max(0, ev[i] as number);
    if (explained >= opts.varianceFraction * total) break;
  }
  const k = keep.length;
  // P: cols × k loadings; lambda floored so a degenerate direction cannot blow up the score.
  const P = keep.map((i) => evd.eigenvectorMatrix.getColumn(i));
  const lambda = keep.map((i) => Math.max(ev[i] as number, 1e-6 * Math.max(total, 1e-12)));
  progress(0.6);

  const t2: number[] = [];
  const spe: number[] = [];
  for (const row of u.to2DArray()) {
    let s = 0;
    const rec = new Array<number>(cols).fill(0);
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
  }
  const limit = Math.max(quantile(t2, opts.quantile), 1e-9);
  // Q's limit is floored: with all variance kept the residual is rounding noise.
  const qLimit = Math.max(quantile(spe, opts.quantile), 1e-6 * Math.max(total, 1e-12));
  const useQ = opts.statistic === 't2q';
  const trainScores = t2.map((v, i) => (useQ ? Math.max(v / limit, (spe[i] as number) / qLimit) : v / limit));

  const g = new GraphBuilder('pca-t2');
  const input = g.input(PCA_GRAPH.input, ['batch', w, cols]);
  const avg = g.op('ReduceMean', [input], { axes: [1], keepdims: 0 });
  const scaled = g.op('Sub', [avg, g.floats(mu2, [cols])]);
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
  const onnx = g.encode({ kind: 'anomaly', method: useQ ? 'pca-t2-spe' : 'pca-hotelling-t2', components: String(k) });
  progress(1);
  return { onnx, mean, std, threshold: opts.thresholdScale, components: k, trainScores };
}
