// The uplink's durable queue in sync.db. enqueue() only pushes to memory (it never blocks the
// caller); the buffer is written in one transaction per event-loop turn. Rows are read per stream
// in id order (order per stream is what upstream relies on) and deleted once acknowledged.
// Bound: past maxBacklog rows, droppable streams are thinned oldest first (raw, aggregates,
// predictions, ESG; within a stream the least urgent priority first); alarms and events never.
import { randomBytes } from 'node:crypto';
import { migrate } from '../util/migrate.js';
import { openSqlite, type SqliteDatabase, storageFault } from '../util/sqlite.js';
import { SYNC_STREAMS, type SyncStream } from './config.js';
import init from './migrations/001_init.js';
import downlink from './migrations/002_downlink.js';

export interface OutboxRow {
  id: number;
  createdAt: number;
  /** The JSON text as enqueued. */
  payload: string;
}

export interface OutboxBatch {
  stream: SyncStream;
  rows: OutboxRow[];
  bytes: number;
}

/** Thinned first → last. Alarms and events are not in the list: they are never dropped. */
const THIN_ORDER: readonly SyncStream[] = ['raw', 'aggregates', 'predictions', 'esg'];
/** Rows held in memory while the disk refuses writes, before droppable ones are let go. */
const MAX_BUFFERED = 200_000;

export interface SyncOutboxOptions {
  file: string;
  maxBacklog: number;
  now: () => number;
  /** Called (once per episode) when the bound is reached and rows were thinned. */
  onBound(dropped: number, backlog: number): void;
  onWriteError(err: Error): void;
}

export class SyncOutbox {
  /** Shared with the downlink's package table (one sync.db). */
  readonly db: SqliteDatabase;
  private buffer: { stream: SyncStream; priority: number; createdAt: number; payload: string }[] = [];
  private flushScheduled = false;
  /** State values to write with the buffered rows (setStateWithQueued). */
  private readonly pendingState = new Map<string, string>();
  private readonly counts = new Map<SyncStream, number>(SYNC_STREAMS.map((s) => [s, 0]));
  private boundEpisode = false;
  /** Rows dropped by the backlog bound since the file was created. */
  dropped = 0;
  /** A random id per sync.db: with the row id it names a message for good, across restarts. */
  readonly epoch: string;
  private readonly stmts;

  constructor(private readonly opts: SyncOutboxOptions) {
    this.db = openSqlite(opts.file);
    // A disk full at start: the outbox still opens (read-only, or in memory when sync.db is new),
    // queued messages stay in memory and are written by the next flush once there is room.
    const fault = storageFault(this.db);
    // Reported once the owner has finished constructing (its handler may not be ready yet).
    if (fault) queueMicrotask(() => opts.onWriteError(new Error(fault.message)));
    migrate(
      this.db,
      [
        { id: '001_init', sql: init },
        { id: '002_downlink', sql: downlink },
      ],
      'sync_migrations',
    );
    const db = this.db;
    this.stmts = {
      insert: db.prepare('INSERT INTO outbox (stream, priority, created_at, payload) VALUES (?, ?, ?, ?)'),
      head: db.prepare('SELECT id, priority FROM outbox WHERE stream = ? AND id > ? ORDER BY id LIMIT 1'),
      rows: db.prepare('SELECT id, created_at, payload FROM outbox WHERE stream = ? AND id > ? ORDER BY id LIMIT ?'),
      del: db.prepare('DELETE FROM outbox WHERE id = ?'),
      thin: db.prepare('DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE stream = ? ORDER BY priority DESC, id LIMIT ?)'),
      getState: db.prepare('SELECT value FROM sync_state WHERE key = ?'),
      setState: db.prepare('INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    };
    for (const r of db.prepare('SELECT stream, COUNT(*) AS n FROM outbox GROUP BY stream').all() as { stream: SyncStream; n: number }[]) {
      this.counts.set(r.stream, r.n);
    }
    this.epoch = this.state('epoch') ?? this.setState('epoch', randomBytes(6).toString('hex'));
    this.dropped = Number(this.state('dropped') ?? 0);
  }

  state(key: string): string | undefined {
    return this.pendingState.get(key) ?? (this.stmts.getState.get(key) as { value: string } | undefined)?.value;
  }

  /**
   * Set a state value in the same transaction as the rows enqueued before it: a feed's resume mark
   * then never gets ahead of (or behind) what it queued, whatever moment the process dies.
   */
  setStateWithQueued(key: string, value: string): void {
    this.pendingState.set(key, value);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  setState(key: string, value: string): string {
    this.stmts.setState.run(key, value);
    return value;
  }

  enqueue(stream: SyncStream, payload: unknown, priority: number): void {
    this.buffer.push({ stream, priority, createdAt: this.opts.now(), payload: JSON.stringify(payload) });
    if (this.buffer.length > MAX_BUFFERED) this.shedBuffer();
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Write the buffered rows in one transaction; on failure they stay buffered for the next try. */
  flush(): void {
    this.flushScheduled = false;
    if (this.buffer.length === 0 && this.pendingState.size === 0) return;
    const rows = this.buffer;
    const state = [...this.pendingState];
    try {
      this.db.transaction(() => {
        for (const r of rows) this.stmts.insert.run(r.stream, r.priority, r.createdAt, r.payload);
        for (const [key, value] of state) this.stmts.setState.run(key, value);
      })();
    } catch (err) {
      this.opts.onWriteError(err as Error);
      return;
    }
    this.buffer = [];
    for (const [key, value] of state) if (this.pendingState.get(key) === value) this.pendingState.delete(key);
    for (const r of rows) this.counts.set(r.stream, (this.counts.get(r.stream) ?? 0) + 1);
    this.enforceBound();
  }

  private shedBuffer(): void {
    const i = this.buffer.findIndex((r) => THIN_ORDER.includes(r.stream));
    if (i < 0) return;
    this.buffer.splice(i, 1);
    this.dropped++;
  }

  private enforceBound(): void {
    let excess = this.backlogTotal() - this.opts.maxBacklog;
    if (excess <= 0) {
      if (this.backlogTotal() < this.opts.maxBacklog * 0.9) this.boundEpisode = false;
      return;
    }
    let dropped = 0;
    this.db.transaction(() => {
      for (const stream of THIN_ORDER) {
        if (excess <= 0) break;
        const n = this.stmts.thin.run(stream, excess).changes;
        this.counts.set(stream, (this.counts.get(stream) ?? 0) - n);
        excess -= n;
        dropped += n;
      }
      this.dropped += dropped;
      this.setState('dropped', String(this.dropped));
    })();
    if (dropped > 0 && !this.boundEpisode) {
      this.boundEpisode = true;
      this.opts.onBound(dropped, this.backlogTotal());
    }
  }

  /**
   * The next batch to send: from the stream whose first unsent row is most urgent (lowest
   * priority number, then oldest), rows after `sent[stream]` in id order, within the limits.
   */
  next(
    sent: ReadonlyMap<SyncStream, number>,
    maxMessages: number,
    maxBytes: number,
    skip: ReadonlySet<SyncStream> = new Set(),
  ): OutboxBatch | null {
    let best: { stream: SyncStream; priority: number; id: number } | null = null;
    for (const stream of SYNC_STREAMS) {
      if (skip.has(stream) || (this.counts.get(stream) ?? 0) === 0) continue;
      const h = this.stmts.head.get(stream, sent.get(stream) ?? 0) as { id: number; priority: number } | undefined;
      if (h && (!best || h.priority < best.priority || (h.priority === best.priority && h.id < best.id))) best = { stream, ...h };
    }
    if (!best) return null;
    const raw = this.stmts.rows.all(best.stream, sent.get(best.stream) ?? 0, maxMessages) as {
      id: number;
      created_at: number;
      payload: string;
    }[];
    const rows: OutboxRow[] = [];
    let bytes = 0;
    for (const r of raw) {
      if (rows.length > 0 && bytes + r.payload.length > maxBytes) break;
      rows.push({ id: r.id, createdAt: r.created_at, payload: r.payload });
      bytes += r.payload.length;
    }
    return { stream: best.stream, rows, bytes };
  }

  /** The broker has these rows: forget them. */
  ack(stream: SyncStream, ids: readonly number[]): void {
    const n = this.db.transaction(() => ids.reduce((sum, id) => sum + this.stmts.del.run(id).changes, 0))();
    this.counts.set(stream, (this.counts.get(stream) ?? 0) - n);
    if (this.backlogTotal() < this.opts.maxBacklog * 0.9) this.boundEpisode = false;
  }

  backlog(): Record<SyncStream, number> {
    const buffered = new Map<SyncStream, number>();
    for (const r of this.buffer) buffered.set(r.stream, (buffered.get(r.stream) ?? 0) + 1);
    return Object.fromEntries(SYNC_STREAMS.map((s) => [s, (this.counts.get(s) ?? 0) + (buffered.get(s) ?? 0)])) as Record<
      SyncStream,
      number
    >;
  }

  backlogTotal(): number {
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }

  close(): void {
    this.flush();
    this.db.close();
  }
}
