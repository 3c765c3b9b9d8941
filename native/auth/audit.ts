// The audit trail: who did what, when, to what, with which result. Append-only and hash-chained:
// each entry's hash covers its own fields and the previous entry's hash, so changing, removing or
// inserting any entry breaks every link after it. verify() walks the chain. What a chain cannot
// show is the newest entries being cut off; the head hash (returned by verify) is meant to be
// recorded elsewhere — the sync uplink, a printed report — for that. The chain is plain SHA-256 over
// the stored fields, so an auditor can recompute it from the CSV export without the console.
import { createHash } from 'node:crypto';
import type { AuditEntry, AuditVerifyResult } from '../api/auth-requests.js';
import { toCsv } from '../util/csv.js';
import { logger, RepeatedFault } from '../util/log.js';
import { migrate } from '../util/migrate.js';
import { runToEnd } from '../util/sliced.js';
import type { SqliteDatabase } from '../util/sqlite.js';
import { WriteRetry } from '../util/write-retry.js';
import { auditMigrations } from './migrations/index.js';

export type AuditResult = AuditEntry['result'];

export interface AuditInput {
  actor: string | null;
  /** Transport the action came through: ipc, http, ws, internal, cli. */
  origin?: string;
  /** The request name or event, e.g. "tags.write", "auth.login". */
  action: string;
  /** What was acted on: a tag path, a user name, a model id. */
  target?: string;
  /** Old and new value, diff, reason. Never secrets: callers pass names, not passwords. */
  details?: Record<string, unknown>;
  result?: AuditResult;
  /** ms since epoch; the log's clock when omitted. */
  ts?: number;
}

export interface AuditQuery {
  from?: number;
  to?: number;
  actor?: string;
  action?: string;
  target?: string;
  result?: AuditResult;
  limit?: number;
  beforeId?: number;
}

export interface AuditLog {
  /**
   * The entry as stored; null when the file refused the write (disk full): the entry is then held in
   * memory with its time, and written in order, chained, with the next append or a retry every few
   * seconds once there is room.
   */
  append(entry: AuditInput): AuditEntry | null;
  /** Entries held because the file refused them (see append). */
  held(): number;
  /** Stop retrying; entries still held are logged as lost. */
  close(): void;
  verify(): AuditVerifyResult;
  /** Newest first. */
  query(q?: AuditQuery): AuditEntry[];
  /** Oldest first, with hashes, for an auditor's spreadsheet. */
  exportCsv(q?: Omit<AuditQuery, 'limit' | 'beforeId'>): string;
  /** The same CSV as steps of 2,000 entries, for runSliced (a long trail takes seconds to format). */
  exportCsvSteps(q?: Omit<AuditQuery, 'limit' | 'beforeId'>): Generator<void, string>;
}

export interface AuditOptions {
  now?: () => number;
}

const GENESIS = '0'.repeat(64);

/** Longest target kept whole (a tag path, a user, a list of alarm ids); longer ones are cut with a marker. */
export const MAX_TARGET_CHARS = 1024;
/** Longest details text (JSON) kept whole; longer details are replaced by their head and a marker. */
export const MAX_DETAILS_CHARS = 16 * 1024;

/** `text` cut to `max` characters, ending in a marker that says how long it was. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = `…(truncated, ${text.length} characters)`;
  return text.slice(0, Math.max(0, max - marker.length)) + marker;
}

// Whatever a caller passes, one entry stays small: a request naming a 4 MB tag must not store 4 MB
// (twice, with the error message) in the trail.
function boundedDetails(details: Record<string, unknown>): string {
  const text = JSON.stringify(details);
  if (text.length <= MAX_DETAILS_CHARS) return text;
  return JSON.stringify({ truncated: `${text.length} characters`, head: text.slice(0, MAX_DETAILS_CHARS / 2) });
}

interface Row {
  id: number;
  ts: number;
  actor: string;
  origin: string;
  action: string;
  target: string;
  details: string;
  result: AuditResult;
  prev_hash: string;
  hash: string;
}

function toEntry(r: Row): AuditEntry {
  let details: Record<string, unknown>;
  try {
    details = JSON.parse(r.details) as Record<string, unknown>;
  } catch {
    details = { unreadable: r.details };
  }
  return {
    id: r.id,
    ts: r.ts,
    actor: r.actor,
    origin: r.origin,
    action: r.action,
    target: r.target,
    details,
    result: r.result,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** Entries held in memory while the file refuses writes; past it the oldest are dropped (counted, logged). */
const MAX_HELD_AUDIT = 100_000;

export function openAuditLog(db: SqliteDatabase, opts: AuditOptions = {}): AuditLog {
  migrate(db, auditMigrations, 'audit_migrations');
  const now = opts.now ?? Date.now;
  const digest = (r: Omit<Row, 'hash'>): string => {
    // The stored text of `details` is hashed, not a re-serialisation, so verification does not
    // depend on how a later Node version orders or formats JSON.
    const material = JSON.stringify([r.id, r.ts, r.actor, r.origin, r.action, r.target, r.details, r.result, r.prev_hash]);
    return createHash('sha256').update(material).digest('hex');
  };

  const last = db.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1');
  const insert = db.prepare(
    'INSERT INTO audit_log (id, ts, actor, origin, action, target, details, result, prev_hash, hash) VALUES (@id, @ts, @actor, @origin, @action, @target, @details, @result, @prev_hash, @hash)',
  );
  // Reading the head and inserting after it in one transaction keeps the chain linear even if two
  // connections append to the same file.
  const appendTx = db.transaction((input: AuditInput): AuditEntry => {
    const head = last.get() as { id: number; hash: string } | undefined;
    const row: Omit<Row, 'hash'> = {
      id: (head?.id ?? 0) + 1,
      ts: input.ts ?? now(),
      origin: input.origin ?? 'internal',
      action: input.action,
      actor: truncateText(input.actor ?? '(anonymous)', MAX_TARGET_CHARS),
      target: truncateText(input.target ?? '', MAX_TARGET_CHARS),
      details: boundedDetails(input.details ?? {}),
      result: input.result ?? 'ok',
      prev_hash: head?.hash ?? GENESIS,
    };
    const full: Row = { ...row, hash: digest(row) };
    insert.run(full);
    return toEntry(full);
  });

  const where = (q: AuditQuery): { sql: string; params: Record<string, unknown> } => {
    const clauses: string[] = [];
    const params: Record<string, unknown> = {};
    const add = (clause: string, name: string, value: unknown) => {
      clauses.push(clause);
      params[name] = value;
    };
    if (q.from !== undefined) add('ts >= @from', 'from', q.from);
    if (q.to !== undefined) add('ts < @to', 'to', q.to);
    if (q.actor) add('actor = @actor', 'actor', q.actor);
    if (q.action) add("action LIKE @action ESCAPE '\\'", 'action', `${likeEscape(q.action)}%`);
    if (q.target) add("target LIKE @target ESCAPE '\\'", 'target', `%${likeEscape(q.target)}%`);
    if (q.result) add('result = @result', 'result', q.result);
    if (q.beforeId !== undefined) add('id < @beforeId', 'beforeId', q.beforeId);
    return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
  };

  // Entries the file refused (disk full), oldest first, with their time fixed when they happened.
  let held: (AuditInput & { ts: number })[] = [];
  let droppedHeld = 0;
  let lastWritten: AuditEntry | null = null;
  const faults = new RepeatedFault(logger('audit'));
  const writeHeld = db.transaction((entries: readonly AuditInput[]) => {
    for (const e of entries) lastWritten = appendTx(e);
  });
  const retry = new WriteRetry({
    faults,
    key: 'write',
    failed: (cause) =>
      `audit trail cannot be written (${cause}); ${held.length} entries held in memory and retried${droppedHeld ? `, ${droppedHeld} oldest dropped past ${MAX_HELD_AUDIT}` : ''}`,
    cleared: 'audit trail written again; held entries are stored',
    write: () => {
      writeHeld(held);
      held = [];
    },
  });

  return {
    append(entry) {
      held.push({ ...entry, ts: entry.ts ?? now() });
      if (held.length > MAX_HELD_AUDIT) {
        const drop = held.length - MAX_HELD_AUDIT;
        held.splice(0, drop);
        droppedHeld += drop;
      }
      lastWritten = null;
      return retry.run() ? lastWritten : null;
    },
    held: () => held.length,
    close() {
      retry.stop();
      if (held.length > 0) faults.report('close', `audit trail closed with ${held.length} entries it could not write`, 'error');
    },

    verify() {
      let prev = GENESIS;
      let expectedId = 1;
      let entries = 0;
      for (const r of db.prepare('SELECT * FROM audit_log ORDER BY id').iterate() as IterableIterator<Row>) {
        entries++;
        const bad = (reason: string): AuditVerifyResult => ({ ok: false, entries, firstBadId: r.id, reason, head: prev });
        if (r.id !== expectedId) return bad(`entry ${expectedId} is missing`);
        if (r.prev_hash !== prev) return bad('the link to the previous entry does not match');
        if (digest(r) !== r.hash) return bad('the entry was changed after it was written');
        prev = r.hash;
        expectedId++;
      }
      return { ok: true, entries, head: prev };
    },

    query(q = {}) {
      const w = where(q);
      const rows = db
        .prepare(`SELECT * FROM audit_log ${w.sql} ORDER BY id DESC LIMIT @limit`)
        .all({ ...w.params, limit: q.limit ?? 500 }) as Row[];
      return rows.map(toEntry);
    },

    exportCsv(q = {}) {
      return runToEnd(this.exportCsvSteps(q));
    },

    *exportCsvSteps(q = {}) {
      const header = ['id', 'ts_ms', 'time', 'actor', 'origin', 'action', 'target', 'result', 'details', 'prev_hash', 'hash'];
      // Pages by id (keyset), so no statement stays open while the loop is given back: the trail
      // keeps being appended to during a long export.
      const parts = [toCsv(header, [])];
      const PAGE = 2_000;
      for (let afterId = 0; ; ) {
        const w = where(q);
        const sql = `SELECT * FROM audit_log ${w.sql ? `${w.sql} AND` : 'WHERE'} id > @afterId ORDER BY id LIMIT ${PAGE}`;
        const page = db.prepare(sql).all({ ...w.params, afterId }) as Row[];
        if (page.length === 0) break;
        const rows = page.map((r) => [
          r.id,
          r.ts,
          new Date(r.ts).toISOString(),
          r.actor,
          r.origin,
          r.action,
          r.target,
          r.result,
          r.details,
          r.prev_hash,
          r.hash,
        ]);
        parts.push(toCsv(header, rows).slice(parts[0]?.length ?? 0));
        afterId = page[page.length - 1]?.id ?? afterId;
        if (page.length < PAGE) break;
        yield;
      }
      return parts.join('');
    },
  };
}

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
