// Opening SQLite files. better-sqlite3 is a native addon, and the console runs it under two ABIs:
// plain Node (tests, serve mode, benchmarks) and Electron (desktop). The Node build lives where npm
// put it; the Electron build is compiled separately (scripts/rebuild-electron.mjs) into
// native-electron/, and selected here through better-sqlite3's `nativeBinding` option, so one
// checkout serves both without rebuilding back and forth.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;

function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
}

/** The addon to load, or undefined for better-sqlite3's own lookup (the Node build). */
export function sqliteNativeBinding(): string | undefined {
  const explicit = process.env.AURUM_SQLITE_BINDING;
  if (explicit) return explicit;
  if (!process.versions.electron) return undefined;
  const electronBuild = path.join(packageRoot(), 'native-electron', 'better_sqlite3.node');
  return existsSync(electronBuild) ? electronBuild : undefined;
}

export interface OpenOptions {
  readonly?: boolean;
  /** Busy timeout in ms for concurrent readers/writers of the same file. */
  timeoutMs?: number;
}

/** Open (or create) a database in WAL mode with the console's standard pragmas. */
export function openSqlite(file: string, opts: OpenOptions = {}): SqliteDatabase {
  const nativeBinding = sqliteNativeBinding();
  const db = new Database(file, {
    readonly: opts.readonly ?? false,
    timeout: opts.timeoutMs ?? 5000,
    ...(nativeBinding ? { nativeBinding } : {}),
  });
  if (!opts.readonly) {
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode survives process crashes (kill -9) without corruption; only an OS crash or
    // power loss may lose the last transactions, never the file's integrity.
    db.pragma('synchronous = NORMAL');
  }
  db.pragma('foreign_keys = ON');
  return db;
}
