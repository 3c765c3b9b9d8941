// Per-pixel min/max decimation onto one shared time axis (uPlot wants aligned columns). Buckets
// are aligned to absolute time (bucket k covers [k·w, (k+1)·w)), so a bucket, once complete, never
// changes as the window scrolls: the live decimator folds in only the samples that arrived since
// the last frame, and each frame costs O(new samples + pixels), not O(points in the window).
// Each bucket contributes two points — its extremes in time order — so no spike vanishes however
// many samples fall into one pixel, and the chart draws at most 2 × width points per pen.
import type { Ring } from '../platform/live';

/** uPlot series values: null breaks the line (a real gap), undefined is skipped and joined over. */
export type SeriesValue = number | null | undefined;

export interface Decimated {
  /** Seconds since epoch (uPlot's time unit). */
  x: Float64Array;
  ys: SeriesValue[][];
}

/** Min/max per time bucket (bucket k covers [origin + k·w, origin + (k+1)·w)) for several pens, in slots reused round-robin by k. */
export class BucketGrid {
  private readonly key: Float64Array;
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
  private readonly loAt: Float64Array;
  private readonly hiAt: Float64Array;

  constructor(
    readonly bucketMs: number,
    readonly slots: number,
    readonly pens: number,
    readonly origin = 0,
  ) {
    const n = slots * pens;
    this.key = new Float64Array(n).fill(Number.NaN);
    this.lo = new Float64Array(n);
    this.hi = new Float64Array(n);
    this.loAt = new Float64Array(n);
    this.hiAt = new Float64Array(n);
  }

  bucketOf(t: number): number {
    return Math.floor((t - this.origin) / this.bucketMs);
  }

  add(pen: number, t: number, v: number): void {
    this.addRange(pen, t, v, v);
  }

  /** A sample or an already-decimated bucket (its min and max) at time t. */
  addRange(pen: number, t: number, lo: number, hi: number): void {
    if (Number.isNaN(lo) || Number.isNaN(hi)) return;
    const k = this.bucketOf(t);
    const s = pen * this.slots + (((k % this.slots) + this.slots) % this.slots);
    if (this.key[s] !== k) {
      this.key[s] = k;
      this.lo[s] = lo;
      this.hi[s] = hi;
      this.loAt[s] = t;
      this.hiAt[s] = t;
      return;
    }
    if (lo < (this.lo[s] as number)) {
      this.lo[s] = lo;
      this.loAt[s] = t;
    }
    if (hi > (this.hi[s] as number)) {
      this.hi[s] = hi;
      this.hiAt[s] = t;
    }
  }

  /**
   * Buckets kFrom…kTo (inclusive) as aligned columns, two points per bucket. An empty bucket is
   * joined over (undefined) unless the pen has had no sample for longer than `gapMs`, then the line
   * breaks (null): slow tags draw as lines, lost data shows as a gap.
   */
  write(kFrom: number, kTo: number, gapMs: number[], out?: Decimated): Decimated {
    const n = Math.max(0, kTo - kFrom + 1);
    const reuse = out && out.x.length === 2 * n && out.ys.length === this.pens;
    const x = reuse ? out.x : new Float64Array(2 * n);
    const ys = reuse ? out.ys : Array.from({ length: this.pens }, () => new Array<SeriesValue>(2 * n));
    const w = this.bucketMs;
    const o = this.origin;
    for (let b = 0; b < n; b++) {
      const k = kFrom + b;
      x[2 * b] = (o + k * w) / 1000;
      x[2 * b + 1] = (o + (k + 0.5) * w) / 1000;
    }
    for (let p = 0; p < this.pens; p++) {
      const y = ys[p] as SeriesValue[];
      const gap = gapMs[p] ?? Number.POSITIVE_INFINITY;
      let lastAt = Number.NEGATIVE_INFINITY;
      for (let b = 0; b < n; b++) {
        const k = kFrom + b;
        const s = p * this.slots + (((k % this.slots) + this.slots) % this.slots);
        if (this.key[s] !== k) {
          const empty = o + (k + 1) * w - lastAt > gap ? null : undefined;
          y[2 * b] = empty;
          y[2 * b + 1] = empty;
          continue;
        }
        const lo = this.lo[s] as number;
        const hi = this.hi[s] as number;
        const minFirst = (this.loAt[s] as number) <= (this.hiAt[s] as number);
        y[2 * b] = minFirst ? lo : hi;
        y[2 * b + 1] = minFirst ? hi : lo;
        lastAt = Math.max(this.loAt[s] as number, this.hiAt[s] as number);
      }
    }
    return { x, ys };
  }
}

/**
 * The live trend's decimator: one grid sized to the window in pixels; each frame it folds in the
 * samples each pen's ring received since the previous frame, then writes the window's columns.
 */
export class LiveDecimator {
  readonly grid: BucketGrid;
  private readonly seen: number[];
  private out: Decimated | undefined;

  constructor(
    readonly windowMs: number,
    readonly buckets: number,
    pens: number,
  ) {
    // Two spare slots: the bucket being filled and the one scrolling out never collide.
    this.grid = new BucketGrid(windowMs / buckets, buckets + 2, pens);
    this.seen = new Array(pens).fill(-1);
  }

  update(rings: (Ring | undefined)[], now: number, gapMs: number[]): Decimated {
    const from = now - this.windowMs;
    for (let p = 0; p < rings.length; p++) {
      const ring = rings[p];
      if (!ring) continue;
      const firstSeq = ring.written - ring.length;
      const seen = this.seen[p] as number;
      // First look (or the ring overwrote what we had not seen yet): take the window from the ring.
      let k = seen < firstSeq ? ring.firstAtOrAfter(from) : seen - firstSeq + 1;
      for (; k < ring.length; k++) {
        const t = ring.timeAt(k);
        if (t >= from) this.grid.add(p, t, ring.valueAt(k));
      }
      this.seen[p] = ring.written - 1;
    }
    const kTo = this.grid.bucketOf(now);
    this.out = this.grid.write(kTo - this.buckets + 1, kTo, gapMs, this.out);
    return this.out;
  }
}

/** One-shot decimation of ring contents over [from, to) into `buckets` pixel buckets. */
export function decimateRings(rings: (Ring | undefined)[], from: number, to: number, buckets: number): Decimated {
  const n = Math.max(1, Math.floor(buckets));
  // One spare slot: floating-point rounding may put a sample just below `to` into bucket n.
  const grid = new BucketGrid((to - from) / n, n + 1, rings.length, from);
  for (const [p, ring] of rings.entries()) {
    if (!ring) continue;
    for (let k = ring.firstAtOrAfter(from); k < ring.length; k++) {
      const t = ring.timeAt(k);
      if (t >= to) break;
      grid.add(p, t, ring.valueAt(k));
    }
  }
  return grid.write(0, n - 1, new Array(rings.length).fill(0));
}
