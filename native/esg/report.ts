// Report export for a month, quarter or year: CSV (one row per daily emission or activity record,
// then totals that are the sums of those rows) and a self-contained printable HTML page with the
// methodology, the factors used and their sources, KPIs, data gaps and coverage.
import type { EsgFactorRow, EsgGroupSummary, EsgReportFile, EsgSummary } from '../api/esg-requests.js';
import { ESG_SLICE_MS, type QueryContext, summariseSteps } from './queries.js';
import type { ReportPeriod } from './time.js';

export interface ReportArgs {
  from: number;
  to: number;
  label: string;
  period: ReportPeriod;
  format: 'csv' | 'html';
  factors: EsgFactorRow[];
}

/** One daily emission record: the hourly records of one meter, source, method and factor version on one local day. */
export interface DailyRecord {
  day: string;
  site: string;
  area: string;
  machine: string;
  meter: string;
  sourceId: string;
  scope: number;
  category: string;
  method: string;
  activity: number;
  activityUnit: string;
  factorId: string;
  factorVersion: number | null;
  gwpSet: string;
  co2: number;
  ch4: number;
  n2o: number;
  co2e: number;
}

/** Fixed decimals for every figure in a report; totals are summed from the rounded record values so they reconcile exactly. */
const round = (x: number) => Number(x.toFixed(6));

/** Rows of [from, to) a week at a time, in order, with a yield after each week. */
function* weeks<R>(read: (a: number, z: number) => R[], from: number, to: number): Generator<R[], void> {
  for (let a = from; a < to; a += ESG_SLICE_MS) yield read(a, Math.min(a + ESG_SLICE_MS, to));
}

function* dailyRecordSteps(ctx: QueryContext, from: number, to: number): Generator<void, DailyRecord[]> {
  const out = new Map<string, DailyRecord>();
  for (const rows of weeks((a, z) => ctx.store.recordsIn.all(a, z), from, to)) {
    for (const r of rows) {
      const day = ctx.clock.dayKey(r.hour_start);
      const k = `${day}|${r.meter}|${r.source_id}|${r.method}|${r.factor_id}|${r.factor_version}`;
      let d = out.get(k);
      if (!d) {
        d = {
          day,
          site: r.site,
          area: r.area,
          machine: r.machine,
          meter: r.meter,
          sourceId: r.source_id,
          scope: r.scope,
          category: r.category,
          method: r.method,
          activity: 0,
          activityUnit: r.activity_unit,
          factorId: r.factor_id,
          factorVersion: r.factor_version,
          gwpSet: r.gwp_set ?? '',
          co2: 0,
          ch4: 0,
          n2o: 0,
          co2e: 0,
        };
        out.set(k, d);
      }
      d.activity += r.activity;
      d.co2 += r.co2_kg ?? 0;
      d.ch4 += r.ch4_kg ?? 0;
      d.n2o += r.n2o_kg ?? 0;
      d.co2e += r.co2e_kg ?? 0;
    }
    yield;
  }
  return [...out.values()].map((d) => ({
    ...d,
    activity: round(d.activity),
    co2: round(d.co2),
    ch4: round(d.ch4),
    n2o: round(d.n2o),
    co2e: round(d.co2e),
  }));
}

interface DailyActivity {
  day: string;
  site: string;
  area: string;
  machine: string;
  meter: string;
  kind: string;
  unit: string;
  quantity: number;
}

function* dailyActivitySteps(ctx: QueryContext, from: number, to: number): Generator<void, DailyActivity[]> {
  const out = new Map<string, DailyActivity>();
  for (const rows of weeks((a, z) => ctx.store.activityIn.all(a, z), from, to)) {
    for (const a of rows) {
      const day = ctx.clock.dayKey(a.hour_start);
      const k = `${day}|${a.meter}`;
      const d = out.get(k) ?? {
        day,
        site: a.site,
        area: a.area,
        machine: a.machine,
        meter: a.meter,
        kind: a.kind,
        unit: a.unit,
        quantity: 0,
      };
      d.quantity += a.quantity;
      out.set(k, d);
    }
    yield;
  }
  return [...out.values()].map((d) => ({ ...d, quantity: round(d.quantity) }));
}

export interface ReportTotals {
  scope1: number;
  scope2Location: number;
  scope2Market: number;
  scope3: number;
  total: number;
}

export function totalsOf(records: readonly DailyRecord[], totalScope2: 'location' | 'market'): ReportTotals {
  const t = { scope1: 0, scope2Location: 0, scope2Market: 0, scope3: 0, total: 0 };
  for (const r of records) {
    if (r.scope === 1) t.scope1 += r.co2e;
    else if (r.scope === 3) t.scope3 += r.co2e;
    else if (r.method === 'location') t.scope2Location += r.co2e;
    else t.scope2Market += r.co2e;
  }
  const s2 = totalScope2 === 'market' ? t.scope2Market : t.scope2Location;
  return {
    scope1: round(t.scope1),
    scope2Location: round(t.scope2Location),
    scope2Market: round(t.scope2Market),
    scope3: round(t.scope3),
    total: round(t.scope1 + s2 + t.scope3),
  };
}

function csvCell(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const CSV_HEADER = [
  'record_type',
  'day',
  'site',
  'area',
  'machine',
  'meter',
  'source',
  'scope',
  'category',
  'scope2_method',
  'activity',
  'activity_unit',
  'factor_id',
  'factor_version',
  'gwp_set',
  'co2_kg',
  'ch4_kg',
  'n2o_kg',
  'co2e_kg',
];

function renderCsv(ctx: QueryContext, args: ReportArgs, records: DailyRecord[], totals: ReportTotals, activity: DailyActivity[]): string {
  const lines = [CSV_HEADER.join(',')];
  const push = (cells: (string | number | null)[]) => lines.push(cells.map(csvCell).join(','));
  for (const r of records) {
    push([
      'emission',
      r.day,
      r.site,
      r.area,
      r.machine,
      r.meter,
      r.sourceId,
      r.scope,
      r.category,
      r.method,
      r.activity,
      r.activityUnit,
      r.factorId,
      r.factorVersion,
      r.gwpSet,
      r.co2,
      r.ch4,
      r.n2o,
      r.factorVersion === null ? null : r.co2e,
    ]);
  }
  for (const a of activity) {
    push(['activity', a.day, a.site, a.area, a.machine, a.meter, '', '', a.kind, '', a.quantity, a.unit, '', '', '', '', '', '', '']);
  }
  const period = `${args.label}`;
  const totalRow = (name: string, scope: string, method: string, v: number) =>
    push([name, period, '', '', '', '', '', scope, '', method, '', '', '', '', ctx.config.gwpSet, '', '', '', v]);
  totalRow('total_scope1', '1', '', totals.scope1);
  totalRow('total_scope2_location', '2', 'location', totals.scope2Location);
  totalRow('total_scope2_market', '2', 'market', totals.scope2Market);
  totalRow('total_scope3', '3', '', totals.scope3);
  totalRow('total', '', ctx.config.totalScope2, totals.total);
  return `${lines.join('\r\n')}\r\n`;
}

function esc(s: string | number | null | undefined): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
const n = (x: number | null | undefined, digits = 1) =>
  x === null || x === undefined ? '—' : x.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)} %`);

function table(head: string[], rows: (string | number | null)[][]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function groupRows(groups: EsgGroupSummary[]): (string | number | null)[][] {
  return groups.map((g) => [
    g.key,
    n(g.energyKWh),
    n(g.idleEnergyKWh),
    n(g.waterM3, 2),
    g.fuel.map((f) => `${n(f.quantity)} ${f.unit} ${f.fuel}`).join('; ') || '—',
    n(g.production, 0),
    n(g.co2eKg.scope1),
    n(g.co2eKg.scope2Location),
    n(g.co2eKg.scope2Market),
    n(g.co2eKg.scope3),
    n(g.co2eKg.total),
    pct(g.coverage.ratio),
  ]);
}

const CSS = `body{font:13px/1.45 system-ui,sans-serif;color:#222;margin:24px;max-width:1100px}h1{font-size:20px;margin:0 0 4px}h2{font-size:15px;margin:22px 0 6px;border-bottom:1px solid #999}
table{border-collapse:collapse;width:100%;margin:4px 0 10px}th,td{border:1px solid #bbb;padding:3px 6px;text-align:left;vertical-align:top}th{background:#eee}td{font-variant-numeric:tabular-nums}
.note{color:#555}.default{font-weight:600}@media print{body{margin:0;font-size:10.5px}h2{break-after:avoid}table{break-inside:auto}tr{break-inside:avoid}}`;

function renderHtml(
  ctx: QueryContext,
  args: ReportArgs,
  records: DailyRecord[],
  totals: ReportTotals,
  byMachine: EsgSummary,
  byArea: EsgSummary,
): string {
  const t = byMachine.totals;
  const usedIds = new Set(records.map((r) => `${r.factorId}@${r.factorVersion}`));
  const used = args.factors.filter((f) => usedIds.has(`${f.id}@${f.version}`));
  const defaultsUsed = used.some((f) => f.isDefault);
  const gaps = ctx.store.gapsIn.all(args.from, args.to, 500);
  const methodLabel = ctx.config.totalScope2 === 'market' ? 'market-based' : 'location-based';
  const k = t.kpis;
  const site = esc(t.key);
  const body = `
<h1>ESG report — ${site}, ${esc(args.label)}</h1>
<p class="note">Period ${esc(new Date(args.from).toISOString())} to ${esc(new Date(args.to).toISOString())} (local ${args.period} in ${esc(ctx.clock.timeZone)}).
Generated ${esc(new Date(ctx.now).toISOString())} by Aurum Console. GWP set ${esc(ctx.config.gwpSet)} (100-year).</p>
${defaultsUsed ? '<p class="default">Some figures use the shipped default emission factors (marked "default" below). Replace them with the site\'s own factors before external reporting.</p>' : ''}
<h2>Emissions (kg CO2e)</h2>
${table(
  ['Scope 1', 'Scope 2 location-based', 'Scope 2 market-based', 'Scope 3', `Total (scope 2 ${methodLabel})`],
  [[n(totals.scope1, 3), n(totals.scope2Location, 3), n(totals.scope2Market, 3), n(totals.scope3, 3), n(totals.total, 3)]],
)}
${byMachine.marketFallback ? '<p class="note">A scope 2 source has no market-based factor: its market-based figure repeats the location-based one (GHG Protocol Scope 2 Guidance, when no contractual instrument or residual mix is available).</p>' : ''}
<h2>Activity and KPIs</h2>
${table(
  ['Energy kWh', 'Idle energy kWh', 'Water m³', 'Fuel', 'Production units', 'kWh/unit', 'kg CO2e/unit', 'm³/unit', 'Idle share'],
  [
    [
      n(t.energyKWh),
      n(t.idleEnergyKWh),
      n(t.waterM3, 2),
      t.fuel.map((f) => `${n(f.quantity)} ${f.unit} ${f.fuel}`).join('; ') || '—',
      n(t.production, 0),
      n(k.energyIntensityKWhPerUnit, 4),
      n(k.specificEmissionsKgPerUnit, 4),
      n(k.waterIntensityM3PerUnit, 5),
      pct(k.idleShare),
    ],
  ],
)}
${table(
  ['Peak demand kW', 'at', 'Peak in tariff window kW', 'Peak outside kW', 'Demand interval'],
  [
    [
      n(k.peakDemand.kW),
      k.peakDemand.at ?? '—',
      n(k.peakDemand.inWindowKW),
      n(k.peakDemand.outsideWindowKW),
      `${k.peakDemand.intervalMin} min`,
    ],
  ],
)}
${
  k.baseline
    ? table(
        ['Baseline', 'Basis', 'Baseline kWh', 'Expected kWh', 'Savings kWh', 'Savings kg CO2e', 'Savings'],
        [
          [
            `${k.baseline.from} – ${k.baseline.to}`,
            k.baseline.basis,
            n(k.baseline.energyKWh),
            n(k.baseline.expectedEnergyKWh),
            n(k.baseline.savingsKWh),
            n(k.baseline.savingsCo2eKg),
            pct(k.baseline.savingsRatio),
          ],
        ],
      )
    : ''
}
<h2>By area</h2>
${table(['Area', 'Energy kWh', 'Idle kWh', 'Water m³', 'Fuel', 'Units', 'Scope 1', 'Scope 2 loc.', 'Scope 2 mkt.', 'Scope 3', 'Total', 'Coverage'], groupRows(byArea.groups))}
<h2>By machine</h2>
${table(['Machine', 'Energy kWh', 'Idle kWh', 'Water m³', 'Fuel', 'Units', 'Scope 1', 'Scope 2 loc.', 'Scope 2 mkt.', 'Scope 3', 'Total', 'Coverage'], groupRows(byMachine.groups))}
<h2>Emission factors used</h2>
${table(
  ['Factor', 'Version', 'Label', 'Per', 'Valid', 'CO2 / CH4 / N2O kg', 'CO2e kg (stated)', 'Source', 'Default'],
  used.map((f) => [
    f.id,
    f.version,
    f.label,
    f.unit,
    `${f.validFrom.slice(0, 10)} – ${f.validTo ? f.validTo.slice(0, 10) : 'open'}`,
    f.co2 === null ? '—' : `${f.co2} / ${f.ch4 ?? 0} / ${f.n2o ?? 0}`,
    f.co2eStated === null ? '—' : `${f.co2eStated} (${f.gwpStated})`,
    `${f.source}${f.url ? ` ${f.url}` : ''}${f.notes ? ` — ${f.notes}` : ''}`,
    f.isDefault ? 'default' : 'site',
  ]),
)}
<h2>Methodology</h2>
<p>Emissions follow the GHG Protocol Corporate Standard: scope 1 direct combustion (stationary and mobile), scope 2 purchased electricity reported both location-based (grid average factor) and market-based (supplier or contract factor), scope 3 categories as configured by the site. Activity data come from the plant's own tags: power (kW) is integrated over time by the trapezoid rule (or held step-wise for report-by-exception tags), energy meters and totalisers by differences between readings with rollover handling, fuel and water flows by time integration. Every hourly emission record is activity × the emission factor version valid at that hour; gases are converted to CO2e with the ${esc(ctx.config.gwpSet)} 100-year GWPs (CH4, N2O) unless the factor was published as CO2e, in which case the publisher's GWP set applies. Intervals with Bad quality or with more than the configured gap between samples are not filled: they are listed below and reduce coverage. Counter readings far apart give an exact total whose split over hours is estimated evenly. A reading that falls without a plausible rollover is treated as a meter reset or replacement: the consumption in between is unknown and listed as a gap. Daily records below are sums of hourly records; totals are sums of the daily records.</p>
<h2>Data gaps and coverage</h2>
<p>Coverage ${pct(t.coverage.ratio)} of meter-time (${n(t.coverage.coveredMs / 3_600_000)} of ${n(t.coverage.expectedMs / 3_600_000)} meter-hours), of which uncertain ${n(t.coverage.uncertainMs / 3_600_000)} h and estimated ${n(t.coverage.estimatedMs / 3_600_000)} h. ${t.coverage.gaps} gaps, ${n(t.coverage.gapMs / 3_600_000, 2)} meter-hours. ${t.coverage.missingFactorRecords} hourly records had no valid factor and carry no CO2e.</p>
${table(
  ['Meter', 'From', 'To', 'Kind', 'Reason'],
  gaps.map((g) => [g.meter, new Date(g.start_ms).toISOString(), new Date(g.end_ms).toISOString(), g.kind, g.reason]),
)}
${gaps.length >= 500 ? '<p class="note">First 500 gaps shown.</p>' : ''}
<h2>Daily emission records</h2>
${table(
  ['Day', 'Machine', 'Meter', 'Source', 'Scope', 'Method', 'Activity', 'Unit', 'Factor', 'kg CO2e'],
  records.map((r) => [
    r.day,
    `${r.area}/${r.machine}`,
    r.meter,
    r.sourceId,
    r.scope,
    r.method,
    r.activity,
    r.activityUnit,
    `${r.factorId} v${r.factorVersion ?? '—'}`,
    r.factorVersion === null ? '—' : r.co2e,
  ]),
)}`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ESG report ${site} ${esc(args.label)}</title><style>${CSS}</style></head><body>${body}</body></html>\n`;
}

/** The report as steps (a week of records each): a year's report never holds the event loop long. */
export function* renderReportSteps(ctx: QueryContext, args: ReportArgs): Generator<void, EsgReportFile> {
  const records = yield* dailyRecordSteps(ctx, args.from, args.to);
  const totals = totalsOf(records, ctx.config.totalScope2);
  const site = ctx.meters[0]?.site ?? 'site';
  const base = `esg-${site}-${args.label}`.replace(/[^A-Za-z0-9_.-]/g, '_');
  if (args.format === 'csv') {
    const activity = yield* dailyActivitySteps(ctx, args.from, args.to);
    return { filename: `${base}.csv`, contentType: 'text/csv; charset=utf-8', body: renderCsv(ctx, args, records, totals, activity) };
  }
  const byMachine = yield* summariseSteps(ctx, args.from, args.to, 'machine');
  const byArea = yield* summariseSteps(ctx, args.from, args.to, 'area');
  return {
    filename: `${base}.html`,
    contentType: 'text/html; charset=utf-8',
    body: renderHtml(ctx, args, records, totals, byMachine, byArea),
  };
}
