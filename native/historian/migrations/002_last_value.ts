// Each tag's newest stored sample, so "last values" reads one row per tag instead of decoding
// chunks. The writer updates a tag's row in the same transaction (and savepoint) that stores its
// samples, so the row is exactly as durable as the chunks it summarises. A file from before this
// migration is filled once from its chunks by fillLastValues, in the transaction that applies it.
import type { SqliteDatabase } from '../../util/sqlite.js';
import { newestFromChunks } from '../reader.js';

export const LAST_VALUE_MIGRATION = '002_last_value';

export const sql = `
CREATE TABLE last_value (
  tag INTEGER PRIMARY KEY,
  ts REAL NOT NULL,
  value REAL,
  quality INTEGER NOT NULL
);
`;

/** Fill last_value from the stored chunks (replacing what it held). */
export function fillLastValues(db: SqliteDatabase): number {
  const newest = newestFromChunks(db);
  db.prepare('DELETE FROM last_value').run();
  const insert = db.prepare('INSERT INTO last_value (tag, ts, value, quality) VALUES (?, ?, ?, ?)');
  for (const [tag, s] of newest) insert.run(tag, s.ts, s.value, s.quality);
  return newest.size;
}
