// Each tag's newest sample and open minute move from a row per tag (last_value, rollup_open) into
// rows of 16 tags (tag-state.ts); the open hour is no longer stored (readers merge the hour's
// minutes). moveToTagState runs after the fills of the earlier migrations (they write last_value),
// in the same transaction, and drops the two tables. It is also used after a salvage, whose copy
// may bring them from a damaged file of an earlier version.
import type { SqliteDatabase } from '../../util/sqlite.js';
import { type BucketRecord, decodeOpenBucket } from '../codec.js';
import { HOUR } from '../rollup.js';
import { type StoredSample, writeStateLast, writeStateOpen } from '../tag-state.js';

export const TAG_STATE_MIGRATION = '006_tag_state';

export const sql = `
CREATE TABLE tag_state (
  grp INTEGER PRIMARY KEY,
  data BLOB NOT NULL
);
`;

const exists = (db: SqliteDatabase, table: string) =>
  (db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(table) as number) > 0;

/** Move last_value and rollup_open (where present) into tag_state and drop them. Returns the tags moved. */
export function moveToTagState(db: SqliteDatabase): number {
  let moved = 0;
  let dropped = false;
  if (exists(db, 'last_value')) {
    const newest = new Map<number, StoredSample>();
    for (const r of db.prepare('SELECT tag, ts, value, quality FROM last_value').all() as {
      tag: number;
      ts: number;
      value: number | null;
      quality: number;
    }[])
      newest.set(r.tag, { ts: r.ts, value: r.value, quality: r.quality });
    writeStateLast(db, newest, false);
    moved += newest.size;
    db.exec('DROP TABLE last_value');
    dropped = true;
  }
  if (exists(db, 'rollup_open')) {
    const open = new Map<number, { minute: BucketRecord | null; hour: number }>();
    for (const r of db.prepare('SELECT tag, m1, h1 FROM rollup_open').all() as {
      tag: number;
      m1: Uint8Array | null;
      h1: Uint8Array | null;
    }[]) {
      const minute = r.m1 ? decodeOpenBucket(r.m1) : null;
      const hour = r.h1 ? decodeOpenBucket(r.h1).t : minute ? Math.floor(minute.t / HOUR) * HOUR : Number.NaN;
      open.set(r.tag, { minute, hour });
    }
    writeStateOpen(db, open);
    moved = Math.max(moved, open.size);
    // The open hours it held are their minutes merged: readers compute them from the hour's start.
    db.exec('DROP TABLE rollup_open');
    dropped = true;
  }
  // The dropped tables' pages go back to the file system (a file made new creates and drops both
  // at once), so the file is no larger than its contents.
  if (dropped) db.pragma('incremental_vacuum');
  return moved;
}
