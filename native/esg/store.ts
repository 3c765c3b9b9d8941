// The ESG database: prepared statements for everything the service writes and reads, so SQL lives
// in one place. Writes happen in the service's flush, one transaction per flush.

import { logger } from '../util/log.js';
import { migrate } from '../util/migrate.js';
import { type SqliteDatabase, storageFault } from '../util/sqlite.js';
import type { GapKind } from './accumulator.js';
import type { Factor } from './factors.js';
import { esgMigrations } from './migrations/index.js';

export interface FactorDbRow {
  id: string;
  version: number;
  label: string;
  unit: string;
  fuel: string | null;
  valid_from: number;
  valid_to: number | null;
  co2: number | null;
  ch4: number | null;
  n2o: number | null;
  co2e_stated: number | null;
  gwp_stated: string | null;
  source: string;
  url: string | null;
  notes: string;
  is_default: number;
  origin: string;
  added_at: number;
  added_by: string | null;
}

export interface ActivityRow {
  meter: string;
  hour_start: number;
  kind: string;
  site: string;
  area: string;
  machine: string;
  fuel: string | null;
  unit: string;
  quantity: number;
  idle_qty: number;
  covered_ms: number;
  uncertain_ms: number;
  estimated_ms: number;
  /** First and last instant the hour's activity covers; null on rows written before migration 002 (read as the whole hour). */
  first_ms: number | null;
  last_ms: number | null;
}

export interface RecordRow {
  meter: string;
  hour_start: number;
  method: string;
  source_id: string;
  scope: number;
  category: string;
  site: string;
  area: string;
  machine: string;
  activity: number;
  activity_unit: string;
  factor_id: string;
  factor_version: number | null;
  market_fallback: number;
  co2_kg: number | null;
  ch4_kg: number | null;
  n2o_kg: number | null;
  co2e_kg: number | null;
  gwp_set: string | null;
  computed_at: number;
}

/** Activity summed over a period, per machine, kind, fuel and unit. */
export type ActivityTotalRow = Omit<ActivityRow, 'meter' | 'hour_start' | 'first_ms' | 'last_ms'>;

/** Emission records summed over a period, per machine, scope, method and factor version. */
export interface RecordTotalRow {
  site: string;
  area: string;
  machine: string;
  scope: number;
  method: string;
  factor_id: string;
  factor_version: number | null;
  records: number;
  co2e_kg: number | null;
  missing: number;
}

export interface GapRow {
  seq: number;
  meter: string;
  start_ms: number;
  end_ms: number;
  kind: GapKind;
  reason: string;
}

export interface ChangeRow {
  seq: number;
  at: number;
  user: string | null;
  factor_id: string;
  new_version: number;
  reason: string;
  records: number;
  co2e_before_kg: number;
  co2e_after_kg: number;
  detail: string;
}

export function factorFromRow(r: FactorDbRow): Factor {
  return {
    id: r.id,
    version: r.version,
    label: r.label,
    unit: r.unit,
    fuel: r.fuel,
    validFrom: r.valid_from,
    validTo: r.valid_to,
    co2: r.co2,
    ch4: r.ch4,
    n2o: r.n2o,
    co2eStated: r.co2e_stated,
    gwpStated: r.gwp_stated as Factor['gwpStated'],
    source: r.source,
    url: r.url,
    notes: r.notes,
    isDefault: r.is_default === 1,
    origin: r.origin,
  };
}

export class EsgStore {
  readonly insertFactor;
  readonly allFactors;
  readonly addActivity;
  readonly addDemand;
  readonly activityOf;
  readonly putRecord;
  readonly recordsOfFactor;
  readonly insertGap;
  readonly extendGap;
  readonly putState;
  readonly states;
  readonly insertChange;
  readonly changes;
  readonly activityIn;
  readonly activityTotals;
  readonly recordTotals;
  readonly recordsIn;
  readonly demandIn;
  readonly gapsIn;

  constructor(readonly db: SqliteDatabase) {
    // esg.db on a disk full at start: reports read what is stored; the hourly writes fail at the
    // service's boundary (logged, system alarm) until there is room, and succeed again then.
    const fault = storageFault(db);
    if (fault) logger('esg')('error', fault.message);
    migrate(db, esgMigrations, 'esg_migrations');
    this.insertFactor = db.prepare<[Factor & { addedAt: number; addedBy: string | null; isDefaultInt: number }]>(
      `INSERT INTO factor (id, version, label, unit, fuel, valid_from, valid_to, co2, ch4, n2o, co2e_stated, gwp_stated, source, url, notes, is_default, origin, added_at, added_by)
       VALUES (@id, @version, @label, @unit, @fuel, @validFrom, @validTo, @co2, @ch4, @n2o, @co2eStated, @gwpStated, @source, @url, @notes, @isDefaultInt, @origin, @addedAt, @addedBy)`,
    );
    this.allFactors = db.prepare<[], FactorDbRow>('SELECT * FROM factor ORDER BY id, version');
    this.addActivity = db.prepare<[ActivityRow]>(
      `INSERT INTO activity_hour (meter, hour_start, kind, site, area, machine, fuel, unit, quantity, idle_qty, covered_ms, uncertain_ms, estimated_ms, first_ms, last_ms)
       VALUES (@meter, @hour_start, @kind, @site, @area, @machine, @fuel, @unit, @quantity, @idle_qty, @covered_ms, @uncertain_ms, @estimated_ms, @first_ms, @last_ms)
       ON CONFLICT (meter, hour_start) DO UPDATE SET quantity = quantity + excluded.quantity, idle_qty = idle_qty + excluded.idle_qty,
         covered_ms = covered_ms + excluded.covered_ms, uncertain_ms = uncertain_ms + excluded.uncertain_ms, estimated_ms = estimated_ms + excluded.estimated_ms,
         first_ms = MIN(COALESCE(first_ms, hour_start), excluded.first_ms), last_ms = MAX(COALESCE(last_ms, excluded.last_ms), excluded.last_ms)`,
    );
    this.addDemand = db.prepare<[string, number, number]>(
      `INSERT INTO demand_slot (meter, slot_start, kwh) VALUES (?, ?, ?)
       ON CONFLICT (meter, slot_start) DO UPDATE SET kwh = kwh + excluded.kwh`,
    );
    this.activityOf = db.prepare<[string, number], ActivityRow>('SELECT * FROM activity_hour WHERE meter = ? AND hour_start = ?');
    this.putRecord = db.prepare<[RecordRow]>(
      `INSERT OR REPLACE INTO emission_record (meter, hour_start, method, source_id, scope, category, site, area, machine, activity, activity_unit,
         factor_id, factor_version, market_fallback, co2_kg, ch4_kg, n2o_kg, co2e_kg, gwp_set, computed_at)
       VALUES (@meter, @hour_start, @method, @source_id, @scope, @category, @site, @area, @machine, @activity, @activity_unit,
         @factor_id, @factor_version, @market_fallback, @co2_kg, @ch4_kg, @n2o_kg, @co2e_kg, @gwp_set, @computed_at)`,
    );
    this.recordsOfFactor = db.prepare<[string], RecordRow>('SELECT * FROM emission_record WHERE factor_id = ?');
    this.insertGap = db.prepare<[string, number, number, string, string]>(
      'INSERT INTO gap (meter, start_ms, end_ms, kind, reason) VALUES (?, ?, ?, ?, ?) RETURNING seq',
    );
    this.extendGap = db.prepare<[number, number]>('UPDATE gap SET end_ms = ? WHERE seq = ?');
    this.putState = db.prepare<[string, number, number, number]>(
      'INSERT OR REPLACE INTO meter_state (meter, ts, value, quality) VALUES (?, ?, ?, ?)',
    );
    this.states = db.prepare<[], { meter: string; ts: number; value: number; quality: number }>('SELECT * FROM meter_state');
    this.insertChange = db.prepare<[Omit<ChangeRow, 'seq'>]>(
      `INSERT INTO factor_change (at, user, factor_id, new_version, reason, records, co2e_before_kg, co2e_after_kg, detail)
       VALUES (@at, @user, @factor_id, @new_version, @reason, @records, @co2e_before_kg, @co2e_after_kg, @detail) RETURNING seq`,
    );
    this.changes = db.prepare<[], ChangeRow>('SELECT * FROM factor_change ORDER BY seq');
    this.activityIn = db.prepare<[number, number], ActivityRow>(
      'SELECT * FROM activity_hour WHERE hour_start >= ? AND hour_start < ? ORDER BY hour_start',
    );
    this.activityTotals = db.prepare<[number, number], ActivityTotalRow>(
      `SELECT site, area, machine, kind, fuel, unit, SUM(quantity) AS quantity, SUM(idle_qty) AS idle_qty, SUM(covered_ms) AS covered_ms,
         SUM(uncertain_ms) AS uncertain_ms, SUM(estimated_ms) AS estimated_ms
       FROM activity_hour WHERE hour_start >= ? AND hour_start < ? GROUP BY site, area, machine, kind, fuel, unit`,
    );
    this.recordTotals = db.prepare<[number, number], RecordTotalRow>(
      `SELECT site, area, machine, scope, method, factor_id, factor_version, COUNT(*) AS records, SUM(co2e_kg) AS co2e_kg,
         SUM(factor_version IS NULL OR co2e_kg IS NULL) AS missing
       FROM emission_record WHERE hour_start >= ? AND hour_start < ? GROUP BY site, area, machine, scope, method, factor_id, factor_version`,
    );
    this.recordsIn = db.prepare<[number, number], RecordRow>(
      'SELECT * FROM emission_record WHERE hour_start >= ? AND hour_start < ? ORDER BY hour_start, meter, source_id, method',
    );
    this.demandIn = db.prepare<[number, number], { meter: string; slot_start: number; kwh: number }>(
      'SELECT * FROM demand_slot WHERE slot_start >= ? AND slot_start < ? ORDER BY slot_start',
    );
    this.gapsIn = db.prepare<[number, number, number], GapRow>(
      'SELECT * FROM gap WHERE end_ms > ? AND start_ms < ? ORDER BY start_ms, meter LIMIT ?',
    );
  }
}
