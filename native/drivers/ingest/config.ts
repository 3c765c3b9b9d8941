import { z } from 'zod';
import type { ConnectionRules } from '../site-rules.js';
import { compileTemplate } from './line-protocol.js';

/**
 * How InfluxDB line protocol (POST /api/write) names console tags: `name` is a template of the
 * line's parts (`{measurement}`, `{field}`, `{tag:<key>}`), e.g. "{measurement}/{tag:host}/{field}";
 * `overrides` map one measurement and field (and, if given, tag values) to a named tag instead and
 * are tried first, in order. The result must be a tag of this connection.
 */
export const lineProtocolRuleSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(512)
      .superRefine((t, ctx) => {
        const compiled = compileTemplate(t);
        if (typeof compiled === 'string') ctx.addIssue({ code: 'custom', message: compiled });
      })
      .optional(),
    overrides: z
      .array(
        z
          .object({
            measurement: z.string().min(1),
            field: z.string().min(1),
            /** Tag values the line must carry for this override to apply (all of them). */
            tags: z.record(z.string().min(1), z.string().min(1)).optional(),
            /** The console tag (Site/Area/Machine/Tag) the field is stored as. */
            to: z.string().min(1),
          })
          .strict(),
      )
      .max(10_000)
      .default([]),
  })
  .strict()
  .refine((r) => r.name !== undefined || r.overrides.length > 0, {
    message: 'a lineProtocol rule needs a name template, overrides, or both: with neither no line could be stored',
  });

export type LineProtocolRule = z.output<typeof lineProtocolRuleSchema>;

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
    /** Accept InfluxDB line protocol (POST /api/write) on this connection, with this naming rule. */
    lineProtocol: lineProtocolRuleSchema.optional(),
  })
  .strict();

export type IngestConnectionConfig = z.output<typeof ingestConnectionSchema>;

/**
 * The ingest rules the site-file validator (native/site/) applies to each ingest connection and the
 * tags that use it, so check-config refuses what this driver would fail on at run time.
 */
export const ingestSiteRules: ConnectionRules<IngestConnectionConfig> = (conn, connPath, tags, ctx) => {
  // A pushed sample names its tag; the driver reads no per-tag option, so any option would be ignored.
  for (const tag of tags)
    for (const key of Object.keys(tag.options))
      ctx.report([...tag.path, 'options', key], `${tag.name}: unknown option "${key}": tags on an ingest connection take no options`);
  // An override that names no tag of this connection could never store anything.
  const names = new Set(tags.map((t) => t.name));
  conn.lineProtocol?.overrides.forEach((o, i) => {
    if (!names.has(o.to))
      ctx.report(
        [...connPath, 'lineProtocol', 'overrides', i, 'to'],
        `line-protocol override for ${o.measurement} field ${o.field} names "${o.to}", which is no tag of connection ${conn.name}`,
      );
  });
};
