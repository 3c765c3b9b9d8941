// The SKAB evaluation's use of the calibration and the persistence rule (native/inference/calibrate.ts).
import { describe, expect, it } from 'vitest';
import { calibrateThreshold, exceeds, persist } from '../../native/inference/calibrate.js';
import { fitPca } from '../../native/inference/learn/pca.js';
import { mulberry32 } from '../training/rul.js';
import { detectionDelays } from './metrics.js';
import {
  ADAPT_N,
  ADAPT_VARIANTS,
  alarms,
  chooseSwitch,
  driftStatistic,
  type FileScores,
  SCORE_GRID,
  type Scored,
  type ScoreSetting,
  scoreWindows,
  scoreWindowsAdapting,
  switchedSetting,
  trendT,
} from './skab.js';

describe('threshold calibration on held-back normal windows', () => {
  it('holds the false-alarm rate on normal data after the learning period where the fit-based threshold does not', async () => {
    // Two tags still rising at the end of the fit (a warm-up: +0.25 per 100 samples) and settling
    // at 1 from sample 400, under fast noise. The 300 fitted samples see the rise to 0.75, the held
    // back 300–399 its continuation to 1, and 400–799 the settled level. All of it is normal, so
    // every alarm after the learning period is a false one.
    const rand = mulberry32(7);
    const noise = () => rand() + rand() + rand() - 1.5;
    const rows = Array.from({ length: 800 }, (_, t) => {
      const level = Math.min(1, t / 400);
      return [level + 0.05 * noise(), 2 * level + 0.05 * noise()];
    });
    const window = 10;
    const model = fitPca(rows.slice(0, 300), { window, varianceFraction: 0.9, quantile: 0.99, thresholdScale: 1.5, statistic: 't2q' });
    // Scores of the windows ending at 300…799, through the ONNX graph in onnxruntime.
    const scores = await scoreWindows(model, window, rows, 300);
    const held = scores.subarray(0, 100);
    const after = Array.from(scores.subarray(100));
    const rate = (flags: number[]) => flags.reduce((a, b) => a + b, 0) / flags.length;
    // The fit's own threshold (1.5 × its 99th percentile) alarms on most of the normal continuation…
    expect(model.threshold).toBe(1.5);
    expect(rate(exceeds(after, model.threshold))).toBeGreaterThan(0.9);
    // …the threshold put at 1.5 × the largest held-back score (the same margin) does not.
    expect(rate(exceeds(after, calibrateThreshold(held, 1, 1.5)))).toBeLessThan(0.05);
  });
});

describe('persistence rule: k of n', () => {
  it('costs delay: the first alarm of an episode comes k − 1 samples after its first flag at the earliest', () => {
    const labels = [0, 0, 1, 1, 1, 1, 1, 0];
    const flags = [0, 0, 1, 1, 1, 1, 1, 0];
    expect(detectionDelays(persist(flags, 1, 1), labels)).toEqual([0]);
    expect(detectionDelays(persist(flags, 3, 5), labels)).toEqual([2]);
    // An isolated spike before the episode is dropped by 2 of 3, and the second episode is missed.
    expect(detectionDelays([1, 0, 0, 1, 0, 0, 0, 0], [0, 1, 1, 1, 0, 1, 1, 0])).toEqual([2, null]);
    expect(persist([0, 1, 0, 0], 2, 3)).toEqual([0, 0, 0, 0]);
  });

  it('alarms(): threshold from the held-back scores, the rule running on from the held-back windows', () => {
    // Threshold = max(1, 2, 3, 4) = 4. Flags: held-back tail [4 → 0], then 5 3 5 5 0 → 1 0 1 1 0.
    // 2 of 2 fires only at the second of two consecutive exceedances: the fourth detection row.
    const scores = { heldBack: Float32Array.from([1, 2, 3, 4]), test: Float32Array.from([5, 3, 5, 5, 0]) };
    expect(alarms(scores, { quantile: 1, margin: 1, k: 2, n: 2 })).toEqual([0, 0, 0, 1, 0]);
    expect(alarms(scores, { quantile: 1, margin: 1, k: 1, n: 1 })).toEqual([1, 0, 1, 1, 0]);
  });
});

describe('slowly adapting baseline in the evaluation (native/inference/baseline.ts, as the console runs it)', () => {
  // Two correlated tags under fast noise. Learning: rows 0–399 at level 0. Then a slow drift of both
  // tags together (+0.004 per row: 4 noise σ of a single sample over 1,000 rows), then at row 1400 a
  // step of tag 0 alone by 1.5 (it breaks the correlation), held to the end.
  const rand = mulberry32(11);
  const noise = () => rand() + rand() + rand() - 1.5;
  const rows = Array.from({ length: 1700 }, (_, t) => {
    const drift = 0.001 * Math.max(0, Math.min(t, 1400) - 400);
    const common = 0.5 * noise();
    const step = t >= 1400 ? 1.5 : 0;
    return [drift + common + 0.25 * noise() + step, drift + common + 0.25 * noise()];
  });
  const window = 10;
  const model = fitPca(rows.slice(0, 300), { window, varianceFraction: 0.9, quantile: 0.99, thresholdScale: 1.5, statistic: 't2q' });
  const rate = (flags: number[]) => flags.reduce((a, b) => a + b, 0) / flags.length;

  it('follows the slow drift, but not the step, which stays flagged while it lasts', async () => {
    const heldBack = (await scoreWindows(model, window, rows, 300)).subarray(0, 100);
    const gate = calibrateThreshold(heldBack, 1, 1);
    const threshold = gate; // 1 × the largest held-back score
    const fixed = exceeds((await scoreWindows(model, window, rows, 400)).subarray(0, 1000), threshold);
    const adapting = await scoreWindowsAdapting(model, window, rows, 400, 30, gate);
    const drift = exceeds(adapting.subarray(0, 1000), threshold);
    const step = exceeds(adapting.subarray(1000 + window), threshold);
    // The fixed baseline reads most of the drift as abnormal; the adapting one follows it…
    expect(rate(fixed)).toBeGreaterThan(0.5);
    expect(rate(drift)).toBeLessThan(0.05);
    // …and is frozen once the step scores over the gate: it stays flagged to the end.
    expect(rate(step)).toBeGreaterThan(0.95);
  });

  it('scores equal the fixed baseline’s until n windows are seen (no window is judged normal before)', async () => {
    // The offset first moves after the ADAPT_N-th window (no evidence of normal before): the first
    // ADAPT_N scores are the fixed baseline's, the next differs (the gate, twice the largest of the
    // first 200 scores, holds every one of them normal).
    const fixed = await scoreWindows(model, window, rows, 400);
    const adapting = await scoreWindowsAdapting(model, window, rows, 400, 30, calibrateThreshold(fixed.subarray(0, 200), 1, 2));
    // (One window at a time against a batch: the same float32 arithmetic up to rounding.)
    for (let i = 0; i < ADAPT_N; i++) expect(adapting[i]).toBeCloseTo(fixed[i] as number, 5);
    expect(Math.abs((adapting[ADAPT_N] as number) - (fixed[ADAPT_N] as number))).toBeGreaterThan(1e-4);
  });

  it('with a delay of d windows, scores equal the fixed baseline’s for d windows longer', async () => {
    // The first window judged normal is the ADAPT_N-th (index ADAPT_N − 1); its mean enters d
    // windows later, at the update after window ADAPT_N − 1 + d, so window ADAPT_N + d is the
    // first one shifted.
    const d = 50;
    const fixed = await scoreWindows(model, window, rows, 400);
    const gate = calibrateThreshold(fixed.subarray(0, 200), 1, 2);
    const delayed = await scoreWindowsAdapting(model, window, rows, 400, 30, gate, d);
    for (let i = 0; i < ADAPT_N + d; i++) expect(delayed[i]).toBeCloseTo(fixed[i] as number, 5);
    expect(Math.abs((delayed[ADAPT_N + d] as number) - (fixed[ADAPT_N + d] as number))).toBeGreaterThan(1e-4);
  });
});

describe('drift switch: a trend test on the learning period alone', () => {
  it('trendT by hand: block means 0, 1, 3 have slope 1.5 and residuals 1/6, −1/3, 1/6, so t = 3√3', () => {
    expect(trendT([0, 1, 3], 1)).toBeCloseTo(3 * Math.sqrt(3), 10);
    // Blocks of 2 average the same means; a partial last block is dropped.
    expect(trendT([0, 0, 1, 1, 2, 4, 99], 2)).toBeCloseTo(3 * Math.sqrt(3), 10);
    expect(trendT([3, 1, 0], 1)).toBeCloseTo(-3 * Math.sqrt(3), 10);
    expect(trendT([2, 2, 2, 2], 1)).toBe(0);
    expect(trendT([1, 2, 3, 4], 1)).toBe(Number.POSITIVE_INFINITY);
    expect(() => trendT([1, 2, 3, 4, 5], 2)).toThrow(/at least 3 blocks of 2 values, got 5/);
  });

  it('driftStatistic: a steady ramp under noise stands out, noise alone does not, whichever signal carries it', () => {
    // 400 rows of two signals under the same noise (σ 0.5); the ramp (2 σ over the period) is in the second.
    const rand = mulberry32(5);
    const noise = () => rand() + rand() + rand() - 1.5;
    const still = Array.from({ length: 400 }, () => [noise(), noise()]);
    const ramp = Array.from({ length: 400 }, (_, t) => [noise(), noise() + (2 * 0.5 * t) / 400]);
    expect(driftStatistic(still)).toBeLessThan(3);
    expect(driftStatistic(ramp)).toBeGreaterThan(8);
    expect(driftStatistic(ramp)).toBe(Math.abs(trendT(ramp.map((r) => r[1] as number))));
  });
});

describe('drift switch: chosen on labelled files (chooseSwitch)', () => {
  // Synthetic scored files: 50 normal then 50 anomalous points; every held-back score is 1, so every
  // threshold of the alarm grid is between a normal score (0.5) and an anomalous one (5).
  const labels = [...Array<number>(50).fill(0), ...Array<number>(50).fill(1)];
  const test = (caught: number) => Float32Array.from(labels.map((l, i) => (l === 1 && i - 50 < caught ? 5 : 0.5)));
  const heldBack = new Float32Array(20).fill(1);
  /** Scores per SCORE_GRID setting: the fixed baseline catches all 50, tau 30 none, tau 120 `tau120` of them, the rest all. */
  const file = (name: string, drift: number, tau120: number): Scored => ({
    name,
    folder: 'v',
    labels,
    labelled: true,
    drift,
    scores: SCORE_GRID.map((s: ScoreSetting): FileScores => {
      const undelayed = s.delay === 0;
      const caught = s.tau === 30 && undelayed ? 0 : s.tau === 120 && undelayed ? tau120 : 50;
      return { heldBack, test: test(caught) };
    }),
  });

  it('takes the fastest adaptation that keeps the target, and the lowest threshold that costs the files nothing', () => {
    // tau 30 (lag 30) loses every fault: F1 0. tau 120 (lag 120), forced on both, catches 50 + 25:
    // pooled F1 75 / (75 + 25 / 2) = 0.86 ≥ 0.80, so it is the adaptation. Switched on file b
    // (drift 12) it costs that F1; only thresholds above 12 keep F1 1: 20 is the lowest.
    const a = file('a', 4, 50);
    const b = file('b', 12, 25);
    const c = chooseSwitch([a, b]);
    expect(c.adapt).toEqual({ tau: 120, delay: 0, clear: 0 });
    expect(c.threshold).toBe(20);
    expect(c.base.tau).toBe(0);
    expect(switchedSetting({ drift: 19.9 }, c)).toEqual(c.base);
    expect(switchedSetting({ drift: 20 }, c)).toEqual({ ...c.base, tau: 120, delay: 0, clear: 0 });
    // Where switching costs nothing the lowest threshold of the grid is taken.
    expect(chooseSwitch([a, file('b', 12, 50)]).threshold).toBe(3);
  });

  it('switches nothing on when no adaptation keeps the target on the files', () => {
    // Only the undelayed tau 30 and tau 120 are offered, and both lose too much.
    const c = chooseSwitch(
      [file('a', 4, 10), file('b', 12, 10)],
      ADAPT_VARIANTS.filter((v) => v.delay === 0 && v.tau <= 120),
    );
    expect(c.adapt).toBeNull();
    expect(c.threshold).toBe(Number.POSITIVE_INFINITY);
    expect(switchedSetting({ drift: 1000 }, c)).toEqual(c.base);
  });
});
