// The SKAB evaluation's use of the calibration and the persistence rule (native/inference/calibrate.ts).
import { describe, expect, it } from 'vitest';
import { calibrateThreshold, exceeds, persist } from '../../native/inference/calibrate.js';
import { fitPca } from '../../native/inference/learn/pca.js';
import { mulberry32 } from '../training/rul.js';
import { detectionDelays, skabMetrics, skabMetricsExact } from './metrics.js';
import {
  ADAPT_N,
  ADAPT_VARIANTS,
  alarms,
  chooseSetting,
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
  // threshold of the alarm grid is between a normal score (0.5) and an alarming one (5).
  const labels = [...Array<number>(50).fill(0), ...Array<number>(50).fill(1)];
  /** What a score setting does on a file: faults caught (from each episode's start), false alarms (a run from the first normal point). */
  type Outcome = { caught: number; falseAlarms?: number };
  const test = ({ caught, falseAlarms = 0 }: Outcome) =>
    Float32Array.from(labels.map((l, i) => ((l === 1 ? i - 50 < caught : i < falseAlarms) ? 5 : 0.5)));
  const heldBack = new Float32Array(20).fill(1);
  const scoredFile = (name: string, drift: number, outcome: (s: ScoreSetting) => Outcome): Scored => ({
    name,
    folder: 'v',
    labels,
    labelled: true,
    drift,
    scores: SCORE_GRID.map((s: ScoreSetting): FileScores => ({ heldBack, test: test(outcome(s)) })),
  });
  /** The fixed baseline catches all 50, tau 30 none, tau 120 `tau120` of them, the rest all; no false alarms. */
  const file = (name: string, drift: number, tau120: number): Scored =>
    scoredFile(name, drift, (s) => {
      const undelayed = s.delay === 0;
      return { caught: s.tau === 30 && undelayed ? 0 : s.tau === 120 && undelayed ? tau120 : 50 };
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

  it('"fastest" is the smallest delay + tau, not the first in the list of variants', () => {
    // The undelayed tau 30 and tau 120 lose every fault; every other adaptation catches all. In
    // ADAPT_VARIANTS tau 600 (lag 600) comes before tau 30 with delay 200 (lag 230), the fastest
    // of those left; listed the other way round, tau 60 with delay 400 (lag 460) would come first.
    const outcome = (s: ScoreSetting) => ({ caught: s.delay === 0 && (s.tau === 30 || s.tau === 120) ? 0 : 50 });
    const files = [scoredFile('a', 4, outcome), scoredFile('b', 12, outcome)];
    const fastest = { tau: 30, delay: 200, clear: 60 };
    expect(ADAPT_VARIANTS.findIndex((v) => v.tau === 600)).toBeLessThan(ADAPT_VARIANTS.findIndex((v) => v.tau === 30 && v.delay === 200));
    expect(chooseSwitch(files).adapt).toEqual(fastest);
    expect(chooseSwitch(files, [...ADAPT_VARIANTS].reverse()).adapt).toEqual(fastest);
  });

  it('step 2 skips an adaptation that keeps F1 but not FAR ≤ 10 %', () => {
    // Everything catches all 50 faults of both files; the undelayed tau 30 (the fastest) also raises
    // 15 false alarms on each: pooled F1 100 / (100 + 30 / 2) = 0.87 ≥ 0.80, but FAR 30 / 100 = 30 %.
    // So the next fastest, tau 120 (no false alarms), is taken.
    const outcome = (s: ScoreSetting) => ({ caught: 50, falseAlarms: s.tau === 30 && s.delay === 0 ? 15 : 0 });
    const c = chooseSwitch([scoredFile('a', 4, outcome), scoredFile('b', 12, outcome)]);
    expect(c.adapt).toEqual({ tau: 120, delay: 0, clear: 0 });
  });

  it('step 3 skips a threshold whose switch has the best F1 but FAR over 10 %', () => {
    // Fixed baseline: a catches 50 with 8 false alarms, b catches 30. Adapting (every variant): a
    // catches 30, b catches 50 with 8 false alarms. The base (1 of 1: persistence here only delays)
    // and the forced adaptation both pool TP 80, FN 20, FP 8: F1 80 / 94 = 0.85, FAR 8 %, so the
    // fastest adaptation, tau 30, is taken. Thresholds 5 and 10 switch only b (drift 12):
    // TP 100, FP 16, F1 100 / 108 = 0.93 but FAR 16 %. Of the rest (3: both switched; 20, 40, never:
    // neither), all at 0.85, the lowest is 3.
    const a = scoredFile('a', 4, (s) => (s.tau ? { caught: 30 } : { caught: 50, falseAlarms: 8 }));
    const b = scoredFile('b', 12, (s) => (s.tau ? { caught: 50, falseAlarms: 8 } : { caught: 30 }));
    const c = chooseSwitch([a, b]);
    expect(c.base).toMatchObject({ tau: 0, k: 1, n: 1 });
    expect(c.adapt).toEqual({ tau: 30, delay: 0, clear: 0 });
    expect(c.threshold).toBe(3);
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

  it('compares unrounded F1: 66 / 83 = 0.795 (reported 0.80) does not keep the 0.80 target, 67 / 83.5 = 0.802 does', () => {
    // The fixed baseline catches all 50 faults of both files; every adaptation catches all of a's and
    // `caught` of b's, no false alarms. Forced: TP 50 + caught, FN 50 − caught.
    const pair = (caught: number) => [
      scoredFile('a', 4, () => ({ caught: 50 })),
      scoredFile('b', 12, (s) => ({ caught: s.tau ? caught : 50 })),
    ];
    expect(skabMetrics({ tp: 66, fp: 0, fn: 34, tn: 100 }).f1).toBe(0.8);
    expect(skabMetricsExact({ tp: 66, fp: 0, fn: 34, tn: 100 }).f1).toBeCloseTo(66 / 83, 12);
    expect(chooseSwitch(pair(16)).adapt).toBeNull();
    expect(chooseSwitch(pair(17)).adapt).toEqual({ tau: 30, delay: 0, clear: 0 });
  });

  it('compares unrounded F1 between thresholds: a real difference of 0.0002 is not a tie for the lower one', () => {
    // Fixed: a catches 50 with 2 false alarms, b catches 50. Adapting: a catches 48, b 50, none false.
    // Threshold 3 (both switched): TP 98, FN 2, F1 98 / 99 = 0.98990. Thresholds 5 and above (b
    // alone or neither): TP 100, FP 2, F1 100 / 101 = 0.99010. Both read 0.99 rounded, where 3 won.
    const a = scoredFile('a', 4, (s) => (s.tau ? { caught: 48 } : { caught: 50, falseAlarms: 2 }));
    const b = scoredFile('b', 12, () => ({ caught: 50 }));
    const c = chooseSwitch([a, b]);
    expect(c.adapt).toEqual({ tau: 30, delay: 0, clear: 0 });
    expect(c.threshold).toBe(5);
  });
});

describe('settings chosen on labelled files (chooseSetting)', () => {
  it('compares unrounded FAR: 201 false alarms in 2,009 normal points (10.005 %, reported 10.00) break the 10 % limit', () => {
    // Every setting raises a run of 201 false alarms at the start of the normal part (persistence k of
    // n only lengthens a run of at least k) and catches the 50 faults after it, so none holds the limit.
    const normal = 2009;
    const labels = [...Array<number>(normal).fill(0), ...Array<number>(50).fill(1)];
    const test = Float32Array.from(labels.map((l, i) => (l === 1 || i < 201 ? 5 : 0.5)));
    const f: Scored = {
      name: 'a',
      folder: 'v',
      labels,
      labelled: true,
      drift: 0,
      scores: SCORE_GRID.map(() => ({ heldBack: new Float32Array(20).fill(1), test })),
    };
    expect(skabMetrics({ tp: 50, fp: 201, fn: 0, tn: normal - 201 }).far).toBe(10);
    expect(skabMetricsExact({ tp: 50, fp: 201, fn: 0, tn: normal - 201 }).far).toBeGreaterThan(10);
    expect(() => chooseSetting([f])).toThrow(/no setting holds FAR ≤ 10 %/);
  });
});
