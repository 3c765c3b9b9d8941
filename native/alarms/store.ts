// SQLite side of the alarm service: the append-only journal and the current-state table, written
// together in one transaction per evaluation batch or operator action (one writer, batched).
import type { AlarmJournalKind, JournalEntry, Priority } from '../api/alarm-requests.js';
import { describeError } from '../util/errors.js';
import { logger, RepeatedFault } from '../util/log.js';
import { migrate } from '../util/migrate.js';
import { type SqliteDatabase, storageFault } from '../util/sqlite.js';
import { WriteRetry } from '../util/write-retry.js';
import { alarmMigrations } from './migrations/index.js';
import type { AlarmState, AlarmStateName, BaseState } from './state.js';

export interface JournalRow {
  ts: number;
  alarmId: string;
  tag: string;
  area: string;
  kind: AlarmJournalKind;
  state: AlarmStateName;
  value: number | null;
  limit: number | null;
  priority: Priority;
  user: string | null;
  comment: string;
  message: string;
  until: number | null;
  oneShot: boolean;
}

export interface StateRow {
  alarmId: string;
  tag: string;
  area: string;
  priority: Priority;
  message: string;
  state: AlarmState;
  maskReason: string;
  /** Who shelved it or took it out of service; null when neither. */
  maskBy: string | null;
  /** The "active since" a masked row shows (see AlarmService); null without the condition. */
  conditionSince: number | null;
  changedAt: number;
  system: boolean;
}

/** One span in which the alarm service ran and judged the values (ms). */
export interface RunSpan {
  start: number;
  end: number;
}

export interface JournalQuery {
  /** Only entries journaled after this one (the cloud-sync feed's resume point). */
  afterSeq?: number | undefined;
  from?: number | undefined;
  to?: number | undefined;
  alarmId?: string | undefined;
  tag?: string | undefined;
  kinds?: readonly AlarmJournalKind[] | undefined;
  priorities?: readonly Priority[] | undefined;
  user?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

interface DbStateRow {
  alarm_id: string;
  tag: string;
  area: string;
  priority: Priority;
  message: string;
  base: BaseState;
  condition: number;
  suppressed: number;
  out_of_service: number;
  shelved_until: number | null;
  one_shot: number;
  mask_reason: string;
  active_since: number | null;
  acked_at: number | null;
  acked_by: string | null;
  value: number | null;
  changed_at: number;
  system: number;
  mask_by: string | null;
  condition_since: number | null;
}

interface DbJournalRow {
  seq: number;
  ts: number;
  alarm_id: string;
  tag: string;
  area: string;
  kind: AlarmJournalKind;
  state: AlarmStateName;
  value: number | null;
  alarm_limit: number | null;
  priority: Priority;
  user: string | null;
  comment: string;
  message: string;
  until: number | null;
  one_shot: number;
}

export interface Activation {
  ts: number;
  alarmId: string;
  tag: string;
  area: string;
  priority: Priority;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function toJournalEntry(r: DbJournalRow): JournalEntry {
  return {
    seq: r.seq,
    ts: new Date(r.ts).toISOString(),
    alarmId: r.alarm_id,
    tag: r.tag,
    area: r.area,
    kind: r.kind,
    state: r.state,
    value: r.value,
    limit: r.alarm_limit,
    priority: r.priority,
    user: r.user,
    comment: r.comment,
    message: r.message,
    until: iso(r.until),
    oneShot: r.one_shot === 1,
  };
}

/** Journal rows held in memory while the file cannot be written; past it the oldest are dropped (counted). */
const MAX_HELD_JOURNAL = 100_000;
const RETRY_MS = 2000;

export class AlarmStore {
  /** Rows not yet written because the write failed (disk full): retried with the next write and on a timer. */
  private heldJournal: JournalRow[] = [];
  private readonly heldStates = new Map<string, StateRow>();
  private readonly faults = new RepeatedFault(logger('alarms'));
  private readonly retry = new WriteRetry({
    faults: this.faults,
    key: 'write',
    failed: (cause) => `alarm journal cannot be written (${cause}); ${this.heldJournal.length} entries held in memory and retried`,
    cleared: 'alarm journal written again; held entries are stored',
    retryMs: RETRY_MS,
    write: () => {
      this.writeAll(this.heldJournal, [...this.heldStates.values()]);
      this.heldJournal = [];
      this.heldStates.clear();
    },
  });
  /** Journal rows dropped because more than MAX_HELD_JOURNAL waited for a failing disk. */
  droppedJournalRows = 0;
  private readonly insertJournal;
  private readonly upsertState;
  private readonly writeAll;

  constructor(private readonly db: SqliteDatabase) {
    // events.db on a disk full at start: the alarms still run, their journal held in memory (write()).
    const fault = storageFault(db);
    if (fault) logger('alarms')('error', `${fault.message}; alarm journal entries are held in memory until there is room`);
    migrate(db, alarmMigrations, 'alarm_migrations');
    this.insertJournal = db.prepare(
      `INSERT INTO alarm_journal (ts, alarm_id, tag, area, kind, state, value, alarm_limit, priority, user, comment, message, until, one_shot)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.upsertState = db.prepare(
      `INSERT OR REPLACE INTO alarm_state (alarm_id, tag, area, priority, message, base, condition, suppressed, out_of_service,
         shelved_until, one_shot, mask_reason, active_since, acked_at, acked_by, value, changed_at, system, mask_by, condition_since)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.writeAll = db.transaction((journal: readonly JournalRow[], states: readonly StateRow[]) => {
      for (const j of journal) {
        this.insertJournal.run(
          j.ts,
          j.alarmId,
          j.tag,
          j.area,
          j.kind,
          j.state,
          j.value,
          j.limit,
          j.priority,
          j.user,
          j.comment,
          j.message,
          j.until,
          j.oneShot ? 1 : 0,
        );
      }
      for (const r of states) {
        const s = r.state;
        this.upsertState.run(
          r.alarmId,
          r.tag,
          r.area,
          r.priority,
          r.message,
          s.base,
          s.condition ? 1 : 0,
          s.suppressed ? 1 : 0,
          s.outOfService ? 1 : 0,
          s.shelvedUntil,
          s.oneShot ? 1 : 0,
          r.maskReason,
          s.activeSince,
          s.ackedAt,
          s.ackedBy,
          s.value,
          r.changedAt,
          r.system ? 1 : 0,
          r.maskBy,
          r.conditionSince,
        );
      }
    });
  }

  /**
   * Write journal rows and states in one transaction. A failed write (the disk is full, an I/O error)
   * never throws into the alarm service: the rows are held in memory, bounded, and written with the
   * next write or a retry every few seconds. The in-memory alarm states stay current meanwhile, so a
   * system alarm about the full disk is shown even though it cannot be journaled yet.
   */
  write(journal: readonly JournalRow[], states: readonly StateRow[]): boolean {
    if (journal.length === 0 && states.length === 0 && this.heldJournal.length === 0 && this.heldStates.size === 0) return true;
    for (const j of journal) this.heldJournal.push(j);
    for (const r of states) this.heldStates.set(r.alarmId, r);
    if (this.heldJournal.length > MAX_HELD_JOURNAL) {
      const drop = this.heldJournal.length - MAX_HELD_JOURNAL;
      this.heldJournal.splice(0, drop);
      this.droppedJournalRows += drop;
    }
    return this.writeHeld();
  }

  /** Rows waiting for a failing disk. */
  get held(): number {
    return this.heldJournal.length + this.heldStates.size;
  }

  private writeHeld(): boolean {
    return this.retry.run();
  }

  /** Stop retrying (the database is closing); what is still held is lost and logged. */
  close(): void {
    this.retry.stop();
    if (this.held > 0)
      this.faults.report('close', `alarm journal closed with ${this.heldJournal.length} entries it could not write`, 'error');
  }

  loadStates(): StateRow[] {
    const rows = this.db.prepare('SELECT * FROM alarm_state').all() as DbStateRow[];
    return rows.map((r) => ({
      alarmId: r.alarm_id,
      tag: r.tag,
      area: r.area,
      priority: r.priority,
      message: r.message,
      maskReason: r.mask_reason,
      maskBy: r.mask_by,
      conditionSince: r.condition_since,
      changedAt: r.changed_at,
      system: r.system === 1,
      state: {
        base: r.base,
        condition: r.condition === 1,
        suppressed: r.suppressed === 1,
        outOfService: r.out_of_service === 1,
        shelvedUntil: r.shelved_until,
        oneShot: r.one_shot === 1,
        activeSince: r.active_since,
        ackedAt: r.acked_at,
        ackedBy: r.acked_by,
        value: r.value,
      },
    }));
  }

  private where(q: JournalQuery): { sql: string; params: (string | number)[] } {
    const clauses: string[] = [];
    const params: (string | number)[] = [];
    if (q.afterSeq !== undefined) {
      clauses.push('seq > ?');
      params.push(q.afterSeq);
    }
    if (q.from !== undefined) {
      clauses.push('ts >= ?');
      params.push(q.from);
    }
    if (q.to !== undefined) {
      clauses.push('ts < ?');
      params.push(q.to);
    }
    if (q.alarmId !== undefined) {
      clauses.push('alarm_id = ?');
      params.push(q.alarmId);
    }
    if (q.tag !== undefined) {
      if (q.tag.endsWith('/')) {
        // A prefix: escape LIKE's wildcards so a "_" in a tag name matches only itself.
        clauses.push("tag LIKE ? ESCAPE '\\'");
        params.push(`${q.tag.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      } else {
        clauses.push('tag = ?');
        params.push(q.tag);
      }
    }
    if (q.kinds?.length) {
      clauses.push(`kind IN (${q.kinds.map(() => '?').join(',')})`);
      params.push(...q.kinds);
    }
    if (q.priorities?.length) {
      clauses.push(`priority IN (${q.priorities.map(() => '?').join(',')})`);
      params.push(...q.priorities);
    }
    if (q.user !== undefined) {
      clauses.push('user = ?');
      params.push(q.user);
    }
    return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
  }

  /** Journal entries in the order they happened. */
  journal(q: JournalQuery): JournalEntry[] {
    const { sql, params } = this.where(q);
    const page = q.limit === undefined ? '' : ` LIMIT ${Math.trunc(q.limit)} OFFSET ${Math.trunc(q.offset ?? 0)}`;
    const rows = this.db.prepare(`SELECT * FROM alarm_journal ${sql} ORDER BY seq${page}`).all(...params) as DbJournalRow[];
    return rows.map(toJournalEntry);
  }

  /** Every entry of one alarm, oldest first, with times in ms: what a replay needs. */
  *journalOf(alarmId: string): IterableIterator<DbJournalRow> {
    yield* this.db
      .prepare('SELECT * FROM alarm_journal WHERE alarm_id = ? ORDER BY seq')
      .iterate(alarmId) as IterableIterator<DbJournalRow>;
  }

  /**
   * Record that the alarm service started judging values at `now`; returns the run's id, or null
   * when the file cannot be written (the run is then known only in memory, see AlarmService).
   */
  startRun(now: number): number | null {
    try {
      return Number(this.db.prepare('INSERT INTO alarm_runs (started, last_seen) VALUES (?, ?)').run(now, now).lastInsertRowid);
    } catch (err) {
      this.faults.report(
        'runs',
        `the alarm service's run record cannot be written (${describeError(err)}); KPI coverage counts this run from memory only`,
        'warn',
      );
      return null;
    }
  }

  /** The run is still going at `now`: what a crash loses of its coverage is the time since the last call. */
  touchRun(id: number, now: number): void {
    try {
      this.db.prepare('UPDATE alarm_runs SET last_seen = ? WHERE id = ? AND last_seen <= ?').run(now, id, now);
      this.faults.clear('runs', "the alarm service's run record is written again");
    } catch (err) {
      this.faults.report(
        'runs',
        `the alarm service's run record cannot be written (${describeError(err)}); KPI coverage counts this run from memory only`,
        'warn',
      );
    }
  }

  /** The recorded runs that overlap [from, to), oldest first, except the run `exceptId`. */
  runs(from: number, to: number, exceptId: number | null): RunSpan[] {
    const rows = this.db
      .prepare('SELECT started, last_seen FROM alarm_runs WHERE last_seen >= ? AND started < ? AND id IS NOT ? ORDER BY started')
      .all(from, to, exceptId) as { started: number; last_seen: number }[];
    return rows.map((r) => ({ start: r.started, end: r.last_seen }));
  }

  activations(from: number, to: number): Activation[] {
    const rows = this.db
      .prepare(
        "SELECT ts, alarm_id, tag, area, priority FROM alarm_journal WHERE kind = 'activate' AND ts >= ? AND ts < ? ORDER BY ts, seq",
      )
      .all(from, to) as { ts: number; alarm_id: string; tag: string; area: string; priority: Priority }[];
    return rows.map((r) => ({ ts: r.ts, alarmId: r.alarm_id, tag: r.tag, area: r.area, priority: r.priority }));
  }
}

export type { DbJournalRow };
