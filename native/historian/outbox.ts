// The sync uplink's durable queue: append-only rows, acknowledged by id once the broker has them.
import type { SqliteDatabase } from '../util/sqlite.js';

export interface OutboxRow {
  id: number;
  stream: string;
  createdAt: number;
  payload: unknown;
}

export interface Outbox {
  /** Append one message; returns its id. Throws when the disk is full (the caller keeps it). */
  append(stream: string, payload: unknown): number;
  /** Unacknowledged rows, oldest first. */
  pending(limit: number, stream?: string): OutboxRow[];
  /** Acknowledge rows by id. Returns how many were newly acknowledged. */
  ack(ids: readonly number[]): number;
  /** Delete acknowledged rows older than `before` (ms); returns how many. */
  prune(before: number): number;
}

export function createOutbox(db: SqliteDatabase, now: () => number): Outbox {
  const insert = db.prepare('INSERT INTO outbox (stream, created_at, payload) VALUES (?, ?, ?)');
  const all = db.prepare('SELECT id, stream, created_at, payload FROM outbox WHERE acked = 0 ORDER BY id LIMIT ?');
  const byStream = db.prepare('SELECT id, stream, created_at, payload FROM outbox WHERE acked = 0 AND stream = ? ORDER BY id LIMIT ?');
  const ack = db.prepare('UPDATE outbox SET acked = 1 WHERE id = ? AND acked = 0');
  const prune = db.prepare('DELETE FROM outbox WHERE acked = 1 AND created_at < ?');
  type Row = { id: number; stream: string; created_at: number; payload: string };
  const toRow = (r: Row): OutboxRow => ({ id: r.id, stream: r.stream, createdAt: r.created_at, payload: JSON.parse(r.payload) as unknown });
  return {
    append: (stream, payload) => Number(insert.run(stream, now(), JSON.stringify(payload)).lastInsertRowid),
    pending: (limit, stream) => ((stream === undefined ? all.all(limit) : byStream.all(stream, limit)) as Row[]).map(toRow),
    ack: (ids) => db.transaction(() => ids.reduce((n, id) => n + ack.run(id).changes, 0))(),
    prune: (before) => prune.run(before).changes,
  };
}
