// Helpers shared by the historian's tests and benchmark: synthetic tags and columnar batches.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TagInfo } from '../api/types.js';
import { emptyBatch, type SampleBatch } from '../tags/bus.js';
import type { SqliteDatabase } from '../util/sqlite.js';
import { decodeOpenBucket, encodeChunk, encodeOpenBucket, type Samples } from './codec.js';
import { sql as LAST_VALUE_SQL } from './migrations/002_last_value.js';
import { sql as ROLLUP_OPEN_SQL } from './migrations/005_rollup_open.js';
import { PartitionSet } from './partitions.js';
import { StoreReader } from './reader.js';
import { lastOf, readStateRows, stateGroup } from './tag-state.js';
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
 * Turn a file back into the layout before migration 006_tag_state, as the version before it left
 * it: each tag's newest sample in `last_value`, its open minute and hour in `rollup_open`, no
 * `tag_state`, and 006 not recorded. For tests of the migration on files of that version.
 */
export function backToRowState(db: SqliteDatabase): void {
  db.transaction(() => {
    const reader = new StoreReader(db);
    const sids = db.prepare('SELECT id FROM tag').pluck().all() as number[];
    const state = readStateRows(db, sids);
    db.exec(LAST_VALUE_SQL);
    db.exec(ROLLUP_OPEN_SQL);
    const last = db.prepare('INSERT INTO last_value (tag, ts, value, quality) VALUES (?, ?, ?, ?)');
    const open = db.prepare('INSERT INTO rollup_open (tag, m1, h1) VALUES (?, ?, ?)');
    for (const sid of sids) {
      const row = state.get(stateGroup(sid));
      const l = row ? lastOf(row, sid) : null;
      if (l) last.run(sid, l.ts, l.value, l.quality);
      const [m1, h1] = [reader.openBucket('m1', sid), reader.openBucket('h1', sid)];
      if (m1 || h1) open.run(sid, m1 && encodeOpenBucket(m1), h1 && encodeOpenBucket(h1));
    }
    db.exec("DROP TABLE tag_state; DELETE FROM historian_migrations WHERE id = '006_tag_state'");
  })();
}

/**
 * Turn a file back into the layout before migrations 004_tail, 005_rollup_open and 006_tag_state,
 * as the version before them left it: the chunks still being filled as `segment` rows (one per
 * chunk), the buckets still being filled as rows of the minute and hour tables, each tag's newest
 * sample in `last_value`, neither `tail`, `rollup_open` nor `tag_state`, and none of the three
 * migrations recorded. For tests of the migrations on files of earlier versions.
 */
export function backToSegments(db: SqliteDatabase): void {
  backToRowState(db);
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
