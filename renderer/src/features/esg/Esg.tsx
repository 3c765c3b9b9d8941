// ESG: energy, water and CO2e per site, area or machine over a period (today so far, a past day, the
// last 7 days, this month so far or a past month, in the site's time zone), every GHG Protocol scope
// with the sources the site maps to it (a scope without one says so rather than reading as zero
// emissions), the period's energy and CO2e per hour or day as charts, how much of the period the
// figures are backed by data (a gap is said, not hidden), and the month report as a file.
import { useEffect, useMemo, useState } from 'react';
import type { EsgGroupBy, EsgSeries, EsgSourceInfo, EsgSummary } from '../../../../native/api/esg-requests';
import { dateTimeSettings, formatDate } from '../../lib/datetime';
import { download } from '../../lib/download';
import { formatNumber } from '../../lib/format';
import { api, errorText } from '../../platform/client';
import { useDenied } from '../../platform/permissions';
import { useApp } from '../../platform/store';
import { PEN_COLOURS } from '../../ui/trend/TrendChart';
import { type BarSeries, EsgChart } from './EsgChart';
import { type EsgPeriod, esgPeriods } from './periods';

const n = (v: number | null, digits = 1) => formatNumber(v, digits);

const SCOPE_COLOUR = { 1: PEN_COLOURS[1] as string, 2: PEN_COLOURS[0] as string, 3: PEN_COLOURS[2] as string };

function sourceList(sources: EsgSourceInfo[], scope: 1 | 2 | 3): string {
  const own = sources.filter((s) => s.scope === scope);
  if (own.length === 0) return 'no sources mapped in the site file (esg.sources)';
  return own.map((s) => `${s.label || s.id} (${s.category})`).join(', ');
}

function ScopeTable({ summary }: { summary: EsgSummary }) {
  const c = summary.totals.co2eKg;
  const rows: { scope: string; what: string; kg: number | null; sources: string; key: string }[] = [
    { key: '1', scope: 'Scope 1', what: 'direct: fuel burnt on site', kg: c.scope1, sources: sourceList(summary.sources, 1) },
    {
      key: '2l',
      scope: 'Scope 2, location-based',
      what: 'purchased energy, grid-average factor',
      kg: c.scope2Location,
      sources: sourceList(summary.sources, 2),
    },
    {
      key: '2m',
      scope: 'Scope 2, market-based',
      what: summary.marketFallback
        ? 'supplier factor; where none is set, the location figure'
        : 'purchased energy, supplier or contract factor',
      kg: c.scope2Market,
      sources: sourceList(summary.sources, 2),
    },
  ];
  const scope3Mapped = summary.sources.some((s) => s.scope === 3);
  rows.push({
    key: '3',
    scope: 'Scope 3',
    what: 'indirect, upstream and downstream (e.g. 3.3 fuel- and energy-related)',
    // Nothing mapped is not zero emitted: no figure is shown.
    kg: scope3Mapped ? c.scope3 : null,
    sources: sourceList(summary.sources, 3),
  });
  return (
    <table className="grid esg-scopes" aria-label="Emissions by scope">
      <thead>
        <tr>
          <th scope="col">Scope</th>
          <th scope="col">What it counts</th>
          <th scope="col">kg CO2e</th>
          <th scope="col">Sources</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key} data-scope={r.key}>
            <th scope="row">{r.scope}</th>
            <td>{r.what}</td>
            <td className="num">{r.kg === null ? 'not mapped' : n(r.kg)}</td>
            <td className="sources">{r.sources}</td>
          </tr>
        ))}
        <tr className="total-row" data-scope="total">
          <th scope="row">Total</th>
          <td>scope 1 + scope 2 ({summary.totalScope2}-based) + scope 3</td>
          <td className="num">{n(c.total)}</td>
          <td />
        </tr>
      </tbody>
    </table>
  );
}

function Charts({ series, timeZone, totalScope2 }: { series: EsgSeries; timeZone: string; totalScope2: 'location' | 'market' }) {
  const [energy, co2e] = useMemo((): [BarSeries[], BarSeries[]] => {
    const sum = (pick: (g: EsgSeries['groups'][number]) => number[]) =>
      series.buckets.map((_, i) => series.groups.reduce((a, g) => a + (pick(g)[i] ?? 0), 0));
    return [
      [{ label: 'Energy', colour: SCOPE_COLOUR[2], values: sum((g) => g.energyKWh) }],
      [
        { label: 'Scope 1', colour: SCOPE_COLOUR[1], values: sum((g) => g.co2eKg.scope1) },
        {
          label: `Scope 2 (${totalScope2})`,
          colour: SCOPE_COLOUR[2],
          values: sum((g) => (totalScope2 === 'market' ? g.co2eKg.scope2Market : g.co2eKg.scope2Location)),
        },
        { label: 'Scope 3', colour: SCOPE_COLOUR[3], values: sum((g) => g.co2eKg.scope3) },
      ],
    ];
  }, [series, totalScope2]);
  const per = series.period === 'day' ? 'day' : 'hour';
  return (
    <div className="esg-charts">
      <EsgChart
        label={`Energy per ${per}`}
        unit="kWh"
        buckets={series.buckets}
        period={series.period}
        timeZone={timeZone}
        series={energy}
      />
      <EsgChart
        label={`CO2e per ${per}, by scope`}
        unit="kg CO2e"
        buckets={series.buckets}
        period={series.period}
        timeZone={timeZone}
        series={co2e}
      />
    </div>
  );
}

export function Esg() {
  const info = useApp((s) => s.info);
  const timeZone = dateTimeSettings(info).timeZone;
  // The site's date today: the list of periods is made again when it changes (a screen left open
  // past midnight offers the new today, and the day it had selected becomes yesterday).
  const [today, setToday] = useState(() => formatDate(Date.now(), { dateFormat: 'iso', timeZone }));
  // biome-ignore lint/correctness/useExhaustiveDependencies: made again when the site's date changes (today)
  const periods = useMemo(() => esgPeriods(Date.now(), timeZone, 14, 12, (ms) => formatDate(ms)), [timeZone, today]);
  const [periodKey, setPeriodKey] = useState<string>(() => periods[0]?.key ?? 'last7');
  const [groupBy, setGroupBy] = useState<EsgGroupBy>('machine');
  const [summary, setSummary] = useState<EsgSummary | null>(null);
  const [series, setSeries] = useState<EsgSeries | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reportDenied = useDenied('esg.report');
  const period: EsgPeriod | undefined = periods.find((p) => p.key === periodKey);

  useEffect(() => {
    let cancelled = false;
    const load = () => {
      const now = Date.now();
      setToday(formatDate(now, { dateFormat: 'iso', timeZone }));
      // A period that runs now ends now: its range is taken again at every refresh.
      const p = esgPeriods(now, timeZone).find((x) => x.key === periodKey);
      if (!p) return;
      Promise.all([
        api.call('esg.summary', { from: p.from, to: p.to, groupBy }),
        api.call('esg.series', { from: p.from, to: p.to, groupBy: 'site', period: p.bucket }),
      ])
        .then(([s, ser]) => {
          if (cancelled) return;
          setSummary(s);
          setSeries(ser);
          setError(null);
        })
        .catch((err) => !cancelled && setError(errorText(err)));
    };
    load();
    // The current hour counts as it runs: refresh once a minute.
    const timer = setInterval(load, 60_000);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [periodKey, groupBy, timeZone]);

  const report = async (format: 'csv' | 'html') => {
    try {
      const r = await api.call('esg.report', { period: 'month', start: period?.month ?? '', format });
      download(r.filename, new Blob([r.body], { type: r.contentType }));
    } catch (err) {
      setError(errorText(err));
    }
  };

  const days = periods.filter((p) => p.key.startsWith('day:'));
  const months = periods.filter((p) => p.key.startsWith('month:'));
  const rows = summary ? [...summary.groups, summary.totals] : [];
  return (
    <div className="esg" data-period={periodKey} data-from={summary?.from} data-to={summary?.to}>
      <div className="toolbar">
        <label>
          Period{' '}
          <select value={periodKey} onChange={(e) => setPeriodKey(e.target.value)}>
            <optgroup label="Days">
              {days.map((p) => (
                <option key={p.key} value={p.key}>
                  {p.label}
                </option>
              ))}
            </optgroup>
            <optgroup label="Week">
              <option value="last7">Last 7 days</option>
            </optgroup>
            <optgroup label="Months">
              {months.map((p) => (
                <option key={p.key} value={p.key}>
                  {p.label}
                </option>
              ))}
            </optgroup>
          </select>
        </label>
        <label>
          By{' '}
          <select value={groupBy} onChange={(e) => setGroupBy(e.target.value as EsgGroupBy)}>
            <option value="site">site</option>
            <option value="area">area</option>
            <option value="machine">machine</option>
          </select>
        </label>
        <button type="button" onClick={() => report('csv')} disabled={reportDenied !== null} title={reportDenied ?? undefined}>
          Month report (CSV)
        </button>
        <button type="button" onClick={() => report('html')} disabled={reportDenied !== null} title={reportDenied ?? undefined}>
          Month report (HTML)
        </button>
        {reportDenied ? <span className="muted small">{reportDenied}</span> : null}
        {summary ? (
          <span className="muted small">
            GWP {summary.gwpSet}, scope 2 total by {summary.totalScope2} method, {summary.timeZone}; the current hour counts as it runs
          </span>
        ) : null}
      </div>
      {error ? (
        <p className="write-error" role="alert">
          {error}
        </p>
      ) : null}
      {summary ? <ScopeTable summary={summary} /> : null}
      {series && summary ? <Charts series={series} timeZone={summary.timeZone} totalScope2={summary.totalScope2} /> : null}
      <table className="grid" aria-label="Energy, water and emissions">
        <thead>
          <tr>
            <th scope="col">Group</th>
            <th scope="col">Energy kWh</th>
            <th scope="col">of which idle kWh</th>
            <th scope="col">Water m³</th>
            <th scope="col">Scope 1 kg CO2e</th>
            <th scope="col">Scope 2 location kg</th>
            <th scope="col">Scope 2 market kg</th>
            <th scope="col">Scope 3 kg</th>
            <th scope="col">Total kg CO2e</th>
            <th scope="col">kWh / unit</th>
            <th scope="col">Data coverage</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((g, i) => (
            <tr key={g.key + String(i)} className={i === rows.length - 1 ? 'total-row' : undefined}>
              <th scope="row">{i === rows.length - 1 ? 'Total' : g.key}</th>
              <td className="num">{n(g.energyKWh)}</td>
              <td className="num">{n(g.idleEnergyKWh)}</td>
              <td className="num">{n(g.waterM3, 2)}</td>
              <td className="num">{n(g.co2eKg.scope1)}</td>
              <td className="num">{n(g.co2eKg.scope2Location)}</td>
              <td className="num">{n(g.co2eKg.scope2Market)}</td>
              <td className="num">{n(g.co2eKg.scope3)}</td>
              <td className="num">{n(g.co2eKg.total)}</td>
              <td className="num">{n(g.kpis.energyIntensityKWhPerUnit, 3)}</td>
              <td className="num" data-low={g.coverage.ratio < 0.95}>
                {g.coverage.ratio < 0.95 ? '⚠ ' : ''}
                {formatNumber(g.coverage.ratio * 100, g.coverage.ratio < 0.1 ? 1 : 0)} %
                {g.coverage.gaps > 0 ? ` (${g.coverage.gaps} gaps)` : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
