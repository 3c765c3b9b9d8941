import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { SystemMessage } from '../api/events.js';
import { type Historian, openHistorian } from './index.js';
import { batch, makeTags, tempDir } from './test-kit.js';

const T0 = Date.UTC(2026, 0, 5);
const open: Historian[] = [];
const dirs: string[] = [];

async function start(opts: { now?: () => number; dir?: string; messages?: SystemMessage[] } = {}) {
  const dir = opts.dir ?? tempDir();
  dirs.push(dir);
  const h = await openHistorian({
    dir,
    tags: makeTags(4),
    now: opts.now ?? (() => T0 + 3_600_000),
    onSystemMessage: (m) => opts.messages?.push(m),
    retentionIntervalMs: 0,
  });
  open.push(h);
  return { h, dir };
}

afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('historian', () => {
  it('keeps samples across a restart', async () => {
    const { h, dir } = await start();
    const rows: [number, number, number][] = [];
    for (let i = 0; i < 3600; i++) rows.push([0, T0 + i * 1000, i % 100]);
    h.ingest(batch(rows));
    await h.flush();
    await h.close();
    const { h: h2 } = await start({ dir });
    const [s] = h2.query({ tags: ['Site/Area/M/T0'], from: T0, to: T0 + 3_600_000, maxPoints: 5000 });
    expect(s?.source).toBe('raw');
    expect(s?.ts.length).toBe(3600);
    expect(s?.v[123]).toBe(23);
  });
});
