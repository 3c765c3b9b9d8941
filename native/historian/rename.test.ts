// A tag renamed by live configuration keeps its history (Historian.renameTag): the series stored
// before the rename and the samples after it are one series under the new name, the old name is
// unknown, and a restart under the new name finds the same series.
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

describe('Historian.renameTag', () => {
  it('keeps the stored series under the new name, before and after a restart', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const tags = makeTags(2);
    const h = await openHistorian({ dir, tags, now: () => T0 + 60_000, retentionIntervalMs: 0 });
    open.push(h);
    h.ingest(batch([0, 1, 2].map((i) => [0, T0 + i * 1000, i] as const)));
    await h.flush();
    h.renameTag('Site/Area/M/T0', 'Site/Area/M/Flow');
    // The bus renames its tag in place (same object, same id): samples after the rename go on in the same series.
    (tags[0] as { name: string }).name = 'Site/Area/M/Flow';
    h.ingest(batch([[0, T0 + 3000, 3]]));
    await h.flush();
    const q = { from: T0, to: T0 + 10_000, maxPoints: 100 };
    expect(h.query({ tags: ['Site/Area/M/Flow'], ...q })[0]?.v).toEqual([0, 1, 2, 3]);
    expect(() => h.query({ tags: ['Site/Area/M/T0'], ...q })).toThrow(/unknown tag/);
    expect(() => h.renameTag('Site/Area/M/T1', 'Site/Area/M/Flow')).toThrow(/already keeps a tag named Site\/Area\/M\/Flow/);
    await h.close();
    open.length = 0;

    const again = await openHistorian({ dir, tags, now: () => T0 + 60_000, retentionIntervalMs: 0 });
    open.push(again);
    expect(again.query({ tags: ['Site/Area/M/Flow'], ...q })[0]?.v).toEqual([0, 1, 2, 3]);
  });
});
