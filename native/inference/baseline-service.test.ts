// The slowly adapting baseline at run time (service.ts + baseline.ts): a one-input model whose
// score is its (shifted) input, so every published score can be checked by hand. Real tag bus,
// real onnxruntime worker, simulated time (every wait is on a count).
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStepped, writeEchoModel } from './testing.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'aurum-baseline-'));
// onnxruntime writes a device id under ~/.cache.
process.env.HOME = tmp;

/** score = the window's one value; threshold 2; the baseline follows with tau 2, gate 1 over the last window. */
async function published(adapt: boolean, values: number[]): Promise<(number | null)[]> {
  const modelsDir = mkdtempSync(path.join(tmp, 'models-'));
  writeEchoModel(modelsDir, { description: 'score = input − baseline offset', ...(adapt ? { adapt: { tau: 2, gate: 1, n: 1 } } : {}) });
  const run = await openStepped(modelsDir, 'echo', ['X']);
  const out: (number | null)[] = [];
  try {
    for (const v of values) {
      // Every submitted window answered before the next is shifted.
      await run.second([['X', v]]);
      out.push(run.svc.latest()[0]?.prediction?.anomalyScore ?? null);
    }
  } finally {
    await run.stop();
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
