// The historian under fault, on real SQLite files: a sample that makes its write fail is isolated
// and quarantined while every other sample commits; times no partition can hold never reach one;
// a full disk at start leaves the historian readable (read-only) instead of stopping the console;
// a WAL cut short by a crash is reported loudly and what it held whole stays readable.
import { execFileSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, openSync, readdirSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SystemMessage } from '../api/events.js';
import { openSqlite } from '../util/sqlite.js';
import { resolvePolicies } from './config.js';
import { type Historian, openHistorian } from './index.js';
import { HistorianStore } from './store.js';
import { makeTags, tempDir } from './test-kit.js';

const T0 = Date.UTC(2026, 0, 5);
const DAY = 86_400_000;
const tags = makeTags(3);
const names = tags.map((t) => t.name);
const dirs: string[] = [];
const open: Historian[] = [];

function newStore(dir: string): HistorianStore {
  return new HistorianStore({ file: path.join(dir, 'historian.db'), tagNames: names, policies: resolvePolicies(tags) });
}

function dir(): string {
  const d = tempDir('aurum-historian-fault-');
  dirs.push(d);
  return d;
}

function ingest(store: HistorianStore, rows: [id: number, t: number, v: number][]): void {
  store.ingest(
    rows.length,
    rows.map((r) => r[0]),
    rows.map((r) => r[1]),
    rows.map((r) => r[2]),
    rows.map(() => 0),
  );
}

const raw = (store: HistorianStore, sid: number) =>
  Array.from(store.reader.raw(sid, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY).values);

async function until(what: string, probe: () => boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (probe()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('historian faults', () => {
  it('splits a failing write down to the one sample that fails, quarantines it and commits every other', () => {
    const d = dir();
    let store = newStore(d);
    ingest(store, [[0, T0, 1]]);
    store.finish();
    store.commit();
    store.close();
    // A real SQLite fault tied to one value: any chunk holding 666 cannot be inserted.
    const db = openSqlite(path.join(d, 'historian.db'));
    const table = (db.prepare("SELECT name FROM partition WHERE level = 'raw'").get() as { name: string }).name;
    db.exec(`CREATE TRIGGER poison BEFORE INSERT ON ${table} WHEN NEW.vmax = 666 BEGIN SELECT RAISE(ABORT, 'value 666 refused'); END`);
    db.close();

    store = newStore(d);
    const rows: [number, number, number][] = [];
    for (let i = 1; i <= 200; i++) {
      rows.push([0, T0 + i * 1000, i === 100 ? 666 : i]);
      rows.push([1, T0 + i * 1000, i]);
    }
    ingest(store, rows);
    store.finish();
    store.commit();
    expect(store.lastQuarantine).toMatchObject({ samples: 1, tags: [names[0]] });
    expect(store.lastQuarantine?.reason).toMatch(/value 666 refused/);
    expect(store.quarantineCount()).toBe(1);
    const t0 = raw(store, 1);
    expect(t0).toHaveLength(200);
    expect(t0).not.toContain(666);
    expect(raw(store, 2)).toHaveLength(200);
    store.close();
  });

  it('keeps times no partition can hold (±1e308, NaN, ±Infinity) out of the partitions, quarantined', () => {
    const store = newStore(dir());
    ingest(store, [
      [0, 1e308, 1],
      [0, -1e308, 2],
      [0, Number.NaN, 3],
      [0, Number.POSITIVE_INFINITY, 4],
      [1, T0, 5],
      [1, T0 + DAY, 6],
    ]);
    store.finish();
    store.commit();
    expect(store.quarantineCount()).toBe(4);
    expect(raw(store, 2)).toEqual([5, 6]);
    const parts = store.db.prepare("SELECT name FROM partition WHERE level = 'raw'").pluck().all() as string[];
    expect(parts.every((p) => /^raw_n?\d+$/.test(p))).toBe(true);
    expect(parts).toHaveLength(2);
    store.close();
  });

  it('starts read-only when the disk is full at start, serves what it has, and resumes by itself once there is room', async () => {
    const d = dir();
    // An unclean stop leaves segments to merge; merging them is the first write at start.
    const store = newStore(d);
    const rows: [number, number, number][] = [];
    for (let i = 0; i < 500; i++) rows.push([0, T0 + i * 1000, i]);
    ingest(store, rows);
    store.commit();
    store.close();
    const messages: SystemMessage[] = [];
    // max_page_count at the current size: SQLite answers SQLITE_FULL exactly as on a full disk.
    const h = await openHistorian({
      dir: d,
      tags,
      now: () => T0 + DAY,
      retentionIntervalMs: 0,
      flushIntervalMs: 50,
      maxDbBytes: 4096,
      onSystemMessage: (m) => messages.push(m),
    });
    open.push(h);
    expect(h.recovery.recoveryDeferred).toMatch(/full/i);
    expect(messages.some((m) => m.level === 'error' && /read-only/.test(m.message))).toBe(true);
    expect(h.refuse(1)?.message).toMatch(/read-only|cannot write/);
    const [s] = h.query({ tags: [names[0] as string], from: T0, to: T0 + 600_000, maxPoints: 10_000 });
    expect(s?.v).toHaveLength(500);
    await h.setMaxDbBytes(null);
    await until('writes to resume', () => !h.metrics().writeFailing);
    expect(h.refuse(1)).toBeNull();
    expect(messages.some((m) => /resumed/.test(m.message))).toBe(true);
  });

  it('never acknowledges a group commit when samples were dropped for a full buffer since the previous group', async () => {
    const h = await openHistorian({ dir: dir(), tags, now: () => T0 + DAY, retentionIntervalMs: 0, maxBufferedSamples: 100 });
    open.push(h);
    const b = (n: number, from: number) => ({
      length: n,
      ids: new Uint32Array(n),
      ts: Float64Array.from({ length: n }, (_, i) => T0 + (from + i) * 1000),
      values: Float64Array.from({ length: n }, (_, i) => from + i),
      quality: new Uint8Array(n),
    });
    h.ingest(b(50, 0));
    await h.commit();
    h.ingest(b(500, 50)); // past the bound: dropped and counted
    expect(h.metrics().droppedSamples).toBe(500);
    await expect(h.commit()).rejects.toThrow(/buffer was full.*500 samples were dropped/);
    h.ingest(b(10, 600));
    await h.commit();
    const [s] = h.query({ tags: [names[0] as string], from: T0, to: T0 + 700_000, maxPoints: 10_000 });
    expect(s?.v).toHaveLength(60);
  });

  const root = process.getuid?.() === 0;
  it.skipIf(!root)(
    'opens read-only on a disk too full to open the file at all (a tmpfs), serves its history, and starts writing once there is room',
    async () => {
      const d = dir();
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', d]);
      try {
        const first = await openHistorian({ dir: d, tags, now: () => T0 + DAY, retentionIntervalMs: 0 });
        first.ingest({
          length: 3,
          ids: new Uint32Array(3),
          ts: Float64Array.of(T0, T0 + 1000, T0 + 2000),
          values: Float64Array.of(1, 2, 3),
          quality: new Uint8Array(3),
        });
        await first.close();
        const filler = path.join(d, 'filler');
        const fd = openSync(filler, 'w');
        try {
          for (let i = 0; i < 10_000; i++) writeSync(fd, Buffer.alloc(4096));
        } catch {
          // full
        }
        closeSync(fd);
        const messages: SystemMessage[] = [];
        const h = await openHistorian({
          dir: d,
          tags,
          now: () => T0 + DAY,
          retentionIntervalMs: 0,
          onSystemMessage: (m) => messages.push(m),
        });
        try {
          expect(h.recovery.readOnly).toMatch(/disk|I\/O/);
          expect(messages.some((m) => m.level === 'error' && /started read-only/.test(m.message))).toBe(true);
          expect(h.refuse(1)?.message).toMatch(/read-only/);
          expect(h.query({ tags: [names[0] as string], from: T0, to: T0 + 10_000, maxPoints: 100 })[0]?.v).toEqual([1, 2, 3]);
          // The file was not taken for damaged.
          expect(readdirSync(d).some((f) => f.includes('damaged'))).toBe(false);
          rmSync(filler);
          await until('the writer to open the file', () => h.refuse(1) === null);
          expect(messages.some((m) => /opened its file again/.test(m.message))).toBe(true);
          h.ingest({
            length: 1,
            ids: new Uint32Array(1),
            ts: Float64Array.of(T0 + 3000),
            values: Float64Array.of(4),
            quality: new Uint8Array(1),
          });
          await h.commit();
          expect(h.query({ tags: [names[0] as string], from: T0, to: T0 + 10_000, maxPoints: 100 })[0]?.v).toEqual([1, 2, 3, 4]);
        } finally {
          await h.close();
        }
      } finally {
        execFileSync('umount', ['-l', d]);
      }
    },
  );

  it('reports a WAL cut short by a crash, keeps a copy of it, and keeps what it held whole readable', async () => {
    const d = dir();
    const crashed = dir();
    const store = newStore(d);
    // Several commits, never checkpointed into the main file: everything lives in the WAL.
    store.db.pragma('wal_autocheckpoint = 0');
    for (let k = 0; k < 20; k++) {
      const rows: [number, number, number][] = [];
      for (let i = 0; i < 200; i++) rows.push([0, T0 + (k * 200 + i) * 1000, k * 200 + i]);
      ingest(store, rows);
      store.commit();
    }
    // The files as a kill -9 leaves them (the connection is still open), then the WAL cut mid-frame.
    for (const ext of ['', '-wal', '-shm']) copyFileSync(path.join(d, `historian.db${ext}`), path.join(crashed, `historian.db${ext}`));
    store.close();
    const wal = path.join(crashed, 'historian.db-wal');
    truncateSync(wal, Math.floor(statSync(wal).size * 0.6) + 100);
    const messages: SystemMessage[] = [];
    const h = await openHistorian({
      dir: crashed,
      tags,
      now: () => T0 + DAY,
      retentionIntervalMs: 0,
      onSystemMessage: (m) => messages.push(m),
    });
    open.push(h);
    expect(h.recovery.damage).toMatch(/cut short/);
    expect(messages.some((m) => m.level === 'error' && /damaged.*cut short/.test(m.message))).toBe(true);
    expect(readdirSync(crashed).some((f) => f.startsWith('historian.db-wal.damaged-'))).toBe(true);
    const [s] = h.query({ tags: [names[0] as string], from: T0, to: T0 + 4000 * 1000, maxPoints: 10_000 });
    const v = s?.v ?? [];
    // A prefix survives, in order and without holes: the samples before the damage.
    expect(v.length).toBeGreaterThan(0);
    expect(v.length).toBeLessThan(4000);
    expect(v).toEqual(Array.from({ length: v.length }, (_, i) => i));
    const check = openSqlite(path.join(crashed, 'historian.db'));
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();
    expect(existsSync(path.join(crashed, 'historian.db'))).toBe(true);
  });
});
