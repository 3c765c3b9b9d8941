import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Ring } from '../store/live';
import { decimateRings } from './decimate';

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
