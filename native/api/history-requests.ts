// Historian requests: trends, values at a time, aggregates, CSV export with progress, metrics.
import { z } from 'zod';

const isoOrMs = z.union([z.number(), z.string().datetime({ offset: true })]).transform((v) => (typeof v === 'number' ? v : Date.parse(v)));
const toAfterFrom = { message: '"to" must be after "from"', path: ['to'] };
const tags = z.array(z.string().min(1)).min(1).max(64);

export const historyRequests = {
  /** Decimated series for a trend: min/max-preserving, raw or rollup data chosen by the historian. */
  'history.query': z
    .object({
      tags,
      from: isoOrMs,
      to: isoOrMs,
      maxPoints: z.number().int().min(2).max(20000).default(1000),
    })
    .strict()
    .refine((a) => a.to > a.from, toAfterFrom),
  /** Each tag's value at time t: the previous sample held, or linear interpolation between neighbours. */
  'history.valueAt': z.object({ tags, t: isoOrMs, mode: z.enum(['previous', 'linear']).default('previous') }).strict(),
  /** Aggregates per interval (avg, min, max, time-weighted avg, integral in value·h, count, coverage, duration in a state). */
  'history.aggregate': z
    .object({
      tags,
      from: isoOrMs,
      to: isoOrMs,
      intervalMs: z.number().int().min(1000),
      /** Also report how long the value equalled this state in each interval (from raw data). */
      state: z.number().optional(),
    })
    .strict()
    .refine((a) => a.to > a.from, toAfterFrom)
    .refine((a) => (a.to - a.from) / a.intervalMs <= 100_000, { message: 'at most 100,000 intervals', path: ['intervalMs'] }),
  /** Start a CSV export to a file in the historian's export folder; progress arrives on the historyExport stream. */
  'history.export': z
    .object({
      tags: z.array(z.string().min(1)).min(1).max(10_000),
      from: isoOrMs,
      to: isoOrMs,
      /** Raw samples, or aggregates per interval when intervalMs is given. */
      intervalMs: z.number().int().min(1000).optional(),
    })
    .strict()
    .refine((a) => a.to > a.from, toAfterFrom),
  'history.exportCancel': z.object({ id: z.string().min(1) }).strict(),
  'history.metrics': z.object({}).strict().default({}),
};

export interface HistorySeries {
  tag: string;
  /** Bucket or sample timestamps, ms since epoch. */
  ts: number[];
  /** Average (decimated) or raw value. */
  v: (number | null)[];
  /** Present where the series is decimated: extremes of each bucket, so no spike vanishes. */
  min?: (number | null)[];
  max?: (number | null)[];
  /** Width of each bucket where decimated: bucket i covers [ts[i], ts[i] + bucketMs). */
  bucketMs?: number;
  source: 'raw' | 'rollup-1m' | 'rollup-1h' | 'live';
}

export interface HistoryValueAt {
  tag: string;
  t: number;
  value: number | null;
  /** Timestamp of the stored sample the value comes from. */
  sampleTs: number | null;
  quality: number | null;
}

export interface HistoryAggregateRow {
  t: number;
  avg: number | null;
  min: number | null;
  max: number | null;
  twa: number | null;
  /** ∫ value dt in value·hours (kW → kWh). */
  integral: number;
  count: number;
  /** Fraction of the interval covered by a valid value. */
  coverage: number;
  duration: number | null;
}

export interface HistoryAggregate {
  tag: string;
  intervalMs: number;
  source: 'raw' | 'rollup-1m' | 'rollup-1h';
  rows: HistoryAggregateRow[];
}

export interface HistoryExportProgress {
  id: string;
  state: 'running' | 'done' | 'cancelled' | 'failed';
  /** 0…1. */
  progress: number;
  rows: number;
  file: string;
  error: string | null;
}

export interface HistoryMetrics {
  /** Samples received and not yet committed. */
  queueDepth: number;
  /** Duration of the last write transaction, ms. */
  batchLatencyMs: number;
  /** Committed samples per second over the last few seconds. */
  samplesPerSecond: number;
  /** Compressed chunk bytes per stored sample (blob payload, without SQLite page overhead). */
  bytesPerSample: number;
  committedSamples: number;
  droppedSamples: number;
  /** True while writes fail (disk full, I/O error) and samples wait in memory. */
  writeFailing: boolean;
  dbBytes: number;
}

export interface HistoryResults {
  'history.query': HistorySeries[];
  'history.valueAt': HistoryValueAt[];
  'history.aggregate': HistoryAggregate[];
  'history.export': HistoryExportProgress;
  'history.exportCancel': HistoryExportProgress;
  'history.metrics': HistoryMetrics;
}

/** Streams the historian pushes to clients. */
export interface HistoryEventStreams {
  historyExport: HistoryExportProgress;
}
