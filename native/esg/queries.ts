// Summaries and series from the hourly activity and emission records: totals per group, KPIs
// (intensities, idle energy, peak demand against tariff windows, baseline and savings) and coverage.
import type { EsgBaselineComparison, EsgGroupBy, EsgGroupSummary, EsgPeakDemand, EsgSeries, EsgSummary } from '../api/esg-requests.js';
import type { EsgConfig } from './config.js';
import type { Factor } from './factors.js';
import type { MeterRuntime } from './meter.js';
import type { ActivityTotalRow, EsgStore, RecordTotalRow } from './store.js';
import { inWindow, pad, SLOT_MS, shiftKey, type ZoneClock } from './time.js';

/** How much of a long range one step reads (summary, series, report): a day of hourly records. */
export const ESG_SLICE_MS = 86_400_000;

export interface QueryContext {
  store: EsgStore;
  clock: ZoneClock;
  config: EsgConfig;
  meters: readonly MeterRuntime[];
  now: number;
  factorsById: ReadonlyMap<string, readonly Factor[]>;
}

type KeyFn = (site: string, area: string, machine: string) => string;

export function keyFn(groupBy: EsgGroupBy | 'all'): KeyFn {
  if (groupBy === 'all') return () => '*';
  if (groupBy === 'site') return (s) => s;
  if (groupBy === 'area') return (s, a) => `${s}/${a}`;
  return (s, a, m) => `${s}/${a}/${m}`;
}

const ENERGY = new Set(['power', 'energyCounter']);
const WATER = new Set(['waterFlow', 'waterTotal']);
const FUEL = new Set(['fuelFlow', 'fuelTotal']);

interface Acc {
  key: string;
  site: string;
  area: string | null;
  machine: string | null;
  energy: number;
  idle: number;
  water: number;
  fuel: Map<string, { fuel: string; unit: string; quantity: number }>;
  production: number;
  s1: number;
  s2l: number;
  s2m: number;
  s3: number;
  factors: Map<string, { id: string; version: number; records: number }>;
  meters: number;
  covered: number;
  uncertain: number;
  estimated: number;
  missingFactor: number;
  gaps: number;
  gapMs: number;
  demand: Map<number, number>;
}

function newAcc(key: string, site: string, area: string | null, machine: string | null): Acc {
  return {
    key,
    site,
    area,
    machine,
    energy: 0,
    idle: 0,
    water: 0,
    fuel: new Map(),
    production: 0,
    s1: 0,
    s2l: 0,
    s2m: 0,
    s3: 0,
    factors: new Map(),
    meters: 0,
    covered: 0,
    uncertain: 0,
    estimated: 0,
    missingFactor: 0,
    gaps: 0,
    gapMs: 0,
    demand: new Map(),
  };
}

const HOUR_MS = 3_600_000;

/**
 * The share of one hourly activity row that falls in [from, to): 1 for an hour wholly inside; for a
 * range that starts or ends inside the hour (the current hour so far, the last minutes), the overlap
 * of the range with the span the row's data covers, the activity taken as even over that span.
 * Rows from before the span was stored count as covering the whole hour.
 */
export function shareIn(row: { hour_start: number; first_ms: number | null; last_ms: number | null }, from: number, to: number): number {
  const a = row.first_ms ?? row.hour_start;
  const z = row.last_ms ?? row.hour_start + HOUR_MS;
  if (a >= from && z <= to) return 1;
  if (z <= a) return a >= from && a < to ? 1 : 0;
  return Math.max(0, Math.min(z, to) - Math.max(a, from)) / (z - a);
}

/**
 * [from, to) as the hours wholly inside it (read by SQL sums) and the one or two hours it only cuts
 * into (read row by row and shared out with shareIn).
 */
function hoursOf(ctx: QueryContext, from: number, to: number): { inner: [number, number]; edges: number[] } {
  const first = ctx.clock.hourStart(from);
  const last = ctx.clock.hourStart(to - 1);
  const cutFirst = first < from;
  const cutLast = last + HOUR_MS > to;
  const a = cutFirst ? first + HOUR_MS : first;
  const z = cutLast ? last : last + HOUR_MS;
  const edges = [...(cutFirst ? [first] : []), ...(cutLast && !(cutFirst && last === first) ? [last] : [])];
  return { inner: [a, Math.max(a, z)], edges };
}

/** Consecutive [a, z) slices of [from, to): long ranges are read a slice at a time. */
function* slices(from: number, to: number, sliceMs = ESG_SLICE_MS): Generator<[number, number]> {
  for (let a = from; a < to; a += sliceMs) yield [a, Math.min(a + sliceMs, to)];
}

/** The group accumulators over [from, to), read a week at a time with a yield after each week. */
function* aggregateSteps(ctx: QueryContext, from: number, to: number, groupBy: EsgGroupBy | 'all'): Generator<void, Map<string, Acc>> {
  const key = keyFn(groupBy);
  const groups = new Map<string, Acc>();
  const sites = [...new Set(ctx.meters.map((m) => m.site))].join(',');
  const get = (site: string, area: string, machine: string): Acc => {
    const k = key(site, area, machine);
    let g = groups.get(k);
    if (!g) {
      g =
        groupBy === 'all'
          ? newAcc(sites || site, site, null, null)
          : newAcc(k, site, groupBy === 'site' ? null : area, groupBy === 'machine' ? machine : null);
      groups.set(k, g);
    }
    return g;
  };
  const meterGroup = new Map<string, Acc>();
  for (const m of ctx.meters) {
    const g = get(m.site, m.area, m.machine);
    meterGroup.set(m.cfg.tag, g);
    if (m.cfg.kind !== 'running') g.meters++;
  }
  /** Activity into its group; `share` < 1 for an hour the range cuts into (its split is an estimate, said as such). */
  const addActivity = (r: ActivityTotalRow, share: number) => {
    const g = get(r.site, r.area, r.machine);
    if (ENERGY.has(r.kind)) {
      g.energy += r.quantity * share;
      g.idle += r.idle_qty * share;
    } else if (WATER.has(r.kind)) g.water += r.quantity * share;
    else if (FUEL.has(r.kind)) {
      const fk = `${r.fuel}|${r.unit}`;
      const f = g.fuel.get(fk) ?? { fuel: r.fuel ?? '', unit: r.unit, quantity: 0 };
      f.quantity += r.quantity * share;
      g.fuel.set(fk, f);
    } else if (r.kind === 'production') g.production += r.quantity * share;
    g.covered += r.covered_ms * share;
    g.uncertain += r.uncertain_ms * share;
    g.estimated += share < 1 ? r.covered_ms * share : r.estimated_ms;
  };
  const addRecords = (r: RecordTotalRow, share: number) => {
    const g = get(r.site, r.area, r.machine);
    g.missingFactor += r.missing;
    if (r.factor_version === null || r.co2e_kg === null) return;
    const kg = r.co2e_kg * share;
    if (r.scope === 1) g.s1 += kg;
    else if (r.scope === 3) g.s3 += kg;
    else if (r.method === 'location') g.s2l += kg;
    else g.s2m += kg;
    const fk = `${r.factor_id}@${r.factor_version}`;
    const f = g.factors.get(fk) ?? { id: r.factor_id, version: r.factor_version, records: 0 };
    f.records += r.records - r.missing;
    g.factors.set(fk, f);
  };
  const hours = hoursOf(ctx, from, to);
  for (const h of hours.edges) {
    const shares = new Map<string, number>();
    for (const r of ctx.store.activityIn.all(h, h + 1)) {
      const share = shareIn(r, from, to);
      shares.set(r.meter, share);
      if (share > 0) addActivity(r, share);
    }
    for (const e of ctx.store.recordsIn.all(h, h + 1)) {
      const share = shares.get(e.meter) ?? 0;
      const missing = e.factor_version === null || e.co2e_kg === null ? 1 : 0;
      if (share > 0) addRecords({ ...e, records: 1, missing }, share);
    }
  }
  // Sums per slice add up to the sums over the range; only float rounding order differs.
  for (const [a, z] of slices(...hours.inner)) {
    for (const r of ctx.store.activityTotals.all(a, z)) addActivity(r, 1);
    for (const r of ctx.store.recordTotals.all(a, z)) addRecords(r, 1);
    yield;
  }
  for (const [a, z] of slices(from, to)) {
    for (const d of ctx.store.demandIn.all(a, z)) {
      const g = meterGroup.get(d.meter);
      if (g) g.demand.set(d.slot_start, (g.demand.get(d.slot_start) ?? 0) + d.kwh);
    }
    for (const gap of ctx.store.gapsIn.all(a, z, 1_000_000)) {
      const g = meterGroup.get(gap.meter);
      // A gap overlapping several slices counts once: in the slice where its part in range begins.
      if (!g || gap.kind === 'estimated' || Math.max(from, gap.start_ms) < a) continue;
      g.gaps++;
      g.gapMs += Math.min(to, gap.end_ms) - Math.max(from, gap.start_ms);
    }
    yield;
  }
  return groups;
}

function peakDemand(ctx: QueryContext, demand: ReadonlyMap<number, number>): EsgPeakDemand {
  const intervalMin = ctx.config.demandIntervalMin;
  const intervalMs = intervalMin * 60_000;
  const intervals = new Map<number, number>();
  for (const [slot, kwh] of demand) {
    // Demand intervals are aligned to local clock time (a 30-minute interval in a +05:30 zone starts at local :00 and :30).
    const off = ctx.clock.offset(slot);
    const start = Math.floor((slot + off) / intervalMs) * intervalMs - off;
    intervals.set(start, (intervals.get(start) ?? 0) + kwh);
  }
  const out: EsgPeakDemand = { intervalMin, kW: 0, at: null, inWindowKW: 0, outsideWindowKW: 0, byHourOfDay: new Array(24).fill(0) };
  for (const [start, kwh] of intervals) {
    const kw = kwh / (intervalMs / 3_600_000);
    if (kw > out.kW) {
      out.kW = kw;
      out.at = new Date(start).toISOString();
    }
    const inside = ctx.config.tariffWindows.some((w) => inWindow(ctx.clock, start, w));
    if (inside) out.inWindowKW = Math.max(out.inWindowKW, kw);
    else out.outsideWindowKW = Math.max(out.outsideWindowKW, kw);
    const h = ctx.clock.local(start).hour;
    out.byHourOfDay[h] = Math.max(out.byHourOfDay[h] as number, kw);
  }
  return out;
}

function total(ctx: QueryContext, a: Acc): number {
  return a.s1 + (ctx.config.totalScope2 === 'market' ? a.s2m : a.s2l) + a.s3;
}

function baselineOf(ctx: QueryContext, cur: Acc, base: Acc | undefined, elapsedMs: number): EsgBaselineComparison | null {
  const b = ctx.config.baseline;
  if (!b || !base) return null;
  const baseDays = (Date.parse(b.to) - Date.parse(b.from)) / 86_400_000;
  const curDays = elapsedMs / 86_400_000;
  const baseCo2e = total(ctx, base);
  const intensity = base.production > 0 && cur.production > 0;
  const ratio = intensity ? cur.production / base.production : curDays / baseDays;
  const expected = base.energy * ratio;
  const savings = expected - cur.energy;
  return {
    from: new Date(Date.parse(b.from)).toISOString(),
    to: new Date(Date.parse(b.to)).toISOString(),
    basis: intensity ? 'intensity' : 'per-day',
    energyKWh: base.energy,
    co2eKg: baseCo2e,
    production: base.production,
    expectedEnergyKWh: expected,
    savingsKWh: savings,
    savingsCo2eKg: baseCo2e * ratio - total(ctx, cur),
    savingsRatio: expected > 0 ? savings / expected : null,
  };
}

function finish(ctx: QueryContext, a: Acc, base: Acc | undefined, from: number, to: number): EsgGroupSummary {
  const elapsed = Math.max(0, Math.min(to, ctx.now) - from);
  const tot = total(ctx, a);
  const expected = a.meters * elapsed;
  const per = (x: number) => (a.production > 0 ? x / a.production : null);
  return {
    key: a.key,
    site: a.site,
    area: a.area,
    machine: a.machine,
    energyKWh: a.energy,
    idleEnergyKWh: a.idle,
    waterM3: a.water,
    fuel: [...a.fuel.values()].sort((x, y) => x.fuel.localeCompare(y.fuel)),
    production: a.production,
    co2eKg: { scope1: a.s1, scope2Location: a.s2l, scope2Market: a.s2m, scope3: a.s3, total: tot },
    kpis: {
      energyIntensityKWhPerUnit: per(a.energy),
      specificEmissionsKgPerUnit: per(tot),
      waterIntensityM3PerUnit: per(a.water),
      idleShare: a.energy > 0 ? a.idle / a.energy : null,
      peakDemand: peakDemand(ctx, a.demand),
      baseline: baselineOf(ctx, a, base, elapsed),
    },
    factors: [...a.factors.values()]
      .sort((x, y) => x.id.localeCompare(y.id) || x.version - y.version)
      .map((f) => {
        const def = ctx.factorsById.get(f.id)?.find((v) => v.version === f.version);
        return { ...f, label: def?.label ?? '', unit: def?.unit ?? '', isDefault: def?.isDefault ?? false };
      }),
    coverage: {
      expectedMs: expected,
      coveredMs: a.covered,
      uncertainMs: a.uncertain,
      estimatedMs: a.estimated,
      ratio: expected > 0 ? Math.min(1, a.covered / expected) : 0,
      gaps: a.gaps,
      gapMs: a.gapMs,
      missingFactorRecords: a.missingFactor,
    },
  };
}

/** The summary as steps (a week of records each): run with runSliced to keep the event loop free. */
export function* summariseSteps(ctx: QueryContext, from: number, to: number, groupBy: EsgGroupBy): Generator<void, EsgSummary> {
  const b = ctx.config.baseline;
  const bFrom = b ? Date.parse(b.from) : 0;
  const bTo = b ? Date.parse(b.to) : 0;
  const groups = yield* aggregateSteps(ctx, from, to, groupBy);
  const baseGroups = b ? yield* aggregateSteps(ctx, bFrom, bTo, groupBy) : new Map<string, Acc>();
  const all = yield* aggregateSteps(ctx, from, to, 'all');
  const baseAll = b ? yield* aggregateSteps(ctx, bFrom, bTo, 'all') : new Map<string, Acc>();
  const totalAcc = all.get('*') ?? newAcc('', '', null, null);
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    groupBy,
    timeZone: ctx.clock.timeZone,
    gwpSet: ctx.config.gwpSet,
    totalScope2: ctx.config.totalScope2,
    marketFallback: ctx.config.sources.some((s) => s.scope === 2 && s.marketFactor === undefined),
    sources: ctx.config.sources.map((s) => ({ id: s.id, label: s.label, scope: s.scope, category: s.category })),
    groups: [...groups.values()].sort((x, y) => x.key.localeCompare(y.key)).map((g) => finish(ctx, g, baseGroups.get(g.key), from, to)),
    totals: finish(ctx, totalAcc, baseAll.get('*'), from, to),
  };
}

function bucketFn(ctx: QueryContext, period: EsgSeries['period']): (t: number) => string {
  const c = ctx.clock;
  switch (period) {
    case 'hour':
      return (t) => {
        const p = c.local(t);
        const off = c.offset(t) / 60_000;
        const sign = off < 0 ? '-' : '+';
        return `${c.dayKey(t)} ${pad(p.hour)}:00${sign}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
      };
    case 'shift':
      return (t) => shiftKey(c, ctx.config.shifts, t);
    case 'day':
      return (t) => c.dayKey(t);
    case 'month':
      return (t) => c.monthKey(t);
    case 'year':
      return (t) => String(c.local(t).year);
  }
}

/** The series as steps (a week of records each). */
export function* seriesSteps(
  ctx: QueryContext,
  from: number,
  to: number,
  groupBy: EsgGroupBy,
  period: EsgSeries['period'],
): Generator<void, EsgSeries> {
  const key = keyFn(groupBy);
  const bucket = bucketFn(ctx, period);
  const buckets: string[] = [];
  const index = new Map<string, number>();
  const idx = (t: number) => {
    const b = bucket(t);
    let i = index.get(b);
    if (i === undefined) {
      i = buckets.length;
      buckets.push(b);
      index.set(b, i);
    }
    return i;
  };
  // Buckets for every hour of the range, so charts show empty hours as zero rather than skipping them.
  for (let t = ctx.clock.hourStart(from), n = 1; t < to; t += SLOT_MS * 4, n++) {
    idx(t);
    if (n % 168 === 0) yield;
  }
  type Row = {
    energy: Map<number, number>;
    water: Map<number, number>;
    s1: Map<number, number>;
    s2l: Map<number, number>;
    s2m: Map<number, number>;
    s3: Map<number, number>;
  };
  const rows = new Map<string, Row>();
  const row = (k: string): Row => {
    let r = rows.get(k);
    if (!r) {
      r = { energy: new Map(), water: new Map(), s1: new Map(), s2l: new Map(), s2m: new Map(), s3: new Map() };
      rows.set(k, r);
    }
    return r;
  };
  const add = (m: Map<number, number>, i: number, v: number) => m.set(i, (m.get(i) ?? 0) + v);
  // Hours the range cuts into give their share (shareIn); the records of a meter's hour follow its activity's share.
  const readFrom = ctx.clock.hourStart(from);
  const shares = new Map<string, number>();
  for (const [sa, sz] of slices(readFrom, to)) {
    for (const a of ctx.store.activityIn.all(sa, sz)) {
      const share = shareIn(a, from, to);
      if (share < 1) shares.set(`${a.meter}@${a.hour_start}`, share);
      if (share === 0) continue;
      const r = row(key(a.site, a.area, a.machine));
      if (ENERGY.has(a.kind)) add(r.energy, idx(a.hour_start), a.quantity * share);
      else if (WATER.has(a.kind)) add(r.water, idx(a.hour_start), a.quantity * share);
    }
    yield;
  }
  for (const [sa, sz] of slices(readFrom, to)) {
    for (const e of ctx.store.recordsIn.all(sa, sz)) {
      const share = shares.get(`${e.meter}@${e.hour_start}`) ?? 1;
      if (e.co2e_kg === null || share === 0) continue;
      const r = row(key(e.site, e.area, e.machine));
      const m = e.scope === 1 ? r.s1 : e.scope === 3 ? r.s3 : e.method === 'location' ? r.s2l : r.s2m;
      add(m, idx(e.hour_start), e.co2e_kg * share);
    }
    yield;
  }
  const dense = (m: Map<number, number>) => buckets.map((_, i) => m.get(i) ?? 0);
  const market = ctx.config.totalScope2 === 'market';
  return {
    period,
    buckets,
    groups: [...rows.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, r]) => {
        const s1 = dense(r.s1);
        const s2l = dense(r.s2l);
        const s2m = dense(r.s2m);
        const s3 = dense(r.s3);
        return {
          key: k,
          energyKWh: dense(r.energy),
          waterM3: dense(r.water),
          co2eKg: {
            scope1: s1,
            scope2Location: s2l,
            scope2Market: s2m,
            scope3: s3,
            total: s1.map((v, i) => v + (market ? s2m[i] : s2l[i])! + s3[i]!),
          },
        };
      }),
  };
}
