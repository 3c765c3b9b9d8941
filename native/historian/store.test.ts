// The writer's store driven directly (no thread): rollups under late and out-of-order data,
// retention boundaries, and crash leftovers merged on open.
import { rmSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { resolvePolicies } from './config.js';
import { partitionsIn } from './partitions.js';
import { trend } from './query.js';
import { StoreReader } from './reader.js';
import { type Bucket, computeBucket, HOUR, MINUTE } from './rollup.js';
import { HistorianStore } from './store.js';
import { makeTags, relDiff, tempDir } from './test-kit.js';

const T = Date.UTC(2026, 2, 1);
const DAY = 86_400_000;
const dirs: string[] = [];
const stores: HistorianStore[] = [];

function open(opts: { dir?: string; tags?: number; retention?: Parameters<typeof resolvePolicies>[1]; holdMs?: number } = {}) {
  const dir = opts.dir ?? tempDir();
  dirs.push(dir);
  const tags = makeTags(opts.tags ?? 2);
  const store = new HistorianStore({
    file: path.join(dir, 'h.db'),
    tagNames: tags.map((t) => t.name),
    policies: resolvePolicies(tags, opts.retention, [{ match: '**', maxHoldMs: opts.holdMs ?? 300_000 }]),
  });
  stores.push(store);
  return { store, dir };
}

function put(store: HistorianStore, rows: readonly (readonly [number, number, number, number?])[]): void {
  store.ingest(
    rows.length,
    rows.map((r) => r[0]),
    rows.map((r) => r[1]),
    rows.map((r) => r[2]),
    rows.map((r) => r[3] ?? 0),
  );
}

afterEach(() => {
  for (const s of stores.splice(0)) s.db.open && s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function expectBucket(stored: Bucket | undefined, ref: Bucket): void {
  if (ref.count === 0 && ref.dur === 0) {
    expect(stored === undefined || (stored.count === 0 && stored.dur === 0)).toBe(true);
    return;
  }
  expect(stored, `bucket ${new Date(ref.t).toISOString()}`).toBeDefined();
  const s = stored as Bucket;
  expect([s.count, s.sum, s.dur]).toEqual([ref.count, ref.sum, ref.dur]);
  expect(relDiff(s.integral, ref.integral)).toBeLessThan(1e-9);
  if (ref.count > 0) expect([s.min, s.max, s.first, s.firstTs]).toEqual([ref.min, ref.max, ref.first, ref.firstTs]);
}

describe('historian store', () => {
  it('late and out-of-order samples leave minute and hour rollups as if all had arrived in order', () => {
    const hold = 120_000;
    const row = fc.tuple(fc.integer({ min: 0, max: 2 * 3600 - 1 }), fc.integer({ min: 0, max: 100 }), fc.constantFrom(0, 0, 0, 2));
    fc.assert(
      fc.property(
        fc.uniqueArray(row, { minLength: 2, maxLength: 120, selector: (r) => r[0] }),
        fc.integer({ min: 1, max: 4 }),
        (rows, commits) => {
          const { store } = open({ tags: 1, holdMs: hold });
          const samples = rows.map(([s, v, q]) => [0, T + s * 1000, v, q] as const);
          // Deliver in the generated (unsorted) order, committing a few times along the way. Timestamps
          // are unique: among samples of one tag with the same timestamp, which one is "last" is undefined.
          const per = Math.ceil(samples.length / commits);
          for (let i = 0; i < samples.length; i += per) {
            put(store, samples.slice(i, i + per));
            store.commit();
          }
          const sorted = [...samples].sort((a, b) => a[1] - b[1]);
          const ts = sorted.map((r) => r[1]);
          const vs = sorted.map((r) => r[2]);
          const qs = sorted.map((r) => r[3]);
          const lastTs = ts[ts.length - 1] as number;
          const minutes = new Map(store.reader.rollups('m1', 1, T - HOUR, T + 3 * HOUR).map((b) => [b.t, b]));
          for (let m = T; m <= lastTs; m += MINUTE) {
            expectBucket(minutes.get(m), computeBucket(ts, vs, qs, ts.length, m, MINUTE, hold, m + MINUTE <= lastTs));
          }
          const hours = new Map(store.reader.rollups('h1', 1, T - HOUR, T + 3 * HOUR).map((b) => [b.t, b]));
          for (let h = T; h <= lastTs; h += HOUR) {
            const ref = computeBucket(ts, vs, qs, ts.length, h, HOUR, hold, h + HOUR <= lastTs);
            const got = hours.get(h);
            expect(got?.count ?? 0).toBe(ref.count);
            expect(got?.dur ?? 0).toBe(ref.dur);
            expect(relDiff(got?.integral ?? 0, ref.integral)).toBeLessThan(1e-9);
          }
          const raw = store.reader.raw(1, T, T + 3 * HOUR);
          expect(Array.from(raw.ts)).toEqual(ts);
          store.close();
        },
      ),
      { numRuns: 25 },
    );
  });

  it('keeps rollups right across a restart in the middle of a minute and an hour', () => {
    const { store, dir } = open({ tags: 1 });
    const all: [number, number, number][] = [];
    for (let i = 0; i < 150; i++) all.push([0, T + i * 30_000, i % 7]);
    put(store, all.slice(0, 77));
    store.commit();
    store.close();
    const { store: again } = open({ dir, tags: 1 });
    put(again, all.slice(77));
    again.commit();
    const ts = all.map((r) => r[1]);
    const vs = all.map((r) => r[2]);
    const qs = all.map(() => 0);
    const hours = again.reader.rollups('h1', 1, T, T + 3 * HOUR);
    expect(hours).toHaveLength(2);
    const ref = computeBucket(ts, vs, qs, ts.length, T, HOUR, 300_000, true);
    expect((hours[0] as Bucket).count).toBe(ref.count);
    expect(relDiff((hours[0] as Bucket).integral, ref.integral)).toBeLessThan(1e-9);
  });

  it('stores fewer samples under a swinging door while rollups still see every sample', () => {
    const dir = tempDir();
    dirs.push(dir);
    const tags = makeTags(1);
    const store = new HistorianStore({
      file: path.join(dir, 'sdt.db'),
      tagNames: [tags[0]?.name as string],
      policies: resolvePolicies(tags, {}, [{ match: '**', mode: 'swinging-door', deviation: 0.5 }]),
    });
    stores.push(store);
    // A slow ramp with small noise: a handful of stored points describe it within 0.5.
    const rows = Array.from({ length: 3600 }, (_, i) => [0, T + i * 1000, i / 100 + ((i * 7919) % 10) / 100] as const);
    put(store, rows);
    store.finish();
    store.commit();
    const raw = store.reader.raw(1, T, T + HOUR);
    expect(raw.length).toBeLessThan(100);
    expect(raw.ts[0]).toBe(T);
    expect(raw.ts[raw.length - 1]).toBe(T + 3599 * 1000);
    const minutes = store.reader.rollups('m1', 1, T, T + HOUR);
    expect(minutes.reduce((n, b) => n + b.count, 0)).toBe(3600);
  });

  it('ignores samples without a finite timestamp', () => {
    const { store } = open({ tags: 1 });
    put(store, [
      [0, Number.NaN, 1],
      [0, T, 2],
      [0, Number.POSITIVE_INFINITY, 3],
    ]);
    store.commit();
    expect(Array.from(store.reader.raw(1, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY).values)).toEqual([2]);
  });

  it('merges the segments a crash left behind into chunks on open', () => {
    const { store, dir } = open({ tags: 1 });
    put(
      store,
      Array.from({ length: 100 }, (_, i) => [0, T + i * 1000, i] as const),
    );
    store.commit();
    // No finish(): the open chunk stays in tail rows, as after a kill.
    store.close();
    const { store: again } = open({ dir, tags: 1 });
    expect(again.recovery.samplesRecovered).toBe(100);
    expect(again.db.prepare('SELECT count(*) AS n FROM tail').get()).toEqual({ n: 0 });
    expect(again.reader.raw(1, T, T + HOUR).length).toBe(100);
  });

  it('drops raw, minute and hour data at their retention boundaries, per tag group', () => {
    const { store } = open({
      tags: 2,
      retention: { rawDays: 30, minuteDays: 60, hourDays: 400, groups: [{ match: '**/T1', rawDays: 5 }] },
    });
    const rows: [number, number, number][] = [];
    for (let d = 0; d < 90; d++)
      for (let k = 0; k < 4; k++) rows.push([0, T + d * DAY + k * 6 * HOUR, d], [1, T + d * DAY + k * 6 * HOUR, d]);
    put(store, rows);
    store.commit();
    const now = T + 90 * DAY;
    expect(store.db.pragma('auto_vacuum', { simple: true })).toBe(2);
    expect(store.applyRetention(now)).toBeGreaterThan(0);
    // The dropped partitions' pages went back to the file system.
    expect(store.db.pragma('freelist_count', { simple: true })).toBe(0);
    const r = new StoreReader(store.db);
    const rawT0 = r.raw(1, T, now);
    const rawT1 = r.raw(2, T, now);
    expect(rawT0.ts[0]).toBeGreaterThanOrEqual(now - 31 * DAY);
    expect(rawT0.ts[0]).toBeLessThanOrEqual(now - 29 * DAY);
    expect(rawT1.ts[0]).toBeGreaterThanOrEqual(now - 5 * DAY);
    expect(rawT1.ts[0]).toBeLessThanOrEqual(now - 4 * DAY);
    const minutes = r.rollups('m1', 1, T, now);
    expect((minutes[0] as Bucket).t).toBeGreaterThanOrEqual(now - 90 * DAY);
    expect(partitionsIn(store.db, 'raw', Number.NEGATIVE_INFINITY, now - 31 * DAY)).toHaveLength(0);
    // Hour rollups (400 days) still answer for the whole period.
    expect(r.rollups('h1', 1, T, now).length).toBeGreaterThanOrEqual(90 * 4);
    // A trend reaching before raw retention falls back to rollups.
    const s = trend(
      r,
      { name: 'x', sid: 2, policy: resolvePolicies(makeTags(2), { groups: [{ match: '**/T1', rawDays: 5 }] })[1]! },
      now - 10 * DAY,
      now,
      20000,
      now,
    );
    expect(s.source).not.toBe('raw');
  });
});
