// Rollups packed into blocks (blocks.ts): finished units leave the one-row-per-bucket tables, the
// blocks read back as the rows did (also after late data and a restart), no block spills into an
// overflow page, and migration 003 converts a file of the row layout with every query's answer
// unchanged.
import { rmSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { mulberry32 } from '../util/random.js';
import { openSqlite, type SqliteDatabase } from '../util/sqlite.js';
import { maxBlockBytes } from './blocks.js';
import { decodeBuckets } from './codec.js';
import { resolvePolicies } from './config.js';
import { ROLLUP_BLOCKS_MIGRATION } from './migrations/index.js';
import { BLOCKS, PartitionSet, type RollupLevel, unitStart } from './partitions.js';
import { aggregate, type QueryTag, trend } from './query.js';
import { StoreReader } from './reader.js';
import { type Bucket, computeBucket, HOUR, MINUTE } from './rollup.js';
import { HistorianStore } from './store.js';
import { backToSegments, makeTags, relDiff, tempDir } from './test-kit.js';

const T = Date.UTC(2026, 2, 1);
const DAY = 86_400_000;
const HOLD = 300_000;
const dirs: string[] = [];
const stores: HistorianStore[] = [];

function open(dir: string, tags = 2): HistorianStore {
  const t = makeTags(tags);
  const store = new HistorianStore({
    file: path.join(dir, 'h.db'),
    tagNames: t.map((x) => x.name),
    policies: resolvePolicies(t, undefined, [{ match: '**', maxHoldMs: HOLD }]),
  });
  stores.push(store);
  return store;
}

function newDir(): string {
  const d = tempDir();
  dirs.push(d);
  return d;
}

function put(store: HistorianStore, rows: readonly (readonly [number, number, number])[]): void {
  store.ingest(
    rows.length,
    rows.map((r) => r[0]),
    rows.map((r) => r[1]),
    rows.map((r) => r[2]),
    rows.map(() => 0),
  );
}

afterEach(() => {
  for (const s of stores.splice(0)) s.db.open && s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const tables = (db: SqliteDatabase, level: string) =>
  db.prepare('SELECT name FROM partition WHERE level = ? ORDER BY start').pluck().all(level) as string[];
const rowTimes = (db: SqliteDatabase, level: RollupLevel, sid: number) =>
  tables(db, level).flatMap((t) => db.prepare(`SELECT t FROM ${t} WHERE tag = ? ORDER BY t`).pluck().all(sid) as number[]);
const blockCount = (db: SqliteDatabase, level: RollupLevel) =>
  tables(db, BLOCKS[level].level).reduce((n, t) => n + (db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number), 0);

/** Every bucket of a tag at both levels, as the reader answers. */
function allBuckets(r: StoreReader, sid: number): { m1: Bucket[]; h1: Bucket[] } {
  return { m1: r.rollups('m1', sid, 0, T + 400 * DAY), h1: r.rollups('h1', sid, 0, T + 400 * DAY) };
}

function expectLike(got: Bucket | undefined, ref: Bucket): void {
  if (ref.count === 0 && ref.dur === 0) {
    expect(got === undefined || (got.count === 0 && got.dur === 0)).toBe(true);
    return;
  }
  expect(got, `bucket ${new Date(ref.t).toISOString()}`).toBeDefined();
  const b = got as Bucket;
  expect([b.count, b.sum, b.dur]).toEqual([ref.count, ref.sum, ref.dur]);
  expect(relDiff(b.integral, ref.integral)).toBeLessThan(1e-9);
  if (ref.count > 0)
    expect([b.min, b.max, b.first, b.firstTs, b.last, b.lastTs]).toEqual([ref.min, ref.max, ref.first, ref.firstTs, ref.last, ref.lastTs]);
}

describe('rollup blocks', () => {
  it('packs the units a tag has moved past and keeps the unit being filled as rows; both read as computed from the samples', () => {
    const store = open(newDir());
    // Tag 0: every 10 s for 3 h 10 min; tag 1: every 5 min for 11 days (two five-day hour units pass).
    const a: [number, number, number][] = [];
    for (let t = T; t < T + 3 * HOUR + 10 * MINUTE; t += 10_000) a.push([0, t, Math.round(50 + 10 * Math.sin(t / 600_000)) / 4]);
    const b: [number, number, number][] = [];
    for (let t = T; t < T + 11 * DAY; t += 300_000) b.push([1, t, (t / 300_000) % 17]);
    for (let i = 0; i < a.length; i += 100) {
      put(store, a.slice(i, i + 100));
      store.commit();
    }
    for (let i = 0; i < b.length; i += 500) {
      put(store, b.slice(i, i + 500));
      store.commit();
    }
    const db = store.db;
    // Rows only from the unit holding each tag's newest sample on; blocks for the rest.
    const lastA = (a[a.length - 1] as [number, number, number])[1];
    const lastB = (b[b.length - 1] as [number, number, number])[1];
    expect(Math.min(...rowTimes(db, 'm1', 1))).toBeGreaterThanOrEqual(unitStart('m1', lastA));
    expect(Math.min(...rowTimes(db, 'm1', 2))).toBeGreaterThanOrEqual(unitStart('m1', lastB));
    expect(Math.min(...rowTimes(db, 'h1', 2))).toBeGreaterThanOrEqual(unitStart('h1', lastB));
    expect(blockCount(db, 'm1')).toBeGreaterThan(0);
    expect(blockCount(db, 'h1')).toBeGreaterThan(0);
    for (const [sid, rows] of [
      [1, a],
      [2, b],
    ] as const) {
      const ts = rows.map((r) => r[1]);
      const vs = rows.map((r) => r[2]);
      const qs = rows.map(() => 0);
      const last = ts[ts.length - 1] as number;
      const { m1, h1 } = allBuckets(store.reader, sid);
      const byT = new Map(m1.map((x) => [x.t, x]));
      for (let m = T; m <= last; m += MINUTE)
        expectLike(byT.get(m), computeBucket(ts, vs, qs, ts.length, m, MINUTE, HOLD, m + MINUTE <= last));
      const hours = new Map(h1.map((x) => [x.t, x]));
      for (let h = T; h <= last; h += HOUR) {
        const ref = computeBucket(ts, vs, qs, ts.length, h, HOUR, HOLD, h + HOUR <= last);
        const got = hours.get(h);
        expect(got?.count ?? 0).toBe(ref.count);
        expect(got?.dur ?? 0).toBe(ref.dur);
        expect(relDiff(got?.integral ?? 0, ref.integral)).toBeLessThan(1e-9);
      }
      // Sorted, one bucket per time.
      expect(m1.map((x) => x.t)).toEqual([...new Set(m1.map((x) => x.t))].sort((x, y) => x - y));
    }
  });

  it('a late sample in a packed unit changes its block, also after a restart, and never adds a row there', () => {
    const dir = newDir();
    const rows: [number, number, number][] = [];
    for (let t = T; t < T + 2 * HOUR + 5 * MINUTE; t += 20_000) rows.push([0, t, (t / 20_000) % 9]);
    let store = open(dir);
    put(store, rows);
    store.commit();
    store.close();
    store = open(dir);
    // Late: inside the first (packed) hour, and one that removes nothing but shifts a hold.
    const late: [number, number, number][] = [
      [0, T + 10 * MINUTE + 5_000, 100],
      [0, T + 61 * MINUTE + 7_000, -3],
    ];
    put(store, late);
    store.commit();
    const all = [...rows, ...late].sort((x, y) => x[1] - y[1]);
    const ts = all.map((r) => r[1]);
    const vs = all.map((r) => r[2]);
    const qs = all.map(() => 0);
    const last = ts[ts.length - 1] as number;
    const byT = new Map(store.reader.rollups('m1', 1, T, T + 3 * HOUR).map((x) => [x.t, x]));
    for (let m = T; m <= last; m += MINUTE)
      expectLike(byT.get(m), computeBucket(ts, vs, qs, ts.length, m, MINUTE, HOLD, m + MINUTE <= last));
    const hours = new Map(store.reader.rollups('h1', 1, T, T + 3 * HOUR).map((x) => [x.t, x]));
    const h0 = computeBucket(ts, vs, qs, ts.length, T, HOUR, HOLD, true);
    expect([hours.get(T)?.count, hours.get(T)?.max, hours.get(T)?.min]).toEqual([h0.count, h0.max, h0.min]);
    expect(Math.min(...rowTimes(store.db, 'm1', 1))).toBeGreaterThanOrEqual(unitStart('m1', last));
  });

  it('a late Bad sample that empties held-only minutes of a packed unit removes them from its block (after a restart)', () => {
    const dir = newDir();
    // v=1 at T holds through minutes 1–3 (held-only buckets) until v=2 at T+4 min; the data moves past the first hour.
    const rows: [number, number, number][] = [
      [0, T, 1],
      [0, T + 4 * MINUTE, 2],
    ];
    for (let t = T + 65 * MINUTE; t < T + 2 * HOUR; t += 30_000) rows.push([0, t, 3]);
    let store = open(dir);
    put(store, rows);
    store.commit();
    const held = store.reader.rollups('m1', 1, T + MINUTE, T + 4 * MINUTE);
    expect(held.map((b) => [b.count, b.dur])).toEqual([
      [0, MINUTE],
      [0, MINUTE],
      [0, MINUTE],
    ]);
    expect(rowTimes(store.db, 'm1', 1).filter((t) => t < T + HOUR)).toEqual([]);
    store.close();
    store = open(dir);
    store.ingest(1, [0], [T + 30_000], [Number.NaN], [2]);
    store.commit();
    // The Bad sample cuts the hold: minutes 1–3 hold nothing now and are gone from the block.
    expect(store.reader.rollups('m1', 1, T + MINUTE, T + 4 * MINUTE)).toEqual([]);
    const first = store.reader.rollups('m1', 1, T, T + MINUTE)[0];
    expect([first?.count, first?.dur]).toEqual([1, 30_000]);
    expect(rowTimes(store.db, 'm1', 1).filter((t) => t < T + HOUR)).toEqual([]);
  });

  it('no block row spills into an overflow page and every bucket is kept, over random signals', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e9 }), fc.constantFrom(0, 2, -1), (seed, decimals) => {
        const store = open(newDir(), 2);
        const rnd = mulberry32(seed);
        const rows: [number, number, number][] = [];
        let v = 50;
        // Noisy doubles (decimals −1) make blocks of XOR columns that must be split to fit their page.
        for (let t = T; t < T + 3 * HOUR; t += 1000 + Math.floor(rnd() * 3) * 1000) {
          v += (rnd() - 0.5) * 3;
          rows.push([0, t, decimals < 0 ? v : Math.round(v * 10 ** decimals) / 10 ** decimals], [1, t, rnd() < 0.02 ? Number.NaN : v * 2]);
        }
        for (let i = 0; i < rows.length; i += 4000) {
          put(store, rows.slice(i, i + 4000));
          store.commit();
        }
        const db = store.db;
        const limit = maxBlockBytes(db.pragma('page_size', { simple: true }) as number);
        const names = tables(db, 'm1b');
        expect(names.length).toBeGreaterThan(0);
        for (const t of names) {
          expect(db.prepare(`SELECT max(length(data)) FROM ${t}`).pluck().get() as number).toBeLessThanOrEqual(limit);
          const marks = names.map(() => '?').join(', ');
          expect(
            db
              .prepare(`SELECT count(*) FROM dbstat WHERE name IN (${marks}) AND pagetype = 'overflow'`)
              .pluck()
              .get(...names),
          ).toBe(0);
          for (const r of db.prepare(`SELECT t, t1, n, data FROM ${t}`).all() as { t: number; t1: number; n: number; data: Uint8Array }[]) {
            const got = decodeBuckets(r.data);
            expect([got.length, got[0]?.t, got[got.length - 1]?.t]).toEqual([r.n, r.t, r.t1]);
            expect(unitStart('m1', r.t)).toBe(unitStart('m1', r.t1));
          }
        }
        const n0 = rows.filter((r) => r[0] === 0).length;
        const count = store.reader.rollups('m1', 1, 0, T + DAY).reduce((s, b) => s + b.count, 0);
        expect(count).toBe(n0);
        store.close();
      }),
      { numRuns: 6 },
    );
  });

  it('migration 003 packs a file of the one-row-per-bucket layout; rollups, trends and aggregates answer exactly as before', () => {
    const dir = newDir();
    let store = open(dir);
    const rows: [number, number, number][] = [];
    for (let t = T; t < T + 6 * DAY; t += 30_000) rows.push([0, t, Math.round(100 * Math.sin(t / 7e6)) / 100], [1, t, (t / 30_000) % 5]);
    for (let i = 0; i < rows.length; i += 20_000) {
      put(store, rows.slice(i, i + 20_000));
      store.commit();
    }
    store.close();
    // Turn the file back into the layout before 003: every block's buckets as rows, no block tables.
    const db = openSqlite(path.join(dir, 'h.db'));
    db.transaction(() => {
      const parts = new PartitionSet(db);
      for (const level of ['m1', 'h1'] as const) {
        for (const t of tables(db, BLOCKS[level].level)) {
          for (const r of db.prepare(`SELECT tag, data FROM ${t}`).all() as { tag: number; data: Uint8Array }[]) {
            for (const b of decodeBuckets(r.data)) {
              const n = (x: number) => (Number.isNaN(x) ? null : x);
              db.prepare(`INSERT INTO ${parts.ensure(level, b.t)} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
                r.tag,
                b.t,
                b.count,
                n(b.min),
                n(b.max),
                b.sum,
                n(b.first),
                n(b.firstTs),
                n(b.last),
                n(b.lastTs),
                b.integral,
                b.dur,
              );
            }
          }
          parts.drop(t);
        }
      }
      db.prepare('DELETE FROM historian_migrations WHERE id = ?').run(ROLLUP_BLOCKS_MIGRATION);
    })();
    // And the chunks still being filled as the previous version kept them (migration 004 follows 003).
    backToSegments(db);
    const policies = resolvePolicies(makeTags(2));
    const tag = (sid: number): QueryTag => ({ name: `t${sid}`, sid, policy: policies[0] as QueryTag['policy'] });
    const now = T + 6 * DAY;
    const answers = (r: StoreReader) =>
      [1, 2].map((sid) => ({
        buckets: allBuckets(r, sid),
        week: trend(r, tag(sid), T, now, 2000, now),
        hours: aggregate(r, tag(sid), T, now, HOUR, null, now),
        minutes: aggregate(r, tag(sid), now - 2 * HOUR, now, 5 * MINUTE, null, now),
      }));
    expect(tables(db, 'm1b')).toHaveLength(0);
    const before = answers(new StoreReader(db));
    expect(before[0]?.buckets.m1.length).toBeGreaterThan(6 * 1400);
    db.close();

    store = open(dir);
    expect(blockCount(store.db, 'm1')).toBeGreaterThan(0);
    expect(blockCount(store.db, 'h1')).toBeGreaterThan(0);
    const last = (rows[rows.length - 1] as [number, number, number])[1];
    expect(Math.min(...rowTimes(store.db, 'm1', 1))).toBeGreaterThanOrEqual(unitStart('m1', last));
    expect(answers(store.reader)).toEqual(before);
    // And the writer carries on from the converted file: the next samples extend the rollups.
    put(store, [
      [0, last + 30_000, 1],
      [1, last + 30_000, 1],
    ]);
    store.commit();
    expect(store.reader.rollups('m1', 1, last, last + HOUR).length).toBeGreaterThan(0);
  });
});
