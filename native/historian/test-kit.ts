// Helpers shared by the historian's tests and benchmark: synthetic tags and columnar batches.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TagInfo } from '../api/types.js';
import { emptyBatch, type SampleBatch } from '../tags/bus.js';
import type { SqliteDatabase } from '../util/sqlite.js';
import { decodeOpenBucket, encodeChunk, type Samples } from './codec.js';
import { PartitionSet } from './partitions.js';
import { assembleTail } from './tail.js';

export function makeTags(n: number, prefix = 'Site/Area/M'): TagInfo[] {
  return Array.from({ length: n }, (_, id) => ({
    id,
    name: `${prefix}/T${id}`,
    site: 'Site',
    area: 'Area',
    machine: 'M',
    unit: '',
    description: '',
    dataType: 'float' as const,
    connection: 'c',
    address: '',
    rangeLo: 0,
    rangeHi: 100,
    writable: false,
    writeMin: null,
    writeMax: null,
    expectedPeriodMs: 1000,
  }));
}

export function batch(rows: readonly (readonly [id: number, ts: number, value: number, quality?: number])[]): SampleBatch {
  const n = rows.length;
  const b = emptyBatch(n);
  rows.forEach(([id, t, v, q], i) => {
    b.ids[i] = id;
    b.ts[i] = t;
    b.values[i] = v;
    b.quality[i] = q ?? 0;
  });
  return b;
}

export function tempDir(prefix = 'aurum-historian-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Difference relative to the expected value (≥ 1), for sums that differ only by rounding. */
export function relDiff(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.max(1, Math.abs(expected));
}

/**
 * Turn a file back into the layout before migrations 004_tail and 005_rollup_open, as the previous
 * version left it: the chunks still being filled as `segment` rows (one per chunk), the buckets
 * still being filled as rows of the minute and hour tables, neither `tail` nor `rollup_open`, and
 * neither migration recorded. For tests of the migrations on files of earlier versions.
 */
export function backToSegments(db: SqliteDatabase): void {
  db.transaction(() => {
    const parts = new PartitionSet(db);
    const open = db.prepare('SELECT tag, m1, h1 FROM rollup_open').all() as { tag: number; m1: Uint8Array | null; h1: Uint8Array | null }[];
    const n = (x: number) => (Number.isNaN(x) ? null : x);
    for (const r of open)
      for (const level of ['m1', 'h1'] as const) {
        const blob = r[level];
        if (!blob) continue;
        const b = decodeOpenBucket(blob);
        db.prepare(`INSERT OR REPLACE INTO ${parts.ensure(level, b.t)} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
          r.tag,
          b.t,
          b.count,
          n(b.min),
          n(b.max),
          b.sum,
          n(b.first),
          n(b.firstTs),
          n(b.last),
          n(b.lastTs),
          b.integral,
          b.dur,
        );
      }
    db.exec("DROP TABLE rollup_open; DELETE FROM historian_migrations WHERE id = '005_rollup_open'");
    const rows = db.prepare('SELECT data FROM tail ORDER BY grp, seq').pluck().all() as Uint8Array[];
    db.exec(`CREATE TABLE segment (
      tag INTEGER NOT NULL, chunk INTEGER NOT NULL, seq INTEGER NOT NULL, t0 REAL NOT NULL, t1 REAL NOT NULL,
      n INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (tag, chunk, seq)) WITHOUT ROWID`);
    const insert = db.prepare('INSERT INTO segment (tag, chunk, seq, t0, t1, n, data) VALUES (?, ?, 0, ?, ?, ?, ?)');
    for (const c of assembleTail(rows, null, true)) {
      const s = c.samples as Samples;
      if (s.length === 0) continue;
      insert.run(c.sid, c.chunk, Math.min(...s.ts), Math.max(...s.ts), s.length, encodeChunk(s, 0));
    }
    db.exec("DROP TABLE tail; DELETE FROM historian_migrations WHERE id = '004_tail'");
  })();
}
