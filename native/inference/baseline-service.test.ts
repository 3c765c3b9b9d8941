// The slowly adapting baseline at run time (service.ts + baseline.ts): a one-input model whose
// score is its (shifted) input, so every published score can be checked by hand. Real tag bus,
// real onnxruntime worker, simulated time (every wait is on a count).
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TagBus } from '../tags/bus.js';
import { openInference } from './index.js';
import { GraphBuilder } from './onnx/builder.js';
import { writeModel } from './registry.js';
import { answeredWindows, tagTable } from './testing.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'aurum-baseline-'));
// onnxruntime writes a device id under ~/.cache.
process.env.HOME = tmp;

/** score = the window's one value; threshold 2; the baseline follows with tau 2, gate 1 over the last window. */
function echoModel(root: string, adapt: boolean): void {
  const g = new GraphBuilder('echo');
  const x = g.input('window', ['batch', 1, 1]);
  g.op('Reshape', [x, g.int64s([-1])], {}, 'score');
  g.op('Reshape', [x, g.int64s([-1, 1])], {}, 'contributions');
  g.output('score', ['batch']);
  g.output('contributions', ['batch', 1]);
  writeModel(
    root,
    {
      name: 'echo',
      version: 1,
      kind: 'anomaly',
      description: 'score = input − baseline offset',
      inputs: [{ tag: 'X' }],
      window: { length: 1, periodMs: 1000 },
      normalization: { mean: [0], std: [1] },
      graph: { input: 'window', score: 'score', contributions: 'contributions' },
      threshold: 2,
      ...(adapt ? { adapt: { tau: 2, gate: 1, n: 1 } } : {}),
      outputs: { score: 'the input' },
      provenance: { data: 'none', rows: 0, createdAt: '2026-01-01T00:00:00Z', code: 'native/inference/baseline-service.test.ts' },
      metrics: {},
    },
    g.encode(),
  );
}

async function published(adapt: boolean, values: number[]): Promise<(number | null)[]> {
  const modelsDir = mkdtempSync(path.join(tmp, 'models-'));
  echoModel(modelsDir, adapt);
  const bus = new TagBus(tagTable(['S/A/M'], ['X']));
  let clock = Date.UTC(2026, 0, 1);
  const svc = await openInference({
    modelsDir,
    bus,
    machines: [{ machine: 'S/A/M', model: 'echo' }],
    onPrediction: () => {},
    onSystemMessage: () => {},
    now: () => clock,
    tickMs: 3_600_000,
  });
  const out: (number | null)[] = [];
  try {
    let submitted = 0;
    for (const v of values) {
      clock += 1000;
      bus.update(bus.idOf('S/A/M/X') as number, v, 0, clock);
      bus.flush();
      submitted += svc.tick(clock);
      // Bounded by count: every submitted window answered before the next is shifted.
      for (let spins = 0; answeredWindows(svc) < submitted && spins < 100_000; spins++) await new Promise((r) => setImmediate(r));
      expect(answeredWindows(svc)).toBe(submitted);
      out.push(svc.latest()[0]?.prediction?.anomalyScore ?? null);
    }
  } finally {
    await svc.stop();
  }
  return out;
}

describe('slowly adapting baseline at run time', () => {
  it('follows a level judged normal and freezes on a step over the gate', async () => {
    // X = 1.6 four times, then a step to 10 held three times, then back to 1.6.
    //   offset 0     → score 1.6 / 2 = 0.8 (≤ gate 1: normal) → offset 0 + (1.6 − 0) / 2 = 0.8
    //   offset 0.8   → 0.8 / 2 = 0.4 → offset 1.2;  → 0.4 / 2 = 0.2 → 1.4;  → 0.2 / 2 = 0.1 → 1.5
    //   step: (10 − 1.5) / 2 = 4.25 (over the gate: frozen) ×3, then (1.6 − 1.5) / 2 = 0.05
    const values = [1.6, 1.6, 1.6, 1.6, 10, 10, 10, 1.6];
    const adapted = await published(true, values);
    expect(adapted.map((s) => (s === null ? null : Math.round(s * 1e4) / 1e4))).toEqual([0.8, 0.4, 0.2, 0.1, 4.25, 4.25, 4.25, 0.05]);
    // Without `adapt` (every shipped model) the score is the input over the threshold, unchanged.
    const fixed = await published(false, values);
    expect(fixed.map((s) => (s === null ? null : Math.round(s * 1e4) / 1e4))).toEqual([0.8, 0.8, 0.8, 0.8, 5, 5, 5, 0.8]);
  });
});
