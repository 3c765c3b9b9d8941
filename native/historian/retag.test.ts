// Live configuration of the historian (Historian.retag): tags added to a running historian are
// stored from their first sample, a removed one leaves queries, a changed storage rule takes effect,
// and the series of an unchanged tag is continuous across it — every sample ingested before, during
// and after the change is stored (counted, not timed): the writer holds what arrives while the open
// store takes the new table in (HistorianStore.retag: nothing sealed, nothing reopened).
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite } from '../util/sqlite.js';
import { resolvePolicies } from './config.js';
import { type Historian, openHistorian } from './index.js';
import { HistorianStore } from './store.js';
import { batch, makeTags, tempDir } from './test-kit.js';

const T0 = Date.UTC(2026, 0, 5);
const open: Historian[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const samples = (id: number, from: number, n: number) =>
  batch(Array.from({ length: n }, (_, i) => [id, T0 + (from + i) * 1000, from + i] as const));
/** Values that do not compress to nothing: a commit of many of them needs new pages. */
const rough = (i: number) => ((i * 7919) % 1009) / 7;
const roughSamples = (id: number, from: number, n: number) =>
  batch(Array.from({ length: n }, (_, i) => [id, T0 + (from + i) * 1000, rough(from + i)] as const));

describe('Historian.retag', () => {
  it('stores new tags from their first sample and loses no sample of an unchanged tag across the change', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const tags = makeTags(2);
    const h = await openHistorian({ dir, tags, now: () => T0 + 3_600_000, retentionIntervalMs: 0, flushIntervalMs: 20 });
    open.push(h);
    h.ingest(samples(0, 0, 50));
    h.ingest(samples(1, 0, 10));

    // The bus's table after an apply: T1 removed (its id stays its own), T2 added, a storage rule changed.
    const next = [...tags, makeTags(3)[2]!];
    const applying = h.retag({
      tags: next,
      removed: (id) => id === 1,
      deadband: [{ match: 'Site/Area/M/T1', mode: 'none', decimals: 2 }],
    });
    // Samples that arrive while the writer takes the new table in, then one acknowledged commit.
    h.ingest(samples(0, 50, 50));
    const detail = await applying;
    h.ingest(samples(0, 100, 50));
    h.ingest(samples(2, 0, 20));
    await h.commit();

    expect(detail).toBe(
      '1 new tag stored from its first sample; storage rules and retention applied from the next sample; 1 removed tag no longer stored (its history stays in the file)',
    );
    const q = { from: T0, to: T0 + 200_000, maxPoints: 10_000 };
    const [t0] = h.query({ tags: ['Site/Area/M/T0'], ...q });
    expect(t0?.v).toEqual(Array.from({ length: 150 }, (_, i) => i));
    expect(h.query({ tags: ['Site/Area/M/T2'], ...q })[0]?.v).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(() => h.query({ tags: ['Site/Area/M/T1'], ...q })).toThrow(/unknown tag/);
    expect(h.metrics()).toMatchObject({ committedSamples: 180, droppedSamples: 0 });

    // The table as it is now opens the same series after a restart.
    await h.close();
    open.length = 0;
    const again = await openHistorian({ dir, tags: next, now: () => T0 + 3_600_000, retentionIntervalMs: 0 });
    open.push(again);
    expect(again.query({ tags: ['Site/Area/M/T0'], ...q })[0]?.v).toHaveLength(150);
    expect(again.query({ tags: ['Site/Area/M/T2'], ...q })[0]?.v).toHaveLength(20);
  });

  it('changes nothing in the writer when only a tag was removed', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const tags = makeTags(2);
    const h = await openHistorian({ dir, tags, now: () => T0 + 3_600_000, retentionIntervalMs: 0 });
    open.push(h);
    expect(await h.retag({ tags, removed: () => false })).toBe('the tags it stores did not change');
    expect(await h.retag({ tags, removed: (id) => id === 0 })).toBe('1 removed tag no longer stored (its history stays in the file)');
  });

  it('holds a new table and what arrives while writes fail, and stores all of it once they work again', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const tags = makeTags(1);
    const h = await openHistorian({ dir, tags, now: () => T0 + 3_600_000, retentionIntervalMs: 0, flushIntervalMs: 20 });
    open.push(h);
    h.ingest(roughSamples(0, 0, 10));
    await h.flush();
    // The size cap at the file's size: SQLite answers SQLITE_FULL exactly as on a full disk.
    await h.setMaxDbBytes(4096);
    h.ingest(roughSamples(0, 10, 3000));
    const detail = await h.retag({ tags: makeTags(2), removed: () => false });
    expect(detail).toMatch(/^the writer holds the change until it can write \(.*\); 1 new tag stored from its first sample$/);
    h.ingest(roughSamples(0, 3010, 1000));
    h.ingest(roughSamples(1, 0, 5));
    await expect(h.flush()).rejects.toThrow();

    await h.setMaxDbBytes(null);
    let stored = false;
    for (let i = 0; i < 200 && !stored; i++) {
      stored = await h.flush().then(
        () => true,
        () => new Promise<boolean>((r) => setTimeout(() => r(false), 20)),
      );
    }
    expect(stored).toBe(true);
    const q = { from: T0, to: T0 + 5_000_000, maxPoints: 10_000 };
    expect(h.query({ tags: ['Site/Area/M/T0'], ...q })[0]?.v).toEqual(Array.from({ length: 4010 }, (_, i) => rough(i)));
    expect(h.query({ tags: ['Site/Area/M/T1'], ...q })[0]?.v).toEqual([0, 1, 2, 3, 4].map(rough));
    expect(h.metrics().droppedSamples).toBe(0);
  });

  it('leaves an unchanged tag as it was filling: its chunk stays open and its swinging door stores the points it would without the change', async () => {
    const tags = makeTags(2);
    const deadband = [{ match: 'Site/Area/M/T0', mode: 'swinging-door' as const, deviation: 1 }];
    const wave = (from: number, n: number) =>
      batch(Array.from({ length: n }, (_, i) => [0, T0 + (from + i) * 1000, Math.round(Math.sin((from + i) / 9) * 4000) / 100] as const));
    const run = async (change: boolean) => {
      const dir = tempDir();
      dirs.push(dir);
      const h = await openHistorian({ dir, tags, deadband, now: () => T0 + 3_600_000, retentionIntervalMs: 0 });
      open.push(h);
      h.ingest(wave(0, 200));
      await h.flush();
      if (change)
        expect(await h.retag({ tags: makeTags(3), removed: () => false, deadband })).toBe('1 new tag stored from its first sample');
      h.ingest(wave(200, 200));
      await h.flush();
      const db = openSqlite(path.join(dir, 'historian.db'), { readonly: true });
      const tables = db.prepare("SELECT name FROM partition WHERE level = 'raw'").pluck().all() as string[];
      const sealed = tables.reduce((n, t) => n + (db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number), 0);
      db.close();
      const points = h.query({ tags: ['Site/Area/M/T0'], from: T0, to: T0 + 400_000, maxPoints: 10_000 })[0];
      return { sealed, ts: points?.ts, v: points?.v };
    };
    const without = await run(false);
    const across = await run(true);
    // The door held a point back at the change: sealing (as a reopen did) would have stored it.
    expect(across).toEqual(without);
    expect(across.sealed).toBe(0);
    expect(across.v?.length).toBeLessThan(400);
  });
});

describe('HistorianStore.retag', () => {
  const names = (n: number) => makeTags(n).map((t) => t.name);
  const put = (store: HistorianStore, id: number, from: number, n: number, value = (i: number) => i + 0.123) =>
    store.ingest(
      n,
      Array.from({ length: n }, () => id),
      Array.from({ length: n }, (_, i) => T0 + (from + i) * 1000),
      Array.from({ length: n }, (_, i) => value(from + i)),
      Array.from({ length: n }, () => 0),
    );
  const sidOf = (store: HistorianStore, name: string) => store.db.prepare('SELECT id FROM tag WHERE name = ?').pluck().get(name) as number;
  const values = (store: HistorianStore, name: string) => Array.from(store.reader.raw(sidOf(store, name), T0, T0 + 1_000_000).values);

  it('takes new, renamed and changed tags in the open store, and a restart on the new table finds the same series', () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = path.join(dir, 'historian.db');
    const tags = makeTags(3);
    const store = new HistorianStore({ file, tagNames: names(2), policies: resolvePolicies(tags.slice(0, 2)) });
    put(store, 0, 0, 50);
    put(store, 1, 0, 50);
    store.commit();
    // T1 renamed by the main thread (Historian.renameTag renames its row); T2 new; T0 keeps 1 decimal from now on.
    store.db.prepare('UPDATE tag SET name = ? WHERE name = ?').run('Site/Area/M/Flow', 'Site/Area/M/T1');
    const table = ['Site/Area/M/T0', 'Site/Area/M/Flow', 'Site/Area/M/T2'];
    const policies = resolvePolicies(tags, {}, [{ match: 'Site/Area/M/T0', decimals: 1 }]);
    store.retag(table, policies, 'full');
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
    put(store, 0, 50, 50);
    put(store, 1, 50, 50);
    put(store, 2, 0, 10);
    store.commit();

    const t0 = Array.from({ length: 100 }, (_, i) => (i < 50 ? i + 0.123 : Math.round((i + 0.123) * 10) / 10));
    expect(values(store, 'Site/Area/M/T0')).toEqual(t0);
    expect(values(store, 'Site/Area/M/Flow')).toEqual(Array.from({ length: 100 }, (_, i) => i + 0.123));
    expect(values(store, 'Site/Area/M/T2')).toEqual(Array.from({ length: 10 }, (_, i) => i + 0.123));
    // Nothing was sealed: the chunks T0 and Flow were filling before the change go on.
    const raw = store.db.prepare("SELECT name FROM partition WHERE level = 'raw'").pluck().all() as string[];
    expect(raw.map((t) => store.db.prepare(`SELECT count(*) FROM ${t}`).pluck().get())).toEqual(raw.map(() => 0));
    store.finish();
    store.commit();
    store.close();

    const again = new HistorianStore({ file, tagNames: table, policies });
    expect(values(again, 'Site/Area/M/T0')).toEqual(t0);
    expect(values(again, 'Site/Area/M/Flow')).toHaveLength(100);
    expect(values(again, 'Site/Area/M/T2')).toHaveLength(10);
    again.close();
  });

  it('resumes the minute being filled under a changed hold time exactly as a restart on the new rule does', () => {
    const tags = makeTags(1);
    const before = resolvePolicies(tags);
    const after = resolvePolicies(tags, {}, [{ match: '**', maxHoldMs: 5_000 }]);
    // Sparse samples: the hold time decides how long each value counts in the minute's average.
    const wave = (i: number) => Math.round(Math.cos(i) * 100) / 10;
    const run = (restart: boolean) => {
      const dir = tempDir();
      dirs.push(dir);
      const file = path.join(dir, 'historian.db');
      let store = new HistorianStore({ file, tagNames: names(1), policies: before });
      for (let k = 0; k < 5; k++) put(store, 0, k * 17, 1, wave);
      store.commit();
      if (restart) {
        store.close();
        store = new HistorianStore({ file, tagNames: names(1), policies: after });
      } else store.retag(names(1), after, 'normal');
      for (let k = 5; k < 12; k++) put(store, 0, k * 17, 1, wave);
      store.commit();
      const got = store.reader.rollups('m1', sidOf(store, names(1)[0] as string), T0, T0 + 3_600_000);
      store.close();
      return got;
    };
    const inPlace = run(false);
    expect(inPlace.length).toBeGreaterThan(2);
    expect(inPlace).toEqual(run(true));
  });

  it('changes nothing when the rows of new tags cannot be made, and takes the table when they can', () => {
    const dir = tempDir();
    dirs.push(dir);
    const tags = makeTags(2);
    const store = new HistorianStore({
      file: path.join(dir, 'historian.db'),
      tagNames: names(1),
      policies: resolvePolicies(tags.slice(0, 1)),
    });
    put(store, 0, 0, 20);
    store.commit();
    store.db.exec("CREATE TRIGGER no_tags BEFORE INSERT ON tag BEGIN SELECT RAISE(ABORT, 'no new tags'); END");
    expect(() => store.retag(names(2), resolvePolicies(tags), 'normal')).toThrow(/no new tags/);
    // The store is as it was: the new id is not one of its tags, the old one goes on.
    put(store, 1, 0, 5);
    put(store, 0, 20, 20);
    store.commit();
    expect(store.db.prepare('SELECT count(*) FROM tag').pluck().get()).toBe(1);
    store.db.exec('DROP TRIGGER no_tags');
    store.retag(names(2), resolvePolicies(tags), 'normal');
    put(store, 1, 5, 5);
    store.commit();
    expect(values(store, 'Site/Area/M/T0')).toHaveLength(40);
    expect(values(store, 'Site/Area/M/T1')).toEqual([5, 6, 7, 8, 9].map((i) => i + 0.123));
    store.close();
  });
});
