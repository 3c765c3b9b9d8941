// Queries over stored data: decimated trends that keep every extreme, the value at a time, and
// aggregates over intervals. Rollups answer long ranges; raw chunks answer short ones and anything
// rollups cannot (duration in a state, intervals not aligned to minutes).
import type { HistoryAggregate, HistoryAggregateRow, HistoryLastValue, HistorySeries, HistoryValueAt } from '../api/history-requests.js';
import type { Samples } from './codec.js';
import type { TagPolicy } from './config.js';
import type { StoreReader } from './reader.js';
import { type Bucket, computeBucket, emptyBucket, HOUR, isValid, MINUTE, mergeInto } from './rollup.js';

export interface QueryTag {
  name: string;
  sid: number;
  policy: TagPolicy;
}

function rawSeries(name: string, s: Samples): HistorySeries {
  const ts: number[] = new Array(s.length);
  const v: (number | null)[] = new Array(s.length);
  for (let i = 0; i < s.length; i++) {
    ts[i] = s.ts[i] as number;
    const x = s.values[i] as number;
    v[i] = isValid(x, s.quality[i] as number) ? x : null;
  }
  return { tag: name, ts, v, source: 'raw' };
}

interface Pixel {
  min: number;
  max: number;
  sum: number;
  count: number;
}

function pixelsToSeries(
  name: string,
  px: (Pixel | undefined)[],
  start: number,
  width: number,
  source: HistorySeries['source'],
): HistorySeries {
  const ts: number[] = [];
  const v: (number | null)[] = [];
  const min: (number | null)[] = [];
  const max: (number | null)[] = [];
  let inGap = false;
  for (let i = 0; i < px.length; i++) {
    const p = px[i];
    if (p && p.count > 0) {
      ts.push(start + i * width);
      v.push(p.sum / p.count);
      min.push(p.min);
      max.push(p.max);
      inGap = false;
    } else if (!inGap && ts.length > 0) {
      // One null per gap, so a chart breaks the line instead of bridging missing data.
      ts.push(start + i * width);
      v.push(null);
      min.push(null);
      max.push(null);
      inGap = true;
    }
  }
  while (v.length > 0 && v[v.length - 1] === null) {
    ts.pop();
    v.pop();
    min.pop();
    max.pop();
  }
  return { tag: name, ts, v, min, max, source, bucketMs: width };
}

function addToPixel(px: (Pixel | undefined)[], i: number, lo: number, hi: number, sum: number, count: number): void {
  const p = px[i];
  if (!p) px[i] = { min: lo, max: hi, sum, count };
  else {
    if (lo < p.min) p.min = lo;
    if (hi > p.max) p.max = hi;
    p.sum += sum;
    p.count += count;
  }
}

/**
 * A trend of one tag over [from, to] in at most maxPoints points. Every pixel bucket carries the
 * min and max of the data inside it, so no spike vanishes at any zoom.
 */
export function trend(reader: StoreReader, tag: QueryTag, from: number, to: number, maxPoints: number, now: number): HistorySeries {
  const pixel = (to - from) / maxPoints;
  const rawKept = from >= now - tag.policy.rawMs;
  const minuteKept = from >= now - tag.policy.minuteMs;
  if (pixel < MINUTE && rawKept) {
    // The chunk headers bound the count without decoding anything.
    if (reader.rawCount(tag.sid, from, to) <= maxPoints) return rawSeries(tag.name, reader.raw(tag.sid, from, to));
    const px: (Pixel | undefined)[] = new Array(maxPoints);
    let inRange = 0;
    reader.forEachChunk(tag.sid, from, to, (s) => {
      for (let i = 0; i < s.length; i++) {
        const t = s.ts[i] as number;
        if (t < from || t > to) continue;
        inRange++;
        const v = s.values[i] as number;
        if (!isValid(v, s.quality[i] as number)) continue;
        addToPixel(px, Math.min(maxPoints - 1, Math.floor((t - from) / pixel)), v, v, v, 1);
      }
    });
    // Chunk headers overcount at the range's edges: few enough samples are returned as they are.
    if (inRange <= maxPoints) return rawSeries(tag.name, reader.raw(tag.sid, from, to));
    return pixelsToSeries(tag.name, px, from, pixel, 'raw');
  }
  const level = pixel >= HOUR || !minuteKept ? 'h1' : 'm1';
  const unit = level === 'h1' ? HOUR : MINUTE;
  const width = Math.max(1, Math.ceil(pixel / unit)) * unit;
  const start = Math.floor(from / unit) * unit;
  const count = Math.ceil((to - start) / width);
  const px: (Pixel | undefined)[] = new Array(count);
  for (const [t, n, lo, hi, sum] of reader.rollupSummaries(level, tag.sid, start, to + 1)) {
    addToPixel(px, Math.floor((t - start) / width), lo, hi, sum, n);
  }
  return pixelsToSeries(tag.name, px, start, width, level === 'h1' ? 'rollup-1h' : 'rollup-1m');
}

/**
 * The value at time t: the previous valid sample held (not beyond maxHoldMs), or linear
 * interpolation between the samples either side.
 */
export function valueAt(reader: StoreReader, tag: QueryTag, t: number, mode: 'previous' | 'linear'): HistoryValueAt {
  const hold = tag.policy.maxHoldMs;
  const s = reader.raw(tag.sid, t - hold, t + hold);
  let p = -1;
  for (let i = 0; i < s.length && (s.ts[i] as number) <= t; i++) p = i;
  const none: HistoryValueAt = { tag: tag.name, t, value: null, sampleTs: null, quality: null };
  if (p < 0) return none;
  const pv = s.values[p] as number;
  const pq = s.quality[p] as number;
  const pt = s.ts[p] as number;
  if (!isValid(pv, pq)) return { ...none, sampleTs: pt, quality: pq };
  if (mode === 'linear' && pt < t && p + 1 < s.length) {
    const nv = s.values[p + 1] as number;
    const nt = s.ts[p + 1] as number;
    if (isValid(nv, s.quality[p + 1] as number)) {
      return { tag: tag.name, t, value: pv + ((nv - pv) * (t - pt)) / (nt - pt), sampleTs: pt, quality: pq };
    }
  }
  return { tag: tag.name, t, value: pv, sampleTs: pt, quality: pq };
}

/** Each tag's newest stored sample (from tag_state: no chunk is decoded). */
export function lastValues(reader: StoreReader, tags: readonly QueryTag[]): HistoryLastValue[] {
  const rows = reader.lastValues(tags.map((t) => t.sid));
  return tags.map((t, i) => {
    const r = rows[i];
    return r ? { tag: t.name, ts: r.ts, value: r.value, quality: r.quality } : { tag: t.name, ts: null, value: null, quality: null };
  });
}

function toRow(b: Bucket, width: number, duration: number | null): HistoryAggregateRow {
  return {
    t: b.t,
    avg: b.count > 0 ? b.sum / b.count : null,
    min: b.count > 0 ? b.min : null,
    max: b.count > 0 ? b.max : null,
    twa: b.dur > 0 ? b.integral / b.dur : null,
    integral: b.integral / HOUR,
    count: b.count,
    coverage: b.dur / width,
    duration,
  };
}

/** Milliseconds within [start, end) during which the held value equals `state`. */
function durationInState(s: Samples, start: number, end: number, state: number, maxHoldMs: number): number {
  let total = 0;
  for (let i = 0; i < s.length; i++) {
    const t = s.ts[i] as number;
    if (t >= end) break;
    const v = s.values[i] as number;
    if (!isValid(v, s.quality[i] as number) || v !== state) continue;
    const next = i + 1 < s.length ? (s.ts[i + 1] as number) : t;
    const a = Math.max(t, start);
    const z = Math.min(next, t + maxHoldMs, end);
    if (z > a) total += z - a;
  }
  return total;
}

/**
 * Aggregates per interval over [from, to). Intervals aligned to hours (or minutes) come from the
 * rollups; others, and duration in a state, from raw samples.
 */
export function aggregate(
  reader: StoreReader,
  tag: QueryTag,
  from: number,
  to: number,
  intervalMs: number,
  state: number | null,
  now: number,
): HistoryAggregate {
  const rows: HistoryAggregateRow[] = [];
  const aligned = (unit: number) => from % unit === 0 && intervalMs % unit === 0;
  const useRollup = state === null && (aligned(HOUR) || (aligned(MINUTE) && from >= now - tag.policy.minuteMs));
  if (useRollup) {
    const level = aligned(HOUR) && (intervalMs >= HOUR || from < now - tag.policy.minuteMs) ? 'h1' : 'm1';
    const buckets = reader.rollups(level, tag.sid, from, to);
    let k = 0;
    for (let t = from; t < to; t += intervalMs) {
      const end = Math.min(t + intervalMs, to);
      const b = emptyBucket(t);
      while (k < buckets.length && (buckets[k] as Bucket).t < end) mergeInto(b, buckets[k++] as Bucket);
      rows.push(toRow(b, end - t, null));
    }
    return { tag: tag.name, intervalMs, source: level === 'h1' ? 'rollup-1h' : 'rollup-1m', rows };
  }
  const hold = tag.policy.maxHoldMs;
  const s = reader.raw(tag.sid, from - hold, to + hold);
  for (let t = from; t < to; t += intervalMs) {
    const end = Math.min(t + intervalMs, to);
    const closed = s.length > 0 && (s.ts[s.length - 1] as number) >= end;
    const b = computeBucket(s.ts, s.values, s.quality, s.length, t, end - t, hold, closed);
    rows.push(toRow(b, end - t, state === null ? null : durationInState(s, t, end, state, hold)));
  }
  return { tag: tag.name, intervalMs, source: 'raw', rows };
}

/** Raw samples of several tags, optionally resampled to a fixed step (previous value held). */
export function rangeRead(
  reader: StoreReader,
  tags: readonly QueryTag[],
  from: number,
  to: number,
  stepMs: number | null,
): { tag: string; ts: Float64Array; values: Float64Array; quality: Uint8Array }[] {
  return tags.map((tag) => {
    const hold = tag.policy.maxHoldMs;
    const s = reader.raw(tag.sid, stepMs === null ? from : from - hold, to);
    if (stepMs === null) return { tag: tag.name, ts: s.ts, values: s.values, quality: s.quality };
    const n = Math.floor((to - from) / stepMs) + 1;
    const ts = new Float64Array(n);
    const values = new Float64Array(n).fill(Number.NaN);
    const quality = new Uint8Array(n).fill(2);
    let j = -1;
    for (let k = 0; k < n; k++) {
      const t = from + k * stepMs;
      ts[k] = t;
      while (j + 1 < s.length && (s.ts[j + 1] as number) <= t) j++;
      if (j >= 0 && t - (s.ts[j] as number) <= hold && isValid(s.values[j] as number, s.quality[j] as number)) {
        values[k] = s.values[j] as number;
        quality[k] = s.quality[j] as number;
      }
    }
    return { tag: tag.name, ts, values, quality };
  });
}
