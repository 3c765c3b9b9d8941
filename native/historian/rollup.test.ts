import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Bucket, computeBucket, emptyBucket, HOUR, MINUTE, MinuteAccumulator, mergeInto } from './rollup.js';
import { relDiff } from './test-kit.js';

const T = Date.UTC(2026, 0, 1);

describe('rollup buckets', () => {
  it('computes time-weighted average and integral by hand', () => {
    // 10 for 20 s, 40 for 30 s, then a Bad sample: 10 s without a value.
    const ts = [T, T + 20_000, T + 50_000, T + 60_000];
    const v = [10, 40, 99, 5];
    const q = [0, 0, 2, 0];
    const b = computeBucket(ts, v, q, 4, T, MINUTE, 600_000, true);
    expect(b.count).toBe(2);
    expect(b.integral).toBe(10 * 20_000 + 40 * 30_000);
    expect(b.dur).toBe(50_000);
    expect(b.integral / b.dur).toBeCloseTo(28, 10);
    expect(b.min).toBe(10);
    expect(b.max).toBe(40);
    expect(b.first).toBe(10);
    expect(Number.isNaN(b.last)).toBe(true);
  });

  it('holds a value into later buckets only up to maxHoldMs', () => {
    const b = computeBucket([T], [7], [0], 1, T + MINUTE, MINUTE, 90_000, true);
    expect(b.count).toBe(0);
    expect(b.dur).toBe(30_000);
    expect(b.integral).toBe(7 * 30_000);
  });

  it('builds the same minutes incrementally as from the whole data set, and hours as merges of minutes', () => {
    const sample = fc.tuple(fc.integer({ min: 0, max: 500 }), fc.integer({ min: -50, max: 50 }), fc.constantFrom(0, 0, 0, 1, 2));
    fc.assert(
      fc.property(fc.array(sample, { minLength: 1, maxLength: 80 }), fc.integer({ min: 1, max: 400 }), (rows, holdS) => {
        rows.sort((a, b) => a[0] - b[0]);
        const ts = rows.map((r) => T + r[0] * 1000);
        const v = rows.map((r) => r[1]);
        const q = rows.map((r) => r[2]);
        const hold = holdS * 1000;
        const acc = new MinuteAccumulator(hold);
        const closed: Bucket[] = [];
        for (let i = 0; i < rows.length; i++) acc.push(ts[i] as number, v[i] as number, q[i] as number, closed);
        const all = [...closed, acc.open as Bucket];
        const last = ts[ts.length - 1] as number;
        for (const b of all) {
          const ref = computeBucket(ts, v, q, ts.length, b.t, MINUTE, hold, b.t + MINUTE <= last);
          expect(b.count).toBe(ref.count);
          expect(b.sum).toBe(ref.sum);
          expect(relDiff(b.integral, ref.integral)).toBeLessThan(1e-9);
          expect(b.dur).toBe(ref.dur);
          if (ref.count > 0) expect([b.min, b.max, b.first, b.firstTs]).toEqual([ref.min, ref.max, ref.first, ref.firstTs]);
        }
        const hour = all.reduce((h, b) => mergeInto(h, b), emptyBucket(T));
        const refHour = computeBucket(ts, v, q, ts.length, T, HOUR, hold, false);
        expect(hour.count).toBe(refHour.count);
        expect(hour.dur).toBe(refHour.dur);
        expect(relDiff(hour.integral, refHour.integral)).toBeLessThan(1e-9);
      }),
      { numRuns: 150 },
    );
  });
});
