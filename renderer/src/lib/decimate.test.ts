import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Ring } from '../platform/live';
import { BucketGrid, decimateRings, LiveDecimator } from './decimate';

describe('decimateRings', () => {
  it('keeps the min and max of every pixel bucket', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 500 }),
        fc.integer({ min: 1, max: 50 }),
        (values, buckets) => {
          const ring = new Ring(1000);
          for (const [i, v] of values.entries()) ring.push(1000 + i * 10, v);
          const from = 1000;
          const to = 1000 + values.length * 10;
          const { ys } = decimateRings([ring], from, to, buckets);
          const y = ys[0] as (number | null)[];
          const width = (to - from) / buckets;
          for (let b = 0; b < buckets; b++) {
            const inBucket = values.filter((_, i) => Math.min(buckets - 1, Math.floor((i * 10) / width)) === b);
            if (inBucket.length === 0) {
              expect(y[2 * b]).toBeNull();
              continue;
            }
            const pair = [y[2 * b], y[2 * b + 1]];
            expect(pair).toContain(Math.min(...inBucket));
            expect(pair).toContain(Math.max(...inBucket));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('orders each bucket’s extremes as they happened', () => {
    const ring = new Ring(10);
    ring.push(0, 5);
    ring.push(1, 9);
    ring.push(2, 1);
    const { ys } = decimateRings([ring], 0, 3, 1);
    expect(ys[0]).toEqual([9, 1]);
  });

  it('returns empty buckets for a tag without a ring', () => {
    const { x, ys } = decimateRings([undefined], 0, 1000, 4);
    expect(x.length).toBe(8);
    expect(ys[0]?.every((v) => v === null)).toBe(true);
  });
});

describe('LiveDecimator', () => {
  it('folded frame by frame, matches decimating the whole window at once', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { maxLength: 40 }), { minLength: 1, maxLength: 30 }),
        (frames) => {
          const ring = new Ring(16, 1e9);
          const windowMs = 10_000;
          const dec = new LiveDecimator(windowMs, 20, 1);
          let t = 0;
          let last = dec.update([ring], 0, [Number.POSITIVE_INFINITY]);
          for (const frame of frames) {
            for (const v of frame) {
              t += 37;
              ring.push(t, v);
            }
            last = dec.update([ring], t, [Number.POSITIVE_INFINITY]);
          }
          // The same samples, decimated from scratch on the same bucket grid.
          const fresh = new LiveDecimator(windowMs, 20, 1).update([ring], t, [Number.POSITIVE_INFINITY]);
          expect(Array.from(last.x)).toEqual(Array.from(fresh.x));
          expect(last.ys[0]).toEqual(fresh.ys[0]);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('scrolls: buckets that leave the window drop out, new ones come in', () => {
    const ring = new Ring(64, 1e9);
    const dec = new LiveDecimator(1000, 10, 1);
    ring.push(50, 1);
    let d = dec.update([ring], 999, [Number.POSITIVE_INFINITY]);
    expect(d.x[0]).toBeCloseTo(0);
    expect(d.ys[0]?.[0]).toBe(1);
    ring.push(1500, 7);
    d = dec.update([ring], 1500, [Number.POSITIVE_INFINITY]);
    expect(d.x[0]).toBeCloseTo(0.6);
    expect(d.ys[0]?.includes(1)).toBe(false);
    expect(d.ys[0]?.[18]).toBe(7);
  });
});

describe('BucketGrid gaps', () => {
  it('joins over empty buckets within the gap time and breaks the line beyond it', () => {
    const grid = new BucketGrid(100, 20, 1);
    grid.add(0, 50, 1);
    grid.add(0, 250, 2);
    grid.add(0, 1050, 3);
    const { ys } = grid.write(0, 10, [300]);
    const y = ys[0] ?? [];
    expect(y[2]).toBeUndefined(); // bucket 1: 100–200, 150 ms after the last sample: joined
    expect(y[4]).toBe(2);
    expect(y[12]).toBeNull(); // bucket 6 ends 350 ms after the sample at 250: a gap
    expect(y[20]).toBe(3);
  });
});

describe('Ring', () => {
  it('grows to keep its retention, then overwrites the oldest', () => {
    const ring = new Ring(4, 100);
    for (let t = 0; t < 300; t++) ring.push(t, t);
    expect(ring.capacity).toBeGreaterThanOrEqual(100);
    expect(ring.timeAt(ring.length - 1)).toBe(299);
    expect(299 - ring.timeAt(0)).toBeGreaterThanOrEqual(100);
    expect(ring.written).toBe(300);
    expect(ring.firstAtOrAfter(250)).toBe(ring.length - 50);
  });

  it('drops samples older than the newest it holds', () => {
    const ring = new Ring(4);
    ring.push(10, 1);
    ring.push(5, 2);
    expect(ring.length).toBe(1);
    expect(ring.since(0)).toEqual({ t: [10], v: [1] });
  });
});
