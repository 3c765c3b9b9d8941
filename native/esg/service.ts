// The ESG service: turns tag samples into hourly activity and emission records, and answers
// summaries, series and reports from them. Ingest is synchronous and cheap (accumulate in memory);
// flush writes everything accumulated in one transaction and (re)computes the emission records of
// the hours it touched.
import { fileURLToPath } from 'node:url';
import type { EsgFactorChange, EsgFactorRow, EsgGap, EsgGroupBy, EsgReportFile, EsgSeries, EsgSummary } from '../api/esg-requests.js';
import type { TagInfo } from '../api/types.js';
import type { SampleBatch } from '../tags/bus.js';
import { describeZodError } from '../util/describe.js';
import { describeError } from '../util/errors.js';
import { runToEnd } from '../util/sliced.js';
import type { SqliteDatabase } from '../util/sqlite.js';
import { type ActivitySink, MeterAccumulator, type SlotAmount } from './accumulator.js';
import type { EsgConfig, MeterConfig, MeterKind, SourceConfig } from './config.js';
import {
  applyFactor,
  type Factor,
  FactorError,
  type FactorInput,
  factorSchema,
  readFactorFiles,
  resolveFactor,
  sameFactor,
  toFactor,
} from './factors.js';
import type { MeterRuntime } from './meter.js';
import { type QueryContext, seriesSteps as seriesOfSteps, summariseSteps } from './queries.js';
import { renderReportSteps } from './report.js';
import { type ChangeRow, EsgStore, factorFromRow, type RecordRow } from './store.js';
import { periodRange, type ReportPeriod, ZoneClock } from './time.js';
import { type CanonicalUnit, conversionFactor, parseAmountUnit, parseRateUnit } from './units.js';

export const DEFAULT_FACTORS_DIR = fileURLToPath(new URL('../../resources/emission-factors', import.meta.url));

export interface EsgOptions {
  db: SqliteDatabase;
  tags: readonly TagInfo[];
  config: EsgConfig;
  factorsDir?: string;
  now?: () => number;
  timeZone?: string;
  /** How often ingest writes what it accumulated. */
  flushEveryMs?: number;
}

export type SummaryArgs = { from: number; to: number; groupBy: EsgGroupBy };
export type SeriesArgs = { from: number; to: number; groupBy: EsgGroupBy; period: EsgSeries['period'] };
export type ReportRequest = { period: ReportPeriod; start: string; format: 'csv' | 'html' };

export interface EsgService {
  ingest(batch: SampleBatch): void;
  /** Write accumulated activity and compute the emission records of the hours touched. */
  flush(): void;
  summary(args: SummaryArgs): EsgSummary;
  series(args: SeriesArgs): EsgSeries;
  report(args: ReportRequest): EsgReportFile;
  /**
   * The same work as steps of a week of records each, for runSliced (native/util/sliced.ts): the
   * API answers long periods without holding the event loop.
   */
  summarySteps(args: SummaryArgs): Generator<void, EsgSummary>;
  seriesSteps(args: SeriesArgs): Generator<void, EsgSeries>;
  reportSteps(args: ReportRequest): Generator<void, EsgReportFile>;
  factors(): EsgFactorRow[];
  /** Add a corrected version of a factor, recompute the records it affects, audit the change. */
  correctFactor(input: Omit<FactorInput, 'version'>, reason: string, user: string | null): EsgFactorChange;
  factorChanges(): EsgFactorChange[];
  gaps(args: { from: number; to: number; limit: number }): EsgGap[];
  close(): void;
}

export const ENERGY_KINDS: readonly MeterKind[] = ['power', 'energyCounter'];
const RATE_KINDS: readonly MeterKind[] = ['power', 'fuelFlow', 'waterFlow'];

interface MachineState {
  running: boolean | null;
  lastProducedAt: number | null;
  hasProduction: boolean;
}

const EXPECTED_KIND: Record<MeterKind, readonly string[]> = {
  power: ['energy'],
  energyCounter: ['energy'],
  fuelFlow: ['volume', 'normal-volume', 'standard-volume', 'mass'],
  fuelTotal: ['volume', 'normal-volume', 'standard-volume', 'mass'],
  waterFlow: ['volume'],
  waterTotal: ['volume'],
  production: ['count'],
  running: [],
};

export class EsgConfigError extends Error {
  override name = 'EsgConfigError';
}

/**
 * What one meter measures and which factors it may use, checked the same way by the console at start
 * (openEsg) and by the site-file validator (checkEsgConfig), so check-config refuses what serve would.
 */
function checkMeter(
  cfg: MeterConfig,
  tag: TagInfo,
  sources: ReadonlyMap<string, SourceConfig>,
  factorsById: ReadonlyMap<string, readonly Factor[]>,
): { unit: CanonicalUnit; scale: number; sources: SourceConfig[]; problems: string[]; unitless: boolean } {
  let unit: CanonicalUnit = 'units';
  let scale = 1;
  const problems: string[] = [];
  const unitText = cfg.unit ?? (tag.unit || (cfg.kind === 'production' ? 'units' : ''));
  if (cfg.kind !== 'running') {
    try {
      const parsed = RATE_KINDS.includes(cfg.kind) ? parseRateUnit(unitText) : parseAmountUnit(unitText);
      if (!EXPECTED_KIND[cfg.kind].includes(parsed.kind))
        throw new Error(`unit "${unitText}" is ${parsed.kind}, not what a ${cfg.kind} meter measures`);
      unit = parsed.canonical;
      scale = 'perSecond' in parsed ? parsed.perSecond : parsed.toCanonical;
    } catch (err) {
      return { unit, scale, sources: [], problems: [describeError(err)], unitless: true };
    }
  }
  const meterSources = cfg.source.map((id) => sources.get(id)).filter((s): s is SourceConfig => s !== undefined);
  for (const source of meterSources) {
    for (const fid of [source.factor, source.locationFactor, source.marketFactor]) {
      if (!fid) continue;
      const versions = factorsById.get(fid);
      if (!versions) problems.push(`source ${source.id} names no known emission factor "${fid}"`);
      // One sentence per factor, naming the versions that do not fit (not one line per version).
      const unfit = new Map<string, number[]>();
      const otherFuel = new Set<string>();
      for (const f of versions ?? []) {
        try {
          conversionFactor(unit, f.unit);
        } catch {
          unfit.set(f.unit, [...(unfit.get(f.unit) ?? []), f.version]);
        }
        if (f.fuel && cfg.fuel && f.fuel !== cfg.fuel) otherFuel.add(f.fuel);
      }
      for (const [per, vs] of unfit)
        problems.push(
          `measures ${unit} and cannot use factor ${fid} (version${vs.length > 1 ? 's' : ''} ${vs.join(', ')}), which is per ${per}`,
        );
      for (const fuel of otherFuel) problems.push(`measures ${cfg.fuel} but factor ${fid} is for ${fuel}`);
    }
  }
  return { unit, scale, sources: meterSources, problems, unitless: false };
}

/**
 * The ESG section's unit and factor rules, for the site-file validator: one problem per meter index,
 * against the shipped factor files (factors added from the console live in esg.db and only add to these).
 */
export function checkEsgConfig(
  config: EsgConfig,
  tags: readonly TagInfo[],
  factorsDir: string = DEFAULT_FACTORS_DIR,
): { meter: number; message: string }[] {
  const tagByName = new Map(tags.map((t) => [t.name, t]));
  const sources = new Map(config.sources.map((s) => [s.id, s]));
  const factorsById = new Map<string, Factor[]>();
  for (const f of readFactorFiles(factorsDir)) factorsById.set(f.id, [...(factorsById.get(f.id) ?? []), f]);
  const out: { meter: number; message: string }[] = [];
  config.meters.forEach((cfg, meter) => {
    const tag = tagByName.get(cfg.tag);
    if (!tag) return; // the validator reports unknown tags itself, at the tag field
    for (const message of checkMeter(cfg, tag, sources, factorsById).problems) out.push({ meter, message });
  });
  return out;
}

/** Adds an amount into the one kept under `key` (a slot or an hour), or keeps a copy of it when there is none yet. */
function addAmount(into: Map<number, SlotAmount>, key: number, a: SlotAmount): void {
  const s = into.get(key);
  if (!s) into.set(key, { ...a });
  else {
    s.qty += a.qty;
    s.idleQty += a.idleQty;
    s.coveredMs += a.coveredMs;
    s.uncertainMs += a.uncertainMs;
    s.estimatedMs += a.estimatedMs;
    s.firstMs = Math.min(s.firstMs, a.firstMs);
    s.lastMs = Math.max(s.lastMs, a.lastMs);
  }
}

export function openEsg(opts: EsgOptions): EsgService {
  const config = opts.config;
  const now = opts.now ?? Date.now;
  const clock = new ZoneClock(opts.timeZone ?? 'UTC');
  const store = new EsgStore(opts.db);
  const db = opts.db;
  const flushEveryMs = opts.flushEveryMs ?? 10_000;
  const idleAfterMs = config.idleAfterS * 1000;

  // --- Factors: load the files, refuse edits in place, audit new versions of ids already in use.
  const factorsById = new Map<string, Factor[]>();
  const reloadFactors = () => {
    factorsById.clear();
    for (const row of store.allFactors.all()) {
      const f = factorFromRow(row);
      const list = factorsById.get(f.id) ?? [];
      list.push(f);
      factorsById.set(f.id, list);
    }
  };
  reloadFactors();
  const fromFiles = readFactorFiles(opts.factorsDir ?? DEFAULT_FACTORS_DIR);
  const newVersionsOfKnownIds = new Map<string, Factor>();
  db.transaction(() => {
    for (const f of fromFiles) {
      const existing = factorsById.get(f.id)?.find((x) => x.version === f.version);
      if (existing) {
        if (!sameFactor(existing, f)) {
          throw new FactorError(
            `factor ${f.id} version ${f.version} in ${f.origin} differs from the version already used; give the change a new version number`,
          );
        }
        continue;
      }
      if (factorsById.has(f.id)) newVersionsOfKnownIds.set(f.id, f);
      store.insertFactor.run({ ...f, addedAt: now(), addedBy: null, isDefaultInt: f.isDefault ? 1 : 0 });
    }
  })();
  reloadFactors();

  // --- Meters: resolve tags, units, sources; check every factor a meter may use fits its unit.
  const tagByName = new Map(opts.tags.map((t) => [t.name, t]));
  const sources = new Map(config.sources.map((s) => [s.id, s]));
  const machines = new Map<string, MachineState>();
  const meters: MeterRuntime[] = [];
  const byTagId: (MeterRuntime | undefined)[] = [];
  const problems: string[] = [];
  for (const cfg of config.meters) {
    const tag = tagByName.get(cfg.tag);
    if (!tag) {
      problems.push(`esg meter ${cfg.tag}: no such tag`);
      continue;
    }
    const area = cfg.area ?? tag.area;
    const machine = cfg.machine ?? tag.machine;
    const machineKey = `${tag.site}/${area}/${machine}`;
    const ms = machines.get(machineKey) ?? { running: null, lastProducedAt: null, hasProduction: false };
    machines.set(machineKey, ms);
    if (cfg.kind === 'production') ms.hasProduction = true;
    const checked = checkMeter(cfg, tag, sources, factorsById);
    if (checked.problems.length > 0) {
      problems.push(...checked.problems.map((p) => `esg meter ${cfg.tag}: ${p}`));
      if (checked.unitless) continue;
    }
    const { unit, scale, sources: meterSources } = checked;
    const rt: MeterRuntime = {
      cfg,
      site: tag.site,
      area,
      machine,
      unit,
      sources: meterSources,
      acc: null,
      slots: new Map(),
      pendingGaps: [],
      lastGap: null,
    };
    if (cfg.kind !== 'running') {
      const sink: ActivitySink = {
        add(slot, a) {
          addAmount(rt.slots, slot, a);
        },
        gap(start, end, kind, reason) {
          const prev = rt.pendingGaps[rt.pendingGaps.length - 1];
          if (prev && prev.end === start && prev.kind === kind && prev.reason === reason) prev.end = end;
          else rt.pendingGaps.push({ start, end, kind, reason });
        },
      };
      const isIdle =
        cfg.kind === 'production'
          ? undefined
          : (t: number) => ms.running === false || (ms.hasProduction && ms.lastProducedAt !== null && t - ms.lastProducedAt > idleAfterMs);
      rt.acc = new MeterAccumulator(
        {
          mode: RATE_KINDS.includes(cfg.kind) ? 'rate' : 'counter',
          scale,
          maxGapMs: (cfg.maxGapS ?? config.maxGapS) * 1000,
          integration: cfg.integration,
          ...(cfg.rollover !== undefined ? { rollover: cfg.rollover } : {}),
          ...(isIdle ? { isIdle } : {}),
        },
        sink,
      );
    }
    meters.push(rt);
    byTagId[tag.id] = rt;
  }
  if (problems.length > 0) throw new EsgConfigError(problems.join('\n'));
  for (const s of store.states.all()) {
    const rt = meters.find((m) => m.cfg.tag === s.meter);
    if (rt?.acc) rt.acc.last = { ts: s.ts, v: s.value, q: s.quality };
  }
  const machineOf = (rt: MeterRuntime) => machines.get(`${rt.site}/${rt.area}/${rt.machine}`) as MachineState;

  // --- Emission records
  const recordsFor = (rt: MeterRuntime, hourStart: number, activity: number): RecordRow[] =>
    rt.sources.flatMap((src) => recordsOfSource(rt, src, hourStart, activity));
  const recordsOfSource = (rt: MeterRuntime, src: SourceConfig, hourStart: number, activity: number): RecordRow[] => {
    const plan: { method: string; factorId: string; fallback: boolean }[] =
      src.scope === 2
        ? [
            { method: 'location', factorId: src.locationFactor as string, fallback: false },
            { method: 'market', factorId: src.marketFactor ?? (src.locationFactor as string), fallback: src.marketFactor === undefined },
          ]
        : [{ method: '', factorId: src.factor as string, fallback: false }];
    return plan.map((p) =>
      computeRecord(
        {
          meter: rt.cfg.tag,
          hour_start: hourStart,
          method: p.method,
          source_id: src.id,
          scope: src.scope,
          category: src.category,
          site: rt.site,
          area: rt.area,
          machine: rt.machine,
          activity,
          activity_unit: rt.unit,
          factor_id: p.factorId,
          factor_version: null,
          market_fallback: p.fallback ? 1 : 0,
          co2_kg: null,
          ch4_kg: null,
          n2o_kg: null,
          co2e_kg: null,
          gwp_set: null,
          computed_at: 0,
        },
        factorsById.get(p.factorId) ?? [],
      ),
    );
  };
  const computeRecord = (r: RecordRow, versions: readonly Factor[]): RecordRow => {
    const f = resolveFactor(versions, r.hour_start);
    if (!f)
      return { ...r, factor_version: null, co2_kg: null, ch4_kg: null, n2o_kg: null, co2e_kg: null, gwp_set: null, computed_at: now() };
    const e = applyFactor(f, r.activity * conversionFactor(r.activity_unit, f.unit), config.gwpSet);
    return {
      ...r,
      factor_version: f.version,
      co2_kg: e.co2,
      ch4_kg: e.ch4,
      n2o_kg: e.n2o,
      co2e_kg: e.co2e,
      gwp_set: e.gwpSet,
      computed_at: now(),
    };
  };

  /** Recompute every record of factor `id`; returns what changed, for the audit row. */
  const recompute = (id: string) => {
    const versions = factorsById.get(id) ?? [];
    let before = 0;
    let after = 0;
    let changed = 0;
    const moved = new Map<string, number>();
    for (const r of store.recordsOfFactor.all(id)) {
      const next = computeRecord(r, versions);
      before += r.co2e_kg ?? 0;
      after += next.co2e_kg ?? 0;
      if (next.factor_version !== r.factor_version || next.co2e_kg !== r.co2e_kg) {
        changed++;
        const k = `v${r.factor_version ?? '-'}→v${next.factor_version ?? '-'}`;
        moved.set(k, (moved.get(k) ?? 0) + 1);
        store.putRecord.run(next);
      }
    }
    return { before, after, changed, detail: JSON.stringify(Object.fromEntries(moved)) };
  };

  const changeOut = (c: ChangeRow): EsgFactorChange => ({
    seq: c.seq,
    at: new Date(c.at).toISOString(),
    user: c.user,
    factorId: c.factor_id,
    newVersion: c.new_version,
    reason: c.reason,
    records: c.records,
    co2eBeforeKg: c.co2e_before_kg,
    co2eAfterKg: c.co2e_after_kg,
  });

  const audit = (id: string, version: number, reason: string, user: string | null): EsgFactorChange => {
    const r = recompute(id);
    const row = {
      at: now(),
      user,
      factor_id: id,
      new_version: version,
      reason,
      records: r.changed,
      co2e_before_kg: r.before,
      co2e_after_kg: r.after,
      detail: r.detail,
    };
    const { seq } = store.insertChange.get(row) as { seq: number };
    return changeOut({ seq, ...row });
  };
  if (newVersionsOfKnownIds.size > 0) {
    db.transaction(() => {
      for (const [id, f] of newVersionsOfKnownIds) audit(id, f.version, `new version loaded from ${f.origin}`, null);
    })();
  }

  // --- Ingest and flush
  let lastFlush = now();
  const flush = db.transaction(() => {
    for (const rt of meters) {
      if (rt.acc?.last) store.putState.run(rt.cfg.tag, rt.acc.last.ts, Number.isFinite(rt.acc.last.v) ? rt.acc.last.v : 0, rt.acc.last.q);
      for (const g of rt.pendingGaps) {
        const lg = rt.lastGap;
        if (lg && lg.end === g.start && lg.kind === g.kind && lg.reason === g.reason) {
          store.extendGap.run(g.end, lg.seq);
          lg.end = g.end;
        } else {
          const { seq } = store.insertGap.get(rt.cfg.tag, g.start, g.end, g.kind, g.reason) as { seq: number };
          rt.lastGap = { seq, ...g };
        }
      }
      rt.pendingGaps = [];
      if (rt.slots.size === 0) continue;
      const hours = new Map<number, SlotAmount>();
      const isEnergy = ENERGY_KINDS.includes(rt.cfg.kind);
      for (const [slot, a] of rt.slots) {
        if (isEnergy) store.addDemand.run(rt.cfg.tag, slot, a.qty);
        addAmount(hours, clock.hourStart(slot), a);
      }
      rt.slots.clear();
      for (const [h, a] of hours) {
        store.addActivity.run({
          meter: rt.cfg.tag,
          hour_start: h,
          kind: rt.cfg.kind,
          site: rt.site,
          area: rt.area,
          machine: rt.machine,
          fuel: rt.cfg.fuel ?? null,
          unit: rt.unit,
          quantity: a.qty,
          idle_qty: a.idleQty,
          covered_ms: Math.round(a.coveredMs),
          uncertain_ms: Math.round(a.uncertainMs),
          estimated_ms: Math.round(a.estimatedMs),
          first_ms: a.firstMs,
          last_ms: a.lastMs,
        });
        if (rt.sources.length === 0) continue;
        const total = (store.activityOf.get(rt.cfg.tag, h) as { quantity: number }).quantity;
        for (const rec of recordsFor(rt, h, total)) store.putRecord.run(rec);
      }
    }
    lastFlush = now();
  });

  const ingest = (batch: SampleBatch) => {
    const { ids, ts, values, quality } = batch;
    for (let i = 0; i < batch.length; i++) {
      const rt = byTagId[ids[i] as number];
      if (!rt) continue;
      const t = ts[i] as number;
      const v = values[i] as number;
      const q = quality[i] as number;
      if (rt.cfg.kind === 'running') {
        machineOf(rt).running = q === 2 || !Number.isFinite(v) ? null : v >= 0.5;
        continue;
      }
      const acc = rt.acc as MeterAccumulator;
      const hadBaseline = acc.last !== null;
      const counted = acc.push(t, v, q);
      if (rt.cfg.kind === 'production') {
        const ms = machineOf(rt);
        if (counted > 0 || (!hadBaseline && acc.last !== null)) ms.lastProducedAt = t;
      }
    }
    if (now() - lastFlush >= flushEveryMs) flush();
  };

  const ctx = (): QueryContext => ({ store, clock, config, meters, now: now(), factorsById });

  const factorRows = (): EsgFactorRow[] =>
    store.allFactors.all().map((r) => ({
      id: r.id,
      version: r.version,
      label: r.label,
      unit: r.unit,
      fuel: r.fuel,
      validFrom: new Date(r.valid_from).toISOString(),
      validTo: r.valid_to === null ? null : new Date(r.valid_to).toISOString(),
      co2: r.co2,
      ch4: r.ch4,
      n2o: r.n2o,
      co2eStated: r.co2e_stated,
      gwpStated: r.gwp_stated,
      source: r.source,
      url: r.url,
      notes: r.notes,
      isDefault: r.is_default === 1,
      origin: r.origin,
      addedAt: new Date(r.added_at).toISOString(),
      addedBy: r.added_by,
    }));

  function* summarySteps(args: SummaryArgs): Generator<void, EsgSummary> {
    flush();
    return yield* summariseSteps(ctx(), args.from, args.to, args.groupBy);
  }
  function* seriesSteps(args: SeriesArgs): Generator<void, EsgSeries> {
    flush();
    return yield* seriesOfSteps(ctx(), args.from, args.to, args.groupBy, args.period);
  }
  function* reportSteps(args: ReportRequest): Generator<void, EsgReportFile> {
    flush();
    const range = periodRange(clock, args.period, args.start);
    return yield* renderReportSteps(ctx(), { ...range, period: args.period, format: args.format, factors: factorRows() });
  }

  return {
    ingest,
    flush: () => flush(),
    summary: (args) => runToEnd(summarySteps(args)),
    series: (args) => runToEnd(seriesSteps(args)),
    report: (args) => runToEnd(reportSteps(args)),
    summarySteps,
    seriesSteps,
    reportSteps,
    factors: factorRows,
    correctFactor(input, reason, user) {
      const versions = factorsById.get(input.id);
      if (!versions) throw new FactorError(`no emission factor "${input.id}" to correct`);
      // Checked with the version it becomes, and worded against that same value (each field named).
      const candidate = { ...input, version: Math.max(...versions.map((f) => f.version)) + 1 };
      const parsed = factorSchema.safeParse(candidate);
      if (!parsed.success)
        throw new FactorError(
          describeZodError(parsed.error, factorSchema, candidate)
            .map((p) => p.message)
            .join('; '),
        );
      const f = toFactor(parsed.data, false, 'correction');
      for (const rt of meters) {
        for (const s of rt.sources) if ([s.factor, s.locationFactor, s.marketFactor].includes(f.id)) conversionFactor(rt.unit, f.unit);
      }
      flush();
      return db.transaction(() => {
        store.insertFactor.run({ ...f, addedAt: now(), addedBy: user, isDefaultInt: 0 });
        reloadFactors();
        return audit(f.id, f.version, reason, user);
      })();
    },
    factorChanges: () => store.changes.all().map(changeOut),
    gaps({ from, to, limit }) {
      flush();
      return store.gapsIn.all(from, to, limit).map((g) => ({
        meter: g.meter,
        start: new Date(g.start_ms).toISOString(),
        end: new Date(g.end_ms).toISOString(),
        kind: g.kind,
        reason: g.reason,
      }));
    },
    close() {
      flush();
    },
  };
}
