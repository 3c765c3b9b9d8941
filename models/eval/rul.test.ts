import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../native/inference/registry.js';
import { conditionOf, conditionStats, DEFAULT_TRAIN, normaliseByCondition, parseCmapss, RUL_CAP } from '../training/rul.js';
import { predictLast, SHIPPED_RUL_MODEL, truncate } from './cmapss.js';
import { confusion, phm08Score, rmse, skabMetrics } from './metrics.js';

process.env.HOME = mkdtempSync(path.join(os.tmpdir(), 'aurum-rul-'));

describe('metrics on hand-computed examples', () => {
  it('F1, FAR and MAR as SKAB computes them', () => {
    // Predicted 1 1 1 0 0 0 1 0 0 0 against 1 1 1 1 1 0 0 0 0 0: TP 3, FP 1, FN 2, TN 4.
    const c = confusion([1, 1, 1, 0, 0, 0, 1, 0, 0, 0], [1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
    expect(c).toEqual({ tp: 3, fp: 1, fn: 2, tn: 4 });
    // F1 = 3 / (3 + (1 + 2)/2) = 0.6667; FAR = 1/5 = 20 %; MAR = 2/5 = 40 %.
    expect(skabMetrics(c)).toEqual({ f1: 0.67, far: 20, mar: 40 });
  });

  it('RMSE and the PHM08 score: late costs more than early', () => {
    // Errors 0, 0, +4: RMSE = √(16/3) = 2.3094.
    expect(rmse([1, 2, 7], [1, 2, 3])).toBeCloseTo(2.3094, 4);
    // 26 cycles early: e^(26/13) − 1 = e² − 1; 20 cycles late: e^(20/10) − 1 = e² − 1; the same cost.
    expect(phm08Score([74], [100])).toBeCloseTo(Math.E ** 2 - 1, 10);
    expect(phm08Score([120], [100])).toBeCloseTo(Math.E ** 2 - 1, 10);
    // 10 early costs e^(10/13) − 1 = 1.1581, 10 late e − 1 = 1.7183.
    expect(phm08Score([90, 110], [100, 100])).toBeCloseTo(Math.exp(10 / 13) - 1 + Math.E - 1, 10);
  });
});

describe('C-MAPSS input handling', () => {
  const line = (unit: number, cycle: number, s1: number, s2: number, s3: number, sensor: number) =>
    [unit, cycle, s1, s2, s3, ...Array.from({ length: 21 }, () => sensor)].join(' ');

  it('names the operating condition from the rounded settings', () => {
    expect(conditionOf(42.0049, 0.8407, 100)).toBe('42/0.84/100');
    expect(conditionOf(-0.0007, -0.0004, 100)).toBe('0/0.00/100');
    expect(conditionOf(0.0019, 0.0003, 100)).toBe('0/0.00/100');
  });

  it('z-scores every cycle by its own condition: two conditions of different levels fall on one scale', () => {
    const text = [
      line(1, 1, 0, 0, 100, 10),
      line(1, 2, 0, 0, 100, 12),
      line(1, 3, 42, 0.84, 100, 500),
      line(1, 4, 42, 0.84, 100, 504),
    ].join('\n');
    const engines = parseCmapss(text);
    expect(engines[0]?.conditions).toEqual(['0/0.00/100', '0/0.00/100', '42/0.84/100', '42/0.84/100']);
    const stats = conditionStats(engines);
    // Condition 0: values 10, 12 → mean 11, σ 1. Condition 42: 500, 504 → mean 502, σ 2.
    expect(stats['0/0.00/100']?.mean[0]).toBe(11);
    expect(stats['42/0.84/100']?.std[0]).toBe(2);
    expect(normaliseByCondition(engines, stats)[0]?.rows.map((r) => r[0])).toEqual([-1, 1, -1, 1]);
    const other = parseCmapss(line(2, 1, 20, 0.7, 100, 1));
    expect(() => normaliseByCondition(other, stats)).toThrow(
      'engine 2, cycle 1: operating condition 20/0.70/100 is not in the training data',
    );
  });

  it('refuses a line that is not 26 numbers, naming the line', () => {
    expect(() => parseCmapss(`${line(1, 1, 0, 0, 100, 1)}\n1 2 3`)).toThrow('line 2: expected 26 numbers');
  });

  it('cuts a held-out engine at a cycle from the window length to its end', () => {
    const e = { unit: 1, rows: Array.from({ length: 80 }, (_, i) => [i]) };
    const { engine, rul } = truncate(e, () => 0);
    expect(engine.rows.length).toBe(50);
    expect(rul).toBe(30);
    expect(truncate(e, () => 0.999).rul).toBe(0);
  });
});

describe('the shipped RUL model', () => {
  it('loads and gives its stated figures on the committed C-MAPSS fixture', async () => {
    const model = loadModel(SHIPPED_RUL_MODEL);
    const m = model.manifest;
    const metrics = m.metrics as Record<string, number | string>;
    const ref = JSON.parse(readFileSync(path.join(model.dir, 'reference.json'), 'utf8')) as {
      cases: { unit: number; cycle: number; rul: number[] }[];
    };
    const engines = parseCmapss(readFileSync(path.join(model.dir, 'fixture.txt'), 'utf8'));
    // Each case: the engine cut after that cycle, judged on its last window as a test engine is.
    const cut = ref.cases.map((c) => {
      const e = engines.find((x) => x.unit === c.unit);
      if (!e) throw new Error(`fixture lacks unit ${c.unit}`);
      return { engine: { unit: e.unit, rows: e.rows.slice(0, c.cycle) }, rul: Math.min(RUL_CAP, e.rows.length - c.cycle) };
    });
    const estimate = await predictLast(
      model.bytes,
      cut.map((c) => c.engine),
      m.normalization.mean,
      m.normalization.std,
    );
    estimate.forEach((v, i) => {
      expect(Math.abs(v - (ref.cases[i]?.rul[0] as number))).toBeLessThan(1e-4 * Math.max(1, Math.abs(v)));
    });
    const truth = cut.map((c) => c.rul);
    expect(Number(rmse(estimate, truth).toFixed(2))).toBe(metrics.fixtureRmse);
    expect(Number(phm08Score(estimate, truth).toFixed(2))).toBeCloseTo(metrics.fixturePhm08Score as number, 1);
    // Cross-validated on the training engines (eval:cmapss), better than the model it replaced (14.97).
    expect(metrics.cvRmse as number).toBeLessThan(14.97);
    // The shipped settings' ensemble, and on the steadier ten-cut figure better than one network of
    // the same settings (11.78, the model shipped until 2026-12-02).
    expect(metrics.members).toBe(DEFAULT_TRAIN.members);
    expect(DEFAULT_TRAIN.members).toBeGreaterThan(1);
    expect(metrics.cv10CutsRmse as number).toBeLessThan(11.78);
  });
});
