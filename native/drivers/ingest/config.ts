import { z } from 'zod';

/** Sensors and gateways that push over HTTP (serve mode: POST /api/ingest). Tags are addressed by their own name. */
export const ingestConnectionSchema = z
  .object({
    name: z.string().min(1),
    protocol: z.literal('ingest'),
    /** Samples held before pushes are refused with 429 (backpressure, never silent loss). */
    maxQueue: z.number().int().min(100).max(10_000_000).default(100_000),
  })
  .strict();

export type IngestConnectionConfig = z.output<typeof ingestConnectionSchema>;
