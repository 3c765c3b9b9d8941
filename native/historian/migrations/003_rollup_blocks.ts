// Rollups packed into blocks (blocks.ts): finished minute and hour buckets move from one row each
// into `m1b_*` / `h1b_*` block tables, created with their partitions on first use. No fixed table
// changes; a file from before this migration has its finished units packed once by packRollups, in
// the transaction that applies it. The units still being filled stay single rows, as the writer
// keeps them.
import type { SqliteDatabase } from '../../util/sqlite.js';
import { BlockWriter } from '../blocks.js';
import { PartitionSet, unitStart } from '../partitions.js';
import { StoreReader } from '../reader.js';

export const ROLLUP_BLOCKS_MIGRATION = '003_rollup_blocks';

export const sql = '-- rollup blocks: partition tables m1b_*, h1b_* (partitions.ts); existing rows packed by packRollups';

/**
 * Pack every tag's finished rollup rows: per level, the units before the one holding the tag's
 * newest minute (its in-order frontier; the newest hour when its minutes have expired). Returns the
 * number of rows packed.
 */
export function packRollups(db: SqliteDatabase): number {
  const reader = new StoreReader(db);
  const blocks = new BlockWriter(db, new PartitionSet(db), reader);
  let rows = 0;
  for (const sid of db.prepare('SELECT id FROM tag').pluck().all() as number[]) {
    const newestMinute = reader.latestRollup('m1', sid, Number.MAX_SAFE_INTEGER)?.t;
    for (const level of ['m1', 'h1'] as const) {
      const frontier = newestMinute ?? reader.latestRollup(level, sid, Number.MAX_SAFE_INTEGER)?.t;
      if (frontier === undefined) continue;
      rows += blocks.pack(level, sid, Number.NEGATIVE_INFINITY, unitStart(level, frontier));
    }
  }
  return rows;
}
