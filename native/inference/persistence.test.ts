// The model alarm's k-of-n rule at run time (service.ts): a one-input model whose score is its
// input, so the published scores can be checked by hand against the rule. Real tag bus, real
// onnxruntime worker, simulated time (every wait is on a count).
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Prediction } from '../api/prediction-requests.js';
import type { QualityCode } from '../api/types.js';
import { GraphBuilder } from './onnx/builder.js';
import { writeModel } from './registry.js';
import { openStepped, writeEchoModel } from './testing.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'aurum-persistence-'));
// onnxruntime writes a device id under ~/.cache.
process.env.HOME = tmp;

describe('the model alarm’s persistence rule at run time', () => {
  it('publishes the k-th largest of the last n normalised scores: over 1.0 only once k of n windows are', async () => {
    const modelsDir = mkdtempSync(path.join(tmp, 'models-'));
    // score = the window's one value, contributions = the same; threshold 2 so that 1.0 (normalised) is a value of 2.
    writeEchoModel(modelsDir, { alarm: { k: 2, n: 3 } });
    const run = await openStepped(modelsDir, 'echo', ['X']);
    const out: (Prediction | null)[] = [];
    const reasons: (string | null)[] = [];
    try {
      // Values (threshold 2): normalised 0.5 1.5 1.25 0.25 0.75 3 0.5 → the 2nd largest of the last three:
      //   [0.5] → fewer than k = 2 windows: no prediction yet
      //   [0.5 1.5] → 0.5;  [0.5 1.5 1.25] → 1.25 (two over 1: the alarm's condition)
      //   [1.5 1.25 0.25] → 1.25;  [1.25 0.25 0.75] → 0.75;  [0.25 0.75 3] → 0.75 (a single spike: no)
      //   [0.75 3 0.5] → 0.75
      const values = [1, 3, 2.5, 0.5, 1.5, 6, 1];
      for (const v of values) {
        await run.second([['X', v]]);
        const [state] = run.svc.latest();
        out.push(state?.reason === null ? (state.prediction ?? null) : null);
        reasons.push(state?.reason ?? null);
      }
      expect(run.submitted()).toBe(values.length);
      expect(reasons[0]).toBe('collecting windows: 1 of 2 (the model alarm needs 2 of the last 3 over its threshold)');
      expect(out.map((p) => p?.anomalyScore ?? null)).toEqual([null, 0.5, 1.25, 1.25, 0.75, 0.75, 0.75]);
      // Health is read from the same score: 50 at 1.0, below it only while the rule holds.
      expect(out.map((p) => (p ? p.health < 50 : null))).toEqual([null, false, true, true, false, false, false]);
    } finally {
      await run.stop();
    }
  });
});

/** score = the mean of the window (both inputs), contributions = each input's mean; gated on Run. */
function gatedMeanModel(root: string): void {
  const g = new GraphBuilder('gated-mean');
  const x = g.input('window', ['batch', 5, 2]);
  g.op('ReduceMean', [x], { axes: [1], keepdims: 0 }, 'contributions');
  g.op('ReduceMean', [x], { axes: [1, 2], keepdims: 0 }, 'score');
  g.output('score', ['batch']);
  g.output('contributions', ['batch', 2]);
  writeModel(
    root,
    {
      name: 'gated-mean',
      version: 1,
      kind: 'anomaly',
      description: 'score = mean of the window',
      inputs: [{ tag: 'Run' }, { tag: 'X' }],
      window: { length: 5, periodMs: 1000, fill: 2 },
      normalization: { mean: [0, 0], std: [1, 1] },
      graph: { input: 'window', score: 'score', contributions: 'contributions' },
      threshold: 100,
      alarm: { k: 2, n: 3 },
      running: { tag: 'Run', above: 0.5, settleS: 10 },
      outputs: { score: 'the window mean' },
      provenance: { data: 'none', rows: 0, createdAt: '2026-01-01T00:00:00Z', code: 'native/inference/persistence.test.ts' },
      metrics: {},
    },
    g.encode(),
  );
}

describe('a model’s start: the link’s first moments and a reset after maintenance', () => {
  it('scores as soon as the window fills after the Bad rows of start-up, with no start to settle; a reset starts it afresh', async () => {
    const modelsDir = mkdtempSync(path.join(tmp, 'models-'));
    gatedMeanModel(modelsDir);
    const run = await openStepped(modelsDir, 'gated-mean', ['Run', 'X'], 'comm failure: not connected yet');
    /** One second: the samples given, a tick, every window answered; the machine's state after it. */
    const second = async (samples: [tag: string, value: number, quality: QualityCode][]) => {
      await run.second(samples);
      const [state] = run.svc.latest();
      return state?.reason ?? (state?.prediction ? 'scored' : null);
    };
    try {
      const seen = [
        await second([]), // before the link: nothing received
        await second([
          ['Run', 1, 0],
          ['X', Number.NaN, 2],
        ]), // the link's first moment: the state, and a Bad marker on X
        await second([['X', 1, 0]]),
        await second([['X', 1, 0]]),
        await second([['X', 1, 0]]),
      ];
      // Scored at the fifth second: two good rows fill the window (fill 2), two windows make the
      // rule (k 2) — not after the Bad rows leave the 5-row window, and no 10 s settle: the
      // machine was running when its state became known.
      expect(seen).toEqual([
        'waiting for a value of Run (running or stopped is not known)',
        'X is Bad (comm failure: not connected yet)',
        'window filling: 1 of 2 samples',
        'collecting windows: 1 of 2 (the model alarm needs 2 of the last 3 over its threshold)',
        'scored',
      ]);

      // After maintenance that resets the baseline: the same model, started afresh. Run is not
      // sent again (a state is sent when it changes): its last value is kept.
      expect(run.svc.reset('S/A/M', 'maintenance event 1 (new bearing)')).toMatchObject({
        model: 'gated-mean@1',
        prediction: null,
        reason: 'reset: maintenance event 1 (new bearing)',
      });
      const after = [await second([['X', 1, 0]]), await second([['X', 1, 0]]), await second([['X', 1, 0]])];
      expect(after).toEqual([
        'window filling: 1 of 2 samples',
        'collecting windows: 1 of 2 (the model alarm needs 2 of the last 3 over its threshold)',
        'scored',
      ]);
      // A Bad row once scored still holds the window back for its length (unchanged).
      expect(await second([['X', Number.NaN, 2]])).toBe('X is Bad (comm failure: not connected yet)');
      expect(await second([['X', 1, 0]])).toBe('X is Bad (Bad within the window)');
    } finally {
      await run.stop();
    }
  });
});
