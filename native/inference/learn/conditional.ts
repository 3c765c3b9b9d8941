// Operating-state-conditioned normal-behaviour model: the machine's dependent signals (flow,
// pressure, power, temperatures, vibration) are predicted from its independent ones (speed, firing
// rate, the load it serves) and only the residuals are scored. A setpoint step, a start or a stop
// moves the prediction with the signals, so normal operation at any operating point scores low;
// a fault moves a signal away from what the operating state explains.
//
// The prediction is a Hammerstein model, linear in its parameters (one ridge regression per
// dependent signal): each independent signal x goes through a static piecewise-linear basis
// [x, relu(x − κ₁), …] (so a pump's flow, zero below a speed and rising above it, fits), each basis
// signal through a bank of first-order lags (a bearing temperature follows speed with a time
// constant of tens of seconds), averaged over the last `target` samples as the dependent signals
// are. Samples before the window are taken equal to its first one (the machine was steady).
//
// Score: the mean over the dependent signals of (residual / its normal standard deviation)²,
// graph output `score`; its per-tag terms are `contributions` and sum to it. The manifest's
// threshold and health calibration say where normal ends (native/inference/health.ts).
import { Matrix, solve } from 'ml-matrix';
import { GraphBuilder } from '../onnx/builder.js';

export interface ConditionalSpec {
  /** Window columns (the model's inputs), in graph order. */
  inputs: string[];
  /** Independent signals: column name and the basis knots in engineering units. */
  independent: { tag: string; knots: number[] }[];
  /** Dependent signals (scored), by column name. */
  dependent: string[];
  /** Window length in samples. */
  window: number;
  /** Samples at the window's end that the dependent signals are averaged over. */
  target: number;
  /** Time constants of the lag bank, in samples; 0 is no lag. */
  lags: number[];
  /** Ridge penalty, relative to the mean diagonal of FᵀF. */
  ridge?: number;
  /** Least residual standard deviation, as a share of each dependent signal's standard deviation (0.02). */
  residualFloor?: number;
  /**
   * Only windows whose last sample of `tag` is above `above`, and has been for `settleS` samples,
   * are fitted (the manifest's running gate: a stopped or just-started machine is not scored).
   */
  running?: { tag: string; above: number; settleS?: number };
}

export interface ConditionalFit {
  spec: ConditionalSpec;
  mean: number[];
  std: number[];
  /** Per dependent signal: the standard deviation of its residual on the training windows. */
  residualStd: number[];
  /** Raw scores of the training windows (float64). */
  trainScores: number[];
  /** Standardised residuals of the training windows, [window][dependent]. */
  trainResiduals: number[][];
  /** Weights [features][dependent] and the kernel matrix [window][lags]. */
  beta: number[][];
  kernels: number[][];
}

export const CONDITIONAL_GRAPH = { input: 'window', score: 'score', contributions: 'contributions', rul: 'rul' } as const;

/** The lag bank as weights over the window: feature = Σ_t kernel[t][g] · u_t. */
export function lagKernels(window: number, target: number, lags: number[]): number[][] {
  const k = Array.from({ length: window }, () => new Array<number>(lags.length).fill(0));
  lags.forEach((tau, g) => {
    const a = tau <= 0 ? 1 : 1 - Math.exp(-1 / tau);
    // Impulse response of y_t = y_{t−1} + a (u_t − y_{t−1}) with y_0 = u_0, averaged over the last
    // `target` steps; linear in u, so each input sample's weight is its own run.
    for (let s = 0; s < window; s++) {
      let y = s === 0 ? 1 : 0;
      let acc = 0;
      for (let t = 1; t < window; t++) {
        y += a * ((t === s ? 1 : 0) - y);
        if (t >= window - target) acc += y;
      }
      if (window - target === 0 && s === 0) acc += 1;
      (k[s] as number[])[g] = acc / target;
    }
  });
  return k;
}

function basisCount(spec: ConditionalSpec): number {
  return spec.independent.reduce((a, i) => a + 1 + i.knots.length, 0);
}

/**
 * The basis of one independent signal (normalised knots κ): x itself, then one ramp per segment,
 * clip((x − κ_k) / (κ_{k+1} − κ_k), 0, 1), the last one unbounded. Each ramp spans 0…1 whatever the
 * knots' spacing, so close knots (a pump's flow starting at one speed) stay well conditioned.
 */
function widthsOf(kn: readonly number[]): number[] {
  return kn.map((k, i) => (i + 1 < kn.length ? (kn[i + 1] as number) - k : i > 0 ? k - (kn[i - 1] as number) : 1));
}

function ramp(x: number, k: number, width: number, last: boolean): number {
  const d = (x - k) / width;
  return d <= 0 ? 0 : last ? d : Math.min(1, d);
}

/** Features of one normalised window (rows × columns, oldest first). */
function features(spec: ConditionalSpec, z: Float64Array, cols: number, kernels: number[][], knotsN: number[][], idx: number[]): number[] {
  const G = spec.lags.length;
  const f: number[] = [];
  spec.independent.forEach((_ind, i) => {
    const c = idx[i] as number;
    const kn = knotsN[i] as number[];
    const wd = widthsOf(kn);
    const acc = new Array<number>((1 + kn.length) * G).fill(0);
    for (let t = 0; t < spec.window; t++) {
      const x = z[t * cols + c] as number;
      const kt = kernels[t] as number[];
      for (let b = 0; b <= kn.length; b++) {
        const v = b === 0 ? x : ramp(x, kn[b - 1] as number, wd[b - 1] as number, b === kn.length);
        if (v === 0) continue;
        for (let g = 0; g < G; g++) acc[b * G + g] += v * (kt[g] as number);
      }
    }
    f.push(...acc);
  });
  f.push(1);
  return f;
}

/**
 * Fit on `segments` (stretches of a 1-sample grid, rows × inputs in engineering units, all valid).
 * Every window that fits inside a stretch is a training window (stride `stride`).
 */
export function fitConditional(segments: readonly (readonly number[][])[], spec: ConditionalSpec, stride = 1): ConditionalFit {
  const cols = spec.inputs.length;
  const col = (tag: string) => {
    const j = spec.inputs.indexOf(tag);
    if (j < 0) throw new Error(`${tag} is not one of the model's inputs`);
    return j;
  };
  const idx = spec.independent.map((i) => col(i.tag));
  const dep = spec.dependent.map(col);
  let total = 0;
  const mean = new Array<number>(cols).fill(0);
  const sq = new Array<number>(cols).fill(0);
  for (const seg of segments)
    for (const r of seg) {
      if (r.length !== cols || r.some((v) => !Number.isFinite(v))) throw new Error('training rows must be complete and finite');
      total++;
      for (let j = 0; j < cols; j++) {
        mean[j] += r[j] as number;
        sq[j] += (r[j] as number) ** 2;
      }
    }
  for (let j = 0; j < cols; j++) mean[j] = (mean[j] as number) / total;
  const std = sq.map((s, j) => Math.sqrt(Math.max(0, s / total - (mean[j] as number) ** 2)) || 1);
  const knotsN = spec.independent.map((ind, i) =>
    ind.knots.map((k) => (k - (mean[idx[i] as number] as number)) / (std[idx[i] as number] as number)),
  );
  const kernels = lagKernels(spec.window, spec.target, spec.lags);
  const F: number[][] = [];
  const Y: number[][] = [];
  const gate = spec.running ? col(spec.running.tag) : -1;
  for (const seg of segments) {
    const n = seg.length;
    const z = new Float64Array(n * cols);
    seg.forEach((r, t) => {
      for (let j = 0; j < cols; j++) z[t * cols + j] = ((r[j] as number) - (mean[j] as number)) / (std[j] as number);
    });
    // Samples the gate has been on for, at each row.
    const on = new Int32Array(n);
    if (gate >= 0)
      seg.forEach((r, t) => {
        on[t] = (r[gate] as number) > (spec.running?.above as number) ? (t > 0 ? (on[t - 1] as number) : 0) + 1 : 0;
      });
    for (let end = spec.window; end <= n; end += stride) {
      if (gate >= 0 && (on[end - 1] as number) <= (spec.running?.settleS ?? 0)) continue;
      const w = z.subarray((end - spec.window) * cols, end * cols);
      F.push(features(spec, w, cols, kernels, knotsN, idx));
      Y.push(
        dep.map((c) => {
          let s = 0;
          for (let t = spec.window - spec.target; t < spec.window; t++) s += w[t * cols + c] as number;
          return s / spec.target;
        }),
      );
    }
  }
  const P = (F[0] as number[] | undefined)?.length ?? 0;
  if (F.length < 2 * P) throw new Error(`${F.length} training windows are too few for ${P} features: give a longer period`);
  const Fm = new Matrix(F);
  const FtF = Fm.transpose().mmul(Fm);
  let diag = 0;
  for (let i = 0; i < P; i++) diag += FtF.get(i, i) / P;
  const lambda = (spec.ridge ?? 1e-6) * diag;
  for (let i = 0; i < P - 1; i++) FtF.set(i, i, FtF.get(i, i) + lambda);
  const B = solve(FtF, Fm.transpose().mmul(new Matrix(Y)));
  const pred = Fm.mmul(B);
  const D = dep.length;
  const resid = Y.map((y, i) => y.map((v, j) => v - pred.get(i, j)));
  const residualStd = Array.from(
    { length: D },
    (_, j) => Math.sqrt(resid.reduce((a, r) => a + (r[j] as number) ** 2, 0) / resid.length) || 1e-6,
  );
  const trainResiduals = resid.map((r) => r.map((v, j) => v / (residualStd[j] as number)));
  const trainScores = trainResiduals.map((r) => r.reduce((a, v) => a + v * v, 0) / D);
  return { spec, mean, std, residualStd, trainScores, trainResiduals, beta: B.to2DArray(), kernels };
}

/** An optional remaining-useful-life head on the standardised residuals (see models/training). */
export interface RulHead {
  /** HI = clip(Σ w·[z, √relu(z)] + bias, 0, 1); RUL = cap · (1 − HI). */
  weights: number[];
  bias: number;
  cap: number;
  /** Band half-width = band0 + band1 · RUL. */
  band0: number;
  band1: number;
}

/** The ONNX graph of a fit: input [batch, window, inputs] (normalised), outputs score, contributions (and rul). */
export function conditionalGraph(fit: ConditionalFit, rul?: RulHead): Uint8Array {
  const { spec } = fit;
  const cols = spec.inputs.length;
  const G = spec.lags.length;
  const D = spec.dependent.length;
  const g = new GraphBuilder('conditional-residual');
  const input = g.input(CONDITIONAL_GRAPH.input, ['batch', spec.window, cols]);
  const kernelFlat = fit.kernels.flat();
  const kernel = g.floats(kernelFlat, [spec.window, G]);
  const parts: string[] = [];
  spec.independent.forEach((ind) => {
    const c = spec.inputs.indexOf(ind.tag);
    const x = g.op('Gather', [input, g.int64s([c])], { axis: 2 }); // [B, L, 1]
    const kn = ind.knots.map((k) => (k - (fit.mean[c] as number)) / (fit.std[c] as number));
    let basis = x;
    if (kn.length > 0) {
      const K = kn.length;
      const d = g.op('Div', [g.op('Sub', [x, g.floats(kn, [K])]), g.floats(widthsOf(kn), [K])]);
      const lastOnly = kn.map((_, i) => (i === K - 1 ? 1 : 0));
      const ramps = g.op('Add', [
        g.op('Clip', [d, g.floats([0], []), g.floats([1], [])]),
        g.op('Mul', [g.op('Relu', [g.op('Sub', [d, g.floats([1], [1])])]), g.floats(lastOnly, [K])]),
      ]);
      basis = g.op('Concat', [x, ramps], { axis: 2 });
    }
    const bt = g.op('Transpose', [basis], { perm: [0, 2, 1] }); // [B, K+1, L]
    const filtered = g.op('MatMul', [bt, kernel]); // [B, K+1, G]
    parts.push(g.op('Reshape', [filtered, g.int64s([0, -1])])); // [B, (K+1)·G], basis-major as the fit
  });
  const feats = parts.length === 1 ? (parts[0] as string) : g.op('Concat', parts, { axis: 1 });
  const P = basisCount(spec) * G;
  const beta = fit.beta;
  const W = g.floats(beta.slice(0, P).flat(), [P, D]);
  const bias = g.floats(beta[P] as number[], [D]);
  const pred = g.op('Add', [g.op('MatMul', [feats, W]), bias]);
  const depIdx = spec.dependent.map((t) => spec.inputs.indexOf(t));
  const depCols = g.op('Gather', [input, g.int64s(depIdx)], { axis: 2 }); // [B, L, D]
  const recent = g.op('Slice', [depCols, g.int64s([spec.window - spec.target]), g.int64s([spec.window]), g.int64s([1])]);
  const target = g.op('ReduceMean', [recent], { axes: [1], keepdims: 0 }); // [B, D]
  const z = g.op('Div', [g.op('Sub', [target, pred]), g.floats(fit.residualStd, [D])]);
  const terms = g.op('Div', [g.op('Mul', [z, z]), g.floats([D], [1])]);
  g.op('ReduceSum', [terms, g.int64s([1])], { keepdims: 0 }, CONDITIONAL_GRAPH.score);
  // Per input column: the dependent signals' terms, zero for the independent ones.
  const select = new Array<number>(D * cols).fill(0);
  depIdx.forEach((c, j) => {
    select[j * cols + c] = 1;
  });
  g.op('MatMul', [terms, g.floats(select, [D, cols])], {}, CONDITIONAL_GRAPH.contributions);
  g.output(CONDITIONAL_GRAPH.score, ['batch']);
  g.output(CONDITIONAL_GRAPH.contributions, ['batch', cols]);
  if (rul) {
    const phi = g.op('Concat', [z, g.op('Sqrt', [g.op('Relu', [z])])], { axis: 1 }); // [B, 2D]
    const hiRaw = g.op('Add', [g.op('MatMul', [phi, g.floats(rul.weights, [2 * D, 1])]), g.floats([rul.bias], [1])]);
    const hi = g.op('Clip', [hiRaw, g.floats([0], []), g.floats([1], [])]);
    const est = g.op('Mul', [g.op('Sub', [g.floats([1], [1]), hi]), g.floats([rul.cap], [1])]); // [B, 1]
    const half = g.op('Add', [g.op('Mul', [est, g.floats([rul.band1], [1])]), g.floats([rul.band0], [1])]);
    const low = g.op('Relu', [g.op('Sub', [est, half])]);
    const high = g.op('Add', [est, half]);
    g.op('Concat', [est, low, high], { axis: 1 }, CONDITIONAL_GRAPH.rul);
    g.output(CONDITIONAL_GRAPH.rul, ['batch', 3]);
  }
  return g.encode({ kind: 'anomaly', method: 'conditional-residual', dependent: spec.dependent.join(',') });
}

/** The fit's standardised residuals of raw windows (engineering units), float64: training-side scoring. */
export function residualsOf(fit: ConditionalFit, rows: readonly number[][], end: number): number[] {
  const { spec } = fit;
  const cols = spec.inputs.length;
  const idx = spec.independent.map((i) => spec.inputs.indexOf(i.tag));
  const knotsN = spec.independent.map((ind, i) =>
    ind.knots.map((k) => (k - (fit.mean[idx[i] as number] as number)) / (fit.std[idx[i] as number] as number)),
  );
  const z = new Float64Array(spec.window * cols);
  for (let t = 0; t < spec.window; t++) {
    const r = rows[Math.max(0, end - spec.window + t)] as number[];
    for (let j = 0; j < cols; j++) z[t * cols + j] = ((r[j] as number) - (fit.mean[j] as number)) / (fit.std[j] as number);
  }
  const f = features(spec, z, cols, fit.kernels, knotsN, idx);
  return spec.dependent.map((tag, j) => {
    const c = spec.inputs.indexOf(tag);
    let y = 0;
    for (let t = spec.window - spec.target; t < spec.window; t++) y += z[t * cols + c] as number;
    y /= spec.target;
    let p = 0;
    f.forEach((v, k) => {
      p += v * ((fit.beta[k] as number[])[j] as number);
    });
    return (y - p) / (fit.residualStd[j] as number);
  });
}
