import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SystemMessage } from '../api/events.js';
import { TagBus } from '../tags/bus.js';
import { ExportCancelled, type Historian, historyHandlers, openHistorian } from './index.js';
import { batch, makeTags, tempDir } from './test-kit.js';

const T0 = Date.UTC(2026, 0, 5);
const open: Historian[] = [];
const dirs: string[] = [];

async function start(opts: { now?: () => number; dir?: string; messages?: SystemMessage[]; maxBufferedSamples?: number } = {}) {
  const dir = opts.dir ?? tempDir();
  dirs.push(dir);
  const h = await openHistorian({
    dir,
    tags: makeTags(4),
    now: opts.now ?? (() => T0 + 3_600_000),
    onSystemMessage: (m) => opts.messages?.push(m),
    retentionIntervalMs: 0,
    ...(opts.maxBufferedSamples ? { maxBufferedSamples: opts.maxBufferedSamples } : {}),
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

  it('on a full disk raises a system alarm, keeps buffering, refuses beyond its bound, and resumes', async () => {
    const messages: SystemMessage[] = [];
    const { h } = await start({ messages, maxBufferedSamples: 60_000 });
    const rows = (from: number, n: number) => batch(Array.from({ length: n }, (_, i) => [i % 4, T0 + (from + i) * 250, i] as const));
    h.ingest(rows(0, 1000));
    await h.flush();
    // Cap the file at its current size: the next growth fails exactly as on a full disk.
    await h.setMaxDbBytes(1);
    h.ingest(rows(1000, 40_000));
    await expect(h.flush()).rejects.toThrow(/full/i);
    expect(messages.some((m) => m.level === 'error' && /disk full/.test(m.message))).toBe(true);
    expect(h.metrics().writeFailing).toBe(true);
    h.ingest(rows(41_000, 40_000));
    expect(h.metrics().droppedSamples).toBe(40_000);
    expect(messages.some((m) => /buffer full/.test(m.message))).toBe(true);
    await h.setMaxDbBytes(null);
    await h.flush();
    expect(messages.some((m) => m.level === 'info' && /resumed/.test(m.message))).toBe(true);
    const [s] = h.query({ tags: ['Site/Area/M/T1'], from: T0, to: T0 + 41_000 * 250, maxPoints: 20_000 });
    expect(s?.ts.length).toBe(41_000 / 4);
    expect(h.metrics().writeFailing).toBe(false);
  });

  it('commits a push that comes while an earlier commit runs without waiting for this thread', async () => {
    const { h } = await start();
    const tag = 'Site/Area/M/T1';
    h.ingest(batch(Array.from({ length: 20_000 }, (_, i) => [i % 4, T0 + i * 1000, i] as const)));
    const first = h.commit();
    // The first commit is on its way to the writer; the second push comes after it.
    await Promise.resolve();
    h.ingest(batch([[1, T0 + 86_400_000, 42]]));
    const second = h.commit();
    // This thread is now busy (a long request, a large push being parsed): the writer must still
    // commit the second push, reading nothing from here. Polled through the read connection, bounded.
    const pause = new Int32Array(new SharedArrayBuffer(4));
    let seen = false;
    for (let i = 0; i < 6000 && !seen; i++) {
      Atomics.wait(pause, 0, 0, 5);
      seen = h.lastValues({ tags: [tag] })[0]?.ts === T0 + 86_400_000;
    }
    expect(seen).toBe(true);
    await Promise.all([first, second]);
    expect(h.metrics().committedSamples).toBe(20_001);
  });

  it('exports CSV with progress, and stops when cancelled', async () => {
    const { h, dir } = await start();
    const day = 86_400_000;
    const rows: [number, number, number][] = [];
    for (let i = 0; i < 3 * 24; i++) rows.push([0, T0 + i * 3_600_000, i], [1, T0 + i * 3_600_000, -i]);
    h.ingest(batch(rows));
    await h.flush();
    const progress: number[] = [];
    const file = path.join(dir, 'raw.csv');
    const n = await h.exportCsv({ tags: ['Site/Area/M/T0', 'Site/Area/M/T1'], from: T0, to: T0 + 3 * day }, file, (f) => progress.push(f));
    expect(n).toBe(rows.length);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('timestamp,tag,value,quality');
    expect(lines[1]).toBe(`${new Date(T0).toISOString()},Site/Area/M/T0,0,0`);
    expect(lines).toHaveLength(rows.length + 1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress[progress.length - 1]).toBe(1);
    const agg = path.join(dir, 'agg.csv');
    expect(await h.exportCsv({ tags: ['Site/Area/M/T0'], from: T0, to: T0 + day, intervalMs: 3_600_000 }, agg)).toBe(24);
    const abort = new AbortController();
    const cancelled = h.exportCsv(
      { tags: ['Site/Area/M/T0'], from: T0, to: T0 + 3 * day },
      path.join(dir, 'c.csv'),
      () => abort.abort(),
      abort.signal,
    );
    await expect(cancelled).rejects.toBeInstanceOf(ExportCancelled);
    // The job API reports through listeners.
    const events: string[] = [];
    const done = new Promise<void>((resolve) =>
      h.onExport((p) => {
        events.push(p.state);
        if (p.state !== 'running') resolve();
      }),
    );
    const handlers = historyHandlers(h);
    const job = handlers['history.export'](
      { tags: ['Site/Area/M/T0'], from: T0, to: T0 + day },
      { user: null, role: null, origin: 'internal' },
    );
    await done;
    expect(events[events.length - 1]).toBe('done');
    expect(readFileSync(job.file, 'utf8').split('\n')).toHaveLength(26);
  });

  it('keeps an append-only outbox acknowledged by id', async () => {
    const { h } = await start();
    const a = h.outbox.append('alarms', { tag: 'x', state: 'active' });
    const b = h.outbox.append('esg', { kWh: 3 });
    expect(h.outbox.pending(10).map((r) => r.id)).toEqual([a, b]);
    expect(h.outbox.pending(10, 'esg')[0]?.payload).toEqual({ kWh: 3 });
    expect(h.outbox.ack([a, a])).toBe(1);
    expect(h.outbox.pending(10).map((r) => r.id)).toEqual([b]);
  });

  it('answers history requests by tag name and refuses unknown tags', async () => {
    const { h } = await start();
    h.ingest(
      batch([
        [2, T0, 1],
        [2, T0 + 1000, 3],
      ]),
    );
    await h.flush();
    const handlers = historyHandlers(h);
    const ctx = { user: null, role: null, origin: 'internal' as const };
    expect(handlers['history.query']({ tags: ['Site/Area/M/T2'], from: T0, to: T0 + 2000, maxPoints: 10 }, ctx)[0]?.v).toEqual([1, 3]);
    expect(handlers['history.valueAt']({ tags: ['Site/Area/M/T2'], t: T0 + 500, mode: 'linear' }, ctx)[0]?.value).toBe(2);
    expect(() => handlers['history.query']({ tags: ['nope'], from: T0, to: T0 + 1, maxPoints: 10 }, ctx)).toThrow(/unknown tag/);
    expect(handlers['history.metrics']({}, ctx).committedSamples).toBe(2);
  });

  it('records what the tag bus delivers (its views are reused) and serves it after a restart', async () => {
    const { h, dir } = await start();
    const bus = new TagBus(makeTags(4));
    bus.onBatch((b) => h.ingest(b));
    for (let i = 0; i < 500; i++) {
      bus.update(i % 4, i, 0, T0 + i * 100);
      if (i % 7 === 0) bus.flush();
    }
    bus.flush();
    await h.flush();
    await h.close();
    const { h: again } = await start({ dir });
    for (let id = 0; id < 4; id++) {
      const [s] = again.query({ tags: [`Site/Area/M/T${id}`], from: T0, to: T0 + 50_000, maxPoints: 1000 });
      expect(s?.v).toEqual(Array.from({ length: 125 }, (_, k) => 4 * k + id));
    }
  });

  it('keeps a damaged file aside, says so, and records into a new one', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'historian.db'), Buffer.alloc(8192, 7));
    const messages: SystemMessage[] = [];
    const { h } = await start({ dir, messages });
    expect(h.recovery.quarantined).not.toBeNull();
    expect(existsSync(h.recovery.quarantined as string)).toBe(true);
    expect(messages.some((m) => m.level === 'error' && /damaged.*failed its check/.test(m.message))).toBe(true);
    h.ingest(batch([[0, T0, 1]]));
    await h.flush();
    expect(h.query({ tags: ['Site/Area/M/T0'], from: T0, to: T0 + 1, maxPoints: 10 })[0]?.v).toEqual([1]);
    expect(readdirSync(dir).filter((f) => f.includes('damaged'))).toHaveLength(1);
  });

  it('restarts a writer that dies and records again, counting what it lost', async () => {
    const messages: SystemMessage[] = [];
    const { h } = await start({ messages });
    h.ingest(batch([[0, T0, 1]]));
    await h.flush();
    const restarted = new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (messages.some((m) => /restarted/.test(m.message))) {
          clearInterval(poll);
          resolve();
        }
      }, 20);
    });
    await (h as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    expect(messages.some((m) => m.level === 'error' && /writer stopped/.test(m.message))).toBe(true);
    // Accepted while the writer restarts, written once it is back.
    h.ingest(batch([[0, T0 + 1000, 2]]));
    await expect(h.flush()).rejects.toThrow(/restarting/);
    await restarted;
    await h.flush();
    expect(h.query({ tags: ['Site/Area/M/T0'], from: T0, to: T0 + 2000, maxPoints: 10 })[0]?.v).toEqual([1, 2]);
    expect(h.metrics().committedSamples).toBe(2);
  });
});
