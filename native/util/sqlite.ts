// Opening SQLite files. better-sqlite3 is a native addon, and the console runs it under two ABIs:
// plain Node (tests, serve mode, benchmarks) and Electron (desktop). The Node build lives where npm
// put it; the Electron build is compiled separately (scripts/rebuild-electron.mjs) into
// native-electron/, and selected here through better-sqlite3's `nativeBinding` option, so one
// checkout serves both without rebuilding back and forth.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describeError } from './errors.js';

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
  /**
   * What to do when the file cannot be opened for writing for lack of room (disk full, an I/O
   * fault): `degrade` (the default) opens it anyway without SQLite's shared-memory index, or in
   * memory when it does not exist yet (see openSqlite); `throw` leaves the decision to the caller
   * (the historian, whose writer thread and readers share the file).
   */
  whenFull?: 'degrade' | 'throw';
}

/** How a database was opened on a disk without room; absent when it was opened normally. */
export interface StorageFault {
  file: string;
  /**
   * `exclusive`: the existing file, readable; writes fail until there is room again, then succeed
   * by themselves. `memory`: the file did not exist and could not be created; nothing this
   * database records outlives the process.
   */
  mode: 'exclusive' | 'memory';
  /** Why the normal open failed (describeError). */
  cause: string;
  /** One sentence for a log line or a system alarm. */
  message: string;
}

const faults = new WeakMap<SqliteDatabase, StorageFault>();

/** Set when openSqlite had to open `db` degraded (disk full at start). */
export function storageFault(db: SqliteDatabase): StorageFault | undefined {
  return faults.get(db);
}

/** A write or open that failed for lack of room or an I/O fault (worth retrying once there is room). */
export function isNoRoom(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (
    (typeof code === 'string' && /^(SQLITE_(FULL|IOERR|CANTOPEN|BUSY|LOCKED)|ENOSPC|EDQUOT)/.test(code)) ||
    /disk is full|no space/i.test(describeError(err))
  );
}

/**
 * Narrower than isNoRoom: only what a full (or failing) disk says. A busy or locked file (another
 * process holds it, e.g. the running console while `aurum user …` opens auth.db) or one that cannot
 * be opened for its permissions must fail loudly, never be replaced by an in-memory stand-in.
 */
function isDiskFull(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (
    (typeof code === 'string' && /^(SQLITE_(FULL|IOERR)|ENOSPC|EDQUOT)/.test(code)) || /disk is full|no space/i.test(describeError(err))
  );
}

/**
 * Open an existing file without SQLite's shared-memory index (-shm), which a full disk cannot hold:
 * in exclusive locking mode SQLite keeps that index in heap memory. The connection holds the file
 * (no other connection can read it meanwhile). Reads work; a write fails with SQLITE_FULL while the
 * disk is full and succeeds once there is room, without reopening. Throws when the file is missing or empty.
 */
export function openWithoutShm(file: string): SqliteDatabase {
  // An empty file (created on a full disk, never written) holds no tables to read: as good as missing.
  if (!nonEmpty(file)) throw new Error(`${path.basename(file)} holds no database yet`);
  const nativeBinding = sqliteNativeBinding();
  // Not the normal path: its journal_mode pragma would touch the file before exclusive mode is set.
  const db = new Database(file, { fileMustExist: true, ...(nativeBinding ? { nativeBinding } : {}) });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    db.pragma('foreign_keys = ON');
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function nonEmpty(file: string): boolean {
  try {
    return statSync(file).size > 0;
  } catch {
    return false;
  }
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
 *
 * On a disk without room (a full disk at start) the console must still start, so by default a
 * read-write open that fails for lack of room does not throw: an existing file is opened without
 * its shared-memory index (openWithoutShm: readable now, writable again once there is room), a file
 * that does not exist yet is opened in memory. Either way storageFault(db) says so, and the store
 * that owns the file reports it.
 */
export function openSqlite(file: string, opts: OpenOptions = {}): SqliteDatabase {
  const inMemory = file === ':memory:' || file === '';
  if (inMemory || opts.readonly || opts.whenFull === 'throw') return openNormally(file, opts, inMemory);
  let cause: unknown;
  try {
    return openNormally(file, opts, inMemory);
  } catch (err) {
    if (!isDiskFull(err)) throw err;
    cause = err;
  }
  const why = describeError(cause);
  const name = path.basename(file);
  try {
    const db = openWithoutShm(file);
    faults.set(db, {
      file,
      mode: 'exclusive',
      cause: why,
      message: `${name} opened read-only for lack of room (${why}): what it holds stays readable, and writes resume by themselves once there is room`,
    });
    return db;
  } catch (err) {
    // Held by another process: not a stand-in's business (see isDiskFull).
    if (/^SQLITE_(BUSY|LOCKED)/.test(String((err as { code?: unknown } | null)?.code))) throw err;
    // Missing, empty or not even readable without the index: the in-memory fallback keeps the console up.
  }
  const db = openNormally(':memory:', opts, true);
  faults.set(db, {
    file,
    mode: 'memory',
    cause: why,
    message: `${name} could not be ${nonEmpty(file) ? 'opened' : 'created'} for lack of room (${why}): it is kept in memory, and what it records until the next start is lost then`,
  });
  return db;
}

function openNormally(file: string, opts: OpenOptions, inMemory: boolean): SqliteDatabase {
  const nativeBinding = sqliteNativeBinding();
  if (!inMemory && !opts.readonly) ensurePrivateFile(file);
  const db = new Database(file, {
    readonly: opts.readonly ?? false,
    timeout: opts.timeoutMs ?? 5000,
    ...(nativeBinding ? { nativeBinding } : {}),
  });
  try {
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      // NORMAL in WAL mode survives process crashes (kill -9) without corruption; only an OS crash or
      // power loss may lose the last transactions, never the file's integrity.
      db.pragma('synchronous = NORMAL');
      if (!inMemory) tightenCompanions(file);
    }
    db.pragma('foreign_keys = ON');
  } catch (err) {
    // A half-opened connection would keep its locks and block the fallback (SQLITE_BUSY).
    db.close();
    throw err;
  }
  return db;
}
