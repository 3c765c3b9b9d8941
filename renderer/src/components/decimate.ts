// Per-pixel min/max decimation of live ring buffers onto one shared time axis (uPlot wants aligned
// columns). Each pixel bucket contributes two points — its extremes in time order — so no spike
// vanishes however many samples fall into one pixel, and the chart draws at most 2 × width points.
import type { Ring } from '../store/live';

export interface Decimated {
  /** Seconds since epoch (uPlot's time unit). */
  x: Float64Array;
  ys: (number | null)[][];
}

export function decimateRings(rings: (Ring | undefined)[], from: number, to: number, buckets: number): Decimated {
  const n = Math.max(1, Math.floor(buckets));
  const width = (to - from) / n;
  const x = new Float64Array(2 * n);
  for (let b = 0; b < n; b++) {
    x[2 * b] = (from + b * width) / 1000;
    x[2 * b + 1] = (from + (b + 0.5) * width) / 1000;
  }
  const ys = rings.map((ring) => {
    const y: (number | null)[] = new Array(2 * n).fill(null);
    if (!ring) return y;
    const lo = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
    const hi = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
    const loAt = new Float64Array(n);
    const hiAt = new Float64Array(n);
    const { t, v } = ring.since(from);
    for (let i = 0; i < t.length; i++) {
      const ti = t[i] as number;
      const vi = v[i];
      if (vi === null || vi === undefined || ti > to) continue;
      const b = Math.min(n - 1, Math.floor((ti - from) / width));
      if (vi < (lo[b] as number)) {
        lo[b] = vi;
        loAt[b] = ti;
      }
      if (vi > (hi[b] as number)) {
        hi[b] = vi;
        hiAt[b] = ti;
      }
    }
    for (let b = 0; b < n; b++) {
      if (lo[b] === Number.POSITIVE_INFINITY) continue;
      const minFirst = (loAt[b] as number) <= (hiAt[b] as number);
      y[2 * b] = minFirst ? (lo[b] as number) : (hi[b] as number);
      y[2 * b + 1] = minFirst ? (hi[b] as number) : (lo[b] as number);
    }
    return y;
  });
  return { x, ys };
}
