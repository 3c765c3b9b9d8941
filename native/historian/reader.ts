// Reading stored data back: raw samples of a tag over a range (sealed chunks in day partitions plus
// the chunks still being filled, from the tail, merged in time order) and rollup buckets. Used by the
// query side on the main thread and by the writer when late data forces a rollup recomputation.
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from '../util/sqlite.js';
import { decodeBucketColumns, decodeBuckets, decodeChunk, decodeOpenBucket, type Samples } from './codec.js';
import { BLOCKS, partitionsIn, type RollupLevel } from './partitions.js';
import { type Bucket, emptyBucket, HOUR, mergeInto } from './rollup.js';
import { lastOf, minuteOf, openHourOf, readStateRows, type StoredSample, stateGroup } from './tag-state.js';
import { assembleTail, type TailChunk, tailGroup } from './tail.js';

interface ChunkRow {
  t0: number;
  t1: number;
  n: number;
  data: Uint8Array;
}

interface RollupRow {
  t: number;
  count: number;
  min: number | null;
  max: number | null;
  sum: number;
  first: number | null;
  first_ts: number | null;
  last: number | null;
  last_ts: number | null;
  integral: number;
  dur: number;
}

const EMPTY: Samples = { ts: new Float64Array(0), values: new Float64Array(0), quality: new Uint8Array(0), length: 0 };

function nan(x: number | null): number {
  return x === null ? Number.NaN : x;
}

export function bucketFromRow(r: RollupRow): Bucket {
  return {
    t: r.t,
    count: r.count,
    min: nan(r.min),
    max: nan(r.max),
    sum: r.sum,
    first: nan(r.first),
    firstTs: nan(r.first_ts),
    last: nan(r.last),
    lastTs: nan(r.last_ts),
    integral: r.integral,
    dur: r.dur,
  };
}

/** A file from before tag_state (opened read-only, not migrated): its last values by tag id, each one primary-key lookup. */
const OLD_LAST_VALUES_SQL = 'SELECT l.tag, l.ts, l.value, l.quality FROM json_each(?) AS j CROSS JOIN last_value AS l ON l.tag = j.value';

export class StoreReader {
  private readonly stmts = new Map<string, Statement>();

  constructor(readonly db: SqliteDatabase) {}

  private stmt(sql: string): Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  /** Forget statements of dropped tables. */
  forget(table: string): void {
    for (const key of [...this.stmts.keys()]) if (key.includes(` ${table} `)) this.stmts.delete(key);
  }

  private chunkRows(tag: number, from: number, to: number): ChunkRow[] {
    const rows: ChunkRow[] = [];
    for (const p of partitionsIn(this.db, 'raw', from, to)) {
      const found = this.stmt(`SELECT t0, t1, n, data FROM ${p.name} WHERE tag = ? AND t0 <= ? AND t1 >= ? ORDER BY t0`).all(
        tag,
        to,
        from,
      ) as ChunkRow[];
      for (const r of found) rows.push(r);
    }
    if (!this.hasTail()) {
      // A file from before the tail, opened read-only (not migrated): its open chunks are segment rows.
      const segs = this.stmt('SELECT t0, t1, n, data FROM segment WHERE tag = ? AND t0 <= ? AND t1 >= ? ORDER BY chunk, seq').all(
        tag,
        to,
        from,
      ) as ChunkRow[];
      for (const r of segs) rows.push(r);
    }
    return rows;
  }

  private tailKnown = false;
  /** The file has the tail table (migration 004); once it has, it keeps it. */
  private hasTail(): boolean {
    if (!this.tailKnown)
      this.tailKnown = (this.stmt("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'tail'").pluck().get() as number) > 0;
    return this.tailKnown;
  }

  /** The tag's chunks still being filled with samples in [from, to] (some samples may lie outside it). */
  tailChunks(tag: number, from: number, to: number, decode = true): TailChunk[] {
    if (!this.hasTail()) return [];
    const rows = this.stmt('SELECT data FROM tail WHERE grp = ? AND t0 <= ? AND t1 >= ? ORDER BY seq')
      .pluck()
      .all(tailGroup(tag), to, from) as Uint8Array[];
    return rows.length === 0 ? [] : assembleTail(rows, tag, decode);
  }

  /** Number of stored raw samples in the chunks overlapping [from, to] (an upper bound, from chunk headers). */
  rawCount(tag: number, from: number, to: number): number {
    let n = 0;
    for (const p of partitionsIn(this.db, 'raw', from, to)) {
      const r = this.stmt(`SELECT coalesce(sum(n), 0) AS n FROM ${p.name} WHERE tag = ? AND t0 <= ? AND t1 >= ?`).get(tag, to, from) as {
        n: number;
      };
      n += r.n;
    }
    if (!this.hasTail()) {
      const s = this.stmt('SELECT coalesce(sum(n), 0) AS n FROM segment WHERE tag = ? AND t0 <= ? AND t1 >= ?').get(tag, to, from) as {
        n: number;
      };
      return n + s.n;
    }
    for (const c of this.tailChunks(tag, from, to, false)) n += c.count;
    return n;
  }

  /**
   * Visit the stored chunks overlapping [from, to] one at a time, in no particular order, without
   * merging them: for folds that do not care about order (per-pixel min/max/sum), memory stays
   * one chunk however many samples the range holds.
   */
  forEachChunk(tag: number, from: number, to: number, fn: (s: Samples) => void): void {
    for (const r of this.chunkRows(tag, from, to)) fn(decodeChunk(r.data));
    for (const c of this.tailChunks(tag, from, to)) if (c.samples) fn(c.samples);
  }

  /** Raw samples with from ≤ ts ≤ to, sorted by time (stable for equal timestamps). */
  raw(tag: number, from: number, to: number): Samples {
    const parts = this.chunkRows(tag, from, to).map((r) => decodeChunk(r.data));
    for (const c of this.tailChunks(tag, from, to)) if (c.samples) parts.push(c.samples);
    if (parts.length === 0) return EMPTY;
    let total = 0;
    for (const p of parts) total += p.length;
    const ts = new Float64Array(total);
    const values = new Float64Array(total);
    const quality = new Uint8Array(total);
    let n = 0;
    let sorted = true;
    let last = Number.NEGATIVE_INFINITY;
    for (const p of parts) {
      for (let i = 0; i < p.length; i++) {
        const t = p.ts[i] as number;
        if (t < from || t > to) continue;
        if (t < last) sorted = false;
        last = t;
        ts[n] = t;
        values[n] = p.values[i] as number;
        quality[n] = p.quality[i] as number;
        n++;
      }
    }
    const out = { ts: ts.subarray(0, n), values: values.subarray(0, n), quality: quality.subarray(0, n), length: n };
    return sorted ? out : sortSamples(out);
  }

  /**
   * Packed (finished) buckets with from ≤ t < to, sorted by time. A block spans at most its unit,
   * so only blocks starting after from − span can reach the range.
   */
  blockBuckets(level: RollupLevel, tag: number, from: number, to: number): Bucket[] {
    const { level: bl, span } = BLOCKS[level];
    const out: Bucket[] = [];
    for (const p of partitionsIn(this.db, bl, from, to)) {
      const rows = this.stmt(`SELECT data FROM ${p.name} WHERE tag = ? AND t > ? AND t < ? AND t1 >= ? ORDER BY t`)
        .pluck()
        .all(tag, from - span, to, from) as Uint8Array[];
      for (const data of rows) for (const b of decodeBuckets(data)) if (b.t >= from && b.t < to) out.push(b);
    }
    return out;
  }

  /** Buckets still kept one per row (not yet packed) with from ≤ t < to, sorted by time. */
  rowBuckets(level: RollupLevel, tag: number, from: number, to: number): Bucket[] {
    const out: Bucket[] = [];
    for (const p of partitionsIn(this.db, level, from, to)) {
      const rows = this.stmt(`SELECT * FROM ${p.name} WHERE tag = ? AND t >= ? AND t < ? ORDER BY t`).all(tag, from, to) as RollupRow[];
      for (const r of rows) out.push(bucketFromRow(r));
    }
    return out;
  }

  private tableKnown = new Map<string, boolean>();
  /** Whether the file has this table (a file opened read-only is not migrated). Asked once per table. */
  private has(table: string): boolean {
    let known = this.tableKnown.get(table);
    if (known === undefined) {
      known = (this.stmt("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(table) as number) > 0;
      // Only a present table is remembered: a writer may migrate the file while this reader is open.
      if (known) this.tableKnown.set(table, known);
    }
    return known;
  }

  /**
   * The bucket the tag is still filling at this level, or null: its minute is in tag_state, its
   * hour (whose start tag_state keeps) is that hour's minutes merged, the open one last, as the
   * writer folds them; an hour with no minute stored has no bucket, as the writer stored none. A file from
   * before tag_state (opened read-only, not migrated) has them in rollup_open, or as rows.
   */
  openBucket(level: RollupLevel, tag: number): Bucket | null {
    if (!this.has('tag_state')) {
      if (!this.has('rollup_open')) return null;
      const blob = this.stmt(`SELECT ${level} FROM rollup_open WHERE tag = ?`).pluck().get(tag) as Uint8Array | null | undefined;
      return blob ? decodeOpenBucket(blob) : null;
    }
    const row = readStateRows(this.db, [tag]).get(stateGroup(tag));
    if (!row) return null;
    const minute = minuteOf(row, tag);
    if (level === 'm1') return minute;
    const h = openHourOf(row, tag);
    if (h === null) return null;
    // Its minutes before the open one (every minute of the hour when the open one is empty), then the open one.
    const upTo = minute && minute.t >= h && minute.t < h + HOUR ? minute.t : h + HOUR;
    const minutes = mergeByTime(this.blockBuckets('m1', tag, h, upTo), this.rowBuckets('m1', tag, h, upTo), (x) => x.t);
    if (upTo < h + HOUR) minutes.push(minute as Bucket);
    if (minutes.length === 0) return null;
    const hour = emptyBucket(h);
    for (const b of minutes) mergeInto(hour, b);
    return hour;
  }

  /**
   * Rollup buckets with from ≤ t < to, sorted by time: packed blocks, single rows and the bucket
   * still being filled (for the same t a row wins over a block, the open bucket over both).
   */
  rollups(level: RollupLevel, tag: number, from: number, to: number): Bucket[] {
    const stored = mergeByTime(this.blockBuckets(level, tag, from, to), this.rowBuckets(level, tag, from, to), (b) => b.t);
    const open = this.openBucket(level, tag);
    return open && open.t >= from && open.t < to ? mergeByTime(stored, [open], (b) => b.t) : stored;
  }

  /** Only what a trend needs (t, count, min, max, sum), as arrays: a year of hours is 8,760 rows. */
  rollupSummaries(level: RollupLevel, tag: number, from: number, to: number): [number, number, number, number, number][] {
    const { level: bl, span } = BLOCKS[level];
    const packed: [number, number, number, number, number][] = [];
    for (const p of partitionsIn(this.db, bl, from, to)) {
      const rows = this.stmt(`SELECT data FROM ${p.name} WHERE tag = ? AND t > ? AND t < ? AND t1 >= ? ORDER BY t`)
        .pluck()
        .all(tag, from - span, to, from) as Uint8Array[];
      for (const data of rows) {
        const { length, cols } = decodeBucketColumns(data, 5); // t, count, min, max, sum
        for (let i = 0; i < length; i++) {
          const t = cols.t[i] as number;
          const count = cols.count[i] as number;
          if (t >= from && t < to && count > 0)
            packed.push([t, count, cols.min[i] as number, cols.max[i] as number, cols.sum[i] as number]);
        }
      }
    }
    const rows: [number, number, number, number, number][] = [];
    for (const p of partitionsIn(this.db, level, from, to)) {
      const found = this.stmt(`SELECT t, count, min, max, sum FROM ${p.name} WHERE tag = ? AND t >= ? AND t < ? AND count > 0 ORDER BY t`)
        .raw(true)
        .all(tag, from, to) as [number, number, number, number, number][];
      for (const r of found) rows.push(r);
    }
    const stored = mergeByTime(packed, rows, (r) => r[0]);
    const o = this.openBucket(level, tag);
    if (!o || o.t < from || o.t >= to) return stored;
    // The open bucket replaces a row of its time; one with no valid sample is left out, as rows are.
    const without =
      stored.length > 0 && (stored[stored.length - 1] as (typeof stored)[number])[0] >= o.t ? stored.filter((r) => r[0] !== o.t) : stored;
    return o.count > 0 ? mergeByTime(without, [[o.t, o.count, o.min, o.max, o.sum]], (r) => r[0]) : without;
  }

  /**
   * Each tag's newest stored sample (null when it has none): one query that looks up only the asked
   * tags' tag_state rows by primary key, however many are asked; a file the writer has not migrated
   * yet (opened read-only) is answered from its last_value table, or from its chunks.
   */
  lastValues(sids: readonly number[]): (StoredSample | null)[] {
    if (this.has('tag_state')) {
      const rows = readStateRows(this.db, sids);
      return sids.map((sid) => {
        const row = rows.get(stateGroup(sid));
        return row ? lastOf(row, sid) : null;
      });
    }
    if (!this.has('last_value')) {
      const newest = newestFromChunks(this.db);
      return sids.map((sid) => newest.get(sid) ?? null);
    }
    const found = new Map<number, StoredSample>();
    for (const [tag, ts, value, quality] of this.stmt(OLD_LAST_VALUES_SQL).raw(true).all(JSON.stringify(sids)) as [
      number,
      number,
      number | null,
      number,
    ][])
      found.set(tag, { ts, value, quality });
    return sids.map((sid) => found.get(sid) ?? null);
  }

  /** The newest rollup bucket of a tag at or before `before` (looks back through two partitions; rows, then blocks). */
  latestRollup(level: RollupLevel, tag: number, before: number): Bucket | null {
    const stored = this.latestStored(level, tag, before);
    const open = this.openBucket(level, tag);
    return open && open.t <= before && (!stored || open.t >= stored.t) ? open : stored;
  }

  private latestStored(level: RollupLevel, tag: number, before: number): Bucket | null {
    const parts = partitionsIn(this.db, level, Number.NEGATIVE_INFINITY, before).slice(-2).reverse();
    for (const p of parts) {
      const r = this.stmt(`SELECT * FROM ${p.name} WHERE tag = ? AND t <= ? ORDER BY t DESC LIMIT 1`).get(tag, before) as
        | RollupRow
        | undefined;
      if (r) return bucketFromRow(r);
    }
    const bl = BLOCKS[level].level;
    for (const p of partitionsIn(this.db, bl, Number.NEGATIVE_INFINITY, before).slice(-2).reverse()) {
      const data = this.stmt(`SELECT data FROM ${p.name} WHERE tag = ? AND t <= ? ORDER BY t DESC LIMIT 1`).pluck().get(tag, before) as
        | Uint8Array
        | undefined;
      if (!data) continue;
      const found = decodeBuckets(data).filter((b) => b.t <= before);
      const last = found[found.length - 1];
      if (last) return last;
    }
    return null;
  }

  /** End of the newest packed unit of a tag (every unit before it may be packed; none after it is), or −∞ when none is. */
  packedTo(level: RollupLevel, tag: number): number {
    const { level: bl, span } = BLOCKS[level];
    for (const p of partitionsIn(this.db, bl, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY).reverse()) {
      const t1 = this.stmt(`SELECT max(t1) FROM ${p.name} WHERE tag = ?`).pluck().get(tag) as number | null;
      if (t1 !== null) return Math.floor(t1 / span) * span + span;
    }
    return Number.NEGATIVE_INFINITY;
  }
}

/** Merge two lists sorted by `time` into one; for equal times the entry of `b` replaces that of `a`. */
function mergeByTime<T>(a: T[], b: T[], time: (x: T) => number): T[] {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  // The usual case: every packed bucket is older than every single-row one.
  if (time(a[a.length - 1] as T) < time(b[0] as T)) return a.concat(b);
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && time(x) < time(y))) {
      out.push(x as T);
      i++;
    } else {
      if (x !== undefined && time(x) === time(y)) i++;
      out.push(y);
      j++;
    }
  }
  return out;
}

export type { StoredSample } from './tag-state.js';

/**
 * Each tag's newest stored sample, by decoding chunks: per tag the chunk (sealed or still being filled) with
 * the greatest t1 holds it; of equal timestamps the later one wins, as when written. Used once to
 * fill last_value for a file from before it, and to answer from a file not yet migrated.
 */
export function newestFromChunks(db: SqliteDatabase): Map<number, StoredSample> {
  const has = (name: string) =>
    (db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(name) as number) > 0;
  const tables = db.prepare("SELECT name FROM partition WHERE level = 'raw'").pluck().all() as string[];
  if (has('segment')) tables.push('segment');
  const best = new Map<number, { t1: number; data: Uint8Array | Samples }>();
  for (const t of tables) {
    // SQLite takes the bare column `data` from the row holding max(t1).
    const rows = db.prepare(`SELECT tag, max(t1) AS t1, data FROM ${t} GROUP BY tag`).all() as {
      tag: number;
      t1: number;
      data: Uint8Array;
    }[];
    for (const r of rows) {
      const b = best.get(r.tag);
      if (!b || r.t1 >= b.t1) best.set(r.tag, { t1: r.t1, data: r.data });
    }
  }
  if (has('tail')) {
    const rows = db.prepare('SELECT data FROM tail ORDER BY grp, seq').pluck().all() as Uint8Array[];
    for (const c of assembleTail(rows, null, true)) {
      const s = c.samples as Samples;
      let t1 = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < s.length; i++) t1 = Math.max(t1, s.ts[i] as number);
      const b = best.get(c.sid);
      if (s.length > 0 && (!b || t1 >= b.t1)) best.set(c.sid, { t1, data: s });
    }
  }
  const out = new Map<number, StoredSample>();
  for (const [tag, { data }] of best) {
    const s = data instanceof Uint8Array ? decodeChunk(data) : data;
    let p = -1;
    for (let i = 0; i < s.length; i++) if (p < 0 || (s.ts[i] as number) >= (s.ts[p] as number)) p = i;
    if (p < 0) continue;
    const v = s.values[p] as number;
    out.set(tag, { ts: s.ts[p] as number, value: Number.isNaN(v) ? null : v, quality: s.quality[p] as number });
  }
  return out;
}

export function sortSamples(s: Samples): Samples {
  const order = Array.from({ length: s.length }, (_, i) => i);
  order.sort((a, b) => (s.ts[a] as number) - (s.ts[b] as number) || a - b);
  const ts = new Float64Array(s.length);
  const values = new Float64Array(s.length);
  const quality = new Uint8Array(s.length);
  order.forEach((j, i) => {
    ts[i] = s.ts[j] as number;
    values[i] = s.values[j] as number;
    quality[i] = s.quality[j] as number;
  });
  return { ts, values, quality, length: s.length };
}
