// Alarm and maintenance-log requests: the current alarm list, operator actions (acknowledge,
// shelve, out of service), the journal with its CSV export, EEMUA 191 KPIs; operational events per
// machine (maintenance, failure, repair, calibration, shift notes) and maintenance requests raised
// from an alarm or a prediction. Also the `alarms` event stream payload.
import { z } from 'zod';
import type { HttpForms } from './http.js';
import { DAY_MS, spanLimit } from './limits.js';
import type { ExportFile } from './types.js';

/**
 * What one alarm-journal or KPI request may ask for (docs/api.md "Limits"): a year and a month of
 * journal per request (KPIs are computed a day at a time, so this bounds the request's duration,
 * not its memory); exports stop at a row count a spreadsheet still opens.
 */
export const ALARM_LIMITS = {
  kpisSpanMs: 400 * DAY_MS,
  journalSpanMs: 400 * DAY_MS,
  exportRows: 100_000,
  /** The longest an export may run (it yields every 2,000 entries) before it is abandoned. */
  exportDeadlineMs: 60_000,
  /** The longest a KPI computation may run (it yields between days) before it is abandoned. */
  kpisDeadlineMs: 30_000,
} as const;

/** Operational events are sparse: ten years of a machine's log per request. */
export const EVENT_LIMITS = {
  spanMs: 3_660 * DAY_MS,
  exportRows: 100_000,
  /** The longest an export may run (it yields every 2,000 events) before it is abandoned. */
  exportDeadlineMs: 60_000,
} as const;

const isoOrMs = z.union([z.number(), z.string().datetime({ offset: true })]).transform((v) => (typeof v === 'number' ? v : Date.parse(v)));
const optionalIsoOrMs = isoOrMs.optional();
const alarmId = z.string().min(1).max(200);
const alarmStates = ['unack_active', 'ack_active', 'unack_rtn', 'shelved', 'suppressed', 'out_of_service'] as const;
const journalKinds = [
  'activate',
  'clear',
  'ack',
  'shelve',
  'unshelve',
  'suppress',
  'unsuppress',
  'out_of_service',
  'return_to_service',
] as const;
export const eventKinds = ['maintenance', 'failure', 'repair', 'calibration', 'shift_note'] as const;

const journalFilter = {
  from: optionalIsoOrMs,
  to: optionalIsoOrMs,
  alarmId: alarmId.optional(),
  /** Tag path, or a prefix of it ending in "/" (a machine or an area). */
  tag: z.string().min(1).optional(),
  kinds: z.array(z.enum(journalKinds)).optional(),
  priorities: z.array(z.enum(['Critical', 'High', 'Medium', 'Low'])).optional(),
  user: z.string().min(1).optional(),
};
const eventFilter = {
  machine: z.string().min(1).optional(),
  from: optionalIsoOrMs,
  to: optionalIsoOrMs,
  kinds: z.array(z.enum(eventKinds)).optional(),
};

export const alarmRequests = {
  /** The current alarm list: every alarm not in normal, or those in `states`. */
  'alarms.list': z
    .object({ states: z.array(z.enum(alarmStates)).optional() })
    .strict()
    .default({}),
  /** Acknowledge one, the selected or all visible alarms (the UI sends their ids). */
  'alarms.ack': z.object({ ids: z.array(alarmId).min(1).max(50_000), comment: z.string().max(1000).default('') }).strict(),
  /** Shelve for at most a shift and a half; `oneShot` also unshelves when the alarm next returns to normal. */
  'alarms.shelve': z
    .object({
      id: alarmId,
      minutes: z
        .number()
        .positive()
        .max(24 * 60),
      reason: z.string().trim().min(3, 'state why the alarm is shelved').max(500),
      oneShot: z.boolean().default(false),
    })
    .strict(),
  'alarms.unshelve': z.object({ id: alarmId }).strict(),
  /** `wholeTag`: also every other alarm on the alarm's tag (an instrument removed takes all its alarms). */
  'alarms.outOfService': z
    .object({
      id: alarmId,
      reason: z.string().trim().min(3, 'state why the alarm is taken out of service').max(500),
      wholeTag: z.boolean().default(false),
    })
    .strict(),
  'alarms.returnToService': z.object({ id: alarmId, wholeTag: z.boolean().default(false) }).strict(),
  'alarms.journal': z
    .object({ ...journalFilter, limit: z.number().int().min(1).max(10_000).default(1000), offset: z.number().int().min(0).default(0) })
    .strict()
    .superRefine(spanLimit('alarms.journal', ALARM_LIMITS.journalSpanMs, { defaultTo: Date.now }))
    .default({ limit: 1000, offset: 0 }),
  'alarms.export': z
    .object({ ...journalFilter })
    .strict()
    .superRefine(spanLimit('alarms.export', ALARM_LIMITS.journalSpanMs, { defaultTo: Date.now }))
    .default({}),
  /** EEMUA 191 / ISA-18.2 alarm-system performance over a period (default: the last 24 h). */
  'alarms.kpis': z
    .object({ from: optionalIsoOrMs, to: optionalIsoOrMs })
    .strict()
    .superRefine(spanLimit('alarms.kpis', ALARM_LIMITS.kpisSpanMs, { defaultTo: Date.now }))
    .default({}),

  'events.list': z
    .object({ ...eventFilter, limit: z.number().int().min(1).max(10_000).default(1000) })
    .strict()
    .superRefine(spanLimit('events.list', EVENT_LIMITS.spanMs, { defaultTo: Date.now }))
    .default({ limit: 1000 }),
  'events.record': z
    .object({
      machine: z.string().min(1),
      kind: z.enum(eventKinds),
      /** When it happened (default: now). */
      at: optionalIsoOrMs,
      what: z.string().trim().min(1).max(2000),
      parts: z.array(z.string().min(1).max(200)).max(100).default([]),
      downtimeMin: z.number().min(0).max(525_600).default(0),
      /** Ask the model capability to relearn the machine's normal baseline / reset its health. */
      resetsBaseline: z.boolean().default(false),
      alarmId: alarmId.optional(),
    })
    .strict(),
  /** CSV of the operational events, or of the maintenance requests (`of: 'requests'`, machine filter only). */
  'events.export': z
    .object({ ...eventFilter, of: z.enum(['events', 'requests']).default('events') })
    .strict()
    .superRefine(spanLimit('events.export', EVENT_LIMITS.spanMs, { defaultTo: Date.now }))
    .default({ of: 'events' }),
  /** Raise a maintenance request, from an alarm (`alarmId`), a prediction (`prediction`) or by hand (`machine`). */
  'maintenance.request': z
    .object({
      machine: z.string().min(1).optional(),
      alarmId: alarmId.optional(),
      prediction: z
        .object({
          model: z.string().max(200),
          anomalyScore: z.number().nullable().default(null),
          health: z.number().nullable().default(null),
          rul: z.number().nullable().default(null),
          timestamp: isoOrMs,
        })
        .strict()
        .optional(),
      description: z.string().trim().min(1).max(2000),
      priority: z.enum(['Critical', 'High', 'Medium', 'Low']).default('Medium'),
    })
    .strict()
    .refine((a) => a.machine !== undefined || a.alarmId !== undefined, { message: 'name the machine or the alarm', path: ['machine'] }),
  'maintenance.requests': z
    .object({ machine: z.string().min(1).optional(), status: z.enum(['open', 'sent', 'failed', 'closed']).optional() })
    .strict()
    .default({}),
};

/** How serve mode offers each request over HTTP (native/api/http.ts). */
export const alarmHttp = {
  'alarms.list': { method: 'GET', path: '/api/alarms' },
  // Several at once, or the one alarm of the path.
  'alarms.ack': [
    { method: 'POST', path: '/api/alarms/ack' },
    { method: 'POST', path: '/api/alarms/:ids/ack' },
  ],
  'alarms.shelve': { method: 'POST', path: '/api/alarms/:id/shelve' },
  'alarms.unshelve': { method: 'POST', path: '/api/alarms/:id/unshelve' },
  'alarms.outOfService': { method: 'POST', path: '/api/alarms/:id/out-of-service' },
  'alarms.returnToService': { method: 'POST', path: '/api/alarms/:id/return-to-service' },
  'alarms.journal': { method: 'GET', path: '/api/alarms/journal' },
  'alarms.export': { method: 'GET', path: '/api/alarms/journal.csv', file: true },
  'alarms.kpis': { method: 'GET', path: '/api/alarms/kpis' },
  'events.list': { method: 'GET', path: '/api/events' },
  'events.record': { method: 'POST', path: '/api/events' },
  'events.export': { method: 'GET', path: '/api/events.csv', file: true },
  'maintenance.request': { method: 'POST', path: '/api/maintenance/requests' },
  'maintenance.requests': { method: 'GET', path: '/api/maintenance/requests' },
} as const satisfies HttpForms<typeof alarmRequests>;

export type AlarmStateWire = (typeof alarmStates)[number];
export type AlarmJournalKind = (typeof journalKinds)[number];
export type OperationalEventKind = (typeof eventKinds)[number];
export type Priority = 'Critical' | 'High' | 'Medium' | 'Low';

/** One alarm as the list, the banner and the summary show it. Times are ISO 8601. */
export interface AlarmRow {
  /** URL-safe: letters, digits, "_", ".", ":" and "-". */
  id: string;
  tag: string;
  area: string;
  machine: string;
  /** hihi, hi, lo, lolo, roc, deviation, discrete, bad_quality, model, or system. */
  type: string;
  priority: Priority;
  /** `normal` only in stream updates, meaning "no longer in the list". */
  state: AlarmStateWire | 'normal';
  message: string;
  value: number | null;
  limit: number | null;
  unit: string;
  /** The process condition is present now (an acknowledged latched alarm may stay after it cleared). */
  condition: boolean;
  latched: boolean;
  activeSince: string | null;
  ackedAt: string | null;
  ackedBy: string | null;
  shelvedUntil: string | null;
  /** Why it is shelved or out of service. */
  maskReason: string;
  /** Who shelved it or took it out of service; null when neither (the core always sets it). */
  maskedBy?: string | null;
  changedAt: string;
}

export interface AlarmCounts {
  /** Unacknowledged (unack_active + unack_rtn) per priority: the banner's figures. */
  unacknowledged: Record<Priority, number>;
  active: Record<Priority, number>;
  shelved: number;
  suppressed: number;
  outOfService: number;
}

export interface AlarmList {
  alarms: AlarmRow[];
  counts: AlarmCounts;
}

/** `alarms` stream: what changed since the last update, coalesced per evaluation batch. */
export interface AlarmListUpdate {
  /** Rows to insert or replace by id; a row with state `normal` leaves the list. */
  changed: AlarmRow[];
  counts: AlarmCounts;
}

export interface AckOutcome {
  acknowledged: string[];
  /** Already acknowledged, or masked: nothing to do. */
  unchanged: string[];
}

export interface JournalEntry {
  seq: number;
  ts: string;
  alarmId: string;
  tag: string;
  area: string;
  kind: AlarmJournalKind;
  /** The alarm's state after this entry. */
  state: AlarmStateWire | 'normal';
  value: number | null;
  limit: number | null;
  priority: Priority;
  user: string | null;
  comment: string;
  message: string;
  /** Shelve entries: the expiry. */
  until: string | null;
  oneShot: boolean;
}

export interface AlarmKpis {
  from: string;
  to: string;
  /** The span asked for, ms. */
  requestedMs: number;
  /**
   * How much of it the console was running and judging alarms (from the alarm service's run
   * records), ms: the rates are per 10 minutes of this time, not of the span asked for.
   */
  observedMs: number;
  /** The spans observed inside [from, to), oldest first. */
  observed: { start: string; end: string }[];
  activations: number;
  /** Per 10-minute period observed (EEMUA 191: ~1 acceptable, ≥ 10 a flood); 0 when nothing was observed. */
  averagePer10Min: number;
  peakPer10Min: number;
  /** Each area stands for one operator position. */
  byArea: { area: string; activations: number; averagePer10Min: number; peakPer10Min: number }[];
  /** Runs of consecutive 10-minute periods with more than 10 activations. */
  floods: { start: string; end: string; activations: number; peakPer10Min: number }[];
  /** Share of the observed 10-minute periods in flood, 0…1. */
  floodShare: number;
  /** Alarms with ≥ 3 activations within 60 s. */
  chattering: { id: string; tag: string; activations: number; maxIn60s: number }[];
  /** Alarms active for more than 24 h now. */
  stale: { id: string; tag: string; activeSince: string; hours: number }[];
  topTen: { id: string; tag: string; priority: Priority; activations: number; share: number }[];
  byPriority: Record<Priority, number>;
  shelved: number;
  outOfService: number;
  suppressed: number;
  unacknowledged: number;
}

export interface OperationalEvent {
  id: number;
  machine: string;
  kind: OperationalEventKind;
  at: string;
  recordedAt: string;
  user: string | null;
  what: string;
  parts: string[];
  downtimeMin: number;
  resetsBaseline: boolean;
  alarmId: string | null;
}

export interface MaintenanceRequest {
  id: number;
  machine: string;
  createdAt: string;
  user: string | null;
  source: 'alarm' | 'prediction' | 'manual';
  alarmId: string | null;
  prediction: { model: string; anomalyScore: number | null; health: number | null; rul: number | null; timestamp: string } | null;
  description: string;
  priority: Priority;
  /** open: recorded, no webhook configured; sent / failed: the webhook's outcome. */
  status: 'open' | 'sent' | 'failed' | 'closed';
  webhookError: string | null;
}

export interface AlarmResults {
  'alarms.list': AlarmList;
  'alarms.ack': AckOutcome;
  'alarms.shelve': AlarmRow;
  'alarms.unshelve': AlarmRow;
  'alarms.outOfService': AlarmRow;
  'alarms.returnToService': AlarmRow;
  'alarms.journal': JournalEntry[];
  'alarms.export': ExportFile;
  'alarms.kpis': AlarmKpis;
  'events.list': OperationalEvent[];
  'events.record': OperationalEvent;
  'events.export': ExportFile;
  'maintenance.request': MaintenanceRequest;
  'maintenance.requests': MaintenanceRequest[];
}

export interface AlarmEventStreams {
  alarms: AlarmListUpdate;
}
