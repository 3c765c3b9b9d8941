// Time partitions: one table per day of raw chunks, per 30 days of minute rollups, per 365 days
// of hour rollups. Retention drops whole tables; queries visit only the tables their range touches.
// Rollups live in two tables per partition: `m1_*`/`h1_*` hold the buckets still changing, one row
// each (the minutes of the hour being filled, the hours of the five days being filled), and
// `m1b_*`/`h1b_*` hold the finished ones packed into blocks (codec.ts encodeBuckets); the minute
// each tag is still filling is in tag_state (migration 006), its open hour is its minutes merged.
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from '../util/sqlite.js';

export type Level = 'raw' | 'm1' | 'h1' | 'm1b' | 'h1b';
export type RollupLevel = 'm1' | 'h1';

const DAY = 86_400_000;
export const PERIOD: Record<Level, number> = { raw: DAY, m1: 30 * DAY, h1: 365 * DAY, m1b: 30 * DAY, h1b: 365 * DAY };

/** Where a rollup level's finished buckets are packed, and the span of one block unit (aligned, inside one partition). */
export const BLOCKS: Record<RollupLevel, { level: 'm1b' | 'h1b'; span: number }> = {
  m1: { level: 'm1b', span: 3_600_000 },
  h1: { level: 'h1b', span: 5 * DAY },
};

/** Start of the block unit holding bucket time `t`. */
export function unitStart(level: RollupLevel, t: number): number {
  const span = BLOCKS[level].span;
  return Math.floor(t / span) * span;
}

/**
 * The most a b-tree cell keeps of its record in the page (U: usable page size): (U-12)*64/255-23
 * bytes for an index b-tree, which a WITHOUT ROWID table is; past that the tail spills into an
 * overflow page of its own, mostly empty for a row just over the limit (sqlite.org/fileformat2.html,
 * "B-tree Pages").
 */
export function maxLocalPayload(usablePageSize: number): number {
  return Math.floor(((usablePageSize - 12) * 64) / 255) - 23;
}

const DDL: Record<Level, (name: string) => string> = {
  raw: (n) =>
    `CREATE TABLE IF NOT EXISTS ${n} (tag INTEGER NOT NULL, t0 REAL NOT NULL, seq INTEGER NOT NULL, t1 REAL NOT NULL, n INTEGER NOT NULL,
      vmin REAL, vmax REAL, data BLOB NOT NULL, PRIMARY KEY (tag, t0, seq)) WITHOUT ROWID`,
  m1: (n) => rollupDdl(n),
  h1: (n) => rollupDdl(n),
  m1b: (n) => blockDdl(n),
  h1b: (n) => blockDdl(n),
};

/** t: the first bucket's start, t1: the last bucket's start; a block never spans more than its unit. */
function blockDdl(n: string): string {
  return `CREATE TABLE IF NOT EXISTS ${n} (tag INTEGER NOT NULL, t INTEGER NOT NULL, t1 INTEGER NOT NULL, n INTEGER NOT NULL,
    data BLOB NOT NULL, PRIMARY KEY (tag, t)) WITHOUT ROWID`;
}

function rollupDdl(n: string): string {
  return `CREATE TABLE IF NOT EXISTS ${n} (tag INTEGER NOT NULL, t INTEGER NOT NULL, count INTEGER NOT NULL, min REAL, max REAL,
    sum REAL NOT NULL, first REAL, first_ts REAL, last REAL, last_ts REAL, integral REAL NOT NULL, dur REAL NOT NULL,
    PRIMARY KEY (tag, t)) WITHOUT ROWID`;
}

export function partitionIndex(level: Level, t: number): number {
  return Math.floor(t / PERIOD[level]);
}

export function partitionName(level: Level, index: number): string {
  return `${level}_${index < 0 ? `n${-index}` : index}`;
}

export interface PartitionRow {
  name: string;
  level: Level;
  start: number;
  end: number;
}

/** The partitions of a level overlapping [from, to], oldest first. */
/** The statement of partitionsIn per connection: prepared once, not at each of the writer's and readers' many calls. */
const partitionsStmt = new WeakMap<SqliteDatabase, Statement>();

export function partitionsIn(db: SqliteDatabase, level: Level, from: number, to: number): PartitionRow[] {
  let stmt = partitionsStmt.get(db);
  if (!stmt) {
    stmt = db.prepare('SELECT name, level, start, end FROM partition WHERE level = ? AND end > ? AND start <= ? ORDER BY start');
    partitionsStmt.set(db, stmt);
  }
  return stmt.all(level, from, to) as PartitionRow[];
}

/** Creates partitions on first use; the writer's connection only. */
export class PartitionSet {
  private readonly known = new Set<string>();
  private readonly register;

  constructor(private readonly db: SqliteDatabase) {
    this.register = db.prepare('INSERT OR IGNORE INTO partition (name, level, start, end) VALUES (?, ?, ?, ?)');
    this.reload();
  }

  /** Forget tables created in a transaction that rolled back. */
  reload(): void {
    this.known.clear();
    for (const r of this.db.prepare('SELECT name FROM partition').all() as { name: string }[]) this.known.add(r.name);
  }

  /** The partition ensure() answered last, per level: most calls ask for the same one again (no name built, no lookup). */
  private readonly last = new Map<Level, { index: number; name: string }>();

  ensure(level: Level, t: number): string {
    const index = partitionIndex(level, t);
    const last = this.last.get(level);
    if (last && last.index === index && this.known.has(last.name)) return last.name;
    const name = partitionName(level, index);
    this.last.set(level, { index, name });
    if (!this.known.has(name)) {
      this.db.exec(DDL[level](name));
      this.register.run(name, level, index * PERIOD[level], (index + 1) * PERIOD[level]);
      this.known.add(name);
    }
    return name;
  }

  drop(name: string): void {
    this.db.exec(`DROP TABLE IF EXISTS ${name}`);
    this.db.prepare('DELETE FROM partition WHERE name = ?').run(name);
    this.known.delete(name);
  }
}
