// Packing finished rollup buckets into blocks (one row holds the minutes of an hour, or the hours of
// five days, encoded by codec.ts encodeBuckets) instead of one row per bucket: the rollups then take
// about as little room as the raw chunks. Used by the writer (store.ts) as a tag's data moves past a
// unit, for late data that changes a packed bucket, and by migration 003, which packs an existing
// file's rows once.
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from '../util/sqlite.js';
import { encodeBuckets } from './codec.js';
import { BLOCKS, maxLocalPayload, type PartitionSet, partitionsIn, type RollupLevel, unitStart } from './partitions.js';
import type { StoreReader } from './reader.js';
import type { Bucket } from './rollup.js';

/** Bytes a block row's record takes besides its blob, at most: header size, five serial types (3 for the blob's), four 8-byte integers. */
export const BLOCK_ROW_OVERHEAD = 1 + 4 + 3 + 4 * 8;

/** The largest block blob that keeps its row inside the page. */
export function maxBlockBytes(usablePageSize: number): number {
  return maxLocalPayload(usablePageSize) - BLOCK_ROW_OVERHEAD;
}

export class BlockWriter {
  private readonly stmts = new Map<string, { insert: Statement; clear: Statement }>();
  /** DELETE of single-row buckets, per rollup table. */
  private readonly rowDeletes = new Map<string, Statement>();
  readonly limit: number;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly parts: PartitionSet,
    private readonly reader: StoreReader,
    private readonly level = 1,
  ) {
    this.limit = maxBlockBytes(db.pragma('page_size', { simple: true }) as number);
  }

  private statements(table: string) {
    let s = this.stmts.get(table);
    if (!s) {
      s = {
        insert: this.db.prepare(`INSERT INTO ${table} (tag, t, t1, n, data) VALUES (?, ?, ?, ?, ?)`),
        clear: this.db.prepare(`DELETE FROM ${table} WHERE tag = ? AND t >= ? AND t < ?`),
      };
      this.stmts.set(table, s);
    }
    return s;
  }

  /** Forget statements of a dropped table. */
  forget(table: string): void {
    this.stmts.delete(table);
    this.rowDeletes.delete(table);
  }

  /**
   * Replace the packed buckets of one unit (`unit` its start) by `buckets` (sorted by t, all in the
   * unit): as many blocks as it takes for each to stay inside its page.
   */
  writeUnit(level: RollupLevel, tag: number, unit: number, buckets: readonly Bucket[]): void {
    const { level: bl, span } = BLOCKS[level];
    const s = this.statements(this.parts.ensure(bl, unit));
    s.clear.run(tag, unit, unit + span);
    let i = 0;
    while (i < buckets.length) {
      let n = buckets.length - i;
      for (;;) {
        const part = buckets.slice(i, i + n);
        const data = encodeBuckets(part, this.level);
        if (data.length <= this.limit || n === 1) {
          s.insert.run(tag, (part[0] as Bucket).t, (part[n - 1] as Bucket).t, n, data);
          break;
        }
        // Size grows about linearly with the count: scale it down (two or three encodings, not a search).
        n = Math.max(1, Math.min(n - 1, Math.floor((n * this.limit * 0.97) / data.length)));
      }
      i += n;
    }
  }

  /** Change one packed bucket (late data): `b` replaces the bucket at its time, or `null` removes it. */
  edit(level: RollupLevel, tag: number, t: number, b: Bucket | null): void {
    const unit = unitStart(level, t);
    const span = BLOCKS[level].span;
    const kept = this.reader.blockBuckets(level, tag, unit, unit + span).filter((x) => x.t !== t);
    if (b) kept.push(b);
    kept.sort((x, y) => x.t - y.t);
    this.writeUnit(level, tag, unit, kept);
  }

  /**
   * Pack a tag's finished units in [from, to) into blocks: its single-row buckets there and `extra`
   * (buckets just closed, not written as rows; they win over a row of the same t), merged with any
   * block already in those units, and delete the rows. Returns the number of buckets packed.
   * `known`: the tag's rows in [from, to) as the writer wrote them (not read back), when it knows them.
   */
  pack(level: RollupLevel, tag: number, from: number, to: number, extra: readonly Bucket[] = [], known?: readonly Bucket[]): number {
    const byT = new Map<number, Bucket>();
    for (const b of this.reader.blockBuckets(level, tag, from, to)) byT.set(b.t, b);
    const rows = known ?? this.reader.rowBuckets(level, tag, from, to);
    for (const b of rows) byT.set(b.t, b);
    for (const b of extra) byT.set(b.t, b);
    if (byT.size === 0) return 0;
    const all = [...byT.values()].sort((x, y) => x.t - y.t);
    const span = BLOCKS[level].span;
    let i = 0;
    while (i < all.length) {
      const unit = unitStart(level, (all[i] as Bucket).t);
      let j = i;
      while (j < all.length && (all[j] as Bucket).t < unit + span) j++;
      this.writeUnit(level, tag, unit, all.slice(i, j));
      i = j;
    }
    if (rows.length > 0) {
      for (const p of partitionsIn(this.db, level, from, to)) {
        let del = this.rowDeletes.get(p.name);
        if (!del) {
          del = this.db.prepare(`DELETE FROM ${p.name} WHERE tag = ? AND t >= ? AND t < ?`);
          this.rowDeletes.set(p.name, del);
        }
        del.run(tag, from, to);
      }
    }
    return all.length;
  }
}
