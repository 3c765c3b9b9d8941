// A commit is first tried as one transaction without savepoints; a data fault rolls it back and
// retries it with a savepoint per tag (store.ts commit). These check the retry on a real SQLite
// file: what the first attempt did is undone exactly, one tag's fault is quarantined while every
// other tag commits whole (raw, rollups, last value), and the commits after it take the fast path
// again without a collision.

import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolvePolicies } from './config.js';
import { PartitionSet } from './partitions.js';
import { HistorianStore } from './store.js';
import { makeTags, tempDir } from './test-kit.js';

const T0 = Date.UTC(2026, 0, 5);
const tags = makeTags(3);
const names = tags.map((t) => t.name);
const dirs: string[] = [];

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function newStore(file: string): HistorianStore {
  return new HistorianStore({ file, tagNames: names, policies: resolvePolicies(tags) });
}

/** `n` samples of every tag at 1 Hz from second `s0`; value = tag * 1000 + second. */
function feed(store: HistorianStore, s0: number, n: number): void {
  const ids: number[] = [];
  const ts: number[] = [];
  const vs: number[] = [];
  for (let s = s0; s < s0 + n; s++) {
    for (let id = 0; id < names.length; id++) {
      ids.push(id);
      ts.push(T0 + s * 1000);
      vs.push(id * 1000 + s);
    }
  }
  store.ingest(ids.length, ids, ts, vs, new Array(ids.length).fill(0));
}

const sidOf = (store: HistorianStore, i: number) => store.db.prepare('SELECT id FROM tag WHERE name = ?').pluck().get(names[i]) as number;
const raw = (store: HistorianStore, i: number) =>
  Array.from(store.reader.raw(sidOf(store, i), Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY).values);
const range = (from: number, to: number, base: number) => Array.from({ length: to - from }, (_, k) => base + from + k);

describe('historian commit', () => {
  it('retries a commit that fails on one tag’s data tag by tag: that tag is quarantined, the others commit whole, later commits store everything', () => {
    const d = tempDir('aurum-historian-commit-');
    dirs.push(d);
    const file = path.join(d, 'historian.db');
    let store = newStore(file);
    const bad = sidOf(store, 1);
    // A real SQLite fault in a row of that tag alone: its first closed minute (the samples of chunks
    // being filled go into tail rows, the newest sample and open minute into tag_state rows, of many tags).
    const minutes = new PartitionSet(store.db).ensure('m1', T0);
    store.db.exec(
      `CREATE TRIGGER poison BEFORE INSERT ON ${minutes} WHEN NEW.tag = ${bad} BEGIN SELECT RAISE(ABORT, 'minute of tag ${bad} refused'); END`,
    );
    feed(store, 0, 90);
    const stats = store.commit();
    expect(stats.samples).toBe(270);
    expect(store.lastQuarantine).toMatchObject({ samples: 90, tags: [names[1]] });
    expect(store.lastQuarantine?.reason).toMatch(/minute of tag \d+ refused/);
    expect(store.quarantineCount()).toBe(90);
    expect(raw(store, 0)).toEqual(range(0, 90, 0));
    expect(raw(store, 1)).toEqual([]);
    expect(raw(store, 2)).toEqual(range(0, 90, 2000));
    // Rollups and last values of the good tags are in the same commit.
    const m1 = (i: number) => store.reader.rollups('m1', sidOf(store, i), T0, T0 + 120_000).map((b) => b.count);
    expect(m1(0)).toEqual([60, 30]);
    expect(m1(2)).toEqual([60, 30]);
    expect(m1(1)).toEqual([]);
    expect(store.reader.lastValues([sidOf(store, 0), bad, sidOf(store, 2)])).toEqual([
      { ts: T0 + 89_000, value: 89, quality: 0 },
      null,
      { ts: T0 + 89_000, value: 2089, quality: 0 },
    ]);

    store.db.exec('DROP TRIGGER poison');
    feed(store, 90, 30);
    store.commit();
    expect(store.lastQuarantine).toBeNull();
    expect(raw(store, 0)).toEqual(range(0, 120, 0));
    expect(raw(store, 1)).toEqual(range(90, 120, 1000));
    store.finish();
    store.commit();
    store.close();

    // Sealed on close and read back after a restart: nothing lost or doubled by the rolled-back attempt.
    store = newStore(file);
    expect(raw(store, 0)).toEqual(range(0, 120, 0));
    expect(raw(store, 1)).toEqual(range(90, 120, 1000));
    expect(raw(store, 2)).toEqual(range(0, 120, 2000));
    expect(store.db.prepare('SELECT count(*) FROM tail').pluck().get()).toBe(0);
    store.close();
  });
});
