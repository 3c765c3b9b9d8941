// The SKAB evaluation's use of the calibration and the persistence rule (native/inference/calibrate.ts).
import { describe, expect, it } from 'vitest';
import { calibrateThreshold, exceeds, persist } from '../../native/inference/calibrate.js';
import { fitPca } from '../../native/inference/learn/pca.js';
import { mulberry32 } from '../training/rul.js';
import { detectionDelays } from './metrics.js';
import { alarms, scoreWindows } from './skab.js';

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
