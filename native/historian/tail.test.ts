// The tail (tail.ts): the samples of chunks still being filled go into rows of 64 tags per commit,
// not a row per tag. Checked on real files: what a commit writes, that every reader sees the
// unsealed samples exactly once (raw, counts, last values, trends), that a crash's tail is merged
// on open, that a slow tag among fast ones is copied forward so the tail stays small, and that a
// file of the earlier `segment` layout is migrated without losing a sample.
import { rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite } from '../util/sqlite.js';
import { resolvePolicies } from './config.js';
import { HistorianStore } from './store.js';
import { TAIL_GROUP_SIZE } from './tail.js';
import { backToSegments, makeTags, tempDir } from './test-kit.js';

const T = Date.UTC(2026, 2, 1);
const dirs: string[] = [];
const stores: HistorianStore[] = [];

afterEach(() => {
  for (const s of stores.splice(0)) s.db.open && s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function open(tags: number, dir = tempDir('aurum-tail-')): { store: HistorianStore; dir: string } {
  dirs.push(dir);
  const t = makeTags(tags);
  const store = new HistorianStore({ file: path.join(dir, 'h.db'), tagNames: t.map((x) => x.name), policies: resolvePolicies(t) });
  stores.push(store);
  return { store, dir };
}

/** Samples of the given tags, `per` each, tag i's k-th at T + (s0 + k) s, value i * 1e4 + s0 + k. */
function feed(store: HistorianStore, ids: readonly number[], s0: number, per: number, stepMs = 1000): void {
  const n = ids.length * per;
  const idc = new Uint32Array(n);
  const ts = new Float64Array(n);
  const vs = new Float64Array(n);
  let j = 0;
  for (let k = 0; k < per; k++)
    for (const id of ids) {
      idc[j] = id;
      ts[j] = T + (s0 + k) * stepMs;
      vs[j] = id * 1e4 + s0 + k;
      j++;
    }
  store.ingest(n, idc, ts, vs, new Uint8Array(n));
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const sids = (store: HistorianStore) => store.db.prepare('SELECT id FROM tag ORDER BY id').pluck().all() as number[];
const rawValues = (store: HistorianStore, sid: number) =>
  Array.from(store.reader.raw(sid, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY).values);
const tailRows = (store: HistorianStore) => store.db.prepare('SELECT count(*) FROM tail').pluck().get() as number;

describe('historian tail', () => {
  it('writes one row per group of 64 tags per commit, and every reader sees its samples exactly once', () => {
    const tags = 200;
    const { store, dir } = open(tags);
    const groups = Math.ceil((Math.max(...sids(store)) + 1) / TAIL_GROUP_SIZE);
    for (let c = 0; c < 5; c++) {
      feed(store, range(tags), c * 10, 10);
      store.commit();
      // A row per group touched, not per tag (the previous layout wrote a segment row per tag).
      expect(tailRows(store)).toBe((c + 1) * groups);
    }
    const all = sids(store);
    const expected = (i: number) => Array.from({ length: 50 }, (_, k) => i * 1e4 + k);
    for (const i of [0, 63, 64, 199]) expect(rawValues(store, all[i] as number)).toEqual(expected(i));
    expect(store.reader.rawCount(all[0] as number, T, T + 49_000)).toBe(50);
    expect(store.reader.raw(all[5] as number, T + 10_000, T + 19_000).length).toBe(10);
    expect(store.reader.lastValues(all)).toEqual(all.map((_, i) => ({ ts: T + 49_000, value: i * 1e4 + 49, quality: 0 })));
    store.close();

    // A crash: the next open merges the tail into chunks and empties it.
    const { store: again } = open(tags, dir);
    expect(again.recovery.samplesRecovered).toBe(tags * 50);
    expect(tailRows(again)).toBe(0);
    for (const i of [0, 64, 199]) expect(rawValues(again, all[i] as number)).toEqual(expected(i));
  });

  it('a commit of one sample per tag writes a few pages for all tags, not a page per tag', () => {
    const tags = 256;
    const { store, dir } = open(tags);
    // 50 minutes at one sample per 10 s: each tag has 50 minute buckets in the hour it is filling,
    // enough to fill a page of the minute table per tag.
    feed(store, range(tags), 0, 300, 10_000);
    store.commit();
    store.db.pragma('wal_autocheckpoint = 0');
    const wal = () => statSync(path.join(dir, 'h.db-wal')).size;
    const frames: number[] = [];
    for (let c = 0; c < 3; c++) {
      const before = wal();
      // Within the minute the last sample is in (2,990 s): the open minute changes, no minute closes.
      feed(store, range(tags), 2991 + c, 1);
      store.commit();
      frames.push((wal() - before) / (4096 + 24));
    }
    // Per commit: the group rows of the tail and of tag_state and their b-tree pages. The
    // layout before wrote each tag's segment row, open minute and open hour into pages of their own.
    for (const f of frames) expect(f).toBeLessThan(tags / 8);
    expect(store.reader.rollups('m1', sids(store)[7] as number, T, T + 3_600_000)).toHaveLength(50);
  });

  it('ignores the tail entries of a sealed chunk, also while another tag of the group keeps the rows, and empties the tail at a graceful stop', () => {
    const { store, dir } = open(2);
    const [a, b] = sids(store) as [number, number];
    // Tag 0 seals at 1,024 samples; tag 1 of the same group keeps its chunk open, so the rows stay.
    for (let c = 0; c < 11; c++) {
      feed(store, [0], c * 100, 100);
      feed(store, [1], c, 1);
      store.commit();
    }
    expect(rawValues(store, a)).toEqual(Array.from({ length: 1100 }, (_, k) => k));
    expect(rawValues(store, b)).toEqual(Array.from({ length: 11 }, (_, k) => 1e4 + k));
    expect(tailRows(store)).toBeGreaterThan(0);
    // A graceful stop seals every chunk: the tail is emptied with that commit, nothing is lost.
    store.finish();
    store.commit();
    expect(tailRows(store)).toBe(0);
    expect(rawValues(store, a)).toEqual(Array.from({ length: 1100 }, (_, k) => k));
    expect(rawValues(store, b)).toEqual(Array.from({ length: 11 }, (_, k) => 1e4 + k));
    store.close();
    const { store: again } = open(2, dir);
    expect(rawValues(again, a)).toEqual(Array.from({ length: 1100 }, (_, k) => k));
    expect(rawValues(again, b)).toEqual(Array.from({ length: 11 }, (_, k) => 1e4 + k));
  });

  it('copies a slow tag’s open chunk forward so a group of fast tags does not keep every row', () => {
    const { store, dir } = open(6);
    const [slow] = sids(store) as [number];
    const fast = [1, 2, 3, 4, 5];
    let largest = 0;
    for (let c = 0; c < 150; c++) {
      feed(store, [0], c, 1);
      feed(store, fast, c * 600, 600, 1);
      store.commit();
      largest = Math.max(largest, store.db.prepare('SELECT coalesce(sum(length(data)), 0) FROM tail').pluck().get() as number);
    }
    // 150 commits of ~9 KB each: without copying forward the slow tag would hold all of them.
    const written = 150 * fast.length * 600;
    expect(largest).toBeLessThan(2 * 256 * 1024);
    expect(rawValues(store, slow)).toEqual(range(150));
    for (const f of fast) expect(store.reader.raw(f + 1, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY).length).toBe(written / 5);
    store.close();
    const { store: again } = open(6, dir);
    expect(rawValues(again, slow)).toEqual(range(150));
    for (const f of fast) expect(again.reader.raw(f + 1, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY).length).toBe(written / 5);
  });

  it('migration 004 turns the segment rows of an earlier file into tail rows, merged at open without a sample lost', () => {
    const { store, dir } = open(70);
    for (let c = 0; c < 3; c++) {
      feed(store, range(70), c * 7, 7);
      store.commit();
    }
    const all = sids(store);
    store.close();
    const db = openSqlite(path.join(dir, 'h.db'));
    backToSegments(db);
    expect(db.prepare('SELECT count(*) FROM segment').pluck().get()).toBe(70);
    db.close();

    const { store: again } = open(70, dir);
    expect(again.recovery.samplesRecovered).toBe(70 * 21);
    const tables = again.db.prepare("SELECT name FROM sqlite_master WHERE name IN ('segment', 'tail')").pluck().all();
    expect(tables).toEqual(['tail']);
    expect(again.db.prepare('SELECT id FROM historian_migrations ORDER BY id').pluck().all()).toContain('004_tail');
    for (const i of [0, 69]) expect(rawValues(again, all[i] as number)).toEqual(Array.from({ length: 21 }, (_, k) => i * 1e4 + k));
  });
});
