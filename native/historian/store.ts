// The historian's single writer. Samples are folded into per-tag state as they arrive (minute
// rollups, deadband/swinging-door filter, the chunk being filled); `commit` writes everything new
// in one transaction: the new samples of the chunks being filled (tail rows, many tags per row),
// sealed chunks (with a seal record in the tail), late samples as chunks of their own, and rollup rows. In-memory state changes only
// after the transaction commits, so a failed write (disk full, I/O error) loses nothing: the next
// commit retries the same work plus whatever arrived since.
import { closeSync, copyFileSync, openSync, readSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Statement } from 'better-sqlite3';
import { describeError } from '../util/errors.js';
import { migrate } from '../util/migrate.js';
import { isNoRoom as isFileNoRoom, openSqlite, type SqliteDatabase } from '../util/sqlite.js';
import { BlockWriter } from './blocks.js';
import { encodeChunk, type Samples } from './codec.js';
import type { Durability, TagPolicy } from './config.js';
import { SampleFilter } from './filter.js';
import {
  convertSegments,
  fillLastValues,
  HISTORIAN_MIGRATIONS,
  LAST_VALUE_MIGRATION,
  MIGRATIONS_TABLE,
  moveToTagState,
  packRollups,
  ROLLUP_BLOCKS_MIGRATION,
  TAG_STATE_MIGRATION,
  TAIL_MIGRATION,
} from './migrations/index.js';
import {
  BLOCKS,
  type Level,
  maxLocalPayload,
  PartitionSet,
  PERIOD,
  partitionIndex,
  partitionsIn,
  type RollupLevel,
  unitStart,
} from './partitions.js';
import { newestFromChunks, StoreReader, sortSamples } from './reader.js';
import { type Bucket, computeBucket, emptyBucket, HOUR, MINUTE, MinuteAccumulator, mergeInto } from './rollup.js';
import { StateRows, stateGroup, writeStateLast } from './tag-state.js';
import { assembleTail, TailRow, tailGroup } from './tail.js';

/** Samples per sealed chunk at most (fewer when they would not fit in the page), and the longest time one chunk spans. */
export const CHUNK_SAMPLES = 1024;
export const CHUNK_SPAN_MS = HOUR;

export { maxLocalPayload } from './partitions.js';

/**
 * Bytes a raw-chunk row's record takes besides its blob, at most: a 1-byte header size, seven
 * 1-byte serial types and up to 3 for the blob's, and seven numeric columns of at most 8 bytes.
 */
export const CHUNK_ROW_OVERHEAD = 1 + 7 + 3 + 7 * 8;

/** The largest chunk blob that keeps its row inside the page. */
export function maxChunkBytes(usablePageSize: number): number {
  return maxLocalPayload(usablePageSize) - CHUNK_ROW_OVERHEAD;
}
const RAW_PARTITION_MS = PERIOD.raw;
/**
 * Bytes of tail rows a group may keep before the chunks holding them back (open for long: slow
 * tags among fast ones) are copied forward into a newer row, so the older rows can go. Copying
 * costs at most what the rows hold, so the tail is written about twice at worst.
 */
const TAIL_KEEP_BYTES = 256 * 1024;
/** Batches of at least this many samples (and a quarter of the tag count) are folded tag by tag (HistorianStore.groupByTag). */
const GROUP_MIN = 256;
/** Chunk buffers kept for reuse at most (about 17 kB each). */
const MAX_SPARES = 512;
/** Rollup rows kept in memory for packing (unitRows), at most, over all tags: about 200 bytes each. */
const MAX_UNIT_ROWS = 131_072;

class SampleBuffer {
  ts: Float64Array;
  values: Float64Array;
  quality: Uint8Array;
  length = 0;
  constructor(capacity = 64) {
    this.ts = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
    this.quality = new Uint8Array(capacity);
  }
  push(t: number, v: number, q: number): void {
    if (this.length === this.ts.length) {
      const cap = this.length * 2;
      const ts = new Float64Array(cap);
      const values = new Float64Array(cap);
      const quality = new Uint8Array(cap);
      ts.set(this.ts);
      values.set(this.values);
      quality.set(this.quality);
      this.ts = ts;
      this.values = values;
      this.quality = quality;
    }
    this.ts[this.length] = t;
    this.values[this.length] = v;
    this.quality[this.length] = q;
    this.length++;
  }
  slice(from: number, to = this.length): Samples {
    return {
      ts: this.ts.slice(from, to),
      values: this.values.slice(from, to),
      quality: this.quality.slice(from, to),
      length: to - from,
    };
  }
  /** A view without copying: valid while this buffer is not written to. */
  view(from: number, to = this.length): Samples {
    return {
      ts: this.ts.subarray(from, to),
      values: this.values.subarray(from, to),
      quality: this.quality.subarray(from, to),
      length: to - from,
    };
  }
}

interface SealedChunk {
  chunkId: number;
  /** The buffer `samples` views: back to the store's spares once the chunk is committed. */
  buf: SampleBuffer;
  samples: Samples;
  /** Samples of it already in tail rows (a seal record goes with it), from row `tailFrom` on. */
  written: number;
  tailFrom: number;
}

interface TagState {
  sid: number;
  /** Listed in `touched` (has something to commit). */
  touched: boolean;
  /** append() bound to this tag once, so the filter's callback allocates nothing per sample. */
  emit: (t: number, v: number, q: number) => void;
  policy: TagPolicy;
  filter: SampleFilter;
  acc: MinuteAccumulator;
  closedMinutes: Bucket[];
  hourT: number;
  /** Closed minutes of the current hour merged; null when unknown (after a restart or late data). */
  hourAcc: Bucket | null;
  closedHours: Bucket[];
  dirtyMinutes: Set<number>;
  dirtyHours: Set<number>;
  buf: SampleBuffer;
  chunkId: number;
  chunkPart: number;
  /** Samples of `buf` already in tail rows. */
  written: number;
  /** The oldest tail row holding samples of the chunk being filled (0: none). */
  tailFrom: number;
  /**
   * Samples at which the chunk being filled is sealed: as many as the tag's previous chunk says fit
   * the page (at most CHUNK_SAMPLES), so a sealed chunk is encoded once and stored whole instead of
   * as a prefix that fits plus a short remainder chunk.
   */
  sealAt: number;
  sealed: SealedChunk[];
  late: SampleBuffer;
  /**
   * Per rollup level, the end of the units packed into blocks: buckets before it are in blocks
   * (late data edits the block), buckets from it on are single rows (blocks.ts).
   */
  packedTo: Record<RollupLevel, number>;
  /** The packedTo the commit in progress routes buckets by (packedTo once it commits). */
  routeTo: Record<RollupLevel, number>;
  /**
   * Per rollup level, the buckets stored as rows (the unit from packedTo on), sorted by time, as
   * committed; null when not known (the unit the tag was in or moved into first after the open,
   * after retention deleted rows there, past the bound MAX_UNIT_ROWS). Packing a unit then takes
   * them from here instead of reading its rows back.
   */
  unitRows: Record<RollupLevel, Bucket[] | null>;
  /**
   * Per rollup level, packedTo has moved since the open. The unit moved into first may hold rows
   * an earlier run wrote (packedTo at open comes from the last block: a young tag has none, and a
   * unit with no data has no block); every later one starts empty, as all earlier rows are older
   * than the unit before it (the open minute a run resumes from is its newest).
   */
  moved: Record<RollupLevel, boolean>;
  /** Rows the commit in progress writes (bucket) or deletes (null), applied to unitRows once it commits. */
  rowLog: { level: RollupLevel; t: number; b: Bucket | null }[];
}

export interface StoreOptions {
  file: string;
  /** Tag names by bus id. */
  tagNames: readonly string[];
  policies: readonly TagPolicy[];
  deflateLevel?: number;
  /** normal: WAL synchronous=NORMAL (survives kill -9); full: synchronous=FULL, fsync per commit (survives power loss). */
  durability?: Durability;
  /** Largest chunk blob; default maxChunkBytes(page_size). The benchmark passes Infinity to measure unsized chunks beside sized ones. */
  maxChunkBytes?: number;
  /** Cap on the file's size (SQLite's max_page_count): past it writes fail as on a full disk. */
  maxDbBytes?: number | null;
  /** Clock for quarantine rows. */
  now?: () => number;
  /** Rollup rows kept in memory for packing, at most (default MAX_UNIT_ROWS); 0: every unit's rows are read back, as tests compare. */
  maxUnitRows?: number;
}

/** ±8.64e15 ms, the range of a JavaScript Date: the bus never passes anything else, this is the last line. */
const TIME_LIMIT_MS = 8.64e15;

/**
 * Faults of the storage itself (full disk, I/O, locks): the whole commit is retried later with
 * nothing lost. Any other error is caused by the data being written and is isolated to it.
 */
export function isStorageFault(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' &&
    /^SQLITE_(FULL|IOERR|BUSY|LOCKED|READONLY|CANTOPEN|NOMEM|CORRUPT|NOTADB|PROTOCOL|INTERRUPT|PERM|AUTH|NOLFS)/.test(code)
  );
}

interface QuarantineRow {
  tag: number;
  ts: number;
  value: number;
  quality: number;
  reason: string;
}

export interface QuarantineReport {
  /** Samples set aside by the last commit, with the reason of the first. */
  samples: number;
  reason: string;
  tags: string[];
}

export interface RecoveryReport {
  integrity: string;
  /** Set when the file failed its check: where the damaged original is kept (its readable rows were salvaged). */
  quarantined: string | null;
  /** What was damaged and what was done about it, in a sentence; null when the file was sound. */
  damage: string | null;
  segmentsMerged: number;
  samplesRecovered: number;
  /** Set when a crash's segments could not be merged at start (disk full): they stay readable and are merged before the next commit. */
  recoveryDeferred: string | null;
  /** Set by the writer when it starts without room to write (full disk, cap reached): why it is read-only. */
  readOnly?: string | null;
}

export interface CommitStats {
  samples: number;
  chunkBytes: number;
  rollupRows: number;
  ms: number;
}

/**
 * The longest prefix of `s` whose chunk is at most `limit` bytes, with its encoding. Compressed
 * size grows about linearly with the sample count, so the count is scaled by limit/size (with a
 * margin) until it fits: two or three encodings, not a search. One sample always fits.
 */
export function fitChunk(s: Samples, level: number, limit: number): { samples: Samples; data: Uint8Array } {
  let n = s.length;
  for (;;) {
    const part = n === s.length ? s : sub(s, 0, n);
    const data = encodeChunk(part, level);
    if (data.length <= limit || n === 1) return { samples: part, data };
    n = Math.max(1, Math.min(n - 1, Math.floor((n * limit * 0.97) / data.length)));
  }
}

function sub(s: Samples, from: number, to: number): Samples {
  return { ts: s.ts.subarray(from, to), values: s.values.subarray(from, to), quality: s.quality.subarray(from, to), length: to - from };
}

function samePolicy(a: TagPolicy, b: TagPolicy): boolean {
  return (Object.keys(a) as (keyof TagPolicy)[]).every((k) => a[k] === b[k]);
}

const LEVELS = ['m1', 'h1'] as const;

/**
 * Open the file and check it; null with the reason when it is not a sound SQLite database. A disk
 * too full (or an I/O fault) to open it is not damage: that throws NoRoomError, and the file is
 * never moved aside for it.
 */
function openChecked(file: string, readonly = false): { db: SqliteDatabase | null; integrity: string } {
  let db: SqliteDatabase;
  try {
    db = openSqlite(file, { readonly, whenFull: 'throw' });
  } catch (err) {
    if (!readonly && isNoRoom(err)) throw new NoRoomError(describeError(err));
    return { db: null, integrity: describeError(err) };
  }
  try {
    const rows = db.pragma('quick_check') as { quick_check: string }[];
    const integrity = rows.map((r) => r.quick_check).join('; ');
    if (integrity === 'ok') return { db, integrity };
    db.close();
    return { db: null, integrity };
  } catch (err) {
    db.close();
    if (!readonly && isNoRoom(err)) throw new NoRoomError(describeError(err));
    return { db: null, integrity: describeError(err) };
  }
}

/** The file cannot be opened or written for lack of room or an I/O fault: retried later, never salvaged. */
export class NoRoomError extends Error {
  override name = 'NoRoomError';
}

/** Disk full, I/O errors, a file that cannot be opened now: conditions that pass, unlike damage. */
export function isNoRoom(err: unknown): boolean {
  return err instanceof NoRoomError || isFileNoRoom(err);
}

const size = (f: string) => {
  try {
    return statSync(f).size;
  } catch {
    return 0;
  }
};

/**
 * A WAL that ends inside its header or inside a frame was cut short (a crash during a write, a
 * full disk, a copy that stopped). SQLite keeps the transactions whose frames are whole and
 * drops the rest; this names what happened so it is reported, never passed over in silence.
 */
function walDamage(file: string): string | null {
  const wal = `${file}-wal`;
  const n = size(wal);
  if (n === 0) return null;
  if (n < 32) return `${path.basename(wal)} is ${n} bytes, shorter than its 32-byte header`;
  const header = Buffer.alloc(32);
  const fd = openSync(wal, 'r');
  try {
    readSync(fd, header, 0, 32, 0);
  } finally {
    closeSync(fd);
  }
  const pageSize = header.readUInt32BE(8);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return `${path.basename(wal)} has no valid header`;
  const rest = (n - 32) % (24 + pageSize);
  return rest === 0 ? null : `${path.basename(wal)} ends ${rest} bytes into a frame (cut short)`;
}

/** Copy every row SQLite can still read from `src` into `dst` (same tables): the salvage of a damaged file. */
function copyReadable(src: SqliteDatabase, dst: SqliteDatabase): { rows: number; damagedTables: string[] } {
  let rows = 0;
  const damagedTables: string[] = [];
  let tables: { name: string; sql: string }[] = [];
  try {
    tables = src.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as typeof tables;
  } catch {
    return { rows, damagedTables: ['sqlite_master'] };
  }
  for (const t of tables) {
    if (t.name === MIGRATIONS_TABLE) continue;
    dst.exec(t.sql.replace(/^CREATE TABLE /i, 'CREATE TABLE IF NOT EXISTS '));
    const cols = (dst.prepare(`SELECT name FROM pragma_table_info(?)`).all(t.name) as { name: string }[]).map((c) => c.name);
    const insert = dst.prepare(`INSERT OR IGNORE INTO ${t.name} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
    dst.transaction(() => {
      try {
        for (const row of src
          .prepare(`SELECT ${cols.join(', ')} FROM ${t.name}`)
          .raw()
          .iterate() as IterableIterator<unknown[]>) {
          insert.run(...row);
          rows++;
        }
      } catch {
        // The rest of this table is unreadable: what was read before the damage is kept.
        damagedTables.push(t.name);
      }
    })();
  }
  return { rows, damagedTables };
}

/**
 * Open the historian's file. A damaged file is never replaced silently: the originals are kept
 * beside it (`historian.db.damaged-<time>` with their -wal/-shm), everything SQLite can still read
 * is copied into a new historian.db, and the report says what happened for the log, a system
 * alarm and the banner.
 */
export function openStoreDb(file: string): { db: SqliteDatabase; report: Pick<RecoveryReport, 'integrity' | 'quarantined' | 'damage'> } {
  const existed = size(file) + size(`${file}-wal`) > 0;
  const damagedWal = walDamage(file);
  const stamp = Date.now();
  if (damagedWal) {
    // SQLite rewrites the WAL on its next checkpoint: keep the damaged one as it was found.
    copyFileSync(`${file}-wal`, `${file}-wal.damaged-${stamp}`);
  }
  const checked = openChecked(file);
  let db = checked.db;
  let problem = checked.integrity;
  let quarantined: string | null = null;
  let damage: string | null = damagedWal
    ? `${damagedWal}: the transactions in it that were whole are kept, the cut-short rest is lost (a copy is in ${path.basename(file)}-wal.damaged-${stamp})`
    : null;
  if (db && existed && (db.prepare('SELECT count(*) AS n FROM sqlite_master').get() as { n: number }).n === 0) {
    // The file had content but no schema survived (its whole history was in the lost part of the WAL).
    db.close();
    db = null;
    problem = 'it held data but no table survived';
  }
  if (!db) {
    quarantined = `${file}.damaged-${stamp}`;
    for (const ext of ['', '-wal', '-shm']) {
      try {
        renameSync(file + ext, quarantined + ext);
      } catch {
        // absent
      }
    }
    db = openSqlite(file, { whenFull: 'throw' });
    initFile(db);
    const src = openChecked(quarantined, true).db ?? openLoosely(quarantined);
    const copied = src ? copyReadable(src, db) : { rows: 0, damagedTables: ['all'] };
    src?.close();
    // A damaged file of an earlier version brings its last_value / rollup_open tables: moved. Salvaged
    // chunks may be fewer than the salvaged last values describe: those are derived again.
    db.transaction(() => {
      const d = db as SqliteDatabase;
      moveToTagState(d);
      writeStateLast(d, newestFromChunks(d), true);
    })();
    damage =
      `${path.basename(file)} failed its check (${problem}); ${copied.rows} rows salvaged into a new file` +
      `${copied.damagedTables.length > 0 ? ` (unreadable past the damage: ${copied.damagedTables.join(', ')})` : ''}; the damaged original is kept as ${path.basename(quarantined)}` +
      (damage ? `; ${damage}` : '');
  } else initFile(db);
  return { db, report: { integrity: checked.integrity, quarantined, damage } };
}

/** A damaged file opened for reading whatever is still readable, without the integrity check. */
function openLoosely(file: string): SqliteDatabase | null {
  try {
    return openSqlite(file, { readonly: true });
  } catch {
    return null;
  }
}

function initFile(db: SqliteDatabase): void {
  // Dropped partitions return their pages to the file system in small steps (see retention).
  if ((db.prepare('SELECT count(*) AS n FROM sqlite_master').get() as { n: number }).n === 0) {
    // Only a new, empty file can change auto_vacuum (VACUUM rewrites it with the new mode).
    db.pragma('auto_vacuum = INCREMENTAL');
    db.exec('VACUUM');
  }
  // One transaction: a file from before last_value is filled from its chunks as the table is
  // created, and one from before rollup blocks has its finished rollup rows packed.
  db.transaction(() => {
    const applied = migrate(db, HISTORIAN_MIGRATIONS, MIGRATIONS_TABLE);
    // First: the steps after it read the tail.
    if (applied.includes(TAIL_MIGRATION)) convertSegments(db);
    if (applied.includes(LAST_VALUE_MIGRATION)) fillLastValues(db);
    if (applied.includes(ROLLUP_BLOCKS_MIGRATION)) packRollups(db);
    // Last: it moves what the fills above wrote.
    if (applied.includes(TAG_STATE_MIGRATION)) moveToTagState(db);
  })();
}

export class HistorianStore {
  readonly db: SqliteDatabase;
  readonly reader: StoreReader;
  readonly recovery: RecoveryReport;
  private readonly parts: PartitionSet;
  private readonly blocks: BlockWriter;
  private readonly tags: TagState[];
  private touched: TagState[] = [];
  /** Tags by tail group (tail.ts): whose chunks a group's rows hold. */
  private readonly groupTags = new Map<number, TagState[]>();
  /** The next tail row's seq. */
  private tailSeq = 1;
  /** Tail rows being built by the commit in progress, by group. */
  private readonly tailRows = new Map<number, TailRow>();
  /** Committed tail rows per group (seq, bytes), oldest first: what copying forward weighs. */
  private readonly live = new Map<number, { seq: number; bytes: number }[]>();
  /** Rows the commit in progress adds ([group, seq, bytes]) and the bounds it deletes below ([group, seq]). */
  private liveAdds: [number, number, number][] = [];
  private liveCuts: [number, number][] = [];
  private nextChunkId = 1;
  private readonly level: number;
  /** Samples received and not yet committed. */
  pending = 0;
  private readonly stmts;
  /** Each tag's newest sample and open minute (tag-state.ts), as committed and as the commit in progress changes them. */
  private readonly state: StateRows;
  /** The largest chunk blob whose row stays inside its page (maxChunkBytes of this file's page size). */
  readonly chunkLimit: number;

  private recoveryPending = false;
  /** Tag names by bus id, as of the last retag (a renamed tag's row was renamed by the main thread). */
  private tagNames: readonly string[];
  private readonly clock: () => number;
  /** Samples quarantined since start, and those waiting to be written to the quarantine table. */
  quarantinedTotal = 0;
  /** Set aside before or while committing, written to the quarantine table with the next commit. */
  private quarantineRows: QuarantineRow[] = [];
  /** Samples isolated by the commit in progress (still in their tag's state until it succeeds). */
  private isolatedRows: QuarantineRow[] = [];
  /** What the last commit quarantined (null when nothing): the writer reports it. */
  lastQuarantine: QuarantineReport | null = null;

  constructor(opts: StoreOptions) {
    const { db, report } = openStoreDb(opts.file);
    this.db = db;
    this.commitTx = db.transaction((tags: TagState[], after: (() => void)[]) => this.commitAll(tags, after));
    this.tagTx = db.transaction((st: TagState, after: (() => void)[]) => this.commitTag(st, after));
    this.chunkTx = db.transaction((tag: number, s: Samples, data: Uint8Array) => this.insertChunk(tag, s, data));
    this.tagNames = opts.tagNames;
    this.clock = opts.now ?? Date.now;
    this.maxUnitRows = opts.maxUnitRows ?? MAX_UNIT_ROWS;
    this.setQuota(opts.maxDbBytes ?? null);
    this.level = opts.deflateLevel ?? 1;
    // `full`: every commit is fsynced before it is acknowledged (power-loss safe); see docs/historian.md.
    if (opts.durability === 'full') db.pragma('synchronous = FULL');
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    // Usable size = page size: no reserved bytes per page (no checksum or encryption extension here).
    this.chunkLimit = opts.maxChunkBytes ?? maxChunkBytes(pageSize);
    this.reader = new StoreReader(db);
    this.parts = new PartitionSet(db);
    this.blocks = new BlockWriter(db, this.parts, this.reader, this.level);
    this.state = new StateRows(db);
    this.stmts = {
      tagId: db.prepare('SELECT id FROM tag WHERE name = ?').pluck(),
      tagInsert: db.prepare('INSERT INTO tag (name) VALUES (?)'),
      tailInsert: db.prepare('INSERT INTO tail (grp, seq, t0, t1, data) VALUES (?, ?, ?, ?, ?)'),
      tailDelete: db.prepare('DELETE FROM tail WHERE grp = ? AND seq < ?'),
    };
    const sids = this.rowsOf(opts.tagNames);
    let recovered = { segmentsMerged: 0, samplesRecovered: 0 };
    let recoveryDeferred: string | null = null;
    try {
      recovered = this.recoverSegments();
    } catch (err) {
      if (!isStorageFault(err)) throw err;
      // A full disk at start must not stop the console: the segments stay readable where they are.
      this.recoveryPending = true;
      recoveryDeferred = (err as Error).message;
    }
    this.recovery = { ...report, ...recovered, recoveryDeferred };
    // Deferred recovery leaves rows behind: new rows go after them.
    this.tailSeq = ((db.prepare('SELECT max(seq) FROM tail').pluck().get() as number | null) ?? 0) + 1;
    this.tags = opts.tagNames.map((_, i) => this.initTag(sids[i] as number, opts.policies[i] as TagPolicy));
  }

  /** Each tag name's row id, its row made when it has none (one transaction). */
  private rowsOf(names: readonly string[]): number[] {
    return this.db.transaction(() =>
      names.map((name) => {
        const id = this.stmts.tagId.get(name) as number | undefined;
        return id ?? Number(this.stmts.tagInsert.run(name).lastInsertRowid);
      }),
    )();
  }

  private initTag(sid: number, policy: TagPolicy): TagState {
    const acc = new MinuteAccumulator(policy.maxHoldMs);
    const last = this.reader.latestRollup('m1', sid, Number.MAX_SAFE_INTEGER);
    // The newest row is the minute that was being filled; one without a sample time cannot be resumed.
    if (last && !Number.isNaN(last.lastTs)) acc.resume(last);
    const st: TagState = {
      sid,
      touched: false,
      emit: () => undefined,
      policy,
      filter: new SampleFilter(policy),
      acc,
      closedMinutes: [],
      hourT: acc.open ? Math.floor(acc.open.t / HOUR) * HOUR : Number.NaN,
      hourAcc: null,
      closedHours: [],
      dirtyMinutes: new Set(),
      dirtyHours: new Set(),
      buf: new SampleBuffer(),
      chunkId: this.nextChunkId++,
      chunkPart: Number.NaN,
      written: 0,
      tailFrom: 0,
      sealAt: CHUNK_SAMPLES,
      sealed: [],
      late: new SampleBuffer(16),
      packedTo: { m1: this.reader.packedTo('m1', sid), h1: this.reader.packedTo('h1', sid) },
      routeTo: { m1: 0, h1: 0 },
      unitRows: { m1: null, h1: null },
      moved: { m1: false, h1: false },
      rowLog: [],
    };
    st.routeTo = { ...st.packedTo };
    st.emit = (t, v, q) => this.append(st, t, v, q);
    const g = tailGroup(sid);
    let group = this.groupTags.get(g);
    if (!group) {
      group = [];
      this.groupTags.set(g, group);
    }
    group.push(st);
    return st;
  }

  /** SQLite's own cap: past it, writes fail with SQLITE_FULL exactly as on a full disk. */
  setQuota(bytes: number | null): void {
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    this.db.pragma(`max_page_count = ${bytes === null ? 4294967294 : Math.max(1, Math.floor(bytes / pageSize))}`);
  }

  /** Merge the chunks a crash left in the tail (or a salvaged file in `segment` rows) into sealed chunks, and empty the tail. */
  private recoverSegments(): { segmentsMerged: number; samplesRecovered: number } {
    let merged = 0;
    let samples = 0;
    this.db.transaction(() => {
      convertSegments(this.db);
      const rows = this.db.prepare('SELECT data FROM tail ORDER BY grp, seq').pluck().all() as Uint8Array[];
      if (rows.length === 0) return;
      for (const c of assembleTail(rows, null, true)) {
        const s = c.samples as Samples;
        if (s.length === 0) continue;
        merged++;
        samples += s.length;
        this.insertChunks(c.sid, sortSamples(s));
      }
      this.db.exec('DELETE FROM tail');
    })();
    return { segmentsMerged: merged, samplesRecovered: samples };
  }

  /** True when something received is not yet committed. */
  get hasChanges(): boolean {
    return this.touched.length > 0 || this.recoveryPending;
  }

  ingest(n: number, ids: ArrayLike<number>, ts: ArrayLike<number>, values: ArrayLike<number>, quality: ArrayLike<number>): void {
    // The sort costs O(tags) besides O(n): worth it only when the batch is not small beside the tag table.
    if (n >= GROUP_MIN && n >= this.tags.length / 4) {
      const order = this.groupByTag(n, ids);
      // After the counting sort, tagPos[id] is where the run of tag `id` ends (ids beyond the table last, skipped).
      const ends = this.tagPos;
      let from = 0;
      for (let id = 0; id < this.tags.length; id++) {
        const to = ends[id] as number;
        if (to > from) this.addRun(this.tags[id] as TagState, order, from, to, ts, values, quality);
        from = to;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const st = this.tags[ids[i] as number];
        if (st) this.addChecked(st, ts[i] as number, values[i] as number, quality[i] as number);
      }
    }
    this.pending += n;
  }

  /** One tag's samples at order[from … to), in that order. */
  private addRun(
    st: TagState,
    order: Uint32Array,
    from: number,
    to: number,
    ts: ArrayLike<number>,
    values: ArrayLike<number>,
    quality: ArrayLike<number>,
  ): void {
    for (let k = from; k < to; k++) {
      const i = order[k] as number;
      this.addChecked(st, ts[i] as number, values[i] as number, quality[i] as number);
    }
  }

  private addChecked(st: TagState, t: number, v: number, q: number): void {
    // The bus refuses such times; should one get here, it is kept aside, never written into a partition.
    if (Math.abs(t) <= TIME_LIMIT_MS) this.add(st, t, v, q);
    else this.quarantine(st, t, v, q, 'timestamp is not a finite time');
  }

  /** Scratch of groupByTag: sample indexes in tag order, and per tag the next position. */
  private order = new Uint32Array(0);
  private tagPos = new Uint32Array(0);

  /**
   * The batch's sample indexes grouped by tag, each tag's in batch order (a stable counting sort).
   * A batch of many tags visits each tag's state (accumulator, chunk buffer) once per run of its
   * samples instead of once per sample: with 1,000 tags interleaved, the per-sample visits miss
   * the cache. Each tag's samples are folded in the same order as before, so what is stored is the same.
   */
  private groupByTag(n: number, ids: ArrayLike<number>): Uint32Array {
    const tags = this.tags.length;
    if (this.order.length < n) this.order = new Uint32Array(Math.max(n, this.order.length * 2));
    if (this.tagPos.length < tags + 1) this.tagPos = new Uint32Array(tags + 1);
    const pos = this.tagPos;
    pos.fill(0, 0, tags + 1);
    // Ids beyond the table go last, in bucket `tags` (their samples are skipped, as before).
    for (let i = 0; i < n; i++) {
      const id = ids[i] as number;
      pos[id < tags ? id : tags]++;
    }
    let at = 0;
    for (let b = 0; b <= tags; b++) {
      const c = pos[b] as number;
      pos[b] = at;
      at += c;
    }
    const order = this.order;
    for (let i = 0; i < n; i++) {
      const id = ids[i] as number;
      const b = id < tags ? id : tags;
      order[pos[b]++] = i;
    }
    return order;
  }

  private add(st: TagState, t: number, vIn: number, q: number): void {
    const d = st.policy.decimals;
    const v = d >= 0 && !Number.isNaN(vIn) ? Math.round(vIn * 10 ** d) / 10 ** d : vIn;
    this.touch(st);
    const acc = st.acc;
    if (t >= acc.lastTs) {
      const closedBefore = st.closedMinutes.length;
      acc.push(t, v, q, st.closedMinutes);
      for (let i = closedBefore; i < st.closedMinutes.length; i++) {
        const b = st.closedMinutes[i] as Bucket;
        this.advanceHour(st, b.t);
        if (st.hourAcc) mergeInto(st.hourAcc, b);
      }
      this.advanceHour(st, (acc.open as Bucket).t);
      if (st.policy.mode === 'none') this.append(st, t, v, q);
      else st.filter.push(t, v, q, st.emit);
    } else {
      // Late: rollups of the minutes this sample reaches are recomputed from raw data at commit.
      const last = Math.min(t + st.policy.maxHoldMs, acc.lastTs);
      for (let m = Math.floor(t / MINUTE) * MINUTE; m <= last; m += MINUTE) st.dirtyMinutes.add(m);
      st.late.push(t, v, q);
    }
  }

  private advanceHour(st: TagState, minuteT: number): void {
    const h = Math.floor(minuteT / HOUR) * HOUR;
    if (h === st.hourT) return;
    if (!Number.isNaN(st.hourT)) {
      if (st.hourAcc) st.closedHours.push(st.hourAcc);
      else st.dirtyHours.add(st.hourT);
    }
    st.hourT = h;
    st.hourAcc = emptyBucket(h);
  }

  private quarantine(st: TagState, t: number, v: number, q: number, reason: string): void {
    this.quarantineRows.push({ tag: st.sid, ts: t, value: v, quality: q, reason });
    this.touch(st);
  }

  private tagName(sid: number): string {
    const i = this.tags.findIndex((st) => st.sid === sid);
    return this.tagNames[i] ?? `tag ${sid}`;
  }

  private touch(st: TagState): void {
    if (!st.touched) {
      st.touched = true;
      this.touched.push(st);
    }
  }

  private append(st: TagState, t: number, v: number, q: number): void {
    this.touch(st);
    const part = Math.floor(t / RAW_PARTITION_MS);
    const buf = st.buf;
    if (buf.length > 0) {
      if (part < st.chunkPart) {
        st.late.push(t, v, q);
        return;
      }
      if (part > st.chunkPart || buf.length >= st.sealAt || t - (buf.ts[0] as number) >= CHUNK_SPAN_MS) this.seal(st);
    }
    if (st.buf.length === 0) st.chunkPart = part;
    st.buf.push(t, v, q);
  }

  private seal(st: TagState): void {
    // The buffer is replaced, never written again: the sealed chunk keeps a view of it.
    st.sealed.push({ chunkId: st.chunkId, buf: st.buf, samples: st.buf.view(0), written: st.written, tailFrom: st.tailFrom });
    const spare = this.spares.pop();
    if (spare) spare.length = 0;
    st.buf = spare ?? new SampleBuffer(Math.min(CHUNK_SAMPLES, st.buf.length * 2));
    st.chunkId = this.nextChunkId++;
    st.written = 0;
    st.tailFrom = 0;
  }

  /** Set by finish(): the next commit that leaves no chunk open empties the tail (nothing in it is needed then). */
  private finishing = false;
  /**
   * Buffers of committed chunks, reused by the next chunks sealed: a new buffer per chunk (three
   * typed arrays of up to 1,024 samples) was most of the writer's garbage.
   */
  private readonly spares: SampleBuffer[] = [];

  /** Graceful shutdown: store what the swinging door holds back and seal every open chunk. */
  finish(): void {
    this.finishing = true;
    for (const st of this.tags) this.finishTag(st);
  }

  private finishTag(st: TagState): void {
    st.filter.finish(st.emit);
    if (st.buf.length > 0) {
      this.seal(st);
      this.touch(st);
    }
  }

  /**
   * Live configuration in the open store (nothing sealed, nothing reopened): the tag table by bus
   * id, new ids appended (an id is never taken back or given to another name), the storage rules and
   * the durability. A new tag gets its row (or finds the one its name has) and is stored from its
   * first sample; an unchanged tag goes on in the chunk and minute it is filling; a tag under a new
   * name keeps its state when the row was renamed (Historian.renameTag), else its old series is
   * finished and the name's own row is taken up; a changed rule first stores what the old one holds
   * back, then applies from the next sample. The rows are made in one transaction before anything
   * in memory changes: a storage fault throws with the store as it was (retried by the caller).
   */
  retag(tagNames: readonly string[], policies: readonly TagPolicy[], durability: Durability): void {
    const known = this.tags.length;
    if (tagNames.length < known || policies.length !== tagNames.length)
      throw new RangeError(`a tag table of ${tagNames.length} names and ${policies.length} rules cannot follow one of ${known} tags`);
    const named: number[] = [];
    for (let i = 0; i < tagNames.length; i++) if (i >= known || tagNames[i] !== this.tagNames[i]) named.push(i);
    const sids = named.length === 0 ? [] : this.rowsOf(named.map((i) => tagNames[i] as string));
    this.db.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
    named.forEach((i, k) => {
      const sid = sids[k] as number;
      const old = this.tags[i];
      if (old?.sid === sid) return;
      // Kept in its tail group until its last chunk is committed; queries and retention follow the new row.
      if (old) {
        this.finishTag(old);
        // Its rows are no longer packed by this state: they leave the bound.
        for (const level of LEVELS) this.dropUnitRows(old, level);
      }
      this.tags[i] = this.initTag(sid, policies[i] as TagPolicy);
    });
    for (let i = 0; i < known; i++) {
      const st = this.tags[i] as TagState;
      const policy = policies[i] as TagPolicy;
      if (!samePolicy(st.policy, policy)) this.setPolicy(st, policy);
    }
    this.tagNames = tagNames.slice();
  }

  private setPolicy(st: TagState, policy: TagPolicy): void {
    const p = st.policy;
    if (policy.mode !== p.mode || policy.deviation !== p.deviation || policy.maxIntervalMs !== p.maxIntervalMs) {
      // What the old rule holds back is stored under it; the new one starts from the next sample.
      st.filter.finish(st.emit);
      st.filter = new SampleFilter(policy);
    }
    if (policy.maxHoldMs !== st.policy.maxHoldMs) {
      // The minute being filled goes on with the new hold, as after a restart (from its open bucket).
      const acc = new MinuteAccumulator(policy.maxHoldMs);
      const open = st.acc.open;
      if (open && !Number.isNaN(open.lastTs)) acc.resume(open);
      st.acc = acc;
    }
    st.policy = policy;
  }

  /** Bytes and samples of sealed chunks written since start: the compression actually achieved. */
  chunkBytes = 0;
  chunkSamples = 0;

  /** Returns the samples and bytes of the first chunk stored. */
  private insertChunks(tag: number, s: Samples): { n: number; bytes: number } {
    // Split by day partition, by sample count and by encoded size; `s` is sorted.
    let first = { n: 0, bytes: 0 };
    let i = 0;
    while (i < s.length) {
      const part = partitionIndex('raw', s.ts[i] as number);
      let j = i;
      while (j < s.length && j - i < CHUNK_SAMPLES && partitionIndex('raw', s.ts[j] as number) === part) j++;
      const fit = fitChunk(sub(s, i, j), this.level, this.chunkLimit);
      this.insertIsolating(tag, fit.samples, fit.data);
      if (i === 0) first = { n: fit.samples.length, bytes: fit.data.length };
      i += fit.samples.length;
    }
    return first;
  }

  /**
   * Insert a chunk in a savepoint. When the data itself makes it fail (not the disk), the chunk is
   * split in halves and each retried, down to the one sample that fails, which is quarantined: one
   * bad sample never holds back the others.
   */
  private insertIsolating(tag: number, s: Samples, data = encodeChunk(s, this.level)): void {
    // Outside the retry after a data fault, a failing insert fails the whole attempt (commit retries it isolated).
    if (!this.isolating) {
      this.insertChunk(tag, s, data);
      return;
    }
    try {
      this.chunkTx(tag, s, data);
    } catch (err) {
      if (isStorageFault(err)) throw err;
      this.parts.reload();
      if (s.length > 1) {
        const mid = s.length >> 1;
        this.insertIsolating(tag, sub(s, 0, mid));
        this.insertIsolating(tag, sub(s, mid, s.length));
        return;
      }
      this.isolatedRows.push({
        tag,
        ts: s.ts[0] as number,
        value: s.values[0] as number,
        quality: s.quality[0] as number,
        reason: (err as Error).message,
      });
    }
  }

  private insertChunk(tag: number, s: Samples, data: Uint8Array): void {
    let t0 = Number.POSITIVE_INFINITY;
    let t1 = Number.NEGATIVE_INFINITY;
    let vmin = Number.POSITIVE_INFINITY;
    let vmax = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < s.length; i++) {
      const t = s.ts[i] as number;
      const v = s.values[i] as number;
      if (t < t0) t0 = t;
      if (t > t1) t1 = t;
      if (v < vmin) vmin = v;
      if (v > vmax) vmax = v;
    }
    const table = this.parts.ensure('raw', t0);
    this.chunkBytes += data.length;
    this.chunkSamples += s.length;
    this.insertStmt(table).run(
      tag,
      t0,
      this.nextChunkId++,
      t1,
      s.length,
      Number.isFinite(vmin) ? vmin : null,
      Number.isFinite(vmax) ? vmax : null,
      data,
    );
  }

  private readonly insertStmts = new Map<string, Statement>();
  private insertStmt(table: string): Statement {
    let s = this.insertStmts.get(table);
    if (!s) {
      s = this.db.prepare(`INSERT INTO ${table} (tag, t0, seq, t1, n, vmin, vmax, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
      this.insertStmts.set(table, s);
    }
    return s;
  }

  /**
   * The tag's open minute as the commit of the tag in progress leaves it (undefined: unchanged,
   * null: none), put into its tag_state slot by flushOpen with the start of its open hour; the
   * hour's bucket is not stored: readers merge the hour's minutes (reader.openBucket).
   */
  private openMinute: Bucket | null | undefined = undefined;

  /** The bucket the tag is still filling at this level: kept in tag_state (minute) or derived (hour), not in the minute / hour tables. */
  private isOpen(st: TagState, level: RollupLevel, t: number): boolean {
    return st.acc.open !== null && t === (level === 'm1' ? st.acc.open.t : st.hourT);
  }

  private flushOpen(st: TagState): void {
    if (this.openMinute === undefined) return;
    this.state.setMinute(st.sid, this.openMinute);
    // The hour is open while a minute is (isOpen); readers derive its bucket from its start.
    this.state.setOpenHour(st.sid, st.acc.open ? st.hourT : Number.NaN);
    this.openMinute = undefined;
  }

  private readonly upsertStmts = new Map<string, Statement>();
  /** Store a rollup bucket: as its own row while its unit is being filled, else in its unit's block; the open minute in tag_state, the open hour not at all. */
  private upsert(st: TagState, level: RollupLevel, b: Bucket): void {
    if (this.isOpen(st, level, b.t)) {
      if (level === 'm1') this.openMinute = b;
      return;
    }
    if (b.t < st.routeTo[level]) {
      this.blocks.edit(level, st.sid, b.t, b);
      return;
    }
    const table = this.parts.ensure(level, b.t);
    st.rowLog.push({ level, t: b.t, b });
    let s = this.upsertStmts.get(table);
    if (!s) {
      s = this.db.prepare(`INSERT OR REPLACE INTO ${table} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      this.upsertStmts.set(table, s);
    }
    const n = (x: number) => (Number.isNaN(x) ? null : x);
    // Arguments, not a spread array: the upsert of an open bucket is the commit's most frequent statement.
    s.run(st.sid, b.t, b.count, n(b.min), n(b.max), b.sum, n(b.first), n(b.firstTs), n(b.last), n(b.lastTs), b.integral, b.dur);
  }

  /**
   * Write everything received since the last commit in one transaction. It is first tried without
   * savepoints (a savepoint per tag and per chunk costs more than the rows themselves when a commit
   * holds few samples per tag); only when that fails because of the data (never a storage fault,
   * which fails the commit as a whole) is it rolled back and retried with a savepoint per tag and
   * per chunk, which narrows the fault down to what is quarantined. Both attempts write the same
   * rows; nothing in memory changes before one of them commits.
   */
  commit(): CommitStats {
    const started = performance.now();
    const samples = this.pending;
    const tags = this.touched;
    if (this.recoveryPending) {
      // Segments left by a crash, not merged at start (disk full): merged first, or chunk ids would collide.
      this.recoverSegments();
      this.recoveryPending = false;
    }
    const bytesBefore = this.chunkBytes;
    const samplesBefore = this.chunkSamples;
    const idBefore = this.nextChunkId;
    const seqBefore = this.tailSeq;
    // commitTag sets routeTo for the buckets it routes; a rolled-back attempt puts it back.
    const routeBefore = tags.map((st) => st.routeTo);
    const undo = () => {
      this.parts.reload();
      this.chunkBytes = bytesBefore;
      this.chunkSamples = samplesBefore;
      this.nextChunkId = idBefore;
      this.tailSeq = seqBefore;
      this.tailRows.clear();
      this.state.discard();
      tags.forEach((st, i) => {
        st.routeTo = routeBefore[i] as TagState['routeTo'];
      });
      // Isolated samples are still in their tags' state and are retried; a quarantined tag's are kept in quarantineRows.
      this.isolatedRows = [];
    };
    this.isolatedRows = [];
    let after: (() => void)[] = [];
    let rollupRows = 0;
    let failedTags: string[] = [];
    let written: QuarantineRow[] = [];
    try {
      this.isolating = false;
      this.commitTx(tags, after);
      this.isolating = true;
      rollupRows = this.commitRows;
      written = this.commitWritten;
    } catch (err) {
      this.isolating = true;
      undo();
      if (isStorageFault(err)) throw err;
      after = [];
      try {
        this.commitTx(tags, after);
        rollupRows = this.commitRows;
        written = this.commitWritten;
        failedTags = this.commitFailed;
      } catch (err2) {
        undo();
        throw err2;
      }
    }
    this.applyLive();
    this.state.keep();
    this.quarantineRows = [];
    this.isolatedRows = [];
    this.quarantinedTotal += written.length;
    this.lastQuarantine =
      written.length === 0
        ? null
        : {
            samples: written.length,
            reason: written[0]?.reason ?? 'unknown',
            tags: [...new Set([...failedTags, ...written.map((r) => this.tagName(r.tag))])],
          };
    for (const fn of after) fn();
    if (this.finishing && this.tags.every((st) => this.tailNeed(st) === Number.POSITIVE_INFINITY)) {
      // Every chunk is sealed: the tail holds only entries of sealed chunks, which the file need not keep.
      this.finishing = false;
      try {
        this.db.exec('DELETE FROM tail');
        this.live.clear();
      } catch (err) {
        // Harmless rows: the next open deletes them. Only a storage fault gets here.
        if (!isStorageFault(err)) throw err;
      }
    }
    for (const st of tags) st.touched = false;
    this.touched = [];
    this.pending = 0;
    return { samples, chunkBytes: this.chunkBytes - bytesBefore, rollupRows, ms: performance.now() - started };
  }

  /**
   * Savepoints per tag and per chunk: everywhere but the first attempt of a commit (the retry after
   * a data fault, the merge of a crash's segments at start).
   */
  private isolating = true;
  private commitRows = 0;
  private commitWritten: QuarantineRow[] = [];
  private commitFailed: string[] = [];
  /** Wrapped once (constructor): better-sqlite3 builds a wrapper per db.transaction() call, a cost per tag when done per commit. */
  private readonly commitTx: (tags: TagState[], after: (() => void)[]) => void;
  private readonly tagTx: (st: TagState, after: (() => void)[]) => number;
  private readonly chunkTx: (tag: number, s: Samples, data: Uint8Array) => void;

  private commitAll(tags: TagState[], after: (() => void)[]): void {
    this.commitRows = 0;
    this.commitFailed = [];
    this.tailRows.clear();
    this.liveAdds = [];
    this.liveCuts = [];
    const groups = new Set<number>();
    for (const st of tags) groups.add(tailGroup(st.sid));
    // Rows no chunk needs since the last commit go first (the groups this commit writes to).
    for (const g of groups) this.pruneTail(g);
    for (const st of tags) {
      if (!this.isolating) {
        this.commitRows += this.commitTag(st, after);
        continue;
      }
      const adds = this.liveAdds.length;
      const slot = this.state.snapshot(st.sid);
      try {
        // A savepoint per tag: a fault caused by one tag's data is isolated to that tag.
        this.commitRows += this.tagTx(st, after);
      } catch (err) {
        if (isStorageFault(err)) throw err;
        this.state.restore(st.sid, slot);
        this.parts.reload();
        this.liveAdds.length = adds;
        this.tailRows.delete(tailGroup(st.sid));
        this.commitFailed.push(this.tagName(st.sid));
        this.quarantineTag(st, (err as Error).message);
      }
    }
    for (const g of groups) this.copyForward(g, after);
    for (const g of [...this.tailRows.keys()]) this.flushTail(g);
    this.state.writeAll();
    this.commitWritten = this.writeQuarantine();
  }

  /** The oldest tail row the tag's chunks still need (Infinity: none). */
  private tailNeed(st: TagState): number {
    let need = st.tailFrom > 0 ? st.tailFrom : Number.POSITIVE_INFINITY;
    for (const c of st.sealed) if (c.written > 0 && c.tailFrom < need) need = c.tailFrom;
    return need;
  }

  /** Delete the group's rows older than every row its chunks still being filled need. */
  private pruneTail(g: number): void {
    const live = this.live.get(g);
    if (!live || live.length === 0) return;
    let bound = Number.POSITIVE_INFINITY;
    for (const st of this.groupTags.get(g) ?? []) bound = Math.min(bound, this.tailNeed(st));
    if ((live[0] as { seq: number }).seq >= bound) return;
    const below = Number.isFinite(bound) ? bound : Number.MAX_SAFE_INTEGER;
    this.stmts.tailDelete.run(g, below);
    this.liveCuts.push([g, below]);
  }

  /**
   * When the group's rows hold more than TAIL_KEEP_BYTES, the chunks that keep its older half
   * (open since then) are written again, whole, into this commit's row: the older rows can then go.
   */
  private copyForward(g: number, after: (() => void)[]): void {
    const live = this.live.get(g);
    if (!live || live.length === 0) return;
    const cut = this.liveCuts.find(([grp]) => grp === g)?.[1] ?? Number.NEGATIVE_INFINITY;
    let total = 0;
    for (const r of live) if (r.seq >= cut) total += r.bytes;
    if (total <= TAIL_KEEP_BYTES) return;
    let kept = 0;
    let from = Number.POSITIVE_INFINITY;
    for (let i = live.length - 1; i >= 0 && kept <= TAIL_KEEP_BYTES / 2; i--) {
      const r = live[i] as { seq: number; bytes: number };
      kept += r.bytes;
      from = r.seq;
    }
    for (const st of this.groupTags.get(g) ?? []) {
      if (st.tailFrom === 0 || st.tailFrom >= from) continue;
      const row = this.tailRow(g);
      // Everything the chunk holds once this commit is in: earlier rows' samples and this commit's.
      row.add(st.sid, st.chunkId, 0, st.buf.view(0, st.buf.length));
      const seq = row.seq;
      after.push(() => {
        st.tailFrom = seq;
      });
    }
  }

  private tailRow(g: number): TailRow {
    let row = this.tailRows.get(g);
    if (!row) {
      row = new TailRow(g, this.tailSeq++);
      this.tailRows.set(g, row);
    }
    return row;
  }

  private flushTail(g: number): void {
    const row = this.tailRows.get(g);
    if (!row) return;
    this.tailRows.delete(g);
    if (row.entries.length === 0) return;
    const data = row.encode();
    const [t0, t1] = row.span;
    this.stmts.tailInsert.run(g, row.seq, t0, t1, data);
    this.liveAdds.push([g, row.seq, data.length]);
  }

  /** The commit succeeded: its rows join the groups' live rows, the deleted ones leave. */
  private applyLive(): void {
    for (const [g, below] of this.liveCuts) {
      const live = this.live.get(g);
      if (!live) continue;
      let k = 0;
      while (k < live.length && (live[k] as { seq: number }).seq < below) k++;
      live.splice(0, k);
    }
    for (const [g, seq, bytes] of this.liveAdds) {
      let live = this.live.get(g);
      if (!live) {
        live = [];
        this.live.set(g, live);
      }
      live.push({ seq, bytes });
    }
    this.liveAdds = [];
    this.liveCuts = [];
  }

  private commitTag(st: TagState, after: (() => void)[]): number {
    const sid = st.sid;
    const grp = tailGroup(sid);
    this.openMinute = undefined;
    // A new array only when there was something (setting an array's length is a slow path).
    if (st.rowLog.length > 0) st.rowLog = [];
    // Raw data first: the rollup recomputation below reads it back.
    for (const c of st.sealed) {
      if (c.written > 0) this.tailRow(grp).seal(sid, c.chunkId, c.samples);
      const first = this.insertChunks(sid, c.samples);
      // The next chunk is sealed at the count that fits, judged by this one (with a 3 % margin).
      if (first.n >= 16 && first.bytes > 0)
        st.sealAt = Math.max(16, Math.min(CHUNK_SAMPLES, Math.floor((first.n * this.chunkLimit * 0.97) / first.bytes)));
    }
    const buf = st.buf;
    const written = buf.length;
    const firstInTail = st.written === 0;
    const wroteSegment = written > st.written;
    let rowSeq = 0;
    if (wroteSegment) {
      const row = this.tailRow(grp);
      row.add(sid, st.chunkId, st.written, buf.view(st.written, written));
      rowSeq = row.seq;
    }
    // With a savepoint per tag each tag writes its own row; the recomputation of late minutes reads this one back.
    if (this.isolating || st.dirtyMinutes.size > 0) this.flushTail(grp);
    const late = st.late.length;
    if (late > 0) this.insertChunks(sid, sortSamples(st.late.slice(0)));
    this.storeLastValue(st, written);

    // Units the tag's data has moved past are final (only late data changes them): their buckets
    // go into blocks, the rows of earlier commits with them; buckets just closed there are packed
    // at once instead of being written as rows first (a backfill closes thousands per commit).
    const packedTo = { m1: st.packedTo.m1, h1: st.packedTo.h1 };
    const finalMinutes: Bucket[] = [];
    const finalHours: Bucket[] = [];
    let rows = 0;
    for (const level of LEVELS) {
      const to = unitStart(level, st.acc.lastTs);
      const closed = level === 'm1' ? st.closedMinutes : st.closedHours;
      const final = level === 'm1' ? finalMinutes : finalHours;
      for (const b of closed) {
        if (b.t < to) final.push(b);
        else {
          this.upsert(st, level, b);
          rows++;
        }
      }
      if (to > packedTo[level]) {
        rows += this.blocks.pack(level, sid, packedTo[level], to, final, st.unitRows[level] ?? undefined);
        packedTo[level] = to;
      } else {
        // Data not past its unit yet: nothing is final beyond what is packed (a closed bucket always is at or after packedTo).
        for (const b of final) this.upsert(st, level, b);
        rows += final.length;
      }
    }
    st.routeTo = packedTo;
    const open = st.acc.open;
    if (open) {
      this.upsert(st, 'm1', open);
      rows++;
    }
    // Hours to recompute from their minutes; made only when there is one (most commits have none).
    let dirtyHours: Set<number> | null = st.dirtyHours.size > 0 ? new Set(st.dirtyHours) : null;
    // The open hour is not stored (readers merge its minutes); one not known since the open is
    // recomputed from its minutes, which loads hourAcc below.
    if (open && !st.hourAcc) {
      dirtyHours ??= new Set();
      dirtyHours.add(st.hourT);
    }

    let recomputedOpen: Bucket | null = null;
    for (const m of st.dirtyMinutes) {
      const holdMs = st.policy.maxHoldMs;
      const raw = this.reader.raw(sid, m - holdMs, m + MINUTE);
      const closed = st.acc.lastTs >= m + MINUTE;
      const b = computeBucket(raw.ts, raw.values, raw.quality, raw.length, m, MINUTE, holdMs, closed);
      if (b.count > 0 || b.dur > 0) this.upsert(st, 'm1', b);
      else this.deleteRollup(st, 'm1', m);
      rows++;
      if (open && m === open.t && !recomputedOpen) recomputedOpen = b;
      dirtyHours ??= new Set();
      dirtyHours.add(Math.floor(m / HOUR) * HOUR);
    }
    let reloadHour = false;
    // The hours recomputed below read the open minute back.
    if (dirtyHours) {
      this.flushOpen(st);
      this.state.write(stateGroup(sid));
    }
    for (const h of dirtyHours ?? []) {
      const minutes = this.reader.rollups('m1', sid, h, h + HOUR);
      const hour = emptyBucket(h);
      for (const b of minutes) mergeInto(hour, b);
      if (minutes.length > 0) this.upsert(st, 'h1', hour);
      rows++;
      if (h === st.hourT) reloadHour = true;
    }
    this.flushOpen(st);

    after.push(() => {
      for (const level of LEVELS) if (packedTo[level] !== st.packedTo[level]) this.freshUnit(st, level);
      st.packedTo = packedTo;
      this.applyRowLog(st, packedTo);
      // Nothing refers to a committed chunk's samples any more: its buffer fills a later chunk.
      for (const c of st.sealed) if (this.spares.length < MAX_SPARES) this.spares.push(c.buf);
      st.sealed = [];
      st.written = written;
      if (wroteSegment && firstInTail) st.tailFrom = rowSeq;
      // The late samples were copied into chunks above: a tag without any keeps its (empty) buffer.
      if (st.late.length > 0) st.late = new SampleBuffer(16);
      if (st.closedMinutes.length > 0) st.closedMinutes = [];
      if (st.closedHours.length > 0) st.closedHours = [];
      st.dirtyMinutes.clear();
      st.dirtyHours.clear();
      const o = st.acc.open;
      const r = recomputedOpen;
      if (o && r) Object.assign(o, r, { t: o.t });
      if (reloadHour && o) {
        const acc = emptyBucket(st.hourT);
        for (const b of this.reader.rollups('m1', sid, st.hourT, st.hourT + HOUR)) if (b.t !== o.t) mergeInto(acc, b);
        st.hourAcc = acc;
      }
    });
    return rows;
  }

  /**
   * Keep the tag's last value (tag_state) at the newest sample this commit stores for the tag (sealed chunks, the new
   * segment, late samples; not those quarantined), inside the tag's savepoint: it commits or rolls
   * back with them.
   */
  private storeLastValue(st: TagState, written: number): void {
    this.newestT = Number.NEGATIVE_INFINITY;
    // Samples insertIsolating set aside this commit stay in the tag's state but are not stored
    // (only in the retry after a data fault: the first attempt isolates nothing).
    let isolated: Map<string, number> | null = null;
    if (this.isolating)
      for (const r of this.isolatedRows) {
        if (r.tag !== st.sid) continue;
        isolated ??= new Map();
        const k = `${r.ts}|${r.value}|${r.quality}`;
        isolated.set(k, (isolated.get(k) ?? 0) + 1);
      }
    for (const c of st.sealed) this.scanNewest(c.samples.ts, c.samples.values, c.samples.quality, 0, c.samples.length, isolated);
    if (written > st.written) this.scanNewest(st.buf.ts, st.buf.values, st.buf.quality, st.written, written, isolated);
    this.scanNewest(st.late.ts, st.late.values, st.late.quality, 0, st.late.length, isolated);
    if (this.newestT === Number.NEGATIVE_INFINITY) return;
    this.state.setLast(st.sid, this.newestT, this.newestV, this.newestQ);
  }

  /** The newest sample storeLastValue has found so far (of equal times the later one). */
  private newestT = Number.NEGATIVE_INFINITY;
  private newestV = Number.NaN;
  private newestQ = 0;

  /** Fold samples [from, to) into newestT/V/Q, without allocating; `isolated` ones are skipped. */
  private scanNewest(
    ts: Float64Array,
    values: Float64Array,
    quality: Uint8Array,
    from: number,
    to: number,
    isolated: Map<string, number> | null,
  ): void {
    for (let i = from; i < to; i++) {
      const t = ts[i] as number;
      if (isolated) {
        const k = `${t}|${values[i]}|${quality[i]}`;
        const left = isolated.get(k) ?? 0;
        if (left > 0) {
          isolated.set(k, left - 1);
          continue;
        }
      }
      if (t >= this.newestT) {
        this.newestT = t;
        this.newestV = values[i] as number;
        this.newestQ = quality[i] as number;
      }
    }
  }

  /**
   * Set aside everything this tag has not committed yet (its commit failed on its own data). What
   * earlier commits put in the tail stays stored: the chunk being filled keeps it, and a chunk
   * sealed since is sealed with what it had in the tail by the tag's next commit.
   */
  private quarantineTag(st: TagState, reason: string): void {
    const put = (s: Samples) => {
      for (let i = 0; i < s.length; i++) this.quarantine(st, s.ts[i] as number, s.values[i] as number, s.quality[i] as number, reason);
    };
    const kept: SealedChunk[] = [];
    for (const c of st.sealed) {
      put(sub(c.samples, c.written, c.samples.length));
      if (c.written > 0) kept.push({ ...c, samples: sub(c.samples, 0, c.written) });
    }
    put(st.buf.view(st.written));
    put(st.late.view(0));
    st.sealed = kept;
    st.buf.length = st.written;
    st.late = new SampleBuffer(16);
    st.closedMinutes = [];
    st.closedHours = [];
    st.dirtyMinutes.clear();
    st.dirtyHours.clear();
  }

  private writeQuarantine(): QuarantineRow[] {
    const rows = this.quarantineRows.concat(this.isolatedRows);
    if (rows.length === 0) return rows;
    // Created on first use, not by a migration: a console whose disk is full must still open its file.
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS quarantine (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, tag INTEGER NOT NULL, ts REAL, value REAL, quality INTEGER NOT NULL, reason TEXT NOT NULL)',
    );
    const ins = this.db.prepare('INSERT INTO quarantine (at, tag, ts, value, quality, reason) VALUES (?, ?, ?, ?, ?, ?)');
    const at = this.clock();
    // SQLite has no NaN or infinity in REAL columns: such a time is kept as text in the reason.
    const num = (x: number) => (Number.isFinite(x) ? x : null);
    for (const r of rows) {
      ins.run(at, r.tag, num(r.ts), num(r.value), r.quality, Number.isFinite(r.ts) ? r.reason : `${r.reason} (timestamp ${r.ts})`);
    }
    return rows;
  }

  /** Quarantined samples stored in the file. */
  quarantineCount(): number {
    const exists = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'quarantine'").get();
    return exists ? (this.db.prepare('SELECT count(*) AS n FROM quarantine').get() as { n: number }).n : 0;
  }

  private deleteRollup(st: TagState, level: RollupLevel, t: number): void {
    // The open bucket goes; a row of its time (a file of an earlier layout) goes too.
    if (this.isOpen(st, level, t) && level === 'm1') this.openMinute = null;
    if (t < st.routeTo[level]) {
      this.blocks.edit(level, st.sid, t, null);
      return;
    }
    st.rowLog.push({ level, t, b: null });
    for (const p of partitionsIn(this.db, level, t, t)) this.db.prepare(`DELETE FROM ${p.name} WHERE tag = ? AND t = ?`).run(st.sid, t);
  }

  /** Rows held in unitRows over all tags, and their bound. */
  private unitRowCount = 0;
  private readonly maxUnitRows: number;

  /**
   * The tag moved into a new unit at this level. After its first move since the open it has no rows
   * there yet, so they are known from here on (within the bound); the first unit's are read back.
   */
  private freshUnit(st: TagState, level: RollupLevel): void {
    this.dropUnitRows(st, level);
    if (st.moved[level] && this.unitRowCount < this.maxUnitRows) st.unitRows[level] = [];
    st.moved[level] = true;
  }

  /** The tag's rows at this level are no longer known: read back when its unit is packed. */
  private dropUnitRows(st: TagState, level: RollupLevel): void {
    const rows = st.unitRows[level];
    if (!rows) return;
    this.unitRowCount -= rows.length;
    st.unitRows[level] = null;
  }

  /** Rows held in unitRows over all tags (at most maxUnitRows). */
  get unitRowsKept(): number {
    return this.unitRowCount;
  }

  /** Apply the committed row writes and deletes to unitRows; one outside the unit makes it unknown. */
  private applyRowLog(st: TagState, packedTo: Record<RollupLevel, number>): void {
    for (const { level, t, b } of st.rowLog) {
      const rows = st.unitRows[level];
      if (!rows) continue;
      if (t < packedTo[level] || t >= packedTo[level] + BLOCKS[level].span) {
        this.dropUnitRows(st, level);
        continue;
      }
      let i = rows.length;
      while (i > 0 && (rows[i - 1] as Bucket).t > t) i--;
      const same = i > 0 && (rows[i - 1] as Bucket).t === t;
      if (b && same) rows[i - 1] = b;
      else if (b) {
        // Past the bound the list goes as a whole (its unit is read back), so the bound holds.
        if (this.unitRowCount >= this.maxUnitRows) {
          this.dropUnitRows(st, level);
          continue;
        }
        rows.splice(i, 0, b);
        this.unitRowCount++;
      } else if (same) {
        rows.splice(i - 1, 1);
        this.unitRowCount--;
      }
    }
    if (st.rowLog.length > 0) st.rowLog = [];
  }

  /** Retention deletes rows before `cutoff` at this level: the tags whose unit it reaches no longer know theirs. */
  private forgetUnitRows(level: Level, cutoff: number, sids: ReadonlySet<number> | null): void {
    if (level !== 'm1' && level !== 'h1') return;
    for (const st of this.tags) if ((sids === null || sids.has(st.sid)) && cutoff > st.packedTo[level]) this.dropUnitRows(st, level);
  }

  /**
   * Drop what is older than each tag's retention: whole partitions when no tag keeps them, else
   * the expired rows of the tags with shorter retention. Each statement is short, so the writer
   * never holds the lock for long. Returns the number of partitions dropped.
   */
  applyRetention(now: number): number {
    const levels: [Level, keyof TagPolicy, string][] = [
      ['raw', 'rawMs', 't1'],
      ['m1', 'minuteMs', 't'],
      ['h1', 'hourMs', 't'],
      // A block goes when its newest bucket is past retention, as a chunk does.
      ['m1b', 'minuteMs', 't1'],
      ['h1b', 'hourMs', 't1'],
    ];
    let dropped = 0;
    for (const [level, key, col] of levels) {
      const keep = this.tags.map((st) => st.policy[key] as number);
      const longest = Math.max(...keep, 0);
      for (const p of partitionsIn(this.db, level, Number.NEGATIVE_INFINITY, now - longest)) {
        if (p.end <= now - longest) {
          this.forgetUnitRows(level, p.end, null);
          this.parts.drop(p.name);
          this.reader.forget(p.name);
          this.insertStmts.delete(p.name);
          this.upsertStmts.delete(p.name);
          this.blocks.forget(p.name);
          dropped++;
        }
      }
      const shorter = new Map<number, number[]>();
      this.tags.forEach((st, i) => {
        const ms = keep[i] as number;
        if (ms < longest) shorter.set(ms, [...(shorter.get(ms) ?? []), st.sid]);
      });
      for (const [ms, sids] of shorter) {
        const cutoff = now - ms;
        this.forgetUnitRows(level, cutoff, new Set(sids));
        for (const p of partitionsIn(this.db, level, Number.NEGATIVE_INFINITY, cutoff)) {
          const del = this.db.prepare(`DELETE FROM ${p.name} WHERE tag = ? AND ${col} < ?`);
          for (const sid of sids) this.db.transaction(() => del.run(sid, cutoff))();
        }
      }
    }
    if (dropped > 0) this.db.pragma('incremental_vacuum(4096)');
    return dropped;
  }

  close(): void {
    this.db.close();
  }
}
