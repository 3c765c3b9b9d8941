// The site file's `maintenance:` block: where maintenance requests are sent (a CMMS webhook).
import { z } from 'zod';

export const maintenanceConfigSchema = z
  .object({
    webhook: z
      .object({
        /** Receives a JSON POST per maintenance request. */
        url: z.url({ protocol: /^https?$/ }),
        timeoutMs: z.number().int().min(100).max(60_000).default(5000),
        /** Extra headers, e.g. an API key of the maintenance system. */
        headers: z.record(z.string(), z.string()).default({}),
      })
      .strict()
      .optional(),
  })
  .strict()
  .default({});

export type MaintenanceConfig = z.output<typeof maintenanceConfigSchema>;
export type WebhookConfig = NonNullable<MaintenanceConfig['webhook']>;
