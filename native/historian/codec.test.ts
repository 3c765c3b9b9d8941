import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../util/random.js';
import { type BucketRecord, decimalsOf, decodeBuckets, decodeChunk, encodeBuckets, encodeChunk, type Samples } from './codec.js';

function samples(ts: number[], values: number[], quality: number[]): Samples {
  return { ts: Float64Array.from(ts), values: Float64Array.from(values), quality: Uint8Array.from(quality), length: ts.length };
}

function expectSame(a: Samples, b: Samples): void {
  expect(b.length).toBe(a.length);
  for (let i = 0; i < a.length; i++) {
    expect(Object.is(b.ts[i], a.ts[i])).toBe(true);
    expect(Object.is(b.values[i], a.values[i]) || (Number.isNaN(a.values[i] as number) && Number.isNaN(b.values[i] as number))).toBe(true);
    expect(b.quality[i]).toBe(a.quality[i]);
  }
}

describe('chunk codec', () => {
  it('round-trips any doubles, timestamps in any order, NaN and every quality', () => {
    const row = fc.tuple(
      fc.oneof(fc.integer({ min: 0, max: 2 ** 45 }), fc.double({ min: 0, max: 2e12, noNaN: true })),
      fc.oneof(
        fc.double(),
        fc.integer({ min: -1e6, max: 1e6 }).map((x) => x / 100),
        fc.constant(Number.NaN),
        fc.constant(-0),
      ),
      fc.integer({ min: 0, max: 2 }),
    );
    fc.assert(
      fc.property(fc.array(row, { maxLength: 300 }), (rows) => {
        const s = samples(
          rows.map((r) => r[0]),
          rows.map((r) => r[1]),
          rows.map((r) => r[2]),
        );
        expectSame(s, decodeChunk(encodeChunk(s)));
      }),
      { numRuns: 200 },
    );
  });

  it('decodes a chunk lying at any byte offset inside a larger buffer (as SQLite and the tail hand them over)', () => {
    // Float timestamps take the 8-byte path; level 0 decodes straight from the given bytes.
    const row = fc.tuple(fc.double({ min: 0, max: 2e12, noNaN: true }), fc.double(), fc.integer({ min: 0, max: 2 }));
    fc.assert(
      fc.property(
        fc.array(row, { minLength: 1, maxLength: 100 }),
        fc.integer({ min: 1, max: 63 }),
        fc.constantFrom(0, 1),
        (rows, at, level) => {
          const s = samples(
            rows.map((r) => r[0]),
            rows.map((r) => r[1]),
            rows.map((r) => r[2]),
          );
          const blob = encodeChunk(s, level);
          const big = Buffer.alloc(at + blob.length + 17, 0xa5);
          big.set(blob, at);
          expectSame(s, decodeChunk(big.subarray(at, at + blob.length)));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('stores a regular, slowly changing signal in well under two bytes per sample', () => {
    const n = 1024;
    const t0 = Date.UTC(2026, 0, 1);
    const s = samples(
      Array.from({ length: n }, (_, i) => t0 + i * 1000),
      Array.from({ length: n }, (_, i) => 20 + Math.floor(i / 200) * 0.5),
      new Array(n).fill(0),
    );
    const blob = encodeChunk(s);
    expect(blob.length / n).toBeLessThan(2);
    expectSame(s, decodeChunk(blob));
  });

  it('finds the fewest decimals that represent every value exactly', () => {
    expect(decimalsOf(Float64Array.from([1, 2.5, 3.25]), 3)).toBe(2);
    expect(decimalsOf(Float64Array.from([1, Number.NaN]), 2)).toBe(0);
    expect(decimalsOf(Float64Array.from([Math.PI]), 1)).toBe(-1);
  });

  it('refuses a blob of an unknown version', () => {
    expect(() => decodeChunk(Uint8Array.from([9, 0]))).toThrow(/version/);
  });
});

describe('rollup block codec', () => {
  const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
  it('round-trips buckets of any doubles and NaN exactly (−0 as 0, as a REAL column stored it)', () => {
    const num = fc.oneof(
      fc.double(),
      fc.integer({ min: -1e6, max: 1e6 }).map((x) => x / 100),
      fc.integer({ min: 0, max: 2 ** 53 - 1 }),
      fc.constant(Number.NaN),
      fc.constant(-0),
      // Sums of few-decimal values, off a decimal only by floating-point rounding (the V_NEAR columns).
      fc.array(fc.integer({ min: -1e5, max: 1e5 }), { minLength: 1, maxLength: 60 }).map((xs) => xs.reduce((a, x) => a + x / 100, 0)),
    );
    const bucket = fc.record({
      t: fc.integer({ min: 0, max: 2 ** 45 }).map((x) => x * 60_000),
      count: fc.integer({ min: 0, max: 100_000 }),
      min: num,
      max: num,
      sum: num,
      first: num,
      firstTs: fc.oneof(fc.integer({ min: 0, max: 2 ** 52 }), fc.double({ min: 0, max: 2e12, noNaN: true }), fc.constant(Number.NaN)),
      last: num,
      lastTs: fc.oneof(fc.integer({ min: 0, max: 2 ** 52 }), fc.constant(Number.NaN)),
      integral: num,
      dur: fc.oneof(fc.integer({ min: 0, max: 3_600_000 }), fc.double({ min: 0, max: 1e7, noNaN: true })),
    });
    fc.assert(
      fc.property(fc.array(bucket, { maxLength: 130 }), (buckets: BucketRecord[]) => {
        const back = decodeBuckets(encodeBuckets(buckets));
        expect(back).toHaveLength(buckets.length);
        buckets.forEach((b, i) => {
          for (const k of Object.keys(b) as (keyof BucketRecord)[]) {
            const want = Object.is(b[k], -0) ? 0 : b[k];
            expect(same(back[i]?.[k] as number, want), `${k} of bucket ${i}: ${back[i]?.[k]} vs ${want}`).toBe(true);
          }
        });
      }),
      { numRuns: 200 },
    );
  });

  it('keeps sums and integrals of 2-decimal values exact, in fewer bytes than as raw doubles', () => {
    const rnd = mulberry32(3);
    let v = 50;
    const buckets: BucketRecord[] = Array.from({ length: 60 }, (_, i) => {
      let sum = 0;
      for (let k = 0; k < 60; k++) {
        v = Math.round((v + rnd() - 0.5) * 100) / 100;
        sum += v;
      }
      return {
        t: i * 60_000,
        count: 60,
        min: v,
        max: v,
        sum,
        first: v,
        firstTs: i * 60_000,
        last: v,
        lastTs: i * 60_000 + 59_000,
        integral: sum * 1000,
        dur: 60_000,
      };
    });
    expect(buckets.some((b) => decimalsOf(Float64Array.of(b.sum), 1) < 0)).toBe(true);
    const blob = encodeBuckets(buckets);
    const back = decodeBuckets(blob);
    buckets.forEach((b, i) => {
      expect(Object.is(back[i]?.sum, b.sum)).toBe(true);
      expect(Object.is(back[i]?.integral, b.integral)).toBe(true);
    });
    // The same buckets with sums and integrals that are no near decimal (XOR of doubles) take far more.
    const noisy = buckets.map((b, i) => ({ ...b, sum: b.sum * (1 + (i + 1) * 1e-7), integral: b.integral * (1 + (i + 1) * 1e-7) }));
    expect(blob.length).toBeLessThan(encodeBuckets(noisy).length * 0.75);
  });

  it('refuses a block of an unknown version', () => {
    expect(() => decodeBuckets(Uint8Array.from([9, 0]))).toThrow(/version/);
  });
});
