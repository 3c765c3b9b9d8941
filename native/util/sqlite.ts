// Opening SQLite files. better-sqlite3 is a native addon, and the console runs it under two ABIs:
// plain Node (tests, serve mode, benchmarks) and Electron (desktop). The Node build lives where npm
// put it; the Electron build is compiled separately (scripts/rebuild-electron.mjs) into
// native-electron/, and selected here through better-sqlite3's `nativeBinding` option, so one
// checkout serves both without rebuilding back and forth.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
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

/** Owner-only: the data files hold users, the audit trail and plant history, which no other local account should read. */
export const DATA_FILE_MODE = 0o600;
export const DATA_DIR_MODE = 0o700;

/**
 * Create `dir` (and its parents) if missing and make it owner-only. An existing folder is tightened
 * too, so a data dir made by an older version (0755) is closed on the next start. Parents that already
 * exist (the user's home, /tmp) are left as they are.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE });
  chmodSync(dir, DATA_DIR_MODE);
}

/** Create `file` empty with owner-only permissions if it does not exist; tighten it if it does. */
export function ensurePrivateFile(file: string): void {
  if (existsSync(file)) chmodSync(file, DATA_FILE_MODE);
  else closeSync(openSync(file, 'a', DATA_FILE_MODE));
}

// SQLite creates -wal and -shm with the main file's permissions; they are tightened as well in case
// they were left by an older version, or by a process with another umask.
function tightenCompanions(file: string): void {
  for (const companion of [`${file}-wal`, `${file}-shm`, `${file}-journal`])
    if (existsSync(companion)) chmodSync(companion, DATA_FILE_MODE);
}

/**
 * Open (or create) a database in WAL mode with the console's standard pragmas. A file (and its -wal
 * and -shm) is created 0600 — before SQLite opens it, so it is never readable by others, even briefly.
 */
export function openSqlite(file: string, opts: OpenOptions = {}): SqliteDatabase {
  const nativeBinding = sqliteNativeBinding();
  const inMemory = file === ':memory:' || file === '';
  if (!inMemory && !opts.readonly) ensurePrivateFile(file);
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
    if (!inMemory) tightenCompanions(file);
  }
  db.pragma('foreign_keys = ON');
  return db;
}
