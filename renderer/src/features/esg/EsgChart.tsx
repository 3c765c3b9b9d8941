// A bar chart of one ESG series over the chosen period (uPlot): energy per hour or day, or CO2e per
// hour or day stacked by scope. Buckets are the core's local labels (esg.series), shown as the hour
// of day or the date in the console's format; the legend gives each value under the cursor.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { EsgSeries } from '../../../../native/api/esg-requests';
import { formatDate } from '../../lib/datetime';
import { formatNumber } from '../../lib/format';
import { useApp } from '../../platform/store';
import { localMidnight } from './periods';
import './esg.css';

export interface BarSeries {
  label: string;
  colour: string;
  values: number[];
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** "2026-12-01 14:00+00:00" → "14:00"; "2026-12-01" → the date in the console's format; shift and month keys as they are. */
export function bucketLabel(bucket: string, period: EsgSeries['period'], timeZone: string): string {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(bucket);
  if (period === 'day' && day) return formatDate(localMidnight(Number(day[1]), Number(day[2]), Number(day[3]), timeZone));
  if (period === 'hour') return bucket.slice(11, 16);
  return bucket;
}

export function EsgChart({
  label,
  unit,
  buckets,
  period,
  timeZone,
  series,
  decimals = 1,
}: {
  label: string;
  unit: string;
  buckets: string[];
  period: EsgSeries['period'];
  timeZone: string;
  /** Stacked bottom first: each bar is drawn as the running sum, so the scopes add up to the total. */
  series: BarSeries[];
  decimals?: number;
}) {
  const host = useRef<HTMLDivElement>(null);
  const theme = useApp((s) => s.theme);
  // biome-ignore lint/correctness/useExhaustiveDependencies: colours are read from CSS at construction, so a theme change rebuilds the chart.
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const x = buckets.map((_, i) => i);
    // Running sums, drawn top first so each lower part paints over the one above it.
    const sums = series.map((_, k) => buckets.map((__, i) => series.slice(0, k + 1).reduce((a, s) => a + (s.values[i] ?? 0), 0)));
    const order = series.map((_, k) => series.length - 1 - k);
    const stroke = cssVar('--fg-muted', '#999');
    const grid = { stroke: cssVar('--grid', 'rgba(128,128,128,0.15)'), width: 1 };
    const bars = uPlot.paths.bars?.({ size: [0.8, 48] });
    const labels = buckets.map((b) => bucketLabel(b, period, timeZone));
    const opts: uPlot.Options = {
      width: Math.max(300, el.clientWidth),
      height: 220,
      legend: { show: true, live: true },
      cursor: { points: { show: false }, drag: { x: false, y: false } },
      scales: {
        x: { time: false, range: [-0.5, Math.max(0.5, buckets.length - 0.5)] },
        y: { range: (_u, _min, max) => [0, Math.max(1e-9, max) * 1.1] },
      },
      axes: [
        {
          stroke,
          grid: { show: false },
          ticks: grid,
          values: (_u, splits) => splits.map((i) => (Number.isInteger(i) ? (labels[i] ?? '') : '')),
        },
        {
          stroke,
          grid,
          ticks: grid,
          label: unit,
          values: (_u, splits) => splits.map((v) => formatNumber(v, v !== 0 && Math.abs(v) < 10 ? 1 : 0)),
        },
      ],
      series: [
        {
          label: period === 'day' ? 'Day' : period === 'hour' ? 'Hour' : 'Period',
          value: (_u, i) => (i === null ? '—' : (buckets[i] ?? '—')),
        },
        ...order.map((k) => {
          const s = series[k] as BarSeries;
          return {
            label: `${s.label} (${unit})`,
            stroke: s.colour,
            fill: s.colour,
            width: 0,
            paths: bars,
            points: { show: false },
            value: (_u: uPlot, _v: number | null, _si: number, i: number | null) =>
              i === null ? '—' : formatNumber(s.values[i], decimals),
          };
        }),
      ],
    };
    const data = [x, ...order.map((k) => sums[k] as number[])] as uPlot.AlignedData;
    const chart = new uPlot(opts, data, el);
    el.dataset.buckets = String(buckets.length);
    el.dataset.total = String(sums[sums.length - 1]?.reduce((a, v) => a + v, 0) ?? 0);
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(300, el.clientWidth), height: 220 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [buckets, period, timeZone, series, unit, decimals, theme]);
  return (
    <figure className="esg-chart" aria-label={label}>
      <figcaption>{label}</figcaption>
      <div className="esg-chart-plot" ref={host} />
    </figure>
  );
}
