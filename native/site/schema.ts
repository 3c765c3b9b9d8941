// The site file's schema (YAML, versioned). It describes connections, machine templates and the
// asset tree site → area → machine → tag (native/tags/config-schema.ts). Sections owned by other
// capabilities (alarms, ESG, historian, maintenance, models, sync) are validated by their own
// schemas, joined here, above the capabilities, so that none of them imports another's schema.
import { z } from 'zod';
import { alarmDefinitionSchema } from '../alarms/definition.js';
import { connectionSchema } from '../drivers/connection-schema.js';
import { esgConfigSchema } from '../esg/config.js';
import { acceptWindowSchema, deadbandConfigSchema, durabilitySchema, retentionConfigSchema } from '../historian/config.js';
import { maintenanceConfigSchema } from '../maintenance/config.js';
import { syncConfigSchema } from '../sync/config.js';
import { areaSchema, name, templateSchema } from '../tags/config-schema.js';

export const SITE_FILE_VERSION = 1;

/** Whether the platform knows the time zone (shifts, days and ESG periods are computed in it). */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const siteFileSchema = z
  .object({
    version: z.literal(SITE_FILE_VERSION, { message: `this console reads site files of version ${SITE_FILE_VERSION}` }),
    site: z
      .object({
        name,
        description: z.string().default(''),
        /** IANA time zone of the site (shifts, days, ESG periods). */
        timeZone: z.string().refine(isTimeZone, { message: 'must be an IANA time zone such as "Europe/Berlin" or "UTC"' }).default('UTC'),
        /**
         * How every screen writes a date and time, always 24-hour, in the site's time zone: iso
         * 2026-12-01 17:05:09 (default), dmy 01/12/2026 17:05:09, mdy 12/01/2026 17:05:09.
         */
        dateFormat: z.enum(['iso', 'dmy', 'mdy']).default('iso'),
        /** Organisation named in the console's OPC UA application certificate (O=); the site name when absent. */
        organization: z
          .string()
          .trim()
          .min(1)
          .max(64)
          .regex(/^[^/=\\]+$/, 'a name without "/", "=" or "\\" (it becomes part of a certificate subject)')
          .optional(),
        /** The console's OPC UA application URI (in its certificate); urn:<host>:aurum-console:<site> when absent. */
        applicationUri: z
          .string()
          .regex(/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/, 'a URI such as urn:acme:plant7:aurum-console')
          .max(256)
          .optional(),
      })
      .strict(),
    /** Start the built-in simulated plant; connections whose endpoint or host is "demo" are pointed at it. */
    demoPlant: z.boolean().default(false),
    connections: z.array(connectionSchema).min(1),
    templates: z.record(z.string(), templateSchema).default({}),
    areas: z.array(areaSchema).min(1),
    /** Sections owned by other capabilities: each is validated by its own schema when it loads. */
    /** Alarm definitions (docs/alarms.md); a `*` in a tag path covers every instance of a template. */
    alarms: z.array(alarmDefinitionSchema).default([]),
    /** Maintenance requests: an optional webhook to the maintenance system. */
    maintenance: maintenanceConfigSchema.optional(),
    /** Historian retention and per-tag storage rules (docs/historian.md). */
    historian: z
      .object({
        retention: retentionConfigSchema.optional(),
        storage: deadbandConfigSchema.optional(),
        /** Cap on the historian's disk use; past it the console raises a system alarm and buffers. */
        maxDbMB: z.number().positive().optional(),
        /** Source timestamps stored as given: how far back (pastDays) and ahead (futureSeconds). */
        acceptWindow: acceptWindowSchema.optional(),
        /** normal (default): survives kill -9; full: fsync per commit, survives an OS crash or power cut (docs/historian.md). */
        durability: durabilitySchema.optional(),
      })
      .strict()
      .default({}),
    esg: esgConfigSchema.optional(),
    /** Which model runs on which machine; predictions become derived tags <machine>/AnomalyScore, /Health, /RUL. */
    models: z
      .object({
        bindings: z
          .array(z.object({ machine: z.string().min(1), model: z.string().min(1), version: z.number().int().min(1).optional() }).strict())
          .default([]),
      })
      .strict()
      .optional(),
    /** Optional cloud sync (docs/sync.md); off unless enabled. */
    sync: syncConfigSchema.optional(),
  })
  .strict();

export type SiteFile = z.output<typeof siteFileSchema>;
