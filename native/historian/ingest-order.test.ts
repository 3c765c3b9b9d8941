// The writer folds a large batch tag by tag (store.ts groupByTag), reuses the buffers of committed
// chunks for later ones, and packs a finished hour's minute rows from what it wrote (unitRows)
// instead of reading them back. None of it may change what is stored: the same random samples
// (many tags interleaved, late and out-of-order samples, missing values, Bad quality, irregular
// times across hour boundaries) fed as large batches and as small ones (which are folded sample by
// sample, in batch order), with the rows kept or read back, and commits at the same points, leave
// the same raw samples, rollups and last values. Reading every unit's rows back (maxUnitRows: 0) is
// the reference the kept rows are compared with: across five-day units, a close and reopen in the
// middle of a unit, retention passes, and a small bound.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mulberry32 } from '../util/random.js';
import { resolvePolicies, type TagPolicy } from './config.js';
import { HistorianStore } from './store.js';
import { makeTags, tempDir } from './test-kit.js';

const T0 = Date.UTC(2026, 0, 5, 9, 20);
const TAGS = 40;
const FIVE_DAYS = 5 * 86_400_000;
const tags = makeTags(TAGS);
const names = tags.map((t) => t.name);
const dirs: string[] = [];

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Columns {
  ids: Uint32Array;
  ts: Float64Array;
  values: Float64Array;
  quality: Uint8Array;
}

/**
 * `seconds` steps of samples of every tag (a step is `stepMs`, 1 s unless given), interleaved as a
 * bus delivers them, with disorder mixed in.
 */
function samples(seed: number, seconds: number, stepMs = 1000): Columns {
  const rnd = mulberry32(seed);
  const ids: number[] = [];
  const ts: number[] = [];
  const values: number[] = [];
  const quality: number[] = [];
  const level = Array.from({ length: TAGS }, () => rnd() * 100);
  for (let s = 0; s < seconds; s++) {
    for (let id = 0; id < TAGS; id++) {
      // Some tags report slower, some skip seconds.
      if (id % 7 === 3 && s % 5 !== 0) continue;
      if (rnd() < 0.05) continue;
      let t = T0 + s * stepMs + Math.floor(rnd() * 900);
      // Late: older than what the tag already has (recomputed minutes, chunks of their own).
      if (rnd() < 0.004) t -= stepMs * Math.floor(1 + rnd() * 300);
      level[id] = (level[id] as number) + (rnd() - 0.5);
      const r = rnd();
      const v = r < 0.02 ? Number.NaN : id % 5 === 0 ? (level[id] as number) : Math.round((level[id] as number) * 100) / 100;
      ids.push(id);
      ts.push(t);
      values.push(v);
      quality.push(r > 0.98 ? 2 : r > 0.96 ? 64 : 192);
    }
  }
  return { ids: Uint32Array.from(ids), ts: Float64Array.from(ts), values: Float64Array.from(values), quality: Uint8Array.from(quality) };
}

interface Run {
  maxUnitRows?: number;
  policies?: readonly TagPolicy[];
  /** After these commits (counted from 1), the store is closed and opened again. */
  reopenAfter?: readonly number[];
  /** After these commits, a retention pass at the newest sample's time. */
  retentionAfter?: readonly number[];
  /** Called after each commit (the kept rows' bound is checked there). */
  onCommit?: (st: HistorianStore) => void;
}

/** Feed `c` in batches of `batch` samples, committing every `commitEvery` samples; returns the stored state. */
function store(c: Columns, batch: number, commitEvery: number, run: Run = {}) {
  const d = tempDir('aurum-historian-order-');
  dirs.push(d);
  const policies = run.policies ?? resolvePolicies(tags);
  const open = () => new HistorianStore({ file: path.join(d, 'historian.db'), tagNames: names, policies, maxUnitRows: run.maxUnitRows });
  let st = open();
  const n = c.ids.length;
  let commits = 0;
  let newest = Number.NEGATIVE_INFINITY;
  for (let at = 0; at < n; at += commitEvery) {
    const end = Math.min(n, at + commitEvery);
    for (let i = at; i < end; i += batch) {
      const k = Math.min(batch, end - i);
      st.ingest(k, c.ids.subarray(i, i + k), c.ts.subarray(i, i + k), c.values.subarray(i, i + k), c.quality.subarray(i, i + k));
    }
    for (let i = at; i < end; i++) newest = Math.max(newest, c.ts[i] as number);
    st.commit();
    commits++;
    run.onCommit?.(st);
    if (run.retentionAfter?.includes(commits)) st.applyRetention(newest);
    if (run.reopenAfter?.includes(commits)) {
      st.close();
      st = open();
    }
  }
  const sids = names.map((name) => st.db.prepare('SELECT id FROM tag WHERE name = ?').pluck().get(name) as number);
  const all = [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY] as const;
  const out = {
    raw: sids.map((sid) => {
      const s = st.reader.raw(sid, ...all);
      return { ts: Array.from(s.ts), values: Array.from(s.values), quality: Array.from(s.quality) };
    }),
    m1: sids.map((sid) => st.reader.rollups('m1', sid, ...all)),
    h1: sids.map((sid) => st.reader.rollups('h1', sid, ...all)),
    last: st.reader.lastValues(sids),
    samples: sids.map((sid) => st.reader.rawCount(sid, ...all)),
  };
  st.close();
  return out;
}

describe('historian ingest order', () => {
  it('stores the same samples, rollups and last values whether a batch is folded tag by tag or sample by sample', () => {
    for (const seed of [1, 2]) {
      const c = samples(seed, 3000);
      // Large batches: folded tag by tag. Batches of 100 (below the grouping size): sample by sample.
      const grouped = store(c, 20_000, 20_000);
      const inOrder = store(c, 100, 20_000);
      expect(grouped.samples.reduce((a, b) => a + b, 0)).toBe(c.ids.length);
      expect(grouped.raw).toEqual(inOrder.raw);
      expect(grouped.m1).toEqual(inOrder.m1);
      expect(grouped.h1).toEqual(inOrder.h1);
      expect(grouped.last).toEqual(inOrder.last);
    }
  });

  it('packs the same rollup blocks from the rows it wrote as from the rows read back', () => {
    // Two hour boundaries, commits of 4,000 samples: the minute rows of an hour come from many commits.
    const c = samples(3, 6600);
    const kept = store(c, 4000, 4000);
    const readBack = store(c, 4000, 4000, { maxUnitRows: 0 });
    expect(kept.m1.flat().length).toBeGreaterThan(TAGS * 100);
    expect(kept.m1).toEqual(readBack.m1);
    expect(kept.h1).toEqual(readBack.h1);
    expect(kept.raw).toEqual(readBack.raw);
  });

  it('packs the same five-day hour blocks from the rows it wrote as from the rows read back', () => {
    // A step of 5 min over 8.7 days: three five-day units begin (the second is the first whose hour rows are all kept).
    const c = samples(4, 2500, 300_000);
    const kept = store(c, 4000, 4000);
    const readBack = store(c, 4000, 4000, { maxUnitRows: 0 });
    expect(new Set(kept.h1.flat().map((b) => Math.floor(b.t / FIVE_DAYS))).size).toBe(3);
    expect(kept.h1).toEqual(readBack.h1);
    expect(kept.m1).toEqual(readBack.m1);
    expect(kept.raw).toEqual(readBack.raw);
  }, 120_000);

  it('keeps every minute bucket when the store is closed and opened again in the middle of an hour', () => {
    // Commits of 4,000 samples (about 105 s each): closed in the first hour (no tag has a block
    // yet), in the second (the hour before packed) and in the third.
    const c = samples(5, 6600);
    const reopenAfter = [10, 39, 65];
    const kept = store(c, 4000, 4000, { reopenAfter });
    const readBack = store(c, 4000, 4000, { reopenAfter, maxUnitRows: 0 });
    const hour = (b: { t: number }) => b.t >= Date.UTC(2026, 0, 5, 10) && b.t < Date.UTC(2026, 0, 5, 11);
    // Every tag has a bucket in every minute of 10:00–11:00 (the hold fills the slow ones' gaps).
    expect(kept.m1.map((rows) => rows.filter(hour).length)).toEqual(Array(TAGS).fill(60));
    expect(kept.m1).toEqual(readBack.m1);
    expect(kept.h1).toEqual(readBack.h1);
    expect(kept.raw).toEqual(readBack.raw);
    expect(kept.last).toEqual(readBack.last);
  });

  it('keeps every hour bucket when the store is closed and opened again in the middle of five days', () => {
    // Commits of 4,000 samples (about 10 h each): closed on 01-06, before any block of hours (the next
    // commit stays in that unit), and in the middle of each later unit.
    const c = samples(6, 2500, 300_000);
    const reopenAfter = [2, 9, 17];
    const kept = store(c, 4000, 4000, { reopenAfter });
    const readBack = store(c, 4000, 4000, { reopenAfter, maxUnitRows: 0 });
    expect(kept.h1).toEqual(readBack.h1);
    expect(kept.m1).toEqual(readBack.m1);
  }, 120_000);

  it('packs the same blocks after retention passes in the middle of units that delete some tags’ rows there', () => {
    // Odd tags keep minutes for 20 minutes and hours for a day: retention reaches into their current unit.
    const policies = resolvePolicies(tags).map((p, id) => (id % 2 === 1 ? { ...p, minuteMs: 20 * 60_000, hourMs: 86_400_000 } : p));
    const c = samples(7, 6600);
    const retentionAfter = [20, 30, 45, 60];
    const kept = store(c, 4000, 4000, { policies, retentionAfter });
    const readBack = store(c, 4000, 4000, { policies, retentionAfter, maxUnitRows: 0 });
    expect(kept.m1).toEqual(readBack.m1);
    expect(kept.h1).toEqual(readBack.h1);
    const days = samples(8, 2500, 300_000);
    const keptDays = store(days, 4000, 4000, { policies, retentionAfter: [5, 12, 20] });
    const readBackDays = store(days, 4000, 4000, { policies, retentionAfter: [5, 12, 20], maxUnitRows: 0 });
    expect(keptDays.h1).toEqual(readBackDays.h1);
    expect(keptDays.m1).toEqual(readBackDays.m1);
  }, 120_000);

  it('keeps its rows through a retention pass that deletes nothing of the current units', () => {
    // Default retention (a year of minutes): a pass at the newest sample's time deletes nothing of this hour.
    const c = samples(9, 3600);
    let before = 0;
    let after = 0;
    store(c, 4000, 4000, {
      onCommit: (st) => {
        before = st.unitRowsKept;
        st.applyRetention(c.ts[c.ids.length - 1] as number);
        after = st.unitRowsKept;
      },
    });
    expect(before).toBeGreaterThan(TAGS * 10);
    expect(after).toBe(before);
  });

  it('never keeps more rows than its bound, and packs the same blocks as without kept rows', () => {
    const c = samples(10, 6600);
    let most = 0;
    const small = store(c, 4000, 4000, {
      maxUnitRows: 50,
      onCommit: (st) => {
        most = Math.max(most, st.unitRowsKept);
      },
    });
    const readBack = store(c, 4000, 4000, { maxUnitRows: 0 });
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(50);
    expect(small.m1).toEqual(readBack.m1);
    expect(small.h1).toEqual(readBack.h1);
    expect(small.raw).toEqual(readBack.raw);
  });

  it('keeps every minute bucket after a reopen when the tag skipped an hour (its last block is older than its unit)', () => {
    // Tags 0 and 1 every 10 s: 09:30–09:40, nothing from 10:00 to 11:00 (longer than the hold: no
    // block there), 11:20–11:30; closed; opened again (packed to 10:00 by its last block), on to 12:01.
    const span = (from: number, to: number): Columns => {
      const rows: [number, number][] = [];
      for (let t = from; t < to; t += 10_000) for (const id of [0, 1]) rows.push([id, t]);
      return {
        ids: Uint32Array.from(rows.map((r) => r[0])),
        ts: Float64Array.from(rows.map((r) => r[1])),
        values: Float64Array.from(rows.map((r) => (r[1] / 10_000) % 17)),
        quality: new Uint8Array(rows.length).fill(192),
      };
    };
    const at = (h: number, m: number) => Date.UTC(2026, 0, 5, h, m);
    const run = (maxUnitRows: number | undefined) => {
      const d = tempDir('aurum-historian-order-');
      dirs.push(d);
      const open = () =>
        new HistorianStore({ file: path.join(d, 'historian.db'), tagNames: names, policies: resolvePolicies(tags), maxUnitRows });
      let st = open();
      const feed = (c: Columns) => {
        st.ingest(c.ids.length, c.ids, c.ts, c.values, c.quality);
        st.commit();
      };
      feed(span(at(9, 30), at(9, 40)));
      feed(span(at(11, 20), at(11, 30)));
      st.close();
      st = open();
      feed(span(at(11, 30), at(11, 35)));
      feed(span(at(11, 35), at(12, 1)));
      const sid = st.db.prepare('SELECT id FROM tag WHERE name = ?').pluck().get(names[0]) as number;
      const m1 = st.reader.rollups('m1', sid, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
      st.close();
      return m1;
    };
    const kept = run(undefined);
    expect(kept.filter((b) => b.t >= at(11, 20) && b.t < at(12, 0)).length).toBe(40);
    expect(kept).toEqual(run(0));
  });
});
