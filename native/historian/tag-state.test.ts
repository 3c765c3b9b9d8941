// tag_state rows (tag-state.ts): the layout worked by hand, the writer's drafts (nothing kept
// before the commit is), and a file of the layout before migration 006 (last_value, rollup_open)
// opened by this version: the same last values, open minutes and open hours.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite, type SqliteDatabase } from '../util/sqlite.js';
import { resolvePolicies } from './config.js';
import { sql as TAG_STATE_SQL } from './migrations/006_tag_state.js';
import { StoreReader } from './reader.js';
import { HOUR, MINUTE } from './rollup.js';
import { HistorianStore } from './store.js';
import { lastOf, minuteOf, readStateRow, readStateRows, STATE_GROUP_SIZE, StateRows, stateGroup } from './tag-state.js';
import { backToRowState, makeTags, tempDir } from './test-kit.js';

const T0 = Date.UTC(2026, 0, 5);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function freshDb(): SqliteDatabase {
  const d = tempDir('aurum-tag-state-');
  dirs.push(d);
  const db = openSqlite(path.join(d, 'state.db'));
  db.exec(TAG_STATE_SQL);
  return db;
}

const bucket = (t: number) => ({
  t,
  count: 3,
  min: -0,
  max: 7.25,
  sum: 9.5,
  first: Number.NaN,
  firstTs: t + 1000,
  last: 2.25,
  lastTs: t + 3000,
  integral: 1e-300,
  dur: 3000,
});

describe('tag_state rows', () => {
  it('keep each tag’s newest sample and open minute in its group’s row, exactly, 15 tags to a row', () => {
    const db = freshDb();
    const rows = new StateRows(db);
    rows.setLast(3, T0 + 5000, 1.5, 192);
    rows.setLast(19, T0 + 6000, Number.NaN, 0);
    rows.setMinute(3, bucket(T0));
    rows.writeAll();
    rows.keep();
    const stored = readStateRows(db, [3, 19, 40]);
    // Tags 3 and 19 are in groups 0 and 1; group 2 (tag 40) has no row.
    expect([...stored.keys()].sort()).toEqual([0, 1]);
    expect(stateGroup(STATE_GROUP_SIZE - 1)).toBe(0);
    expect(stateGroup(STATE_GROUP_SIZE)).toBe(1);
    const g0 = stored.get(0) as Float64Array;
    expect(lastOf(g0, 3)).toEqual({ ts: T0 + 5000, value: 1.5, quality: 192 });
    // A sample without a value reads back as null, as last_value stored it.
    expect(lastOf(stored.get(1) as Float64Array, 19)).toEqual({ ts: T0 + 6000, value: null, quality: 0 });
    const m = minuteOf(g0, 3);
    expect(m).toEqual(bucket(T0));
    expect(Object.is(m?.min, -0)).toBe(true);
    // A tag of the same group with nothing stored, and a slot another tag holds, read as none.
    expect(lastOf(g0, 4)).toBeNull();
    expect(minuteOf(stored.get(1) as Float64Array, 19)).toBeNull();
    expect(lastOf(stored.get(1) as Float64Array, 3 + STATE_GROUP_SIZE * 2)).toBeNull();
    expect(db.prepare('SELECT length(data) FROM tag_state WHERE grp = 0').pluck().get()).toBe(1936);
  });

  it('leave a newer last value for a late sample, and change nothing in memory before the commit keeps it', () => {
    const db = freshDb();
    const rows = new StateRows(db);
    rows.setLast(1, T0 + 10_000, 10, 192);
    rows.writeAll();
    rows.keep();
    rows.setLast(1, T0 + 5_000, 5, 192);
    rows.writeAll();
    rows.keep();
    expect(lastOf(readStateRows(db, [1]).get(0) as Float64Array, 1)?.value).toBe(10);

    // A commit rolled back: its draft goes, the next starts from what was kept.
    rows.setLast(1, T0 + 20_000, 20, 192);
    rows.discard();
    rows.setMinute(2, bucket(T0));
    rows.writeAll();
    rows.keep();
    const row = readStateRows(db, [1]).get(0) as Float64Array;
    expect(lastOf(row, 1)?.value).toBe(10);
    expect(minuteOf(row, 2)?.t).toBe(T0);
  });

  it('put a tag’s slot back when its savepoint rolls back, leaving the other tags of its row', () => {
    const db = freshDb();
    const rows = new StateRows(db);
    rows.setLast(1, T0, 1, 192);
    rows.writeAll();
    rows.keep();
    rows.setLast(2, T0, 2, 192);
    const before = rows.snapshot(1);
    rows.setLast(1, T0 + 1000, 11, 192);
    rows.setMinute(1, bucket(T0));
    rows.restore(1, before);
    // A tag first touched by the failed attempt: put back to the kept row.
    const fresh = rows.snapshot(3);
    rows.setLast(3, T0, 3, 192);
    rows.restore(3, fresh);
    rows.writeAll();
    rows.keep();
    const row = readStateRows(db, [1]).get(0) as Float64Array;
    expect(lastOf(row, 1)?.value).toBe(1);
    expect(minuteOf(row, 1)).toBeNull();
    expect(lastOf(row, 2)?.value).toBe(2);
    expect(lastOf(row, 3)).toBeNull();
  });

  it('refuse a row of another size or version with a sentence naming it, never misread it', () => {
    expect(() => readStateRow(4, new Uint8Array(100))).toThrow(
      'tag_state row 4 has 100 bytes, expected 1936: not a row this version wrote',
    );
    const other = new Float64Array(242);
    other[0] = 1;
    other[1] = 4;
    expect(() => readStateRow(4, new Uint8Array(other.buffer))).toThrow(
      'tag_state row 4 has version 1 and group 4: not a row this version wrote',
    );
  });
});

describe('the hour a tag is still filling', () => {
  it('stays readable when a recomputation finds its open minute empty (a deadband tag, a late sample without a value)', () => {
    const d = tempDir('aurum-tag-state-');
    dirs.push(d);
    const tags = makeTags(1);
    // Deadband 100: of the constant signal only the first sample is stored raw; rollups fold every sample.
    const store = new HistorianStore({
      file: path.join(d, 'h.db'),
      tagNames: tags.map((t) => t.name),
      policies: resolvePolicies(tags, {}, [{ match: '**', mode: 'deadband', deviation: 100, maxHoldMs: 5000 }]),
    });
    const push = (ts: number[], v: number) =>
      store.ingest(
        ts.length,
        new Uint32Array(ts.length),
        Float64Array.from(ts),
        new Float64Array(ts.length).fill(v),
        new Uint8Array(ts.length).fill(192),
      );
    push(
      Array.from({ length: 540 }, (_, s) => T0 + s * 1000),
      1,
    );
    store.commit();
    const sid = store.db.prepare('SELECT id FROM tag').pluck().get() as number;
    expect(store.reader.openBucket('h1', sid)?.count).toBe(540);
    // Late, without a value, 2 s before the open minute (8): its hold reaches into it, so minutes 7
    // and 8 are recomputed from raw, where nothing of them is: both come out empty.
    push([T0 + 8 * MINUTE - 2000], Number.NaN);
    store.commit();
    expect(store.reader.openBucket('m1', sid)).toBeNull();
    // The hour still holds minutes 0–6, as the layout before stored it (its minutes merged).
    expect(store.reader.openBucket('h1', sid)?.count).toBe(420);
    expect(store.reader.rollups('h1', sid, T0, T0 + HOUR).map((b) => b.count)).toEqual([420]);
    store.close();
  });
});

describe('a file of the layout before tag_state', () => {
  it('is moved into tag_state when opened: the same last values, open minutes and open hours, and the two tables gone', () => {
    const d = tempDir('aurum-tag-state-');
    dirs.push(d);
    const file = path.join(d, 'historian.db');
    const tags = makeTags(20);
    const make = () => new HistorianStore({ file, tagNames: tags.map((t) => t.name), policies: resolvePolicies(tags) });
    let store = make();
    // 25 minutes and a half of every tag at 1 Hz, from 10 minutes into an hour: an open minute, an open hour.
    const start = T0 + 10 * MINUTE;
    const n = 1530 * tags.length;
    const ids = new Uint32Array(n);
    const ts = new Float64Array(n);
    const vs = new Float64Array(n);
    for (let s = 0, k = 0; s < 1530; s++)
      for (let id = 0; id < tags.length; id++, k++) {
        ids[k] = id;
        ts[k] = start + s * 1000;
        vs[k] = id * 100 + Math.sin(s / 60) * 10;
      }
    store.ingest(n, ids, ts, vs, new Uint8Array(n).fill(192));
    store.commit();
    const sids = store.db.prepare('SELECT id FROM tag ORDER BY id').pluck().all() as number[];
    const seen = (r: StoreReader) => ({
      last: r.lastValues(sids),
      minutes: sids.map((sid) => r.rollups('m1', sid, T0, T0 + HOUR)),
      hours: sids.map((sid) => r.rollups('h1', sid, T0, T0 + HOUR)),
    });
    const before = seen(store.reader);
    // The open hours, worked from the samples themselves (not from the reader's own merge).
    before.hours.forEach((h, id) => {
      const values = Array.from({ length: 1530 }, (_, s) => vs[s * tags.length + id] as number);
      expect(h).toHaveLength(1);
      expect(h[0]).toMatchObject({ t: T0, count: 1530, min: Math.min(...values), max: Math.max(...values) });
      expect(h[0]?.sum).toBeCloseTo(
        values.reduce((a, b) => a + b, 0),
        6,
      );
    });
    store.close();

    const db = openSqlite(file);
    backToRowState(db);
    const tables = () =>
      db.prepare("SELECT name FROM sqlite_master WHERE name IN ('last_value', 'rollup_open', 'tag_state') ORDER BY name").pluck().all();
    expect(tables()).toEqual(['last_value', 'rollup_open']);
    // Read-only, not migrated: answered from the old tables as they are.
    expect(seen(new StoreReader(db))).toEqual(before);
    db.close();

    store = make();
    expect(seen(store.reader)).toEqual(before);
    const check = openSqlite(file, { readonly: true });
    expect(check.prepare("SELECT name FROM sqlite_master WHERE name IN ('last_value', 'rollup_open', 'tag_state')").pluck().all()).toEqual([
      'tag_state',
    ]);
    check.close();
    store.close();
  });
});
