// Rollup buckets: min, max, first, last, count, sum and the time-weighted integral of one tag over
// one interval. Values are held (sample-and-hold) from one sample to the next, but never longer
// than `maxHoldMs` and never across a Bad or missing sample: that is what makes an integral of kW
// into kWh honest about gaps. Minute buckets are built incrementally as samples arrive; hour
// buckets are merges of minute buckets, so both always agree.

export const MINUTE = 60_000;
export const HOUR = 3_600_000;

export interface Bucket {
  /** Bucket start, ms since epoch. */
  t: number;
  /** Valid (not Bad, not missing) samples. */
  count: number;
  min: number;
  max: number;
  sum: number;
  /** First valid value and its timestamp (NaN when count is 0). */
  first: number;
  firstTs: number;
  /** Last value: NaN when the last sample was Bad or missing; lastTs of the last sample of any quality. */
  last: number;
  lastTs: number;
  /** ∫ value dt over the time a valid value was held, in value·ms. */
  integral: number;
  /** Milliseconds a valid value was held. */
  dur: number;
}

export function emptyBucket(t: number): Bucket {
  return {
    t,
    count: 0,
    min: Number.NaN,
    max: Number.NaN,
    sum: 0,
    first: Number.NaN,
    firstTs: Number.NaN,
    last: Number.NaN,
    lastTs: Number.NaN,
    integral: 0,
    dur: 0,
  };
}

export function isValid(v: number, q: number): boolean {
  return q !== 2 && !Number.isNaN(v);
}

/** Fold `b` into `into` (any order: first and last go by timestamp). */
export function mergeInto(into: Bucket, b: Bucket): Bucket {
  if (b.count > 0) {
    if (into.count === 0 || b.min < into.min) into.min = b.min;
    if (into.count === 0 || b.max > into.max) into.max = b.max;
    if (into.count === 0 || b.firstTs < into.firstTs) {
      into.first = b.first;
      into.firstTs = b.firstTs;
    }
  }
  if (!(b.lastTs <= into.lastTs)) {
    into.last = b.last;
    into.lastTs = b.lastTs;
  }
  into.count += b.count;
  into.sum += b.sum;
  into.integral += b.integral;
  into.dur += b.dur;
  return into;
}

/** Add the held segment [from, to) of value v, clipped to the bucket. */
function hold(b: Bucket, width: number, v: number, from: number, to: number): void {
  const a = Math.max(from, b.t);
  const z = Math.min(to, b.t + width);
  if (z > a) {
    b.integral += v * (z - a);
    b.dur += z - a;
  }
}

/**
 * One bucket from sorted samples. `closed` says whether a sample at or after the bucket's end
 * exists: only then is the last value held to the end of the bucket (the open bucket at the
 * data's frontier ends at its last sample).
 */
export function computeBucket(
  ts: ArrayLike<number>,
  values: ArrayLike<number>,
  quality: ArrayLike<number>,
  n: number,
  start: number,
  width: number,
  maxHoldMs: number,
  closed: boolean,
): Bucket {
  const b = emptyBucket(start);
  const end = start + width;
  let prevTs = Number.NaN;
  let prevV = Number.NaN;
  let sawLater = false;
  for (let i = 0; i < n; i++) {
    const t = ts[i] as number;
    if (t < start - maxHoldMs) continue;
    if (!Number.isNaN(prevV)) hold(b, width, prevV, prevTs, Math.min(t, prevTs + maxHoldMs));
    if (t >= end) {
      sawLater = true;
      break;
    }
    const v = values[i] as number;
    const valid = isValid(v, quality[i] as number);
    prevTs = t;
    prevV = valid ? v : Number.NaN;
    if (t < start) continue;
    addPoint(b, t, v, valid);
  }
  if (closed && !sawLater && !Number.isNaN(prevV)) hold(b, width, prevV, prevTs, prevTs + maxHoldMs);
  return b;
}

function addPoint(b: Bucket, t: number, v: number, valid: boolean): void {
  if (valid) {
    if (b.count === 0 || v < b.min) b.min = v;
    if (b.count === 0 || v > b.max) b.max = v;
    if (b.count === 0 || t < b.firstTs) {
      b.first = v;
      b.firstTs = t;
    }
    b.count++;
    b.sum += v;
  }
  if (!(t < b.lastTs)) {
    b.last = valid ? v : Number.NaN;
    b.lastTs = t;
  }
}

/**
 * The minute bucket a tag is filling, fed in time order. `push` returns the buckets it closed
 * (including empty minutes that only carry a held value), oldest first.
 */
export class MinuteAccumulator {
  open: Bucket | null = null;
  /** Last sample of any quality: the tag's in-order frontier. */
  lastTs = Number.NEGATIVE_INFINITY;
  private prevV = Number.NaN;

  constructor(readonly maxHoldMs: number) {}

  /** Resume from a stored open bucket (after a restart). */
  resume(b: Bucket): void {
    this.open = b;
    this.lastTs = b.lastTs;
    this.prevV = b.last;
  }

  push(t: number, v: number, q: number, closedOut: Bucket[]): void {
    const m = Math.floor(t / MINUTE) * MINUTE;
    let open = this.open;
    if (open && m > open.t) {
      this.close(open, t, closedOut);
      open = null;
    }
    if (!open) {
      open = emptyBucket(m);
      this.open = open;
      // The value held into this bucket from before it.
      if (!Number.isNaN(this.prevV)) hold(open, MINUTE, this.prevV, this.lastTs, Math.min(t, this.lastTs + this.maxHoldMs));
    } else if (!Number.isNaN(this.prevV)) {
      hold(open, MINUTE, this.prevV, this.lastTs, Math.min(t, this.lastTs + this.maxHoldMs));
    }
    const valid = isValid(v, q);
    addPoint(open, t, v, valid);
    this.lastTs = t;
    this.prevV = valid ? v : Number.NaN;
  }

  /** Close the open bucket because a sample at `next` (in a later minute) arrived. */
  private close(open: Bucket, next: number, out: Bucket[]): void {
    const holdEnd = Number.isNaN(this.prevV) ? this.lastTs : Math.min(next, this.lastTs + this.maxHoldMs);
    if (!Number.isNaN(this.prevV)) hold(open, MINUTE, this.prevV, this.lastTs, holdEnd);
    out.push(open);
    // Empty minutes through which the last value is still held.
    const nextMinute = Math.floor(next / MINUTE) * MINUTE;
    for (let m = open.t + MINUTE; m < nextMinute && m < holdEnd; m += MINUTE) {
      const filler = emptyBucket(m);
      hold(filler, MINUTE, this.prevV, this.lastTs, holdEnd);
      out.push(filler);
    }
  }
}
