// Time partitions: one table per day of raw chunks, per 30 days of minute rollups, per 365 days
// of hour rollups. Retention drops whole tables; queries visit only the tables their range touches.
import type { SqliteDatabase } from '../util/sqlite.js';

export type Level = 'raw' | 'm1' | 'h1';

const DAY = 86_400_000;
export const PERIOD: Record<Level, number> = { raw: DAY, m1: 30 * DAY, h1: 365 * DAY };

const DDL: Record<Level, (name: string) => string> = {
  raw: (n) =>
    `CREATE TABLE IF NOT EXISTS ${n} (tag INTEGER NOT NULL, t0 REAL NOT NULL, seq INTEGER NOT NULL, t1 REAL NOT NULL, n INTEGER NOT NULL,
      vmin REAL, vmax REAL, data BLOB NOT NULL, PRIMARY KEY (tag, t0, seq)) WITHOUT ROWID`,
  m1: (n) => rollupDdl(n),
  h1: (n) => rollupDdl(n),
};

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
export function partitionsIn(db: SqliteDatabase, level: Level, from: number, to: number): PartitionRow[] {
  return db
    .prepare('SELECT name, level, start, end FROM partition WHERE level = ? AND end > ? AND start <= ? ORDER BY start')
    .all(level, from, to) as PartitionRow[];
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

  ensure(level: Level, t: number): string {
    const index = partitionIndex(level, t);
    const name = partitionName(level, index);
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
