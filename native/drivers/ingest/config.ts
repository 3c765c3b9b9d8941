import { z } from 'zod';
import type { ConnectionRules } from '../site-rules.js';

/** Sensors and gateways that push over HTTP (serve mode: POST /api/ingest). Tags are addressed by their own name. */
export const ingestConnectionSchema = z
  .object({
    name: z.string().min(1),
    protocol: z.literal('ingest'),
    /** Samples taken and awaiting their commit before pushes are refused with 429 (backpressure, never silent loss). */
    maxQueue: z.number().int().min(100).max(10_000_000).default(100_000),
    /**
     * Distinct days (UTC) one push may hold samples of: each day is a partition table in the
     * historian, so a push cannot create many. Items of further days are refused with a reason.
     */
    maxDaysPerPush: z.number().int().min(1).max(366).default(7),
  })
  .strict();

export type IngestConnectionConfig = z.output<typeof ingestConnectionSchema>;

/**
 * The ingest rules the site-file validator (native/site/) applies to each ingest connection and the
 * tags that use it, so check-config refuses what this driver would fail on at run time.
 */
export const ingestSiteRules: ConnectionRules<IngestConnectionConfig> = (_conn, _connPath, tags, ctx) => {
  // A pushed sample names its tag; the driver reads no per-tag option, so any option would be ignored.
  for (const tag of tags)
    for (const key of Object.keys(tag.options))
      ctx.report([...tag.path, 'options', key], `${tag.name}: unknown option "${key}": tags on an ingest connection take no options`);
};
