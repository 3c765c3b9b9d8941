// The historian's face on the main thread. `ingest` copies each bus batch into a staging buffer
// (the bus reuses its views) and hands full buffers to the writer thread without copying again
// (transferred ArrayBuffers); queries read the same file through a second connection, which WAL
// lets run alongside the writer.
import { mkdirSync, statfsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { Statement } from 'better-sqlite3';
import type { SystemMessage } from '../api/events.js';
import type {
  HistoryAggregate,
  HistoryExportProgress,
  HistoryLastValue,
  HistoryMetrics,
  HistorySeries,
  HistoryValueAt,
} from '../api/history-requests.js';
import type { TagInfo } from '../api/types.js';
import type { SampleBatch } from '../tags/bus.js';
import { describeError } from '../util/errors.js';
import { logger } from '../util/log.js';
import { migrate } from '../util/migrate.js';
import { openSqlite, openWithoutShm, type SqliteDatabase } from '../util/sqlite.js';
import { startWorker, WorkerSupervisor } from '../util/worker.js';
import { type DeadbandConfig, type Durability, type RetentionConfig, resolvePolicies, type TagPolicy } from './config.js';
import { ExportCancelled, exportCsv } from './export.js';
import { HISTORIAN_MIGRATIONS, MIGRATIONS_TABLE } from './migrations/index.js';
import { createOutbox, type Outbox } from './outbox.js';
import type { FromWriter, ToWriter, WriterInit, WriterStats } from './protocol.js';
import { aggregate, lastValues, type QueryTag, rangeRead, trend, valueAt } from './query.js';
import { StoreReader } from './reader.js';
import type { RecoveryReport } from './store.js';

export interface HistorianOptions {
  /** The historian's folder inside the console's data dir. */
  dir: string;
  /** The site's tags; tag id = index. */
  tags: readonly TagInfo[];
  retention?: RetentionConfig;
  /** Per-tag storage rules: deadband / swinging door, decimals, hold time. */
  deadband?: DeadbandConfig;
  onSystemMessage?: (m: SystemMessage) => void;
  /** Controllable clock for tests (retention and raw-or-rollup choice). */
  now?: () => number;
  /** Longest time between commits; at most this much is lost to a kill -9. */
  flushIntervalMs?: number;
  /** Samples held in memory (staged, queued or waiting for a failing disk) before new ones are dropped. */
  maxBufferedSamples?: number;
  /** Cap on the database size: past it the historian behaves as on a full disk. */
  maxDbBytes?: number | null;
  /** zlib level for chunks (1 fastest … 9 smallest). */
  deflateLevel?: number;
  /** normal (default): synchronous=NORMAL; full: fsync per commit. docs/historian.md, "Durability". */
  durability?: Durability;
  /** How often retention runs; 0 disables the timer (call applyRetention yourself). */
  retentionIntervalMs?: number;
}

export interface RangeSeries {
  tag: string;
  ts: Float64Array;
  values: Float64Array;
  quality: Uint8Array;
}

export interface Historian {
  /** Called from bus.onBatch: copies the batch and returns at once. */
  ingest(batch: SampleBatch): void;
  /** Resolves when everything ingested so far is committed; rejects while writes fail. */
  flush(): Promise<void>;
  /**
   * Group commit: resolves once everything ingested before the call is committed; calls that reach
   * the writer while it commits share its next transaction (one for many pushes). Rejects when
   * the commit fails (the samples stay buffered and are stored when writes work again).
   */
  commit(): Promise<void>;
  /**
   * Why `n` more samples cannot be taken for a commit now, or null: `retryAfterS` when the buffer is
   * full (it drains), none when the historian cannot write at all (disk full, writer restarting).
   */
  refuse(n: number): { message: string; retryAfterS?: number } | null;
  query(args: { tags: readonly string[]; from: number; to: number; maxPoints: number }): HistorySeries[];
  valueAt(args: { tags: readonly string[]; t: number; mode: 'previous' | 'linear' }): HistoryValueAt[];
  /** Each tag's newest stored sample (survives a restart; a tag that stopped reporting keeps its last). */
  lastValues(args: { tags: readonly string[] }): HistoryLastValue[];
  aggregate(args: { tags: readonly string[]; from: number; to: number; intervalMs: number; state?: number }): HistoryAggregate[];
  /** Raw samples of several tags, or resampled every stepMs (previous value held); for model fitting. */
  rangeRead(args: { tags: readonly string[]; from: number; to: number; stepMs?: number }): RangeSeries[];
  /** Write a CSV file; resolves with its row count, rejects with ExportCancelled when the signal aborts. */
  exportCsv(
    args: { tags: readonly string[]; from: number; to: number; intervalMs?: number },
    file: string,
    onProgress?: (fraction: number, rows: number) => void,
    signal?: AbortSignal,
  ): Promise<number>;
  /** Start an export job into `<dir>/exports/`; progress goes to onExport listeners. */
  startExport(args: { tags: readonly string[]; from: number; to: number; intervalMs?: number }): HistoryExportProgress;
  cancelExport(id: string): HistoryExportProgress;
  /**
   * A tag renamed by live configuration keeps its history: its row in the `tag` table takes the new
   * name (the stored series is keyed by that row's id), so history is asked and kept under the new name.
   */
  renameTag(from: string, to: string): void;
  /**
   * Live configuration: the bus's tag table changed or the historian's section did. New tags are
   * stored from their first sample, removed ones leave queries (their series stays in the file),
   * changed storage rules, retention, durability and size cap take effect; the writer commits what
   * it holds first and holds what arrives meanwhile, so no sample of any tag is lost. Resolves with
   * what it did, in a sentence.
   */
  retag(next: HistorianTable): Promise<string>;
  onExport(listener: (p: HistoryExportProgress) => void): () => void;
  /** The folder startExport writes into (export quotas and disk headroom are checked there). */
  readonly exportDir: string;
  readonly outbox: Outbox;
  readonly recovery: RecoveryReport;
  metrics(): HistoryMetrics;
  /** Drop data past retention now; resolves with the number of partitions dropped. */
  applyRetention(): Promise<number>;
  setMaxDbBytes(bytes: number | null): Promise<void>;
  close(): Promise<void>;
}

/** What `retag` is given: the bus's tags by id (removed ones included: ids keep their rows) and the section. */
export interface HistorianTable {
  tags: readonly TagInfo[];
  removed: (id: number) => boolean;
  retention?: RetentionConfig;
  deadband?: DeadbandConfig;
  durability?: Durability;
  /** Absent: the cap stays as it is; null: no cap. */
  maxDbBytes?: number | null;
}

const STAGE = 32_768;
const POST_EVERY_MS = 50;

class Staging {
  ids = new Uint32Array(STAGE);
  ts = new Float64Array(STAGE);
  values = new Float64Array(STAGE);
  quality = new Uint8Array(STAGE);
  n = 0;
}

class WorkerHistorian implements Historian {
  readonly outbox: Outbox;
  private stage = new Staging();
  /** Staged buffers waiting for a writer that is restarting. */
  private held: Staging[] = [];
  private heldSamples = 0;
  /** Samples posted to the current writer (its own counters start at zero). */
  private posted = 0;
  /** Samples committed by writers that have since been replaced. */
  private committedBase = 0;
  private readonly supervisor: WorkerSupervisor;
  /** The running writer; null while the supervisor restarts it. */
  private get worker(): Worker | null {
    return this.supervisor.worker;
  }
  private stats: WriterStats = { committed: 0, pending: 0, batchLatencyMs: 0, chunkBytes: 0, chunkSamples: 0, quarantined: 0 };
  private quarantinedBase = 0;
  /** Samples dropped (buffer full) as of the last commit() call. */
  private droppedAtLastCommit = 0;
  /** Why writes fail, for refusals (null while they work). */
  private failure: string | null = null;
  private dropped = 0;
  private dropping = false;
  private failing = false;
  private readonly rate: { t: number; committed: number }[] = [];
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (r: number | undefined) => void; reject: (e: Error) => void }>();
  private readonly postTimer: NodeJS.Timeout;
  private readonly retentionTimer: NodeJS.Timeout | null;
  private byName: Map<string, QueryTag>;
  /** Bus id by name of the tags stored (liveIds), for the rows of tags that appear after a retag. */
  private ids: Map<string, number>;
  private sidOf!: Statement;
  /** The tags by id the writer stores (removed ones included), and which of them were removed. */
  private tagList: readonly TagInfo[];
  private removed: (id: number) => boolean = () => false;
  /** Bumped by each retag: a writer started on an older table is sent the new one before anything else. */
  private table = 0;
  private readonly startedOn = new WeakMap<Worker, number>();
  private reader: StoreReader;
  /** Set while the writer could not even open the file (disk full at start): retries until it can. */
  private reopenTimer: NodeJS.Timeout | null = null;
  private reopening = false;
  private readonly exports = new Map<string, { progress: HistoryExportProgress; abort: AbortController }>();
  private readonly exportListeners = new Set<(p: HistoryExportProgress) => void>();
  private closed = false;

  constructor(
    private readonly opts: Required<Pick<HistorianOptions, 'dir' | 'maxBufferedSamples'>> & HistorianOptions,
    private readonly init: WriterInit,
    worker: Worker | null,
    private db: SqliteDatabase,
    private readonly file: string,
    readonly recovery: RecoveryReport,
    private policies: readonly TagPolicy[],
  ) {
    this.tagList = opts.tags.slice();
    this.ids = this.liveIds();
    this.reader = new StoreReader(db);
    this.sidOf = db.prepare('SELECT id FROM tag WHERE name = ?').pluck();
    this.byName = this.tagsIn();
    this.outbox = createOutbox(db, this.now);
    if (recovery.readOnly) {
      // Started without room to write: read-only until the writer has room again.
      this.failing = true;
      this.failure = `the historian is read-only (${recovery.readOnly})`;
    }
    this.supervisor = new WorkerSupervisor({
      name: 'historian writer',
      start: async () => {
        const table = this.table;
        const { worker } = await startWriter(this.init);
        this.startedOn.set(worker, table);
        return worker;
      },
      onStart: (w) => this.attach(w),
      onExit: (_w, why) => this.onExit(why),
      say: (level, message) => this.system(level, message),
    });
    if (worker) this.supervisor.adopt(worker);
    else {
      this.reopenTimer = setInterval(() => this.reopen(), REOPEN_MS);
      this.reopenTimer.unref();
    }
    this.postTimer = setInterval(() => this.post(), POST_EVERY_MS);
    this.postTimer.unref();
    const every = opts.retentionIntervalMs ?? 600_000;
    this.retentionTimer = every > 0 ? setInterval(() => void this.applyRetention().catch(() => undefined), every) : null;
    this.retentionTimer?.unref();
  }

  private readonly now = (): number => (this.opts.now ?? Date.now)();

  /** The bus id of each tag the historian stores (not removed), by name. */
  private liveIds(): Map<string, number> {
    const out = new Map<string, number>();
    this.tagList.forEach((t, id) => {
      if (!this.removed(id) && !out.has(t.name)) out.set(t.name, id);
    });
    return out;
  }

  /** Read `db` from now on: its reader and the tag-row statement go with it. */
  private useDb(db: SqliteDatabase): void {
    this.db = db;
    this.reader = new StoreReader(db);
    this.sidOf = db.prepare('SELECT id FROM tag WHERE name = ?').pluck();
  }

  /** The stored tags with a row in the file. A tag the writer has not stored yet has none: it is added once the writer has it. */
  private tagsIn(): Map<string, QueryTag> {
    const out = new Map<string, QueryTag>();
    for (const [name, id] of this.ids) {
      const t = this.rowOf(name, id);
      if (t) out.set(name, t);
    }
    return out;
  }

  private rowOf(name: string, id: number): QueryTag | undefined {
    const sid = this.sidOf.get(name) as number | undefined;
    return sid === undefined ? undefined : { name, sid, policy: this.policies[id] as TagPolicy };
  }

  /**
   * Started without a writer (the disk was too full to open the file): once there is room, the
   * read-only connection (which holds the file) is closed, the writer opens the file, and recording
   * resumes with what was held in memory meanwhile.
   */
  private reopen(): void {
    if (this.reopening || this.closed || !hasRoom(this.opts.dir)) return;
    this.reopening = true;
    this.db.close();
    startWriter(this.init).then(
      ({ worker, recovery }) => {
        this.reopening = false;
        this.useDb(openSqlite(this.file, { whenFull: 'throw' }));
        this.byName = this.tagsIn();
        if (this.closed) {
          void worker.terminate();
          return;
        }
        if (this.reopenTimer) clearInterval(this.reopenTimer);
        this.reopenTimer = null;
        this.failing = recovery.readOnly !== null && recovery.readOnly !== undefined;
        this.failure = this.failing ? `the historian is read-only (${recovery.readOnly})` : null;
        this.supervisor.adopt(worker);
        this.system('info', 'historian opened its file again: there is room; recording resumes');
      },
      () => {
        this.reopening = false;
        this.useDb(openReadOnlyWithoutShm(this.file));
      },
    );
  }

  /** A writer (first or replacement) is up: what was staged while it restarted goes to it first. */
  private attach(w: Worker): void {
    w.on('message', (m: FromWriter) => this.onMessage(m));
    // Started before a retag changed the table: it learns the table before any sample of a new tag.
    const started = this.startedOn.get(w);
    if (started !== undefined && started !== this.table) this.sendTable(w, this.nextId++);
    for (const s of this.held.splice(0)) this.send(s, w);
    this.heldSamples = 0;
  }

  /** A writer that dies is restarted by the supervisor; what it had not committed is lost and counted as dropped. */
  private onExit(why: string): string | undefined {
    for (const p of this.waiting.values()) p.reject(new Error(`historian writer exited (${why})`));
    this.waiting.clear();
    if (this.closed) return undefined;
    const lost = this.posted - this.stats.committed;
    this.dropped += lost;
    this.committedBase += this.stats.committed;
    this.quarantinedBase += this.stats.quarantined;
    this.posted = 0;
    this.stats = { committed: 0, pending: 0, batchLatencyMs: 0, chunkBytes: 0, chunkSamples: 0, quarantined: 0 };
    this.rate.length = 0;
    return `${lost} uncommitted samples lost`;
  }

  private system(level: SystemMessage['level'], message: string): void {
    this.opts.onSystemMessage?.({ level, source: 'historian', message, timestamp: new Date(this.now()).toISOString() });
  }

  private onMessage(m: FromWriter): void {
    if (m.type === 'committed') {
      this.stats = m.stats;
      const t = Date.now();
      this.rate.push({ t, committed: this.committedBase + m.stats.committed });
      while (this.rate.length > 2 && t - (this.rate[0] as { t: number }).t > 5000) this.rate.shift();
      this.failing = false;
      this.failure = null;
    } else if (m.type === 'system') {
      if (m.failing !== undefined) {
        this.failing = m.failing;
        this.failure = m.failing ? m.message : null;
      }
      this.system(m.level, m.message);
    } else if (m.type === 'done') {
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.error === null) w?.resolve(m.result);
      else w?.reject(new Error(m.error));
    }
  }

  private request(m: ToWriter & { id: number }): Promise<number | undefined> {
    const w = this.worker;
    if (!w) return Promise.reject(new Error('historian writer is restarting'));
    return new Promise((resolve, reject) => {
      this.waiting.set(m.id, { resolve, reject });
      w.postMessage(m);
    });
  }

  ingest(batch: SampleBatch): void {
    if (this.closed) return;
    const inFlight = this.queued();
    if (inFlight + batch.length > this.opts.maxBufferedSamples) {
      this.dropped += batch.length;
      if (!this.dropping) {
        this.dropping = true;
        this.system('error', `historian buffer full (${this.opts.maxBufferedSamples} samples waiting): new samples are being dropped`);
      }
      return;
    }
    if (this.dropping) {
      this.dropping = false;
      this.system('warning', `historian accepts samples again; ${this.dropped} samples were dropped in total`);
    }
    let i = 0;
    while (i < batch.length) {
      const s = this.stage;
      const k = Math.min(batch.length - i, STAGE - s.n);
      s.ids.set(batch.ids.subarray(i, i + k), s.n);
      s.ts.set(batch.ts.subarray(i, i + k), s.n);
      s.values.set(batch.values.subarray(i, i + k), s.n);
      s.quality.set(batch.quality.subarray(i, i + k), s.n);
      s.n += k;
      i += k;
      if (s.n === STAGE) this.post();
    }
  }

  /** Samples accepted and not yet committed: staged, held for a restarting writer, or queued. */
  private queued(): number {
    return this.posted - this.stats.committed + this.stage.n + this.heldSamples;
  }

  private post(): void {
    const s = this.stage;
    if (s.n === 0 || this.closed) return;
    this.stage = new Staging();
    if (this.worker) this.send(s, this.worker);
    else {
      this.held.push(s);
      this.heldSamples += s.n;
    }
  }

  private send(s: Staging, w: Worker): void {
    const m: ToWriter = { type: 'batch', n: s.n, ids: s.ids, ts: s.ts, values: s.values, quality: s.quality };
    w.postMessage(m, [s.ids.buffer, s.ts.buffer, s.values.buffer, s.quality.buffer]);
    this.posted += s.n;
  }

  async flush(): Promise<void> {
    this.post();
    await this.request({ type: 'flush', id: this.nextId++ });
  }

  commit(): Promise<void> {
    // Each caller's samples and its flush go to the writer at once, without waiting for a commit in
    // progress: the writer commits every flush that arrived while it was busy in one transaction
    // (group commit on its side), so it never waits for this thread between commits.
    // Samples dropped since the previous call may be this caller's: then it is not acknowledged.
    const droppedBefore = this.droppedAtLastCommit;
    this.droppedAtLastCommit = this.dropped;
    return this.flush().then(() => {
      if (this.dropped > droppedBefore)
        throw new Error(`the historian's buffer was full and ${this.dropped - droppedBefore} samples were dropped`);
    });
  }

  refuse(n: number): { message: string; retryAfterS?: number } | null {
    if (this.closed) return { message: 'the historian is closing' };
    if (this.failing) return { message: this.failure ?? 'the historian cannot write' };
    if (!this.worker) return { message: 'the historian writer is restarting' };
    const queued = this.queued();
    if (queued + n > this.opts.maxBufferedSamples) {
      return { message: `the historian's buffer is full (${queued} of ${this.opts.maxBufferedSamples} samples waiting)`, retryAfterS: 1 };
    }
    return null;
  }

  private tag(name: string): QueryTag {
    const t = this.byName.get(name) ?? this.rowOfNewTag(name);
    if (!t) throw new RangeError(`unknown tag "${name}"`);
    return t;
  }

  /** A tag retag added whose row the writer made after the retag answered (it held the change while writes failed). */
  private rowOfNewTag(name: string): QueryTag | undefined {
    const id = this.ids.get(name);
    const t = id === undefined ? undefined : this.rowOf(name, id);
    if (t) this.byName.set(name, t);
    return t;
  }

  renameTag(from: string, to: string): void {
    const t = this.tag(from);
    if (this.byName.has(to)) throw new Error(`the historian already keeps a tag named ${to}`);
    this.db.prepare('UPDATE tag SET name = ? WHERE id = ?').run(to, t.sid);
    this.byName.delete(from);
    this.byName.set(to, { ...t, name: to });
    const id = this.ids.get(from);
    this.ids.delete(from);
    if (id !== undefined) this.ids.set(to, id);
    // A restarted writer maps the table's names to rows again: it must find the new one.
    const i = this.init.tagNames.indexOf(from);
    if (i >= 0) this.init.tagNames[i] = to;
  }

  private sendTable(w: Worker, id: number): void {
    const m: ToWriter = { type: 'retag', id, tagNames: this.init.tagNames, policies: this.init.policies, durability: this.init.durability };
    w.postMessage(m);
  }

  async retag(next: HistorianTable): Promise<string> {
    const policies = resolvePolicies(next.tags, next.retention, next.deadband);
    const names = next.tags.map((t) => t.name);
    const durability = next.durability ?? 'normal';
    const added = names.length - this.init.tagNames.length;
    const rulesChanged = JSON.stringify(policies.slice(0, this.init.policies.length)) !== JSON.stringify(this.init.policies);
    const durabilityChanged = durability !== this.init.durability;
    const removedBefore = this.tagList.filter((_, id) => this.removed(id)).length;
    this.tagList = next.tags.slice();
    this.removed = next.removed;
    this.ids = this.liveIds();
    this.policies = policies;
    const said: string[] = [];
    if (added > 0 || rulesChanged || durabilityChanged) {
      this.init.tagNames = names;
      this.init.policies = policies;
      this.init.durability = durability;
      this.table++;
      this.post(); // staged samples (of the table before) go first
      const w = this.worker;
      if (w) {
        const id = this.nextId++;
        const done = new Promise<number | undefined>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
        this.sendTable(w, id);
        try {
          await done;
        } catch (err) {
          said.push(`the writer holds the change until it can write (${describeError(err)})`);
        }
      } else said.push('the writer, restarting, opens with the new tag table');
      if (added > 0) said.push(added === 1 ? '1 new tag stored from its first sample' : `${added} new tags stored from their first sample`);
      if (rulesChanged) said.push('storage rules and retention applied from the next sample');
      if (durabilityChanged) said.push(`durability ${durability}`);
    }
    const cap = next.maxDbBytes === undefined ? this.init.maxDbBytes : next.maxDbBytes;
    if (cap !== this.init.maxDbBytes) {
      await this.setMaxDbBytes(cap);
      said.push(cap === null ? 'no size cap' : `size cap ${(cap / 1048576).toFixed(0)} MB`);
    }
    const removedNow = next.tags.filter((_, id) => next.removed(id)).length - removedBefore;
    if (removedNow > 0)
      said.push(
        removedNow === 1
          ? '1 removed tag no longer stored (its history stays in the file)'
          : `${removedNow} removed tags no longer stored (their history stays in the file)`,
      );
    this.byName = this.tagsIn();
    return said.length > 0 ? said.join('; ') : 'the tags it stores did not change';
  }

  query(args: { tags: readonly string[]; from: number; to: number; maxPoints: number }): HistorySeries[] {
    const now = this.now();
    return args.tags.map((name) => trend(this.reader, this.tag(name), args.from, args.to, args.maxPoints, now));
  }

  valueAt(args: { tags: readonly string[]; t: number; mode: 'previous' | 'linear' }): HistoryValueAt[] {
    return args.tags.map((name) => valueAt(this.reader, this.tag(name), args.t, args.mode));
  }

  lastValues(args: { tags: readonly string[] }): HistoryLastValue[] {
    return lastValues(
      this.reader,
      args.tags.map((name) => this.tag(name)),
    );
  }

  aggregate(args: { tags: readonly string[]; from: number; to: number; intervalMs: number; state?: number }): HistoryAggregate[] {
    const now = this.now();
    return args.tags.map((name) => aggregate(this.reader, this.tag(name), args.from, args.to, args.intervalMs, args.state ?? null, now));
  }

  rangeRead(args: { tags: readonly string[]; from: number; to: number; stepMs?: number }): RangeSeries[] {
    return rangeRead(
      this.reader,
      args.tags.map((n) => this.tag(n)),
      args.from,
      args.to,
      args.stepMs ?? null,
    );
  }

  exportCsv(
    args: { tags: readonly string[]; from: number; to: number; intervalMs?: number },
    file: string,
    onProgress: (fraction: number, rows: number) => void = () => undefined,
    signal?: AbortSignal,
  ): Promise<number> {
    const tags = args.tags.map((n) => this.tag(n));
    return exportCsv(this.reader, { ...args, tags }, file, this.now(), onProgress, signal);
  }

  startExport(args: { tags: readonly string[]; from: number; to: number; intervalMs?: number }): HistoryExportProgress {
    for (const n of args.tags) this.tag(n);
    const id = `export-${this.now()}-${this.nextId++}`;
    const dir = path.join(this.opts.dir, 'exports');
    mkdirSync(dir, { recursive: true });
    const progress: HistoryExportProgress = { id, state: 'running', progress: 0, rows: 0, file: path.join(dir, `${id}.csv`), error: null };
    const abort = new AbortController();
    this.exports.set(id, { progress, abort });
    const emit = () => {
      for (const l of this.exportListeners) l({ ...progress });
    };
    let lastEmit = 0;
    this.exportCsv(
      args,
      progress.file,
      (fraction, rows) => {
        progress.progress = fraction;
        progress.rows = rows;
        const t = Date.now();
        if (t - lastEmit >= 200) {
          lastEmit = t;
          emit();
        }
      },
      abort.signal,
    ).then(
      () => {
        progress.state = 'done';
        progress.progress = 1;
        emit();
      },
      (err: Error) => {
        progress.state = err instanceof ExportCancelled ? 'cancelled' : 'failed';
        progress.error = err instanceof ExportCancelled ? null : err.message;
        emit();
      },
    );
    return { ...progress };
  }

  cancelExport(id: string): HistoryExportProgress {
    const job = this.exports.get(id);
    if (!job) throw new RangeError(`no export "${id}"`);
    job.abort.abort();
    return { ...job.progress };
  }

  get exportDir(): string {
    return path.join(this.opts.dir, 'exports');
  }

  onExport(listener: (p: HistoryExportProgress) => void): () => void {
    this.exportListeners.add(listener);
    return () => this.exportListeners.delete(listener);
  }

  metrics(): HistoryMetrics {
    const first = this.rate[0];
    const last = this.rate[this.rate.length - 1];
    const dt = first && last ? (last.t - first.t) / 1000 : 0;
    let dbBytes = 0;
    for (const ext of ['', '-wal']) {
      try {
        dbBytes += statSync(this.file + ext).size;
      } catch {
        // no WAL yet
      }
    }
    return {
      queueDepth: this.queued(),
      batchLatencyMs: this.stats.batchLatencyMs,
      samplesPerSecond: first && last && dt > 0 ? (last.committed - first.committed) / dt : 0,
      bytesPerSample: this.stats.chunkSamples > 0 ? this.stats.chunkBytes / this.stats.chunkSamples : 0,
      committedSamples: this.committedBase + this.stats.committed,
      droppedSamples: this.dropped,
      writeFailing: this.failing,
      quarantinedSamples: this.quarantinedBase + this.stats.quarantined,
      dbBytes,
    };
  }

  async applyRetention(): Promise<number> {
    return (await this.request({ type: 'retention', id: this.nextId++, now: this.now() })) ?? 0;
  }

  async setMaxDbBytes(bytes: number | null): Promise<void> {
    this.init.maxDbBytes = bytes;
    await this.request({ type: 'quota', id: this.nextId++, maxDbBytes: bytes });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.post();
    this.closed = true;
    clearInterval(this.postTimer);
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    this.supervisor.stop();
    if (this.reopenTimer) clearInterval(this.reopenTimer);
    for (const job of this.exports.values()) job.abort.abort();
    const w = this.worker;
    if (!w) {
      this.db.close();
      return;
    }
    const exited = new Promise((resolve) => w.once('exit', resolve));
    try {
      await this.request({ type: 'close', id: this.nextId++ });
    } finally {
      this.db.close();
      await exited;
    }
  }
}

const REOPEN_MS = 2000;

class WriterOpenError extends Error {
  constructor(
    message: string,
    readonly noRoom: boolean,
  ) {
    super(message);
  }
}

/** Whether the historian's disk has room to open and write its file (1 MB, as the writer judges). */
function hasRoom(dir: string): boolean {
  try {
    const fs = statfsSync(dir);
    return fs.bavail * fs.bsize >= 1 << 20;
  } catch {
    return true;
  }
}

/**
 * Read the file on a disk too full for SQLite's shared-memory index (-shm): in exclusive locking
 * mode SQLite keeps that index in heap memory. The connection holds the file, so it is closed
 * before a writer opens it. A file that does not exist yet reads as an empty historian.
 */
function openReadOnlyWithoutShm(file: string): SqliteDatabase {
  try {
    return openWithoutShm(file);
  } catch {
    const db = openSqlite(':memory:');
    migrate(db, HISTORIAN_MIGRATIONS, MIGRATIONS_TABLE);
    return db;
  }
}

/** Start a writer thread and wait until it has opened (and if need be recovered) the file. */
async function startWriter(init: WriterInit): Promise<{ worker: Worker; recovery: RecoveryReport }> {
  const worker = startWorker('historian/writer', { workerData: init });
  // Only this function's own listeners are removed afterwards: Worker keeps internal ones.
  let onMessage: (m: FromWriter) => void = () => undefined;
  let onError: (err: Error) => void = () => undefined;
  let onExit: (code: number) => void = () => undefined;
  const recovery = await new Promise<RecoveryReport>((resolve, reject) => {
    onMessage = (m) => {
      if (m.type === 'ready') resolve(m.recovery);
      else if (m.type === 'fatal') reject(new WriterOpenError(`historian failed to open ${init.file}: ${m.message}`, m.noRoom));
    };
    onError = reject;
    onExit = (code) => reject(new Error(`historian writer exited with code ${code}`));
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  }).finally(() => {
    worker.off('message', onMessage);
    worker.off('error', onError);
    worker.off('exit', onExit);
  });
  return { worker, recovery };
}

export async function openHistorian(opts: HistorianOptions): Promise<Historian> {
  mkdirSync(opts.dir, { recursive: true });
  const file = path.join(opts.dir, 'historian.db');
  const policies = resolvePolicies(opts.tags, opts.retention, opts.deadband);
  const init: WriterInit = {
    file,
    tagNames: opts.tags.map((t) => t.name),
    policies,
    flushIntervalMs: opts.flushIntervalMs ?? 250,
    maxBatchSamples: 250_000,
    deflateLevel: opts.deflateLevel ?? 1,
    maxDbBytes: opts.maxDbBytes ?? null,
    durability: opts.durability ?? 'normal',
  };
  let started: { worker: Worker; recovery: RecoveryReport } | null = null;
  let noRoom: string | null = null;
  try {
    started = await startWriter(init);
  } catch (err) {
    // A disk too full even to open the file: start without a writer (read-only) rather than not at all.
    if (!(err instanceof WriterOpenError && err.noRoom)) throw err;
    noRoom = err.message;
  }
  const db = started ? openSqlite(file, { whenFull: 'throw' }) : openReadOnlyWithoutShm(file);
  const recovery: RecoveryReport = started?.recovery ?? {
    integrity: 'not checked (the file could not be opened for writing)',
    quarantined: null,
    damage: null,
    segmentsMerged: 0,
    samplesRecovered: 0,
    recoveryDeferred: null,
    readOnly: noRoom,
  };
  const h = new WorkerHistorian({ maxBufferedSamples: 2_000_000, ...opts }, init, started?.worker ?? null, db, file, recovery, policies);
  const say = opts.onSystemMessage;
  const now = opts.now ?? Date.now;
  if (recovery.damage) {
    // Loud on every channel: the log (even before any listener runs), and a system alarm through the core.
    logger('historian')('error', `historian database damaged: ${recovery.damage}`);
    say?.({
      level: 'error',
      source: 'historian',
      message: `historian database damaged: ${recovery.damage}`,
      timestamp: new Date(now()).toISOString(),
    });
  }
  if (say && recovery.readOnly) {
    say({
      level: 'error',
      source: 'historian',
      message: `historian started read-only: ${file} cannot be written (${recovery.readOnly}); history stays readable, new samples are held in memory and recording resumes by itself when space returns`,
      timestamp: new Date(now()).toISOString(),
    });
  }
  if (say && recovery.segmentsMerged > 0) {
    say({
      level: 'info',
      source: 'historian',
      message: `historian recovered ${recovery.samplesRecovered} samples from ${recovery.segmentsMerged} segments after an unclean stop`,
      timestamp: new Date(now()).toISOString(),
    });
  }
  return h;
}
