// Remaining-useful-life model for NASA C-MAPSS, trained in TypeScript (no Python) and written as
// ONNX. Deterministic: a seeded generator drives initialisation and shuffling, so the same data
// gives the same model bit for bit on any machine.
//
// The graph takes a window [batch, 50, 14] (z-scored sensors, oldest cycle first) and computes
// per sensor twelve summaries with one MatMul — the mean of each five-cycle block (the window's
// course) and the least-squares slope over the window and over its last ten cycles — then a
// 168→32→16→3 ReLU network (or several trained alike from different seeds, whose outputs the
// graph averages: TrainOptions.members; the shipped model has five). The
// three outputs are the RUL estimate (trained on squared error) and the 10 % and 90 % quantiles
// (pinball loss): the band. Multi-condition data (FD002/FD004) is z-scored per operating
// condition before it reaches the window (normaliseByCondition).
import { GraphBuilder } from '../../native/inference/onnx/builder.js';
import { mulberry32 } from '../../native/util/random.js';

export { mulberry32 } from '../../native/util/random.js';

export const SENSORS = ['s2', 's3', 's4', 's7', 's8', 's9', 's11', 's12', 's13', 's14', 's15', 's17', 's20', 's21'];
const SENSOR_COLS = SENSORS.map((s) => 4 + Number(s.slice(1)));
export const WINDOW = 50;
export const RUL_CAP = 125;
const HIDDEN = [32, 16];
const QUANTILES = [0.1, 0.9];

export interface Engine {
  unit: number;
  /** cycles × sensors, raw. */
  rows: number[][];
  /** The operating condition of each cycle (see conditionOf); absent on hand-made engines. */
  conditions?: string[];
}

/**
 * The operating condition a cycle ran at, from its three settings (altitude, Mach, throttle
 * resolver angle). FD002 and FD004 fly six conditions whose settings scatter by a few thousandths
 * around their nominal values; rounding to the published grid names them exactly. FD001 and FD003
 * have one.
 */
export function conditionOf(s1: number, s2: number, s3: number): string {
  // + 0 turns −0 (a setting a hair below zero) into 0, so one condition gets one name.
  return `${Math.round(s1) + 0}/${(Math.round(s2 * 100) / 100 + 0).toFixed(2)}/${Math.round(s3) + 0}`;
}

export function parseCmapss(text: string): Engine[] {
  const engines = new Map<number, Engine>();
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const f = line.trim().split(/\s+/).map(Number);
    if (f.length !== 26 || f.some((v) => !Number.isFinite(v)))
      throw new Error(`line ${i + 1}: expected 26 numbers separated by spaces (unit, cycle, 3 settings, 21 sensors), found ${f.length}`);
    const unit = f[0] as number;
    const e = engines.get(unit) ?? { unit, rows: [], conditions: [] };
    e.rows.push(SENSOR_COLS.map((c) => f[c] as number));
    e.conditions?.push(conditionOf(f[2] as number, f[3] as number, f[4] as number));
    engines.set(unit, e);
  });
  return [...engines.values()];
}

/** Per-condition sensor mean and standard deviation. */
export type ConditionStats = Record<string, { mean: number[]; std: number[] }>;

/** Mean and standard deviation of every sensor within each operating condition of `engines`. */
export function conditionStats(engines: Engine[]): ConditionStats {
  const groups = new Map<string, Engine>();
  for (const e of engines)
    e.rows.forEach((r, i) => {
      const c = e.conditions?.[i] ?? '';
      const g = groups.get(c) ?? { unit: 0, rows: [] };
      g.rows.push(r);
      groups.set(c, g);
    });
  return Object.fromEntries([...groups].map(([c, g]) => [c, sensorStats([g])]));
}

/**
 * Engines with every cycle z-scored by the statistics of its own operating condition, so that the
 * six conditions of FD002/FD004 fall on one scale and what remains is wear. A condition the
 * statistics lack is refused by name.
 */
export function normaliseByCondition(engines: Engine[], stats: ConditionStats): Engine[] {
  return engines.map((e) => ({
    unit: e.unit,
    rows: e.rows.map((r, i) => {
      const c = e.conditions?.[i] ?? '';
      const s = stats[c];
      if (!s) throw new Error(`engine ${e.unit}, cycle ${i + 1}: operating condition ${c} is not in the training data`);
      return r.map((v, j) => (v - (s.mean[j] as number)) / (s.std[j] as number));
    }),
  }));
}

export function sensorStats(engines: Engine[]): { mean: number[]; std: number[] } {
  const n = SENSORS.length;
  const mean = new Array<number>(n).fill(0);
  const sq = new Array<number>(n).fill(0);
  let count = 0;
  for (const e of engines)
    for (const r of e.rows) {
      count++;
      for (let j = 0; j < n; j++) {
        mean[j] += r[j] as number;
        sq[j] += (r[j] as number) ** 2;
      }
    }
  const m = mean.map((v) => v / count);
  return { mean: m, std: sq.map((v, j) => Math.sqrt(Math.max(v / count - (m[j] as number) ** 2, 0)) || 1) };
}

/** The window ending at cycle index `end` (inclusive), z-scored; cycles before the first repeat it. */
export function windowAt(e: Engine, end: number, mean: number[], std: number[]): Float32Array {
  const n = SENSORS.length;
  const out = new Float32Array(WINDOW * n);
  for (let k = 0; k < WINDOW; k++) {
    const r = e.rows[Math.max(0, end - WINDOW + 1 + k)] as number[];
    for (let j = 0; j < n; j++) out[k * n + j] = ((r[j] as number) - (mean[j] as number)) / (std[j] as number);
  }
  return out;
}

/** What the graph summarises each sensor's window into, for the manifest. */
export const FEATURES_DESCRIPTION =
  'per sensor: mean of each 5-cycle block of the window, least-squares slope over the window and over its last 10 cycles';
/** Cycles per block of the window whose mean is one summary. */
const BLOCK = 5;
const SUMMARIES = WINDOW / BLOCK + 2;

/**
 * Weights [WINDOW, SUMMARIES]: per cycle of the window, the mean of each block of five cycles
 * (the window's course, oldest first), then the least-squares slope over the window and over its
 * last ten cycles (wear accelerates towards the end of life, so the recent slope says more).
 */
function summaryWeights(): number[] {
  const slope = (k: number, span: number) => {
    if (k < WINDOW - span) return 0;
    const t = k - (WINDOW - span);
    const tMean = (span - 1) / 2;
    let sxx = 0;
    for (let i = 0; i < span; i++) sxx += (i - tMean) ** 2;
    return (t - tMean) / sxx;
  };
  const w: number[] = [];
  for (let k = 0; k < WINDOW; k++) {
    const row = Array.from({ length: WINDOW / BLOCK }, (_, b) => (Math.floor(k / BLOCK) === b ? 1 / BLOCK : 0));
    row.push(slope(k, WINDOW), slope(k, 10));
    w.push(...row);
  }
  return w;
}
const SUMMARY_W = summaryWeights();

/** The features the graph computes, in float64: [sensor][summary] flattened, sensor-major. */
export function features(win: Float32Array): Float64Array {
  const n = SENSORS.length;
  const f = new Float64Array(n * SUMMARIES);
  for (let j = 0; j < n; j++)
    for (let s = 0; s < SUMMARIES; s++) {
      let acc = 0;
      for (let k = 0; k < WINDOW; k++) acc += (win[k * n + j] as number) * (SUMMARY_W[k * SUMMARIES + s] as number);
      f[j * SUMMARIES + s] = acc;
    }
  return f;
}

interface Layer {
  w: Float64Array; // out × in
  b: Float64Array;
  inSize: number;
  outSize: number;
}

export interface RulNet {
  /** Networks trained alike from different seeds; the model's output is their mean. */
  members: Layer[][];
  mean: number[];
  std: number[];
}

export interface TrainOptions {
  epochs: number;
  seed: number;
  /** Networks in the ensemble, member m seeded with seed + m. */
  members: number;
  lr: number;
  batch: number;
  log?: (line: string) => void;
}

/**
 * The shipped settings. Five members: by 5-fold CV on train_FD001 (10 cuts per engine, 1,000
 * points) RMSE 11.78 with one network, 11.09 with three, 10.97 with five (docs/models.md).
 */
export const DEFAULT_TRAIN: TrainOptions = { epochs: 30, seed: 1, members: 5, lr: 0.002, batch: 64 };

function forward(layers: Layer[], x: Float64Array, acts: Float64Array[]): Float64Array {
  acts[0] = x;
  let h = x;
  layers.forEach((L, li) => {
    const o = new Float64Array(L.outSize);
    for (let i = 0; i < L.outSize; i++) {
      let s = L.b[i] as number;
      for (let j = 0; j < L.inSize; j++) s += (L.w[i * L.inSize + j] as number) * (h[j] as number);
      o[i] = li < layers.length - 1 ? Math.max(0, s) : s;
    }
    acts[li + 1] = o;
    h = o;
  });
  return h;
}

export function trainRul(engines: Engine[], opts: TrainOptions = DEFAULT_TRAIN): RulNet {
  const { mean, std } = sensorStats(engines);
  const xs: Float64Array[] = [];
  const ys: number[] = [];
  for (const e of engines)
    for (let end = 0; end < e.rows.length; end++) {
      xs.push(features(windowAt(e, end, mean, std)));
      ys.push(Math.min(RUL_CAP, e.rows.length - 1 - end) / RUL_CAP);
    }
  const members: Layer[][] = [];
  for (let k = 0; k < opts.members; k++) {
    const log = opts.log;
    members.push(
      trainMember(xs, ys, { ...opts, seed: opts.seed + k, log: log && ((line) => log(`member ${k + 1}/${opts.members}, ${line}`)) }),
    );
  }
  return { members, mean, std };
}

function trainMember(xs: Float64Array[], ys: number[], opts: TrainOptions): Layer[] {
  const rand = mulberry32(opts.seed);
  const sizes = [SENSORS.length * SUMMARIES, ...HIDDEN, 1 + QUANTILES.length];
  const layers: Layer[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const inSize = sizes[l] as number;
    const outSize = sizes[l + 1] as number;
    const scale = Math.sqrt(2 / inSize);
    layers.push({
      inSize,
      outSize,
      w: Float64Array.from({ length: inSize * outSize }, () => (rand() * 2 - 1) * scale * Math.sqrt(3) * 0.5),
      b: new Float64Array(outSize),
    });
  }
  // Adam state.
  const m = layers.map((L) => ({ w: new Float64Array(L.w.length), b: new Float64Array(L.b.length) }));
  const v = layers.map((L) => ({ w: new Float64Array(L.w.length), b: new Float64Array(L.b.length) }));
  const grads = layers.map((L) => ({ w: new Float64Array(L.w.length), b: new Float64Array(L.b.length) }));
  const order = xs.map((_, i) => i);
  const acts: Float64Array[] = [];
  let step = 0;
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    const lr = opts.lr * (epoch < opts.epochs * 0.7 ? 1 : 0.2);
    let loss = 0;
    for (let start = 0; start < order.length; start += opts.batch) {
      const batch = order.slice(start, start + opts.batch);
      for (const g of grads) {
        g.w.fill(0);
        g.b.fill(0);
      }
      for (const idx of batch) {
        const out = forward(layers, xs[idx] as Float64Array, acts);
        const y = ys[idx] as number;
        let delta = new Float64Array(out.length);
        const e0 = (out[0] as number) - y;
        loss += e0 * e0;
        delta[0] = 2 * e0;
        QUANTILES.forEach((q, qi) => {
          const e = y - (out[qi + 1] as number);
          delta[qi + 1] = e > 0 ? -q : 1 - q;
        });
        for (let li = layers.length - 1; li >= 0; li--) {
          const L = layers[li] as Layer;
          const a = acts[li] as Float64Array;
          const g = grads[li] as { w: Float64Array; b: Float64Array };
          const prev = new Float64Array(L.inSize);
          for (let o = 0; o < L.outSize; o++) {
            const d = delta[o] as number;
            if (d === 0) continue;
            g.b[o] += d;
            const row = o * L.inSize;
            for (let j = 0; j < L.inSize; j++) {
              g.w[row + j] += d * (a[j] as number);
              prev[j] += d * (L.w[row + j] as number);
            }
          }
          if (li > 0) for (let j = 0; j < L.inSize; j++) if ((a[j] as number) <= 0) prev[j] = 0;
          delta = prev;
        }
      }
      step++;
      const b1 = 0.9;
      const b2 = 0.999;
      const c1 = 1 - b1 ** step;
      const c2 = 1 - b2 ** step;
      layers.forEach((L, li) => {
        for (const key of ['w', 'b'] as const) {
          const p = L[key];
          const g = (grads[li] as { w: Float64Array; b: Float64Array })[key];
          const mm = (m[li] as { w: Float64Array; b: Float64Array })[key];
          const vv = (v[li] as { w: Float64Array; b: Float64Array })[key];
          for (let i = 0; i < p.length; i++) {
            const gi = (g[i] as number) / batch.length;
            mm[i] = b1 * (mm[i] as number) + (1 - b1) * gi;
            vv[i] = b2 * (vv[i] as number) + (1 - b2) * gi * gi;
            p[i] = (p[i] as number) - (lr * ((mm[i] as number) / c1)) / (Math.sqrt((vv[i] as number) / c2) + 1e-8);
          }
        }
      });
    }
    opts.log?.(`epoch ${epoch + 1}/${opts.epochs}: train RMSE ${(Math.sqrt(loss / order.length) * RUL_CAP).toFixed(2)} cycles`);
  }
  return layers;
}

/** Predictions in cycles, float64 (the ONNX graph computes the same in float32): [rul, low, high]. */
export function predictRul(net: RulNet, win: Float32Array): [number, number, number] {
  const f = features(win);
  const sum = [0, 0, 0];
  for (const layers of net.members) {
    const out = forward(layers, f, []);
    for (let k = 0; k < 3; k++) sum[k] += ((out[k] as number) * RUL_CAP) / net.members.length;
  }
  return sum as [number, number, number];
}

export const RUL_GRAPH = { input: 'window', rul: 'rul' } as const;

export function rulToOnnx(net: RulNet): Uint8Array {
  const n = SENSORS.length;
  const g = new GraphBuilder('cmapss-rul');
  const x = g.input(RUL_GRAPH.input, ['batch', WINDOW, n]);
  const xt = g.op('Transpose', [x], { perm: [0, 2, 1] });
  const summ = g.op('MatMul', [xt, g.floats(SUMMARY_W, [WINDOW, SUMMARIES])]);
  const feats = g.op('Reshape', [summ, g.int64s([-1, n * SUMMARIES])]);
  let sum: string | undefined;
  for (const layers of net.members) {
    let h = feats;
    layers.forEach((L, li) => {
      h = g.op('Gemm', [h, g.floats(L.w, [L.outSize, L.inSize]), g.floats(L.b, [L.outSize])], { transB: 1 });
      if (li < layers.length - 1) h = g.op('Relu', [h]);
    });
    sum = sum === undefined ? h : g.op('Add', [sum, h]);
  }
  if (sum === undefined) throw new Error('a RUL model needs at least one network');
  g.op('Mul', [sum, g.floats([RUL_CAP / net.members.length], [1])], {}, RUL_GRAPH.rul);
  g.output(RUL_GRAPH.rul, ['batch', 3]);
  return g.encode({ kind: 'rul', data: 'NASA C-MAPSS', unit: 'cycles' });
}
