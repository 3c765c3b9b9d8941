// Historian requests: trends, values at a time, aggregates, CSV export with progress, metrics.
import { z } from 'zod';
import type { HttpForms } from './http.js';
import { DAY_MS, overLimit, spanLimit } from './limits.js';

/**
 * What one history request may ask for (docs/api.md "Limits"). Spans cover the longest default
 * retention (hourly rollups, 5 years) twice over; row and point counts keep one answer to a few
 * tens of MB; an export is also bounded in bytes while it is written and by per-user quotas
 * (native/historian/export.ts).
 */
export const HISTORY_LIMITS = {
  querySpanMs: 3_660 * DAY_MS,
  /** Points of all tags of one query together (tags × maxPoints). */
  queryPoints: 200_000,
  aggregateSpanMs: 3_660 * DAY_MS,
  /** Rows of all tags of one aggregate request together (tags × intervals). */
  aggregateRows: 200_000,
  /**
   * Aggregates computed from raw samples (duration in a state, intervals or starts not on whole
   * minutes) read every sample of the span at once: at most a month of them.
   */
  aggregateRawSpanMs: 31 * DAY_MS,
  /** Raw-sample exports (raw data is kept 30 days by default). */
  exportRawSpanMs: 400 * DAY_MS,
  exportAggregateSpanMs: 3_660 * DAY_MS,
  exportTags: 1_000,
  /** Aggregate rows of one export (tags × intervals), about 150 MB of CSV. */
  exportAggregateRows: 2_000_000,
  /**
   * Tags of one last-values request: one indexed row each (about 1 µs), so any site's whole tag
   * list fits; every tag must also be one of the site's (an unknown tag is refused, 404).
   */
  lastValuesTags: 100_000,
} as const;

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
    .refine((a) => a.to > a.from, toAfterFrom)
    .superRefine(spanLimit('history.query', HISTORY_LIMITS.querySpanMs))
    .refine((a) => a.tags.length * a.maxPoints <= HISTORY_LIMITS.queryPoints, {
      path: ['maxPoints'],
      error: (i) => {
        const a = i.input as { tags: string[]; maxPoints: number };
        return overLimit('history.query', 'points', a.tags.length * a.maxPoints, HISTORY_LIMITS.queryPoints, 'ask fewer tags or points');
      },
    }),
  /** Each tag's value at time t: the previous sample held, or linear interpolation between neighbours. */
  'history.valueAt': z.object({ tags, t: isoOrMs, mode: z.enum(['previous', 'linear']).default('previous') }).strict(),
  /** Each tag's newest stored sample, from a table the writer keeps beside the chunks (no chunk is read). */
  'history.lastValues': z
    .object({
      tags: z
        .array(z.string().min(1))
        .min(1)
        .superRefine((t, ctx) => {
          if (t.length > HISTORY_LIMITS.lastValuesTags)
            ctx.addIssue({
              code: 'custom',
              message: overLimit('history.lastValues', 'tags', t.length, HISTORY_LIMITS.lastValuesTags, 'ask in several requests'),
            });
        }),
    })
    .strict(),
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
    .superRefine(spanLimit('history.aggregate', HISTORY_LIMITS.aggregateSpanMs))
    .superRefine((a, ctx) => {
      const fromRaw = a.state !== undefined || a.from % 60_000 !== 0 || a.intervalMs % 60_000 !== 0;
      if (fromRaw)
        spanLimit('history.aggregate from raw samples (state, or not on whole minutes)', HISTORY_LIMITS.aggregateRawSpanMs)(a, ctx);
    })
    .refine((a) => (a.to - a.from) / a.intervalMs <= 100_000, { message: 'at most 100,000 intervals', path: ['intervalMs'] })
    .refine((a) => a.tags.length * Math.ceil((a.to - a.from) / a.intervalMs) <= HISTORY_LIMITS.aggregateRows, {
      path: ['intervalMs'],
      error: (i) => {
        const a = i.input as { tags: string[]; from: number; to: number; intervalMs: number };
        const rows = a.tags.length * Math.ceil((a.to - a.from) / a.intervalMs);
        return overLimit('history.aggregate', 'rows', rows, HISTORY_LIMITS.aggregateRows, 'use a longer interval or fewer tags');
      },
    }),
  /** Start a CSV export to a file in the historian's export folder; progress arrives on the historyExport stream. */
  'history.export': z
    .object({
      tags: z.array(z.string().min(1)).min(1).max(HISTORY_LIMITS.exportTags),
      from: isoOrMs,
      to: isoOrMs,
      /** Raw samples, or aggregates per interval when intervalMs is given. */
      intervalMs: z.number().int().min(1000).optional(),
    })
    .strict()
    .refine((a) => a.to > a.from, toAfterFrom)
    .superRefine((a, ctx) =>
      a.intervalMs === undefined
        ? spanLimit('history.export of raw samples', HISTORY_LIMITS.exportRawSpanMs)(a, ctx)
        : spanLimit('history.export of aggregates', HISTORY_LIMITS.exportAggregateSpanMs)(a, ctx),
    )
    .refine(
      (a) => a.intervalMs === undefined || a.tags.length * Math.ceil((a.to - a.from) / a.intervalMs) <= HISTORY_LIMITS.exportAggregateRows,
      {
        path: ['intervalMs'],
        error: (i) => {
          const a = i.input as { tags: string[]; from: number; to: number; intervalMs: number };
          const rows = a.tags.length * Math.ceil((a.to - a.from) / a.intervalMs);
          return overLimit('history.export', 'rows', rows, HISTORY_LIMITS.exportAggregateRows, 'use a longer interval or fewer tags');
        },
      },
    ),
  'history.exportCancel': z.object({ id: z.string().min(1) }).strict(),
  'history.metrics': z.object({}).strict().default({}),
};

/** How serve mode offers each request over HTTP (native/api/http.ts). */
export const historyHttp = {
  'history.query': { method: 'GET', path: '/api/history' },
  'history.valueAt': { method: 'GET', path: '/api/history/value-at' },
  // POST: a site's whole tag list does not fit in a URL.
  'history.lastValues': { method: 'POST', path: '/api/history/last-values' },
  'history.aggregate': { method: 'GET', path: '/api/history/aggregate' },
  'history.export': { method: 'POST', path: '/api/history/export' },
  'history.exportCancel': { method: 'POST', path: '/api/history/export/:id([A-Za-z0-9_-]+)/cancel' },
  'history.metrics': { method: 'GET', path: '/api/history/metrics' },
} as const satisfies HttpForms<typeof historyRequests>;

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

export interface HistoryLastValue {
  tag: string;
  /** Timestamp of the newest stored sample, ms since epoch; null when the tag has none stored. */
  ts: number | null;
  /** Its value; null when it has none or the sample is missing (NaN). */
  value: number | null;
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
  /** Samples set aside in the quarantine table because storing them failed (docs/historian.md). */
  quarantinedSamples: number;
  dbBytes: number;
}

export interface HistoryResults {
  'history.query': HistorySeries[];
  'history.valueAt': HistoryValueAt[];
  'history.lastValues': HistoryLastValue[];
  'history.aggregate': HistoryAggregate[];
  'history.export': HistoryExportProgress;
  'history.exportCancel': HistoryExportProgress;
  'history.metrics': HistoryMetrics;
}

/** Streams the historian pushes to clients. */
export interface HistoryEventStreams {
  historyExport: HistoryExportProgress;
}
