// A trend: uPlot draws, React only mounts it and renders the chrome around it. Live mode folds
// each frame's new samples into per-pixel min/max buckets (LiveDecimator) and scrolls the x axis;
// history mode asks the historian for the range, sized to the chart's pixel width. Pens sharing a
// unit share a y axis, and the axis reaches the pens' alarm limits, drawn as dashed lines in the
// priority's colour. The readout lists every pen at the cursor's time, or without a cursor the live
// value (live mode) or the stored value at the range's end (history mode), written to the DOM by
// uPlot's hooks — no React render per sample or per mouse move.
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { HistorySeries } from '../../../../native/api/history-requests';
import type { AlarmLimit, TagInfo } from '../../../../native/api/types';
import { formatDate, formatDateTime, formatTime } from '../../lib/datetime';
import { LiveDecimator, type SeriesValue } from '../../lib/decimate';
import { formatNumber, formatValue } from '../../lib/format';
import type { TimeRange } from '../../lib/period';
import { api, errorText } from '../../platform/client';
import { live, type Ring } from '../../platform/live';
import { useApp } from '../../platform/store';
import type { ExportRow } from './export';
import { loadHistory } from './history';

/** Pen colours chosen to stay distinguishable in both themes and for common colour-vision deficiencies. */
export const PEN_COLOURS = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#b07aa1',
  '#edc948',
  '#76b7b2',
  '#ff9da7',
  '#9c755f',
  '#86bcb6',
  '#e15759',
  '#8cd17d',
  '#b6992d',
  '#499894',
  '#d37295',
  '#fabfd2',
  '#79706e',
];
/**
 * Up to 8 pens are told apart by dash pattern as well as colour. Beyond that, colour and the
 * readout only: a dashed stroke costs several times a plain one to rasterise (18 vs 54 fps for 16
 * pens × 100 Hz in software rendering), and lines stay 1 px wide for the same reason (Skia's fast
 * hairline path; 1.5 px costs 14×).
 */
const DASHES: number[][] = [[], [6, 3]];
const MAX_DASHED_PENS = 8;
export const penDash = (i: number, pens: number): number => (pens <= MAX_DASHED_PENS ? Math.floor(i / 4) % DASHES.length : 0);

/** Live-mode update count and time (decimation, setData and uPlot's draw, all synchronous), for benchmarks. */
export const trendStats = { updates: 0, updateMs: 0, maxUpdateMs: 0 };

/** What the trend screen needs from a mounted chart: its canvas and data for exports. */
export interface TrendHandle {
  canvas(): HTMLCanvasElement | null;
  rows(): ExportRow[];
}

export interface TrendChartProps {
  pens: TagInfo[];
  windowS: number;
  /** History mode when set: the chart shows this range and stops scrolling. */
  range?: TimeRange | null;
  height?: number;
  label: string;
  /** Called after each draw: benchmarks and tests time the draw, not the setData call. */
  onDraw?: (u: uPlot) => void;
  /** The operator dragged across the chart: zoom to this range. */
  onSelectRange?: (r: TimeRange) => void;
  onHandle?: (h: TrendHandle | null) => void;
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

const shortName = (p: TagInfo) => p.name.split('/').slice(-2).join('/');

const LIMIT_LABEL: Record<AlarmLimit['type'], string> = { hihi: 'HIHI', hi: 'HI', lo: 'LO', lolo: 'LOLO' };
const PRIORITY_COLOUR: Record<AlarmLimit['priority'], [string, string]> = {
  Critical: ['--alarm-critical', '#ff8a80'],
  High: ['--alarm-high', '#ffa060'],
  Medium: ['--alarm-medium', '#f0c800'],
  Low: ['--alarm-low', '#8cbcff'],
};

/** One alarm limit of one pen, on the pen's y scale. */
interface LimitLine extends AlarmLimit {
  pen: TagInfo;
  scale: string;
  colour: string;
}

/** A y range that holds the data and the alarm limits of the scale's pens, so the limits are always in view. */
function rangeWithLimits(limits: number[]): uPlot.Range.Function {
  return (_u, min, max) => {
    const values = [...limits, ...[min, max].filter((v): v is number => typeof v === 'number' && Number.isFinite(v))];
    if (values.length === 0) return [0, 1];
    return uPlot.rangeNum(Math.min(...values), Math.max(...values), 0.1, true);
  };
}

/** Draws the limit lines over the plot; returns "tag type limit" of each line drawn (what tests read). */
function drawLimits(u: uPlot, lines: readonly LimitLine[]): string[] {
  const drawn: string[] = [];
  if (lines.length === 0) return drawn;
  const g = u.ctx;
  const { left, top, width, height } = u.bbox;
  const px = uPlot.pxRatio;
  g.save();
  g.beginPath();
  g.rect(left, top, width, height);
  g.clip();
  g.lineWidth = px;
  g.setLineDash([6 * px, 4 * px]);
  g.font = `${11 * px}px system-ui, "Segoe UI", "DejaVu Sans", sans-serif`;
  g.textAlign = 'right';
  g.textBaseline = 'bottom';
  for (const l of lines) {
    const y = Math.round(u.valToPos(l.limit, l.scale, true)) + 0.5;
    if (!Number.isFinite(y) || y < top || y > top + height) continue;
    g.strokeStyle = l.colour;
    g.fillStyle = l.colour;
    g.beginPath();
    g.moveTo(left, y);
    g.lineTo(left + width, y);
    g.stroke();
    g.fillText(`${shortName(l.pen)} ${LIMIT_LABEL[l.type]} ${formatValue(l.limit, l.pen)}`, left + width - 4 * px, y - 2 * px);
    drawn.push(`${l.pen.name} ${l.type} ${l.limit}`);
  }
  g.restore();
  return drawn;
}

/**
 * Time axis labels in the console's one format (24-hour, the site's zone), not uPlot's locale-dependent
 * ones: the time of day, with the date under the first tick and wherever a new day begins.
 */
function timeAxisValues(_u: uPlot, splits: number[], _axis: number, _space: number, incr: number): string[] {
  return splits.map((s, i) => {
    const ms = s * 1000;
    const day = formatDate(ms);
    if (incr >= 86_400) return day;
    const time = incr >= 60 ? formatTime(ms).slice(0, 5) : formatTime(ms);
    const prev = i > 0 ? formatDate((splits[i - 1] as number) * 1000) : null;
    return day !== prev ? `${time}\n${day}` : time;
  });
}

/** Value axis labels with as many decimals as the tick step needs, in the console's number format. */
function valueAxisValues(_u: uPlot, splits: number[], _axis: number, _space: number, incr: number): string[] {
  const decimals = incr > 0 ? Math.max(0, Math.min(6, -Math.floor(Math.log10(incr) + 1e-9))) : 0;
  return splits.map((v) => formatNumber(v, decimals));
}

/** The newest sample at or before t in a ring (the live buffer's answer to "value at"). */
function ringValueAt(ring: Ring | undefined, t: number): number | null {
  if (!ring) return null;
  const k = ring.firstAtOrAfter(t + 1) - 1;
  return k >= 0 ? ring.valueAt(k) : null;
}

function nearestValue(values: SeriesValue[] | undefined, idx: number): number | null {
  if (!values) return null;
  for (let d = 0; d < 8; d++) {
    const a = values[idx - d];
    if (typeof a === 'number') return a;
    const b = values[idx + d];
    if (typeof b === 'number') return b;
  }
  return null;
}

export function TrendChart({ pens, windowS, range = null, height = 320, label, onDraw, onSelectRange, onHandle }: TrendChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const readout = useRef<HTMLTableSectionElement>(null);
  const cursorTime = useRef<HTMLSpanElement>(null);
  const chartRef = useRef<uPlot | null>(null);
  const rowsRef = useRef<() => ExportRow[]>(() => []);
  /** History mode: the range and, once the historian answered, each pen's stored value at its end. */
  const historyRef = useRef<{ range: TimeRange; end: (number | null)[] | null } | null>(null);
  const writeReadoutRef = useRef<(u: uPlot) => void>(() => {});
  const callbacks = useRef({ onDraw, onSelectRange });
  callbacks.current = { onDraw, onSelectRange };
  const theme = useApp((s) => s.theme);
  const [status, setStatus] = useState<{ loading: boolean; source: string; note: string | null }>({
    loading: false,
    source: 'live',
    note: null,
  });

  // The chart itself: rebuilt when the pens, size or theme change.
  // biome-ignore lint/correctness/useExhaustiveDependencies: colours are read from CSS at construction, so a theme change rebuilds the chart.
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const units = [...new Set(pens.map((p) => p.unit || '—'))];
    const stroke = cssVar('--fg-muted', '#999');
    const grid = { stroke: cssVar('--grid', 'rgba(128,128,128,0.15)'), width: 1 };
    const limitLines: LimitLine[] = pens.flatMap((p) =>
      (p.alarmLimits ?? []).map((l) => {
        const [name, fallback] = PRIORITY_COLOUR[l.priority];
        return { ...l, pen: p, scale: p.unit || '—', colour: cssVar(name, fallback) };
      }),
    );
    const limitsOf = (unit: string) => limitLines.filter((l) => l.scale === unit).map((l) => l.limit);
    const writeReadout = (u: uPlot) => {
      const body = readout.current;
      if (!body) return;
      const idx = u.cursor.idx;
      const atCursor = idx !== null && idx !== undefined;
      const history = historyRef.current;
      let label = 'latest';
      if (atCursor) {
        const t = (u.data[0][idx] as number) * 1000;
        label = history ? formatDateTime(t) : formatTime(t);
      } else if (history) label = formatDateTime(history.range.to);
      if (cursorTime.current) cursorTime.current.textContent = label;
      pens.forEach((p, i) => {
        const cellEl = body.rows[i]?.cells[2];
        if (!cellEl) return;
        // Without a cursor: the live value in live mode, the stored value at the range's end in history mode.
        const v = atCursor
          ? nearestValue(u.data[i + 1] as SeriesValue[], idx)
          : history
            ? (history.end?.[i] ?? null)
            : (live.values[p.id] ?? Number.NaN);
        cellEl.textContent = formatValue(v, p);
      });
    };
    writeReadoutRef.current = writeReadout;
    const opts: uPlot.Options = {
      width: Math.max(300, el.clientWidth),
      height,
      legend: { show: false },
      cursor: {
        sync: { key: 'aurum-trends' },
        drag: { x: true, y: false, setScale: false },
        points: { show: false },
      },
      scales: { x: { time: true }, ...Object.fromEntries(units.map((u) => [u, { auto: true, range: rangeWithLimits(limitsOf(u)) }])) },
      axes: [
        { stroke, grid, ticks: grid, values: timeAxisValues },
        ...units.map((u, i) => ({
          scale: u,
          values: valueAxisValues,
          label: u,
          stroke,
          side: i % 2 === 0 ? 3 : 1,
          grid: { ...grid, show: i === 0 },
          ticks: grid,
        })),
      ],
      series: [
        {},
        ...pens.map((p, i) => ({
          label: shortName(p),
          scale: p.unit || '—',
          stroke: PEN_COLOURS[i % PEN_COLOURS.length],
          dash: DASHES[penDash(i, pens.length)],
          width: 1,
          spanGaps: false,
        })),
      ],
      hooks: {
        draw: [
          (u) => {
            const drawn = drawLimits(u, limitLines).join(';');
            if (el.dataset.limitLines !== drawn) el.dataset.limitLines = drawn;
            callbacks.current.onDraw?.(u);
          },
        ],
        setCursor: [writeReadout],
        setSelect: [
          (u) => {
            const sel = u.select;
            if (sel.width > 4 && callbacks.current.onSelectRange) {
              const from = u.posToVal(sel.left, 'x') * 1000;
              const to = u.posToVal(sel.left + sel.width, 'x') * 1000;
              callbacks.current.onSelectRange({ from, to });
            }
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          },
        ],
      },
    };
    const empty: uPlot.AlignedData = [new Float64Array(0), ...pens.map(() => [] as (number | null)[])];
    const chart = new uPlot(opts, empty, el);
    chartRef.current = chart;
    onHandle?.({ canvas: () => el.querySelector('canvas'), rows: () => rowsRef.current() });
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(300, el.clientWidth), height }));
    resize.observe(el);
    const offStale = live.subscribe(() => {
      el.dataset.stale = String(live.stale);
      if (chart.cursor.idx === null || chart.cursor.idx === undefined) writeReadout(chart);
    });
    return () => {
      offStale();
      resize.disconnect();
      chartRef.current = null;
      onHandle?.(null);
      chart.destroy();
    };
  }, [pens, height, theme, onHandle]);

  // The data: a scrolling live window, or one history range.
  // biome-ignore lint/correctness/useExhaustiveDependencies: a rebuilt chart (theme change) needs its data again.
  useEffect(() => {
    const chart = chartRef.current;
    if (!chart) return;
    const rings = () => pens.map((p) => live.ring(p.id));
    const buckets = () => Math.max(50, Math.floor(chart.bbox.width / uPlot.pxRatio));
    if (!range) {
      historyRef.current = null;
      const windowMs = windowS * 1000;
      live.retain(windowMs);
      setStatus({ loading: false, source: 'live', note: null });
      const gaps = pens.map((p) => Math.max(3 * p.expectedPeriodMs, 2000));
      // The window before this page received its first samples, from the historian: kept, so that a
      // decimator rebuilt for a new width (the chart laid out or resized after opening) has it too.
      let seed: HistorySeries[] = [];
      const seeded = (): LiveDecimator => {
        const d = new LiveDecimator(windowMs, buckets(), pens.length);
        let backfilled = 0;
        pens.forEach((p, i) => {
          const s = seed.find((x) => x.tag === p.name);
          const ring = live.ring(p.id);
          const firstLive = ring && ring.length > 0 ? ring.timeAt(0) : Number.POSITIVE_INFINITY;
          s?.ts.forEach((t, k) => {
            const v = s.v[k] ?? null;
            const lo = s.min?.[k] ?? v;
            const hi = s.max?.[k] ?? v;
            if (t < firstLive && lo !== null && hi !== null) {
              d.grid.addRange(i, t, lo, hi);
              backfilled++;
            }
          });
        });
        // How many historian points the window starts with (what tests read), and the width they were asked for.
        if (host.current) host.current.dataset.backfilled = `${backfilled}/${seed.reduce((a, x) => a + x.ts.length, 0)}@${d.buckets}`;
        return d;
      };
      let decimator = seeded();
      let points = -1;
      const update = () => {
        const started = performance.now();
        if (decimator.buckets !== buckets()) decimator = seeded();
        const now = Date.now();
        // A Good value that has not changed still holds (a source that reports changes only, a setpoint):
        // drawn on to now rather than breaking off after the gap. Stale or Bad values are not held.
        pens.forEach((p, i) => {
          const v = live.values[p.id];
          if (live.quality[p.id] === 0 && v !== undefined && Number.isFinite(v)) decimator.grid.add(i, now, v);
        });
        const { x, ys } = decimator.update(rings(), now, gaps);
        chart.batch(() => {
          chart.setData([x, ...ys] as uPlot.AlignedData, false);
          chart.setScale('x', { min: (now - windowMs) / 1000, max: now / 1000 });
        });
        // Points drawn and the oldest one's time (what tests read: a window backfilled from the historian reaches back at once).
        let n = 0;
        let first = x.length;
        for (const y of ys) {
          for (let k = 0; k < y.length; k++) {
            if (typeof y[k] !== 'number') continue;
            n++;
            if (k < first) first = k;
          }
        }
        if (n !== points && host.current) {
          points = n;
          host.current.dataset.points = String(n);
          host.current.dataset.since = first < x.length ? String(Math.round((x[first] as number) * 1000)) : '';
        }
        const took = performance.now() - started;
        trendStats.updates++;
        trendStats.updateMs += took;
        trendStats.maxUpdateMs = Math.max(trendStats.maxUpdateMs, took);
      };
      rowsRef.current = () => {
        const from = Date.now() - windowMs;
        return pens.flatMap((p) => {
          const s = live.ring(p.id)?.since(from) ?? { t: [], v: [] };
          return s.t.map((t, i) => ({ t, tag: p.name, unit: p.unit, v: s.v[i] ?? null, min: null, max: null }));
        });
      };
      let stopped = false;
      let retry: ReturnType<typeof setTimeout> | undefined;
      // A historian that cannot answer yet (the link still opening, a busy core) is asked again, three
      // times at most; one that is not installed answers the same each time and the window fills live.
      const backfill = (attempt: number) => {
        const asked = Date.now();
        api
          .call('history.query', { tags: pens.map((p) => p.name), from: asked - windowMs, to: asked, maxPoints: buckets() })
          .then((series) => {
            if (stopped) return;
            seed = series;
            decimator = seeded();
            update();
          })
          .catch((err) => {
            if (stopped) return;
            if (host.current) host.current.dataset.backfillError = errorText(err);
            if (attempt < 3) retry = setTimeout(() => backfill(attempt + 1), 1000 * 2 ** attempt);
          });
      };
      backfill(0);
      update();
      const off = live.subscribe(update);
      // Keep scrolling when no sample arrives (stopped machine, lost link): time still passes.
      const tick = setInterval(update, 1000);
      return () => {
        stopped = true;
        clearTimeout(retry);
        off();
        clearInterval(tick);
      };
    }
    let cancelled = false;
    setStatus((s) => ({ ...s, loading: true }));
    const history = { range, end: null as (number | null)[] | null };
    historyRef.current = history;
    writeReadoutRef.current(chart);
    // The readout without a cursor: each pen's stored value at the range's end (the live buffer's where no historian answers).
    api
      .call('history.valueAt', { tags: pens.map((p) => p.name), t: range.to, mode: 'previous' })
      .then((at) => pens.map((p) => at.find((x) => x.tag === p.name)?.value ?? null))
      .catch(() => pens.map((p) => ringValueAt(live.ring(p.id), range.to)))
      .then((end) => {
        if (cancelled) return;
        history.end = end;
        if (chart.cursor.idx === null || chart.cursor.idx === undefined) writeReadoutRef.current(chart);
      });
    const query = (args: { tags: string[]; from: number; to: number; maxPoints: number }) => api.call('history.query', args);
    loadHistory(query, rings(), pens, range, buckets()).then((h) => {
      if (cancelled) return;
      rowsRef.current = h.rows;
      setStatus({ loading: false, source: h.source, note: h.note });
      if (host.current) host.current.dataset.points = String(h.points);
      chart.batch(() => {
        chart.setData([h.data.x, ...h.data.ys] as uPlot.AlignedData, false);
        chart.setScale('x', { min: range.from / 1000, max: range.to / 1000 });
      });
    });
    return () => {
      cancelled = true;
    };
  }, [pens, windowS, range, theme]);

  return (
    <figure className="trend" aria-label={label}>
      <div
        className="trend-chart"
        ref={host}
        data-pens={pens.map((p) => p.name).join(',')}
        data-mode={range ? 'history' : 'live'}
        data-from={range?.from}
        data-to={range?.to}
      />
      <figcaption className="trend-status" aria-live="polite">
        {range ? (
          <>
            <span className="mode-flag">◷ History</span> {formatDateTime(range.from)} – {formatDateTime(range.to)} · source:{' '}
            {status.loading ? 'loading…' : status.source}
          </>
        ) : (
          <>
            <span className="mode-flag">● Live</span> last {windowS >= 60 ? `${windowS / 60} min` : `${windowS} s`}
          </>
        )}
        {status.note ? <span className="trend-note"> · {status.note}</span> : null}
      </figcaption>
      <table className="readout" aria-label="Cursor readout">
        <thead>
          <tr>
            <th scope="col">Pen</th>
            <th scope="col">Tag</th>
            <th scope="col">
              Value at <span ref={cursorTime}>latest</span>
            </th>
            <th scope="col">Unit</th>
          </tr>
        </thead>
        <tbody ref={readout}>
          {pens.map((p, i) => (
            <tr key={p.id}>
              <td>
                <span
                  className="pen-swatch"
                  style={{ borderColor: PEN_COLOURS[i % PEN_COLOURS.length] }}
                  data-dash={penDash(i, pens.length)}
                />
              </td>
              <td>{p.name}</td>
              <td className="num">—</td>
              <td>{p.unit}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
