// Remaining-useful-life model for NASA C-MAPSS, trained in TypeScript (no Python) and written as
// ONNX. Deterministic: a seeded generator drives initialisation and shuffling, so the same data
// gives the same model bit for bit on any machine.
//
// The graph takes the console's standard window [batch, 30, 14] (z-scored sensors, oldest cycle
// first) and computes per sensor three summaries with one MatMul — window mean, mean of the last
// five cycles, least-squares slope — then a 42→32→16→3 ReLU network. Its three outputs are the
// RUL estimate (trained on squared error) and the 10 % and 90 % quantiles (pinball loss): the band.
import { GraphBuilder } from '../../native/inference/onnx/builder.js';

export const SENSORS = ['s2', 's3', 's4', 's7', 's8', 's9', 's11', 's12', 's13', 's14', 's15', 's17', 's20', 's21'];
const SENSOR_COLS = SENSORS.map((s) => 4 + Number(s.slice(1)));
export const WINDOW = 30;
export const RUL_CAP = 125;
const SUMMARIES = 3;
const HIDDEN = [32, 16];
const QUANTILES = [0.1, 0.9];

export interface Engine {
  unit: number;
  /** cycles × sensors, raw. */
  rows: number[][];
}

export function parseCmapss(text: string): Engine[] {
  const engines = new Map<number, number[][]>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/).map(Number);
    if (f.length < 26) continue;
    const unit = f[0] as number;
    const list = engines.get(unit) ?? [];
    list.push(SENSOR_COLS.map((c) => f[c] as number));
    engines.set(unit, list);
  }
  return [...engines].map(([unit, rows]) => ({ unit, rows }));
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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

/** Weights [WINDOW, 3]: mean, mean of the last five, least-squares slope per cycle. */
function summaryWeights(): number[] {
  const w: number[] = [];
  const tMean = (WINDOW - 1) / 2;
  let sxx = 0;
  for (let k = 0; k < WINDOW; k++) sxx += (k - tMean) ** 2;
  for (let k = 0; k < WINDOW; k++) w.push(1 / WINDOW, k >= WINDOW - 5 ? 1 / 5 : 0, (k - tMean) / sxx);
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
  layers: Layer[];
  mean: number[];
  std: number[];
}

export interface TrainOptions {
  epochs: number;
  seed: number;
  lr: number;
  batch: number;
  log?: (line: string) => void;
}

export const DEFAULT_TRAIN: TrainOptions = { epochs: 30, seed: 1, lr: 0.002, batch: 64 };

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
  const rand = mulberry32(opts.seed);
  const { mean, std } = sensorStats(engines);
  const xs: Float64Array[] = [];
  const ys: number[] = [];
  for (const e of engines)
    for (let end = 0; end < e.rows.length; end++) {
      xs.push(features(windowAt(e, end, mean, std)));
      ys.push(Math.min(RUL_CAP, e.rows.length - 1 - end) / RUL_CAP);
    }
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
  return { layers, mean, std };
}

/** Predictions in cycles, float64 (the ONNX graph computes the same in float32): [rul, low, high]. */
export function predictRul(net: RulNet, win: Float32Array): [number, number, number] {
  const out = forward(net.layers, features(win), []);
  return [(out[0] as number) * RUL_CAP, (out[1] as number) * RUL_CAP, (out[2] as number) * RUL_CAP];
}

export const RUL_GRAPH = { input: 'window', rul: 'rul' } as const;

export function rulToOnnx(net: RulNet): Uint8Array {
  const n = SENSORS.length;
  const g = new GraphBuilder('cmapss-rul');
  const x = g.input(RUL_GRAPH.input, ['batch', WINDOW, n]);
  const xt = g.op('Transpose', [x], { perm: [0, 2, 1] });
  const summ = g.op('MatMul', [xt, g.floats(SUMMARY_W, [WINDOW, SUMMARIES])]);
  let h = g.op('Reshape', [summ, g.int64s([-1, n * SUMMARIES])]);
  net.layers.forEach((L, li) => {
    h = g.op('Gemm', [h, g.floats(L.w, [L.outSize, L.inSize]), g.floats(L.b, [L.outSize])], { transB: 1 });
    if (li < net.layers.length - 1) h = g.op('Relu', [h]);
  });
  g.op('Mul', [h, g.floats([RUL_CAP], [1])], {}, RUL_GRAPH.rul);
  g.output(RUL_GRAPH.rul, ['batch', 3]);
  return g.encode({ kind: 'rul', data: 'NASA C-MAPSS', unit: 'cycles' });
}
