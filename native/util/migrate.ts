// Forward-only schema migrations. Each capability keeps its migrations as plain numbered files
// (`migrations/001_init.ts` exporting the SQL) and lists them in order. The ids applied are recorded
// in the database; a database whose applied list is not a prefix of the known list (a downgrade, or
// a migration renamed or removed) is refused rather than guessed at.
import type { SqliteDatabase } from './sqlite.js';

export interface Migration {
  id: string;
  sql: string;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export function migrate(db: SqliteDatabase, migrations: readonly Migration[], table = 'schema_migrations'): string[] {
  const ids = migrations.map((m) => m.id);
  if (new Set(ids).size !== ids.length) throw new MigrationError(`duplicate migration id in ${ids.join(', ')}`);
  const sorted = [...ids].sort();
  if (sorted.join() !== ids.join()) throw new MigrationError(`migrations are not in order: ${ids.join(', ')}`);

  db.exec(`CREATE TABLE IF NOT EXISTS ${table} (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`);
  const applied = (db.prepare(`SELECT id FROM ${table} ORDER BY id`).all() as { id: string }[]).map((r) => r.id);
  applied.forEach((id, i) => {
    if (ids[i] !== id) {
      throw new MigrationError(
        `database has migration "${id}" at position ${i + 1}, but this version of the console knows "${ids[i] ?? '(nothing)'}" there; refusing to open a database from another version`,
      );
    }
  });

  const record = db.prepare(`INSERT INTO ${table} (id, applied_at) VALUES (?, ?)`);
  const newlyApplied: string[] = [];
  for (const m of migrations.slice(applied.length)) {
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.id, new Date().toISOString());
    })();
    newlyApplied.push(m.id);
  }
  return newlyApplied;
}
