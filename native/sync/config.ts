// The site file's `sync:` block: where the uplink goes, how, and what is allowed to leave the site.
// Everything is off by default; raw samples leave only for tags listed by name.
import { z } from 'zod';
import { tlsClientSchema } from '../util/tls-schema.js';

export const SYNC_STREAMS = ['alarms', 'events', 'aggregates', 'esg', 'predictions', 'raw'] as const;
export type SyncStream = (typeof SYNC_STREAMS)[number];

/** A secret is never written in clear in the site file: `env:VAR` or a sealed `enc:v1:…` value. */
const secretRef = z
  .string()
  .regex(/^(env:[A-Za-z_][A-Za-z0-9_]*|enc:v1:.+)$/, 'a secret reference: env:VARIABLE or a sealed enc:v1:… value');

/** Lower number = sent first. Alarms and operator events go before bulk data by default. */
const defaultPriorities: Record<SyncStream, number> = { alarms: 0, events: 1, predictions: 2, esg: 3, aggregates: 4, raw: 5 };

export const syncConfigSchema = z
  .object({
    enabled: z.boolean().default(false),
    /**
     * mqtt://host:1883 or mqtts://host:8883 (any MQTT 3.1.1/5 broker or cloud IoT hub), or
     * https://host/path for back ends without MQTT: each batch is then POSTed there (JSON only).
     */
    url: z
      .string()
      .regex(/^(mqtts?|tcp|ssl|tls|https?):\/\/[^\s]+$/, 'mqtt://host:port, mqtts://host:port or https://host/path')
      .default('mqtt://127.0.0.1:1883'),
    /** HTTPS only: sent as "Authorization: Bearer <token>" (a secret reference, like password). */
    token: secretRef.optional(),
    protocolVersion: z.union([z.literal(4), z.literal(5)]).default(4),
    /** Defaults to "aurum-sync-<site>"; must be unique per site on the broker. */
    clientId: z.string().min(1).max(128).optional(),
    username: z.string().optional(),
    password: secretRef.optional(),
    tls: tlsClientSchema.optional(),
    /** JSON topics: <namespace>/<site>/<stream>. Sparkplug: spBv1.0/<namespace>/NDATA/<site> (namespace = group id). */
    namespace: z
      .string()
      .regex(/^[^#+\s]+$/, 'no MQTT wildcards or spaces')
      .default('aurum'),
    format: z.enum(['json', 'sparkplug']).default('json'),
    /** JSON batches are gzip-compressed when true (Sparkplug payloads are protobuf, left as they are). */
    compress: z.boolean().default(true),
    select: z
      .object({
        alarms: z.boolean().default(true),
        events: z.boolean().default(true),
        esg: z.boolean().default(true),
        aggregates: z
          .object({
            hourly: z.boolean().default(true),
            daily: z.boolean().default(true),
            /** Tag groups whose aggregates go up (a tag's group is its area); empty = every tag. */
            groups: z.array(z.string().min(1)).default([]),
          })
          .strict()
          .default({ hourly: true, daily: true, groups: [] }),
        predictions: z
          .object({
            enabled: z.boolean().default(true),
            /** Only predictions whose anomaly score reaches this share of the model's threshold (1 = at the threshold). */
            minScoreRatio: z.number().min(0).default(1),
            /** …or whose health falls to this or below. */
            maxHealth: z.number().min(0).max(100).default(50),
          })
          .strict()
          .default({ enabled: true, minScoreRatio: 1, maxHealth: 50 }),
        /** Raw samples leave the site only for these tags (names). */
        rawTags: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .default({
        alarms: true,
        events: true,
        esg: true,
        aggregates: { hourly: true, daily: true, groups: [] },
        predictions: { enabled: true, minScoreRatio: 1, maxHealth: 50 },
        rawTags: [],
      }),
    /** Upload bandwidth cap in bytes/s (0 = none). */
    maxBytesPerSecond: z.number().int().min(0).default(0),
    /** Rows kept waiting at most; beyond it raw, then aggregates, predictions, ESG are thinned oldest first. Alarms and events are never dropped. */
    maxBacklog: z.number().int().min(100).default(1_000_000),
    priority: z
      .partialRecord(z.enum(SYNC_STREAMS), z.number().int().min(0).max(9))
      .default({})
      .transform((p) => ({ ...defaultPriorities, ...p })),
    batch: z
      .object({
        maxMessages: z.number().int().min(1).max(10_000).default(500),
        maxBytes: z
          .number()
          .int()
          .min(1024)
          .default(256 * 1024),
      })
      .strict()
      .default({ maxMessages: 500, maxBytes: 256 * 1024 }),
    /** Batches published but not yet acknowledged by the broker. */
    maxInflight: z.number().int().min(1).max(64).default(8),
    keepaliveS: z.number().int().min(5).max(3600).default(30),
    connectTimeoutMs: z.number().int().min(500).max(60_000).default(10_000),
    /** Model packages pushed by the fleet back end; each waits for an engineer's approval. */
    downlink: z
      .object({
        enabled: z.boolean().default(false),
        /** SHA-256 (hex) of the model.onnx files released for this site; any other model is refused. */
        pinnedSha256: z.array(z.string().regex(/^[0-9a-f]{64}$/, 'a lower-case hex SHA-256')).default([]),
        /** Largest package accepted, bytes. */
        maxBytes: z
          .number()
          .int()
          .min(1024)
          .default(64 * 1024 * 1024),
      })
      .strict()
      .default({ enabled: false, pinnedSha256: [], maxBytes: 64 * 1024 * 1024 }),
    backoff: z
      .object({ initialMs: z.number().int().min(10).default(1000), maxMs: z.number().int().min(10).default(300_000) })
      .strict()
      .default({ initialMs: 1000, maxMs: 300_000 }),
  })
  .strict()
  .refine((c) => !/^https?:/.test(c.url) || c.format === 'json', { message: 'an https:// back end takes format: json', path: ['format'] })
  .refine((c) => !/^https?:/.test(c.url) || !c.downlink.enabled, {
    message: 'the model downlink needs an MQTT broker',
    path: ['downlink'],
  });

export type SyncConfig = z.output<typeof syncConfigSchema>;
export type SyncConfigInput = z.input<typeof syncConfigSchema>;
