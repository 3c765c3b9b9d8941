import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SampleFilter } from './filter.js';

function run(mode: 'deadband' | 'swinging-door', deviation: number, points: [number, number][]): [number, number][] {
  const f = new SampleFilter({ mode, deviation, maxIntervalMs: 1e12 });
  const kept: [number, number][] = [];
  for (const [t, v] of points) f.push(t, v, 0, (kt, kv) => kept.push([kt, kv]));
  f.finish((kt, kv) => kept.push([kt, kv]));
  return kept;
}

describe('sample filter', () => {
  it('swinging door: linear interpolation between stored points stays within the deviation of every sample', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 2, maxLength: 200 }),
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        (vs, dev) => {
          const points = vs.map((v, i) => [i * 1000, v] as [number, number]);
          const kept = run('swinging-door', dev, points);
          expect(kept[0]).toEqual(points[0]);
          expect(kept[kept.length - 1]).toEqual(points[points.length - 1]);
          let k = 0;
          for (const [t, v] of points) {
            while (k + 1 < kept.length && (kept[k + 1] as [number, number])[0] < t) k++;
            const [t0, v0] = kept[k] as [number, number];
            const [t1, v1] = (kept[k + 1] ?? kept[k]) as [number, number];
            const interp = t1 === t0 ? v0 : v0 + ((v1 - v0) * (t - t0)) / (t1 - t0);
            expect(Math.abs(interp - v)).toBeLessThanOrEqual(dev + 1e-7);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('deadband keeps only moves beyond the deviation, and a slow ramp compresses', () => {
    expect(
      run('deadband', 1, [
        [0, 0],
        [1, 0.5],
        [2, 1.5],
        [3, 1.2],
        [4, 3],
      ]),
    ).toEqual([
      [0, 0],
      [2, 1.5],
      [4, 3],
    ]);
    const ramp = Array.from({ length: 1000 }, (_, i) => [i * 1000, i * 0.01] as [number, number]);
    expect(run('swinging-door', 0.05, ramp).length).toBeLessThan(5);
  });

  it('always keeps a change of quality', () => {
    const f = new SampleFilter({ mode: 'deadband', deviation: 10, maxIntervalMs: 1e12 });
    const kept: number[] = [];
    f.push(0, 1, 0, (t) => kept.push(t));
    f.push(1, 1, 2, (t) => kept.push(t));
    f.push(2, 1, 0, (t) => kept.push(t));
    expect(kept).toEqual([0, 1, 2]);
  });
});
