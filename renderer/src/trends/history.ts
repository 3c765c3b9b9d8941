// History mode's data: the historian's decimated series for the range, bucketed to the chart's
// pixel width. Where the historian cannot answer (not installed in this core, or unreachable) the
// samples this window already holds in its live rings are shown instead, and the chart says so.
import type { HistorySeries } from '../../../native/api/history-requests';
import type { TagInfo } from '../../../native/api/types';
import { BucketGrid, type Decimated } from '../components/decimate';
import type { Ring } from '../store/live';
import type { TimeRange } from '../store/trends';
import type { ExportRow } from './export';

export interface HistoryData {
  data: Decimated;
  /** Where the points came from: the historian's source names, or "live buffer". */
  source: string;
  /** Why the historian was not used, when it was not. */
  note: string | null;
  rows: ExportRow[];
}

export type HistoryQuery = (args: { tags: string[]; from: number; to: number; maxPoints: number }) => Promise<HistorySeries[]>;

/** A line breaks where a pen has no point for three of its typical spacings (or three update periods). */
function gapFor(ts: number[], pen: TagInfo, bucketMs: number): number {
  const spacing = ts.length > 1 ? ((ts[ts.length - 1] as number) - (ts[0] as number)) / (ts.length - 1) : 0;
  return Math.max(3 * spacing, 3 * pen.expectedPeriodMs, 2 * bucketMs);
}

export function gridFromSeries(series: HistorySeries[], pens: TagInfo[], range: TimeRange, buckets: number): HistoryData {
  const n = Math.max(1, Math.floor(buckets));
  const grid = new BucketGrid((range.to - range.from) / n, n + 1, pens.length, range.from);
  const rows: ExportRow[] = [];
  const gaps = pens.map((pen, p) => {
    const s = series.find((x) => x.tag === pen.name);
    if (!s) return 0;
    for (let i = 0; i < s.ts.length; i++) {
      const t = s.ts[i] as number;
      const v = s.v[i] ?? null;
      const lo = s.min?.[i] ?? v;
      const hi = s.max?.[i] ?? v;
      if (lo !== null && hi !== null) grid.addRange(p, t, lo, hi);
      rows.push({ t, tag: pen.name, unit: pen.unit, v, min: s.min ? lo : null, max: s.max ? hi : null });
    }
    return gapFor(s.ts, pen, grid.bucketMs);
  });
  const source = [...new Set(series.map((s) => s.source))].join(', ') || 'no data';
  return { data: grid.write(0, n - 1, gaps), source, note: null, rows };
}

export function gridFromRings(rings: (Ring | undefined)[], pens: TagInfo[], range: TimeRange, buckets: number): HistoryData {
  const series: HistorySeries[] = pens.map((pen, p) => {
    const ring = rings[p];
    const ts: number[] = [];
    const v: (number | null)[] = [];
    if (ring) {
      for (let k = ring.firstAtOrAfter(range.from); k < ring.length; k++) {
        const t = ring.timeAt(k);
        if (t >= range.to) break;
        const x = ring.valueAt(k);
        ts.push(t);
        v.push(Number.isNaN(x) ? null : x);
      }
    }
    return { tag: pen.name, ts, v, source: 'live' };
  });
  return { ...gridFromSeries(series, pens, range, buckets), source: 'live buffer' };
}

export async function loadHistory(
  query: HistoryQuery,
  rings: (Ring | undefined)[],
  pens: TagInfo[],
  range: TimeRange,
  buckets: number,
): Promise<HistoryData> {
  try {
    const series = await query({
      tags: pens.map((p) => p.name),
      from: range.from,
      to: range.to,
      maxPoints: Math.max(2, Math.floor(buckets)),
    });
    return gridFromSeries(series, pens, range, buckets);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return {
      ...gridFromRings(rings, pens, range, buckets),
      note: `Historian unavailable (${reason}): showing the samples this window holds.`,
    };
  }
}
