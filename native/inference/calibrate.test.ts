// Hand-checkable: threshold calibration and the k-of-n persistence rule the console applies to
// every model's score (service.ts) and the SKAB evaluation uses (models/eval/skab.ts).
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../util/random.js';
import { calibrateThreshold, Persistence, persist, quantileOf } from './calibrate.js';

describe('threshold calibration on held-back normal windows', () => {
  it('reads the quantile as the element at floor(q·(n − 1)) of the sorted scores, times the margin', () => {
    // Sorted: 1 2 3 4 5. q 0.5 → index 2 → 3; q 0.95 → floor(3.8) = 3 → 4; q 1 → the maximum, 5.
    expect(quantileOf([5, 1, 3, 2, 4], 0.5)).toBe(3);
    expect(quantileOf([5, 1, 3, 2, 4], 0.95)).toBe(4);
    expect(calibrateThreshold([5, 1, 3, 2, 4], 1, 1.2)).toBe(6);
    expect(() => calibrateThreshold([], 1, 1)).toThrow('no scores to calibrate on');
    expect(() => calibrateThreshold([1, Number.NaN], 1, 1)).toThrow('must be finite');
    expect(() => calibrateThreshold([1], 1, 0)).toThrow('margin must be a positive number, got 0');
  });
});

describe('persistence rule: k of n', () => {
  it('raises the alarm where at least k of the last n flags are on', () => {
    // Last three flags at each i: 1 | 1 0 | 1 0 1 | 0 1 1 | 1 1 0 | 1 0 0 | 0 0 1 → counts 1 1 2 2 2 1 1.
    expect(persist([1, 0, 1, 1, 0, 0, 1], 2, 3)).toEqual([0, 0, 1, 1, 1, 0, 0]);
    expect(persist([1, 0, 1], 1, 1)).toEqual([1, 0, 1]);
    expect(persist([0, 1, 0, 0], 2, 3)).toEqual([0, 0, 0, 0]);
    expect(() => persist([1], 3, 2)).toThrow('k must be a whole number from 1 to n = 2, got 3');
    expect(() => persist([1], 1, 0)).toThrow('n must be a whole number of at least 1, got 0');
  });

  it('persist() on flags gives what Persistence gives on the same 0/1 scores (the running count is the same rule)', () => {
    const rand = mulberry32(3);
    const flags = Array.from({ length: 500 }, () => (rand() < 0.4 ? 1 : 0));
    for (const [k, n] of [
      [1, 1],
      [2, 3],
      [3, 5],
      [10, 20],
    ] as const) {
      const rule = new Persistence(k, n);
      expect(persist(flags, k, n)).toEqual(flags.map((f) => rule.push(f)));
    }
  });

  it('on scores: the k-th largest of the last n, over the threshold exactly when k of the n are', () => {
    // 2 of 3, threshold 1. Last three scores (missing = 0) and their 2nd largest:
    //   [0.5]            → 0      (one window: not yet two)
    //   [0.5 1.4]        → 0.5
    //   [0.5 1.4 1.2]    → 1.2    ← two of three over 1: on
    //   [1.4 1.2 0.3]    → 1.2    on
    //   [1.2 0.3 0.9]    → 0.9    off (one over)
    //   [0.3 0.9 2.0]    → 0.9    off: a single spike does not raise it
    const rule = new Persistence(2, 3);
    expect([0.5, 1.4, 1.2, 0.3, 0.9, 2.0].map((s) => rule.push(s))).toEqual([0, 0.5, 1.2, 1.2, 0.9, 0.9]);
    expect(rule.count).toBe(3);
    // The same flags as persist() gives for those scores over 1.
    expect(persist([0, 1, 1, 0, 0, 1], 2, 3)).toEqual([0, 0, 1, 1, 0, 0]);
    // 1 of 1 is the score itself; a reset forgets the history (a stop, a new model).
    const one = new Persistence(1, 1);
    expect([0.2, 3, 0.7].map((s) => one.push(s))).toEqual([0.2, 3, 0.7]);
    rule.reset();
    expect(rule.count).toBe(0);
    expect(rule.push(5)).toBe(0);
    // A score that is not a number counts as over (it must not hide a fault).
    expect(rule.push(Number.NaN)).toBe(5);
  });

  it('costs delay: k − 1 windows to raise, n − k + 1 windows to clear', () => {
    // 10 of 20 (the demo models' rule): a step from 0.1 to 3 at window 5 and back at window 40.
    const rule = new Persistence(10, 20);
    const out = Array.from({ length: 80 }, (_, i) => rule.push(i >= 5 && i < 40 ? 3 : 0.1));
    const on = out.map((v) => v > 1);
    expect(on.indexOf(true)).toBe(5 + 9);
    expect(on.lastIndexOf(true)).toBe(40 + 10 - 1);
  });
});
