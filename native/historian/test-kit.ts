// Helpers shared by the historian's tests and benchmark: synthetic tags and columnar batches.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TagInfo } from '../api/types.js';
import type { SampleBatch } from '../tags/bus.js';
import type { SqliteDatabase } from '../util/sqlite.js';
import { encodeChunk, type Samples } from './codec.js';
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
  const b: SampleBatch = {
    length: n,
    ids: new Uint32Array(n),
    ts: new Float64Array(n),
    values: new Float64Array(n),
    quality: new Uint8Array(n),
  };
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
 * Turn a file back into the layout before migration 004_tail, as the previous version left it:
 * the chunks still being filled as `segment` rows (one per chunk), no `tail` table, 004 not
 * recorded. For tests of the migrations on files of earlier versions.
 */
export function backToSegments(db: SqliteDatabase): void {
  db.transaction(() => {
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
