// The operational-event and maintenance log: what people did to or noticed about a machine
// (maintenance, failure, repair, calibration, shift notes — who, when, what, parts, downtime), shown
// as markers on trends and the machine screen; and maintenance requests raised from an alarm, a
// prediction or by hand, exported as CSV or posted to a maintenance system.
import { z } from 'zod';
import {
  type AlarmRow,
  EVENT_LIMITS,
  type MaintenanceRequest,
  type OperationalEvent,
  type OperationalEventKind,
  type Priority,
} from '../api/alarm-requests.js';
import { overLimit } from '../api/limits.js';
import { ApiFailure } from '../api/registry.js';
import { toCsv } from '../util/csv.js';
import { describeError } from '../util/errors.js';
import { migrate } from '../util/migrate.js';
import { runToEnd } from '../util/sliced.js';
import { isNoRoom, type SqliteDatabase } from '../util/sqlite.js';
import type { MaintenanceConfig } from './config.js';
import { maintenanceMigrations } from './migrations/index.js';
import { postRequest } from './webhook.js';

/** Events per step of a CSV export (a few milliseconds of formatting). */
const EXPORT_PAGE = 2_000;

export class MaintenanceError extends Error {
  override name = 'MaintenanceError';
}

/**
 * Run one write of the log. A disk without room (events.db full) is answered as what it is — the
 * entry was not recorded, try again once there is room (503) — rather than as an internal fault.
 */
function written<T>(what: string, write: () => T): T {
  try {
    return write();
  } catch (err) {
    if (!isNoRoom(err)) throw err;
    throw new ApiFailure(
      'unavailable',
      `${what} was not recorded: events.db cannot be written (${describeError(err)}); try again once there is room`,
    );
  }
}

export interface MaintenanceLogOptions {
  db: SqliteDatabase;
  config?: MaintenanceConfig;
  site?: string;
  /** Known machine paths (Site/Area/Machine); events for other names are refused. Omit to accept any. */
  machines?: readonly string[];
  /** Looks up an alarm, for requests raised from one. */
  alarms?: { row(id: string): AlarmRow | null };
  now?: () => number;
  /** Each recorded event, e.g. to let the model capability relearn a machine's baseline after a repair. */
  onEvent?: (event: OperationalEvent) => void;
}

export interface EventInput {
  machine: string;
  kind: OperationalEventKind;
  at?: number | undefined;
  what: string;
  parts?: readonly string[];
  downtimeMin?: number;
  resetsBaseline?: boolean;
  alarmId?: string | undefined;
}

export interface EventFilter {
  machine?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
  kinds?: readonly OperationalEventKind[] | undefined;
  limit?: number | undefined;
}

export interface RequestInput {
  machine?: string | undefined;
  alarmId?: string | undefined;
  prediction?: { model: string; anomalyScore: number | null; health: number | null; rul: number | null; timestamp: number } | undefined;
  description: string;
  priority: Priority;
}

interface EventDbRow {
  id: number;
  machine: string;
  kind: OperationalEventKind;
  at: number;
  recorded_at: number;
  user: string | null;
  what: string;
  parts: string;
  downtime_min: number;
  resets_baseline: number;
  alarm_id: string | null;
}

interface RequestDbRow {
  id: number;
  machine: string;
  created_at: number;
  user: string | null;
  source: MaintenanceRequest['source'];
  alarm_id: string | null;
  prediction: string | null;
  description: string;
  priority: Priority;
  status: MaintenanceRequest['status'];
  webhook_error: string | null;
}

const partsSchema = z.array(z.string());
const predictionSchema = z.object({
  model: z.string(),
  anomalyScore: z.number().nullable(),
  health: z.number().nullable(),
  rul: z.number().nullable(),
  timestamp: z.string(),
});
const iso = (ms: number) => new Date(ms).toISOString();

function toEvent(r: EventDbRow): OperationalEvent {
  return {
    id: r.id,
    machine: r.machine,
    kind: r.kind,
    at: iso(r.at),
    recordedAt: iso(r.recorded_at),
    user: r.user,
    what: r.what,
    parts: partsSchema.parse(JSON.parse(r.parts)),
    downtimeMin: r.downtime_min,
    resetsBaseline: r.resets_baseline === 1,
    alarmId: r.alarm_id,
  };
}

function toRequest(r: RequestDbRow): MaintenanceRequest {
  return {
    id: r.id,
    machine: r.machine,
    createdAt: iso(r.created_at),
    user: r.user,
    source: r.source,
    alarmId: r.alarm_id,
    prediction: r.prediction === null ? null : predictionSchema.parse(JSON.parse(r.prediction)),
    description: r.description,
    priority: r.priority,
    status: r.status,
    webhookError: r.webhook_error,
  };
}

export class MaintenanceLog {
  private readonly db: SqliteDatabase;
  private readonly now: () => number;
  private readonly machines: ReadonlySet<string> | null;

  constructor(private readonly opts: MaintenanceLogOptions) {
    this.db = opts.db;
    this.now = opts.now ?? Date.now;
    this.machines = opts.machines ? new Set(opts.machines) : null;
    migrate(this.db, maintenanceMigrations, 'maintenance_migrations');
  }

  private checkMachine(machine: string): void {
    if (this.machines && !this.machines.has(machine)) throw new MaintenanceError(`no machine "${machine}"`);
  }

  record(input: EventInput, user: string | null): OperationalEvent {
    this.checkMachine(input.machine);
    const now = this.now();
    const info = written('the operational event', () =>
      this.db
        .prepare(
          `INSERT INTO operational_events (machine, kind, at, recorded_at, user, what, parts, downtime_min, resets_baseline, alarm_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          input.machine,
          input.kind,
          input.at ?? now,
          now,
          user,
          input.what,
          JSON.stringify(input.parts ?? []),
          input.downtimeMin ?? 0,
          input.resetsBaseline ? 1 : 0,
          input.alarmId ?? null,
        ),
    );
    const event = toEvent(this.db.prepare('SELECT * FROM operational_events WHERE id = ?').get(info.lastInsertRowid) as EventDbRow);
    this.opts.onEvent?.(event);
    return event;
  }

  private where(f: EventFilter): { sql: string; params: (string | number)[] } {
    const clauses: string[] = [];
    const params: (string | number)[] = [];
    if (f.machine !== undefined) {
      clauses.push('machine = ?');
      params.push(f.machine);
    }
    if (f.from !== undefined) {
      clauses.push('at >= ?');
      params.push(f.from);
    }
    if (f.to !== undefined) {
      clauses.push('at < ?');
      params.push(f.to);
    }
    if (f.kinds?.length) {
      clauses.push(`kind IN (${f.kinds.map(() => '?').join(',')})`);
      params.push(...f.kinds);
    }
    return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
  }

  /** Events in time order (oldest first), as trend markers need them. */
  list(f: EventFilter = {}): OperationalEvent[] {
    const { sql, params } = this.where(f);
    const limit = f.limit === undefined ? '' : ` LIMIT ${Math.trunc(f.limit)}`;
    const rows = this.db.prepare(`SELECT * FROM operational_events ${sql} ORDER BY at, id${limit}`).all(...params) as EventDbRow[];
    return rows.map(toEvent);
  }

  /** Events the filter selects, counted without reading them (an export checks its size first). */
  count(f: EventFilter = {}): number {
    const { sql, params } = this.where(f);
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM operational_events ${sql}`).get(...params) as { n: number }).n;
  }

  exportCsv(f: EventFilter = {}): string {
    return runToEnd(this.exportCsvSteps(f));
  }

  /**
   * The CSV export as steps of EXPORT_PAGE events each (read by key, oldest first), for runSliced:
   * 100,000 events take over a second to format, far too long to hold the event loop.
   */
  *exportCsvSteps(f: EventFilter = {}): Generator<void, string> {
    const n = this.count(f);
    if (n > EVENT_LIMITS.exportRows)
      throw new MaintenanceError(
        overLimit('events.export', 'rows', n, EVENT_LIMITS.exportRows, 'narrow the range or filter by machine or kind'),
      );
    const header = ['id', 'machine', 'kind', 'at', 'recorded_at', 'user', 'what', 'parts', 'downtime_min', 'resets_baseline', 'alarm'];
    const { sql, params } = this.where(f);
    const page = this.db.prepare(
      `SELECT * FROM operational_events ${sql ? `${sql} AND` : 'WHERE'} (at > ? OR (at = ? AND id > ?)) ORDER BY at, id LIMIT ${EXPORT_PAGE}`,
    );
    // One CSV writer for every export: each page is formatted with the header, which is cut off
    // from all but the first.
    const headerText = toCsv(header, []);
    const parts = [headerText];
    let after = { at: Number.NEGATIVE_INFINITY, id: 0 };
    for (;;) {
      const rows = page.all(...params, after.at, after.at, after.id) as EventDbRow[];
      if (rows.length === 0) break;
      const last = rows[rows.length - 1] as EventDbRow;
      after = { at: last.at, id: last.id };
      const cells = rows
        .map(toEvent)
        .map((e) => [
          e.id,
          e.machine,
          e.kind,
          e.at,
          e.recordedAt,
          e.user,
          e.what,
          e.parts.join('; '),
          e.downtimeMin,
          e.resetsBaseline,
          e.alarmId,
        ]);
      parts.push(toCsv(header, cells).slice(headerText.length));
      yield;
    }
    return parts.join('');
  }

  /**
   * Record a maintenance request and, when a webhook is configured, post it (bounded by the
   * webhook's timeout). The machine comes from the alarm when the request is raised from one.
   */
  async request(input: RequestInput, user: string | null): Promise<MaintenanceRequest> {
    let machine = input.machine;
    if (input.alarmId !== undefined) {
      const alarm = this.opts.alarms?.row(input.alarmId);
      if (!alarm) throw new MaintenanceError(`no alarm "${input.alarmId}"`);
      machine ??= alarm.machine || undefined;
    }
    if (machine === undefined) throw new MaintenanceError('name the machine: the alarm belongs to none');
    this.checkMachine(machine);
    const source: MaintenanceRequest['source'] = input.alarmId !== undefined ? 'alarm' : input.prediction ? 'prediction' : 'manual';
    const prediction = input.prediction ? { ...input.prediction, timestamp: iso(input.prediction.timestamp) } : null;
    const info = written('the maintenance request', () =>
      this.db
        .prepare(
          `INSERT INTO maintenance_requests (machine, created_at, user, source, alarm_id, prediction, description, priority, status)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open')`,
        )
        .run(
          machine,
          this.now(),
          user,
          source,
          input.alarmId ?? null,
          prediction && JSON.stringify(prediction),
          input.description,
          input.priority,
        ),
    );
    const id = Number(info.lastInsertRowid);
    const webhook = this.opts.config?.webhook;
    if (webhook) {
      const outcome = await postRequest(webhook, this.opts.site ?? '', this.requestById(id));
      written(`the request's delivery (${outcome.ok ? 'sent' : 'failed'})`, () =>
        this.db
          .prepare('UPDATE maintenance_requests SET status = ?, webhook_error = ? WHERE id = ?')
          .run(outcome.ok ? 'sent' : 'failed', outcome.error, id),
      );
    }
    return this.requestById(id);
  }

  private requestById(id: number): MaintenanceRequest {
    return toRequest(this.db.prepare('SELECT * FROM maintenance_requests WHERE id = ?').get(id) as RequestDbRow);
  }

  requests(f: { machine?: string | undefined; status?: MaintenanceRequest['status'] | undefined } = {}): MaintenanceRequest[] {
    const clauses: string[] = [];
    const params: string[] = [];
    if (f.machine !== undefined) {
      clauses.push('machine = ?');
      params.push(f.machine);
    }
    if (f.status !== undefined) {
      clauses.push('status = ?');
      params.push(f.status);
    }
    const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
    return (this.db.prepare(`SELECT * FROM maintenance_requests ${where} ORDER BY id`).all(...params) as RequestDbRow[]).map(toRequest);
  }

  exportRequestsCsv(machine?: string): string {
    const n = (
      this.db
        .prepare(`SELECT COUNT(*) AS n FROM maintenance_requests ${machine === undefined ? '' : 'WHERE machine = ?'}`)
        .get(...(machine === undefined ? [] : [machine])) as { n: number }
    ).n;
    if (n > EVENT_LIMITS.exportRows)
      throw new MaintenanceError(overLimit('events.export of requests', 'rows', n, EVENT_LIMITS.exportRows, 'filter by machine'));
    const header = [
      'id',
      'machine',
      'created_at',
      'user',
      'source',
      'alarm',
      'model',
      'anomaly_score',
      'health',
      'rul',
      'description',
      'priority',
      'status',
      'webhook_error',
    ];
    const rows = this.requests({ machine }).map((r) => [
      r.id,
      r.machine,
      r.createdAt,
      r.user,
      r.source,
      r.alarmId,
      r.prediction?.model ?? null,
      r.prediction?.anomalyScore ?? null,
      r.prediction?.health ?? null,
      r.prediction?.rul ?? null,
      r.description,
      r.priority,
      r.status,
      r.webhookError,
    ]);
    return toCsv(header, rows);
  }
}
