// The operating-state-conditioned model on synthetic signals whose law is known: a static
// nonlinearity and a first-order lag of one independent signal. The fit explains both, the ONNX
// graph scores as the float64 fit does, a change of operating point is normal and a fault is not.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSession, runFloat } from '../session.js';
import { CONDITIONAL_GRAPH, type ConditionalSpec, conditionalGraph, fitConditional, lagKernels, residualsOf } from './conditional.js';

process.env.HOME = mkdtempSync(path.join(os.tmpdir(), 'aurum-conditional-'));

/** x steps between levels every 40 samples; a = 3·relu(x − 1); b follows x with a lag of 5 samples. */
function synthetic(n: number, seed: number, fault = 0): number[][] {
  let s = seed;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const rows: number[][] = [];
  let x = 1;
  let b = x;
  for (let t = 0; t < n; t++) {
    if (t % 40 === 0) x = 3 * rand();
    const a = 3 * Math.max(0, x - 1);
    b += (1 - Math.exp(-1 / 5)) * (x - b);
    rows.push([x, a + 0.01 * (rand() - 0.5) + (t >= n / 2 ? fault : 0), b + 0.01 * (rand() - 0.5)]);
  }
  return rows;
}

const spec: ConditionalSpec = {
  inputs: ['X', 'A', 'B'],
  independent: [{ tag: 'X', knots: [1, 2] }],
  dependent: ['A', 'B'],
  window: 40,
  target: 5,
  lags: [0, 5],
  residualFloor: 0,
};

describe('conditional residual model', () => {
  it('lag kernels are averaging weights: each sums to 1 (a steady input passes unchanged)', () => {
    for (const col of [0, 1]) {
      const k = lagKernels(40, 5, [0, 5]);
      expect(k.reduce((a, r) => a + (r[col] as number), 0)).toBeCloseTo(1, 12);
    }
    // No lag, target 5: the mean of the last 5 samples.
    expect(lagKernels(10, 5, [0]).map((r) => r[0])).toEqual([0, 0, 0, 0, 0, 0.2, 0.2, 0.2, 0.2, 0.2]);
  });

  it('explains a static nonlinearity and a lag, and the ONNX graph scores as the fit does', async () => {
    const rows = synthetic(4000, 7);
    const fit = fitConditional([rows], spec);
    // Residuals at the noise level (the noise's σ is 0.01/√12 ≈ 0.003 per sample) in units of the signals' spread.
    for (const [j, r] of fit.residualStd.entries()) expect(r * (fit.std[j + 1] as number)).toBeLessThan(0.01);
    const onnx = conditionalGraph(fit);
    const session = await openSession(onnx);
    const test = synthetic(600, 11, 0.5);
    const ends = [100, 250, 299, 340, 500, 600];
    const L = spec.window;
    const data = new Float32Array(ends.length * L * 3);
    ends.forEach((end, i) => {
      for (let t = 0; t < L; t++)
        for (let j = 0; j < 3; j++)
          data[(i * L + t) * 3 + j] = (((test[end - L + t] as number[])[j] as number) - (fit.mean[j] as number)) / (fit.std[j] as number);
    });
    const out = await runFloat(session, CONDITIONAL_GRAPH.input, data, [ends.length, L, 3]);
    await session.release();
    const score = out[CONDITIONAL_GRAPH.score] as Float32Array;
    const contrib = out[CONDITIONAL_GRAPH.contributions] as Float32Array;
    ends.forEach((end, i) => {
      const z = residualsOf(fit, test, end);
      const expected = z.reduce((a, v) => a + v * v, 0) / z.length;
      expect(Math.abs((score[i] as number) - expected)).toBeLessThan(1e-3 * Math.max(1, expected));
      // Contributions: zero for the independent input, the dependent terms sum to the score.
      expect(contrib[i * 3]).toBe(0);
      const sum = (contrib[i * 3 + 1] as number) + (contrib[i * 3 + 2] as number);
      expect(Math.abs(sum - (score[i] as number))).toBeLessThan(1e-4 * Math.max(1, score[i] as number));
    });
    // Operating-point changes before the fault (x jumps every 40 samples) score low; the +0.5 offset
    // on A from sample 300 on scores high, and A is what it names.
    expect(score[0]).toBeLessThan(20);
    expect(score[1]).toBeLessThan(20);
    expect(score[4]).toBeGreaterThan(1000);
    expect(contrib[4 * 3 + 1]).toBeGreaterThan(100 * (contrib[4 * 3 + 2] as number));
  });

  it('refuses a period too short for its features, and inputs it does not have', () => {
    expect(() => fitConditional([synthetic(45, 1)], spec)).toThrow(/too few for \d+ features/);
    expect(() => fitConditional([synthetic(400, 1)], { ...spec, dependent: ['C'] })).toThrow(/C is not one of the model's inputs/);
  });
});
