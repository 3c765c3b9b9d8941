import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SystemMessage } from '../api/events.js';
import type { Prediction } from '../api/prediction-requests.js';
import { TagBus } from '../tags/bus.js';
import { InferenceHost } from './host.js';
import { openInference } from './index.js';
import { fitPca, PCA_GRAPH, type PcaFitOptions } from './learn/pca.js';
import type { ManifestInput } from './manifest.js';
import { loadModel, writeModel } from './registry.js';
import { openSession, runFloat } from './session.js';
import { FIXTURE_TAGS, normalRows, slowModel, tagTable } from './testing.js';
import { FeatureWindow } from './windows.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'aurum-inference-'));
// onnxruntime writes a device id under ~/.cache.
process.env.HOME = tmp;

const W = 10;
function fixtureManifest(fit: ReturnType<typeof fitPca>, name = 'fixture-pump', version = 1): Omit<ManifestInput, 'sha256'> {
  return {
    name,
    version,
    kind: 'anomaly',
    description: 'fixture',
    inputs: FIXTURE_TAGS.map((tag) => ({ tag })),
    window: { length: W, periodMs: 1000 },
    normalization: { mean: fit.mean, std: fit.std },
    graph: { ...PCA_GRAPH },
    threshold: fit.threshold,
    outputs: { score: 'T²' },
    provenance: { data: 'synthetic', rows: 600, createdAt: '2026-01-01T00:00:00Z', code: 'native/inference/testing.ts' },
    metrics: {},
  };
}

const fitOpts: PcaFitOptions = { window: W, varianceFraction: 0.9, quantile: 0.99, thresholdScale: 1.5, statistic: 't2q' };

describe('on-site PCA model', () => {
  it.each(['t2', 't2q'] as const)('scores the training windows in onnxruntime as the float64 fit does (%s)', async (statistic) => {
    const rows = normalRows(600);
    const fit = fitPca(rows, { ...fitOpts, statistic });
    const session = await openSession(fit.onnx);
    const n = rows.length - W + 1;
    const data = new Float32Array(n * W * 5);
    let k = 0;
    for (let i = W - 1; i < rows.length; i++)
      for (let r = i - W + 1; r <= i; r++)
        for (let j = 0; j < 5; j++) data[k++] = ((rows[r]?.[j] as number) - (fit.mean[j] as number)) / (fit.std[j] as number);
    const out = await runFloat(session, PCA_GRAPH.input, data, [n, W, 5]);
    const score = out[PCA_GRAPH.score] as Float32Array;
    const contrib = out[PCA_GRAPH.contributions] as Float32Array;
    expect(score.length).toBe(fit.trainScores.length);
    for (let i = 0; i < n; i++) {
      expect(score[i]).toBeCloseTo(fit.trainScores[i] as number, 3);
      let sum = 0;
      for (let j = 0; j < 5; j++) sum += contrib[i * 5 + j] as number;
      // T² alone: the contributions add up to the score exactly; with Q, to T² + Q ≥ score.
      if (statistic === 't2') expect(sum).toBeCloseTo(score[i] as number, 4);
      else expect(sum).toBeGreaterThanOrEqual((score[i] as number) - 1e-4);
    }
    // About 1 % of normal windows sit above the 99th percentile; none above the 1.5× threshold by much.
    const above = fit.trainScores.filter((s) => s > 1).length;
    expect(above).toBeGreaterThan(0);
    expect(above).toBeLessThan(n * 0.03);
    await session.release();
  });

  it('refuses too few rows and non-finite values with a reason', () => {
    expect(() => fitPca(normalRows(12), fitOpts)).toThrow(/too few/);
    const rows = normalRows(100);
    (rows[3] as number[])[1] = Number.NaN;
    expect(() => fitPca(rows, fitOpts)).toThrow(/finite/);
  });
});

describe('model registry', () => {
  const root = path.join(tmp, 'registry');
  const fit = fitPca(normalRows(600), fitOpts);

  it('accepts a consistent model and refuses a corrupted or mismatched one with a clear error', () => {
    const dir = writeModel(root, fixtureManifest(fit), fit.onnx);
    expect(loadModel(dir).key).toBe('fixture-pump@1');

    const bad = writeModel(root, fixtureManifest(fit, 'corrupt'), fit.onnx);
    const bytes = readFileSync(path.join(bad, 'model.onnx'));
    bytes[bytes.length - 5] ^= 0xff;
    writeFileSync(path.join(bad, 'model.onnx'), bytes);
    expect(() => loadModel(bad)).toThrow(/corrupt\/1 refused: model.onnx has SHA-256 .* the manifest says/);

    const wrongWindow = { ...fixtureManifest(fit, 'mismatch'), window: { length: W + 1, periodMs: 1000 } };
    expect(() => loadModel(writeModel(root, wrongWindow, fit.onnx))).toThrow(
      /input "window" has shape \[batch, 10, 5\], the manifest implies \[batch, 11, 5\]/,
    );

    const wrongOutput = { ...fixtureManifest(fit, 'renamed'), graph: { ...PCA_GRAPH, score: 'anomaly' } };
    expect(() => loadModel(writeModel(root, wrongOutput, fit.onnx))).toThrow(/no output "anomaly" \(it has: score, contributions\)/);

    const garbage = new TextEncoder().encode('definitely not protobuf \u00ff\u00fe');
    expect(() => loadModel(writeModel(root, fixtureManifest(fit, 'garbage'), garbage))).toThrow(/not an ONNX model/);
  });
});

describe('feature window', () => {
  const spec = { tagIds: [0, 1], tagNames: ['A', 'B'], length: 3, periodMs: 1000, mean: [10, 0], std: [2, 1] };
  const batch = (ids: number[], values: number[], quality: number[]) => ({
    length: ids.length,
    ids: Uint32Array.from(ids),
    ts: new Float64Array(ids.length),
    values: Float64Array.from(values),
    quality: Uint8Array.from(quality),
  });

  it('holds the last value on the grid, normalises, and orders rows oldest first', () => {
    const w = new FeatureWindow(spec);
    w.ingest(batch([0, 1], [12, 1], [0, 0]));
    w.advance(0);
    expect(w.read()).toEqual({ ready: false, reason: 'window filling: 1 of 3 samples' });
    w.ingest(batch([0], [14], [0]));
    w.advance(1000);
    w.advance(1500); // not yet due
    w.ingest(batch([0, 0], [8, 16], [0, 0])); // latest in a batch wins
    w.advance(2000);
    w.advance(3000); // B held at 1, A held at 16
    const r = w.read();
    expect(r.ready).toBe(true);
    if (r.ready) expect(Array.from(r.data)).toEqual([2, 1, 3, 1, 3, 1]);
  });

  it('with fill, scores once that many rows are in, the older ones repeating the oldest', () => {
    const w = new FeatureWindow({ ...spec, length: 4, fill: 2 });
    w.ingest(batch([0, 1], [12, 1], [0, 0]));
    w.advance(0);
    expect(w.read()).toEqual({ ready: false, reason: 'window filling: 1 of 2 samples' });
    w.ingest(batch([0], [14], [0]));
    w.advance(1000);
    const r = w.read();
    expect(r.ready).toBe(true);
    // Rows (A, B) normalised: (1, 1) twice more before the two real rows (1, 1), (2, 1).
    if (r.ready) expect(Array.from(r.data)).toEqual([1, 1, 1, 1, 1, 1, 2, 1]);
    expect(w.latest(0)).toBe(14);
  });

  it('yields no prediction while a Bad input is inside the window, and says which', () => {
    const w = new FeatureWindow(spec);
    w.ingest(batch([0, 1], [10, 0], [0, 0]));
    for (let t = 0; t < 3000; t += 1000) w.advance(t);
    expect(w.read().ready).toBe(true);
    w.ingest(batch([1], [0], [2]), () => 'comm loss');
    w.advance(3000);
    expect(w.read()).toEqual({ ready: false, reason: 'B is Bad (comm loss)' });
    w.ingest(batch([1], [0], [0]));
    w.advance(4000);
    w.advance(5000);
    expect(w.read()).toEqual({ ready: false, reason: 'B is Bad (Bad within the window)' });
    w.advance(6000);
    expect(w.read().ready).toBe(true);
  });
});

describe('inference worker', () => {
  let host: InferenceHost;
  const messages: string[] = [];
  beforeAll(() => {
    host = new InferenceHost({ onSystemMessage: (_l, m) => messages.push(m) });
  });
  afterAll(() => host.stop());

  it('keeps the event loop responsive while a model run is pending in the worker', async () => {
    // The gate holds each run in the (real) worker until released: the run is pending for exactly as
    // long as the test says, whatever the machine's speed or load.
    const gated = new InferenceHost({ workerId: fileURLToPath(new URL('./gated-session.fixture.ts', import.meta.url)) });
    const release = (count: number) =>
      (gated as unknown as { worker: { postMessage(m: unknown): void } }).worker.postMessage({ type: 'release', count });
    try {
      await gated.load('slow', slowModel(2), 'x', [256]);
      const input = new Float32Array(256).fill(0.01);
      const order: string[] = [];
      const run = (label: string) =>
        new Promise<void>((resolve, reject) => {
          const accepted = gated.submit('slow', input, (err) => {
            order.push(label);
            if (err) reject(err);
            else resolve();
          });
          if (!accepted) reject(new Error('queue full'));
        });
      const first = run('first');
      // While the first run is pending, the main thread handles 50 turns of the loop, a timer and
      // 50 further submissions: none of it waits for the worker.
      const handled: string[] = [];
      const timer = new Promise<void>((r) =>
        setTimeout(() => {
          handled.push('timer');
          r();
        }, 0),
      );
      const later: Promise<void>[] = [];
      for (let i = 0; i < 50; i++) {
        await new Promise((r) => setImmediate(r));
        handled.push(`turn ${i}`);
        later.push(run(`later ${i}`));
      }
      await timer;
      expect(handled).toHaveLength(51);
      expect(order).toEqual([]);
      release(1);
      await first;
      expect(order).toEqual(['first']);
      // The 50 windows queued meanwhile go to the worker as one batch once the first is back.
      release(1);
      await Promise.all(later);
      const [stats] = gated.stats();
      expect(stats?.batches).toBe(2);
      expect(stats?.windows).toBe(51);
      expect(order.slice(1)).toEqual(Array.from({ length: 50 }, (_, i) => `later ${i}`));
    } finally {
      await gated.stop();
    }
  });

  it('restarts a dead worker, says so, and serves the same models again', async () => {
    const fit = fitPca(normalRows(600), fitOpts);
    await host.load('pca', fit.onnx, PCA_GRAPH.input, [W, 5]);
    const run = () =>
      new Promise<Float32Array>((resolve, reject) => {
        host.submit('pca', new Float32Array(W * 5), (err, out, row) =>
          err || !out ? reject(err) : resolve((out[PCA_GRAPH.score] as Float32Array).subarray(row, row + 1)),
        );
      });
    const before = await run();
    // Kill it as a crash would.
    await (host as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    const deadline = Date.now() + 10_000;
    while (!messages.some((m) => m.includes('reloaded')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(messages.some((m) => /inference worker stopped \(code 1\); restarting it/.test(m))).toBe(true);
    expect(host.workerRestarts).toBe(1);
    expect(Array.from(await run())).toEqual(Array.from(before));
  });

  it('refuses windows beyond the bounded queue (backpressure) and counts them', async () => {
    const small = new InferenceHost({ maxQueue: 4, maxBatch: 2 });
    try {
      await small.load('slow', slowModel(2), 'x', [256]);
      const accepted = Array.from({ length: 10 }, () => small.submit('slow', new Float32Array(256), () => {}));
      expect(accepted.filter(Boolean).length).toBe(4);
      expect(small.stats()[0]?.dropped).toBe(6);
    } finally {
      await small.stop();
    }
  });
});

describe('openInference', () => {
  it('predicts per machine from bus batches, explains Bad inputs, hot-swaps and rolls back', async () => {
    const dataDir = path.join(tmp, 'data');
    const modelsDir = path.join(tmp, 'shipped');
    const rows = normalRows(600);
    const fit = fitPca(rows, fitOpts);
    writeModel(modelsDir, fixtureManifest(fit), fit.onnx);
    writeModel(modelsDir, fixtureManifest(fit, 'fixture-pump', 2), fit.onnx);
    const machines = ['S/A/P1', 'S/A/P2'];
    const bus = new TagBus(tagTable(machines));
    const predictions: Prediction[] = [];
    const system: SystemMessage[] = [];
    let clock = 0;
    const svc = await openInference({
      modelsDir,
      dataDir,
      bus,
      machines: machines.map((machine) => ({ machine, model: 'fixture-pump', version: 1 })),
      onPrediction: (p) => predictions.push(p),
      onSystemMessage: (m) => system.push(m),
      now: () => clock,
      tickMs: 60_000,
    });
    try {
      const feed = (i: number, faulty: boolean) => {
        machines.forEach((m, k) => {
          const r = rows[i] as number[];
          FIXTURE_TAGS.forEach((t, j) => {
            const id = bus.idOf(`${m}/${t}`) as number;
            const v = (r[j] as number) + (faulty && k === 1 && t === 'VibrationRMS' ? 3 : 0);
            bus.update(id, v, m === 'S/A/P1' && t === 'BearingTemp' && i === 40 ? 2 : 0, clock, 'sensor fault');
          });
        });
        bus.flush();
        svc.tick(clock);
        clock += 1000;
      };
      for (let i = 0; i < 30; i++) feed(i, i >= 15);
      const deadline = Date.now() + 5000;
      while (predictions.length < 2 * (30 - W + 1) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const latest = svc.latest();
      const p1 = latest.find((s) => s.machine === 'S/A/P1')?.prediction;
      const p2 = latest.find((s) => s.machine === 'S/A/P2')?.prediction;
      expect(p1?.anomalyScore).toBeLessThan(fit.threshold);
      expect(p2?.anomalyScore).toBeGreaterThan(fit.threshold * 10);
      expect(p2?.contributors[0]?.tag).toBe('VibrationRMS');
      expect(p2?.health).toBe(0);
      expect(p1?.model).toBe('fixture-pump@1');

      for (let i = 30; i <= 40; i++) feed(i, false);
      expect(svc.latest(['S/A/P1'])[0]?.reason).toBe('BearingTemp is Bad (sensor fault)');
      feed(41, false);
      expect(svc.latest(['S/A/P1'])[0]?.reason).toBe('BearingTemp is Bad (Bad within the window)');

      const swapped = await svc.activate('S/A/P1', 'fixture-pump', 2);
      expect(swapped.model).toBe('fixture-pump@2');
      expect(svc.models().find((m) => m.version === 2)?.activeOn).toEqual(['S/A/P1']);
      await expect(svc.activate('S/A/P1', 'nope', 1)).rejects.toThrow(/no model nope@1/);
      expect((await svc.rollback('S/A/P1')).model).toBe('fixture-pump@1');
      await expect(svc.rollback('S/A/P1')).rejects.toThrow(/no earlier model/);
      expect(svc.diagnostics().models[0]?.windows).toBeGreaterThan(0);
    } finally {
      await svc.stop();
    }
  });
});
