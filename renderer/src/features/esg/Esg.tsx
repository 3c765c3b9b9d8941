// ESG: energy, water and CO2e per site, area or machine over a period, with how much of the period
// the figures are backed by data (a gap is said, not hidden), and the period report as a file.
import { useEffect, useState } from 'react';
import type { EsgGroupBy, EsgSummary } from '../../../../native/api/esg-requests';
import { download } from '../../lib/download';
import { formatNumber } from '../../lib/format';
import { api, errorText } from '../../platform/client';

const PERIODS = { today: 'Today', week: 'Last 7 days', month: 'This month' } as const;
type Period = keyof typeof PERIODS;

function rangeOf(p: Period, now = new Date()): { from: number; to: number } {
  const midnight = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  if (p === 'today') return { from: midnight, to: now.getTime() };
  if (p === 'week') return { from: now.getTime() - 7 * 86_400_000, to: now.getTime() };
  return { from: new Date(now.getFullYear(), now.getMonth(), 1).getTime(), to: now.getTime() };
}

const n = (v: number | null, digits = 1) => formatNumber(v, digits);

export function Esg() {
  const [period, setPeriod] = useState<Period>('today');
  const [groupBy, setGroupBy] = useState<EsgGroupBy>('machine');
  const [summary, setSummary] = useState<EsgSummary | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    const load = () =>
      api
        .call('esg.summary', { ...rangeOf(period), groupBy })
        .then((s) => {
          if (cancelled) return;
          setSummary(s);
          setError(null);
        })
        .catch((err) => !cancelled && setError(errorText(err)));
    load();
    // Hourly records fill in as the period runs: refresh once a minute.
    const timer = setInterval(load, 60_000);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [period, groupBy]);

  const report = async (format: 'csv' | 'html') => {
    try {
      const now = new Date();
      const r = await api.call('esg.report', { period: 'month', start: now.toISOString().slice(0, 7), format });
      download(r.filename, new Blob([r.body], { type: r.contentType }));
    } catch (err) {
      setError(errorText(err));
    }
  };

  const rows = summary ? [...summary.groups, summary.totals] : [];
  return (
    <div className="esg">
      <div className="toolbar">
        <label>
          Period{' '}
          <select value={period} onChange={(e) => setPeriod(e.target.value as Period)}>
            {Object.entries(PERIODS).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
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
        <button type="button" onClick={() => report('csv')}>
          Month report (CSV)
        </button>
        <button type="button" onClick={() => report('html')}>
          Month report (HTML)
        </button>
        {summary ? (
          <span className="muted small">
            GWP {summary.gwpSet}, scope 2 total by {summary.totalScope2} method, {summary.timeZone}
          </span>
        ) : null}
      </div>
      {error ? (
        <p className="write-error" role="alert">
          {error}
        </p>
      ) : null}
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
              <td className="num">{n(g.co2eKg.total)}</td>
              <td className="num">{n(g.kpis.energyIntensityKWhPerUnit, 3)}</td>
              <td className="num" data-low={g.coverage.ratio < 0.95}>
                {g.coverage.ratio < 0.95 ? '⚠ ' : ''}
                {(g.coverage.ratio * 100).toFixed(g.coverage.ratio < 0.1 ? 1 : 0)} %
                {g.coverage.gaps > 0 ? ` (${g.coverage.gaps} gaps)` : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
