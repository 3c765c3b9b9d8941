// Inference: end-to-end latency per machine window (window assembly + worker round trip +
// onnxruntime) at batch 1 and 64, machine-windows per second on one worker, and the main thread's
// event-loop lag while 1,000 machines are inferred at 1 Hz. Baselines from the same run: an empty
// worker round trip, and the same tag feed without inference. Learning: time and peak live memory
// of fitting 8 tags at 1 Hz over 1 day and 30 days (learn/stream.ts, in a child process each),
// against the same day held whole and fitted in memory (pca.ts fitPca).
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { InferenceHost } from '../native/inference/host.js';
import { openInference } from '../native/inference/index.js';
import { DEFAULT_PCA_OPTIONS, fitPca, PCA_GRAPH } from '../native/inference/learn/pca.js';
import { writeModel } from '../native/inference/registry.js';
import { FIXTURE_TAGS, normalRows, tagTable } from '../native/inference/testing.js';
import { FeatureWindow } from '../native/inference/windows.js';
import { TagBus } from '../native/tags/bus.js';
import type { Bench, BenchResult } from './types.js';

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1)))] as number;
};

async function echoRoundTrips(n: number): Promise<number[]> {
  const w = new Worker(
    "require('node:worker_threads').parentPort.on('message', (m) => require('node:worker_threads').parentPort.postMessage(m));",
    { eval: true },
  );
  const out: number[] = [];
  const data = new Float32Array(30 * 5);
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      w.once('message', () => resolve());
      w.postMessage({ data });
    });
    out.push(performance.now() - t0);
  }
  await w.terminate();
  return out;
}

const LEARN_FIXTURE = path.join(import.meta.dirname, '..', 'native', 'inference', 'learn', 'memory.fixture.ts');

/** One learning run in a child: with a full GC at every third slice for the live peak, or without for the time. */
function learnRun(hours: number, flags: string[]): { ms: number; peakBytes: number; rows: number } {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', LEARN_FIXTURE, String(hours), ...flags], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (r.status !== 0) throw new Error(`learning fixture (${hours} h ${flags.join(' ')}) failed: ${r.stderr || r.error?.message}`);
  return JSON.parse(r.stdout.trim()) as { ms: number; peakBytes: number; rows: number };
}

function learningFigures(): BenchResult[] {
  const MB = 1024 * 1024;
  const time = (hours: number, extra: string[] = []) => learnRun(hours, ['--no-gc', ...extra]);
  const mem = (hours: number, extra: string[] = []) => learnRun(hours, extra);
  const wholeTime = time(24, ['--in-memory']);
  const wholeMem = mem(24, ['--in-memory']);
  const out: BenchResult[] = [];
  for (const [label, hours] of [
    ['1 day', 24],
    ['30 days', 720],
  ] as const) {
    const t = time(hours);
    const m = mem(hours);
    out.push(
      {
        bench: 'inference',
        metric: `learning time, 8 tags at 1 Hz, ${label}`,
        value: t.ms / 1000,
        unit: 's',
        baseline: '1 day held whole and fitted in memory (pca.ts)',
        baselineValue: wholeTime.ms / 1000,
        notes: `${t.rows} rows read in 3 passes${hours > 24 ? ' (subsampled to a day)' : ''}`,
      },
      {
        bench: 'inference',
        metric: `learning peak live memory, 8 tags at 1 Hz, ${label}`,
        value: m.peakBytes / MB,
        unit: 'MiB',
        baseline: '1 day held whole and fitted in memory (pca.ts)',
        baselineValue: wholeMem.peakBytes / MB,
        notes: 'heap + array buffers after GC, above the level before the fit',
      },
    );
  }
  return out;
}

const bench: Bench = async ({ quick }) => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'aurum-bench-inference-'));
  process.env.HOME = tmp;
  const results: BenchResult[] = [];
  const W = DEFAULT_PCA_OPTIONS.window;
  const cols = FIXTURE_TAGS.length;
  const fit = fitPca(normalRows(2000), DEFAULT_PCA_OPTIONS);
  const n = quick ? 300 : 3000;
  const echo = await echoRoundTrips(n);
  const echoP50 = pct(echo, 0.5);
  const echoP99 = pct(echo, 0.99);

  const host = new InferenceHost({ maxQueue: 100_000, maxBatch: 256 });
  await host.load('pca', fit.onnx, PCA_GRAPH.input, [W, cols]);
  const win = new FeatureWindow({
    tagIds: [0, 1, 2, 3, 4],
    tagNames: FIXTURE_TAGS,
    length: W,
    periodMs: 1000,
    mean: fit.mean,
    std: fit.std,
  });
  const rows = normalRows(W);
  for (let t = 0; t < W; t++) {
    const r = rows[t] as number[];
    win.ingest({
      length: cols,
      ids: Uint32Array.from([0, 1, 2, 3, 4]),
      ts: new Float64Array(cols),
      values: Float64Array.from(r),
      quality: new Uint8Array(cols),
    });
    win.advance(t * 1000);
  }
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const w = win.read();
      if (!w.ready) throw new Error(w.reason);
      host.submit('pca', w.data, (err) => (err ? reject(err) : resolve()));
    });
  for (let i = 0; i < 50; i++) await one();
  const lat1: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await one();
    lat1.push(performance.now() - t0);
  }
  results.push(
    {
      bench: 'inference',
      metric: 'latency p50, batch 1',
      value: pct(lat1, 0.5),
      unit: 'ms',
      baseline: 'empty worker round trip p50',
      baselineValue: echoP50,
    },
    {
      bench: 'inference',
      metric: 'latency p99, batch 1',
      value: pct(lat1, 0.99),
      unit: 'ms',
      baseline: 'empty worker round trip p99',
      baselineValue: echoP99,
      target: '< 1 ms',
    },
  );
  const lat64: number[] = [];
  for (let i = 0; i < n / 10; i++) {
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 64 }, one));
    lat64.push(performance.now() - t0);
  }
  results.push(
    {
      bench: 'inference',
      metric: 'latency p50, batch 64 (whole batch)',
      value: pct(lat64, 0.5),
      unit: 'ms',
      baseline: 'empty worker round trip p50',
      baselineValue: echoP50,
    },
    {
      bench: 'inference',
      metric: 'latency p99, batch 64 (whole batch)',
      value: pct(lat64, 0.99),
      unit: 'ms',
      baseline: 'empty worker round trip p99',
      baselineValue: echoP99,
    },
  );
  const total = quick ? 20_000 : 100_000;
  const t0 = performance.now();
  const all: Promise<void>[] = [];
  for (let i = 0; i < total; i++) all.push(one());
  await Promise.all(all);
  const perS = total / ((performance.now() - t0) / 1000);
  results.push({
    bench: 'inference',
    metric: 'machine-windows per second, one worker',
    value: perS,
    unit: 'windows/s',
    baseline: 'empty worker round trips per second (sequential)',
    baselineValue: 1000 / (echo.reduce((a, b) => a + b, 0) / echo.length),
    target: '≥ 10,000',
  });
  await host.stop();

  // 1,000 machines × 5 tags at 1 Hz through the real bus, with and without inference.
  const machines = Array.from({ length: 1000 }, (_, i) => `S/A/M${i}`);
  const seconds = quick ? 4 : 12;
  const feedLag = async (withInference: boolean): Promise<{ p99: number; max: number; predictions: number }> => {
    const bus = new TagBus(tagTable(machines), 65_536);
    const modelsDir = path.join(tmp, 'models');
    writeModel(
      modelsDir,
      {
        name: 'bench-pump',
        version: 1,
        kind: 'anomaly',
        description: 'bench',
        inputs: FIXTURE_TAGS.map((tag) => ({ tag })),
        window: { length: W, periodMs: 1000 },
        normalization: { mean: fit.mean, std: fit.std },
        graph: { ...PCA_GRAPH },
        threshold: fit.threshold,
        outputs: {},
        provenance: { data: 'synthetic', rows: 2000, createdAt: new Date(0).toISOString(), code: 'bench' },
      },
      fit.onnx,
    );
    let predictions = 0;
    let clock = 0;
    const svc = withInference
      ? await openInference({
          modelsDir,
          bus,
          machines: machines.map((machine) => ({ machine, model: 'bench-pump' })),
          onPrediction: () => predictions++,
          onSystemMessage: () => {},
          now: () => clock,
          tickMs: 3_600_000,
        })
      : null;
    const data = normalRows(W + seconds);
    // Pre-fill the windows so every second from the start predicts.
    const feed = (i: number) => {
      const r = data[i] as number[];
      for (let id = 0; id < bus.tags.length; id++) bus.update(id, r[id % cols] as number, 0, clock);
      bus.flush();
      svc?.tick(clock);
      clock += 1000;
    };
    for (let i = 0; i < W; i++) feed(i);
    // Let the pre-fill's predictions drain: the measurement is the steady state.
    await new Promise((r) => setTimeout(r, 2000));
    const h = monitorEventLoopDelay({ resolution: 5 });
    h.enable();
    for (let s = 0; s < seconds; s++) {
      feed(W + s);
      await new Promise((r) => setTimeout(r, 1000));
    }
    h.disable();
    await svc?.stop();
    return { p99: h.percentile(99) / 1e6, max: h.max / 1e6, predictions };
  };
  const base = await feedLag(false);
  const withInf = await feedLag(true);
  results.push(
    {
      bench: 'inference',
      metric: 'event-loop lag p99, 1,000 machines × 1 Hz',
      value: withInf.p99,
      unit: 'ms',
      baseline: 'same bus feed without inference',
      baselineValue: base.p99,
      notes: `${withInf.predictions} predictions`,
    },
    {
      bench: 'inference',
      metric: 'event-loop lag max, 1,000 machines × 1 Hz',
      value: withInf.max,
      unit: 'ms',
      baseline: 'same bus feed without inference',
      baselineValue: base.max,
    },
  );
  results.push(...learningFigures());
  return results;
};

export default bench;
