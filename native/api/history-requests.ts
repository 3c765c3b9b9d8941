import { z } from 'zod';

const isoOrMs = z.union([z.number(), z.string().datetime({ offset: true })]).transform((v) => (typeof v === 'number' ? v : Date.parse(v)));

export const historyRequests = {
  /** Decimated series for a trend: min/max-preserving, raw or rollup data chosen by the historian. */
  'history.query': z
    .object({
      tags: z.array(z.string().min(1)).min(1).max(64),
      from: isoOrMs,
      to: isoOrMs,
      maxPoints: z.number().int().min(2).max(20000).default(1000),
    })
    .strict()
    .refine((a) => a.to > a.from, { message: '"to" must be after "from"', path: ['to'] }),
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
  source: 'raw' | 'rollup-1m' | 'rollup-1h' | 'live';
}

export interface HistoryResults {
  'history.query': HistorySeries[];
}
