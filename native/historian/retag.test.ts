// Live configuration of the historian (Historian.retag): tags added to a running historian are
// stored from their first sample, a removed one leaves queries, a changed storage rule takes effect,
// and the series of an unchanged tag is continuous across it — every sample ingested before, during
// and after the change is stored (counted, not timed): the writer holds what arrives while it
// reopens its store on the new table.
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { type Historian, openHistorian } from './index.js';
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
    // Samples that arrive while the writer reopens its store, then one acknowledged commit.
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
});
