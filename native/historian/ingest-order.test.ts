// The writer folds a large batch tag by tag (store.ts groupByTag), reuses the buffers of committed
// chunks for later ones, and packs a finished hour's minute rows from what it wrote (unitRows)
// instead of reading them back. None of it may change what is stored: the same random samples
// (many tags interleaved, late and out-of-order samples, missing values, Bad quality, irregular
// times across hour boundaries) fed as large batches and as small ones (which are folded sample by
// sample, in batch order), with the rows kept or read back, and commits at the same points, leave
// the same raw samples, rollups and last values.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mulberry32 } from '../util/random.js';
import { resolvePolicies } from './config.js';
import { HistorianStore } from './store.js';
import { makeTags, tempDir } from './test-kit.js';

const T0 = Date.UTC(2026, 0, 5, 9, 20);
const TAGS = 40;
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

/** `seconds` of samples of every tag, interleaved as a bus delivers them, with disorder mixed in. */
function samples(seed: number, seconds: number): Columns {
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
      let t = T0 + s * 1000 + Math.floor(rnd() * 900);
      // Late: older than what the tag already has (recomputed minutes, chunks of their own).
      if (rnd() < 0.004) t -= 1000 * Math.floor(1 + rnd() * 300);
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

/** Feed `c` in batches of `batch` samples, committing every `commitEvery` samples; returns the stored state. */
function store(c: Columns, batch: number, commitEvery: number, maxUnitRows?: number) {
  const d = tempDir('aurum-historian-order-');
  dirs.push(d);
  const st = new HistorianStore({ file: path.join(d, 'historian.db'), tagNames: names, policies: resolvePolicies(tags), maxUnitRows });
  const n = c.ids.length;
  for (let at = 0; at < n; at += commitEvery) {
    const end = Math.min(n, at + commitEvery);
    for (let i = at; i < end; i += batch) {
      const k = Math.min(batch, end - i);
      st.ingest(k, c.ids.subarray(i, i + k), c.ts.subarray(i, i + k), c.values.subarray(i, i + k), c.quality.subarray(i, i + k));
    }
    st.commit();
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
    const readBack = store(c, 4000, 4000, 0);
    expect(kept.m1.flat().length).toBeGreaterThan(TAGS * 100);
    expect(kept.m1).toEqual(readBack.m1);
    expect(kept.h1).toEqual(readBack.h1);
    expect(kept.raw).toEqual(readBack.raw);
  });
});
