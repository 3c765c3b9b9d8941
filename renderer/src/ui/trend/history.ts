// History mode's data: the historian's decimated series for the range, bucketed to the chart's
// pixel width. Where the historian cannot answer (not installed in this core, or unreachable) the
// samples this window already holds in its live rings are shown instead, and the chart says so.
import type { HistorySeries } from '../../../../native/api/history-requests';
import type { TagInfo } from '../../../../native/api/types';
import { BucketGrid, type Decimated } from '../../lib/decimate';
import type { TimeRange } from '../../lib/period';
import { errorText } from '../../platform/client';
import type { Ring } from '../../platform/live';
import type { ExportRow } from './export';

export interface HistoryData {
  data: Decimated;
  /** Where the points came from: the historian's source names, or "live buffer". */
  source: string;
  /** Why the historian was not used, when it was not. */
  note: string | null;
  /** Points behind the chart, one row per sample and pen; built only when exported. */
  rows: () => ExportRow[];
  points: number;
}

export type HistoryQuery = (args: { tags: string[]; from: number; to: number; maxPoints: number }) => Promise<HistorySeries[]>;

/** A line breaks where a pen has no point for three of its typical spacings (or three update periods). */
function gapFor(first: number, last: number, count: number, pen: TagInfo, bucketMs: number): number {
  const spacing = count > 1 ? (last - first) / (count - 1) : 0;
  return Math.max(3 * spacing, 3 * pen.expectedPeriodMs, 2 * bucketMs);
}

const pixelGrid = (pens: TagInfo[], range: TimeRange, buckets: number) => {
  const n = Math.max(1, Math.floor(buckets));
  // One spare slot: floating-point rounding may put a point just below `to` into bucket n.
  return { n, grid: new BucketGrid((range.to - range.from) / n, n + 1, pens.length, range.from) };
};

export function gridFromSeries(series: HistorySeries[], pens: TagInfo[], range: TimeRange, buckets: number): HistoryData {
  const { n, grid } = pixelGrid(pens, range, buckets);
  const matched = pens.map((pen) => series.find((x) => x.tag === pen.name));
  const gaps = pens.map((pen, p) => {
    const s = matched[p];
    if (!s) return 0;
    for (let i = 0; i < s.ts.length; i++) {
      const v = s.v[i] ?? null;
      const lo = s.min?.[i] ?? v;
      const hi = s.max?.[i] ?? v;
      if (lo !== null && hi !== null) grid.addRange(p, s.ts[i] as number, lo, hi);
    }
    return gapFor(s.ts[0] ?? 0, s.ts[s.ts.length - 1] ?? 0, s.ts.length, pen, grid.bucketMs);
  });
  const rows = () =>
    pens.flatMap((pen, p) => {
      const s = matched[p];
      if (!s) return [];
      return s.ts.map((t, i) => {
        const v = s.v[i] ?? null;
        return { t, tag: pen.name, unit: pen.unit, v, min: s.min ? (s.min[i] ?? v) : null, max: s.max ? (s.max[i] ?? v) : null };
      });
    });
  const source = [...new Set(series.map((s) => s.source))].join(', ') || 'no data';
  return { data: grid.write(0, n - 1, gaps), source, note: null, rows, points: matched.reduce((a, s) => a + (s?.ts.length ?? 0), 0) };
}

export function gridFromRings(rings: (Ring | undefined)[], pens: TagInfo[], range: TimeRange, buckets: number): HistoryData {
  const { n, grid } = pixelGrid(pens, range, buckets);
  let points = 0;
  const gaps = pens.map((pen, p) => {
    const ring = rings[p];
    if (!ring) return 0;
    const first = ring.firstAtOrAfter(range.from);
    let k = first;
    for (; k < ring.length; k++) {
      const t = ring.timeAt(k);
      if (t >= range.to) break;
      grid.add(p, t, ring.valueAt(k));
    }
    points += k - first;
    return k > first ? gapFor(ring.timeAt(first), ring.timeAt(k - 1), k - first, pen, grid.bucketMs) : 0;
  });
  const rows = () =>
    pens.flatMap((pen, p) => {
      const s = rings[p]?.since(range.from) ?? { t: [], v: [] };
      return s.t.flatMap((t, i) => (t < range.to ? [{ t, tag: pen.name, unit: pen.unit, v: s.v[i] ?? null, min: null, max: null }] : []));
    });
  return { data: grid.write(0, n - 1, gaps), source: 'live buffer', note: null, rows, points };
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
    const reason = errorText(err);
    return {
      ...gridFromRings(rings, pens, range, buckets),
      note: `Historian unavailable (${reason}): showing the samples this window holds.`,
    };
  }
}
