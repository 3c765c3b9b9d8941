import { z } from 'zod';

/**
 * PEM files of a TLS client (an MQTT connection, the sync link): relative names are read from the
 * site file's folder (the site-file loader resolves them).
 */
export const tlsClientSchema = z
  .object({
    ca: z.string().optional(),
    cert: z.string().optional(),
    key: z.string().optional(),
    /** Only for test brokers: accept a server certificate that does not verify. */
    rejectUnauthorized: z.boolean().default(true),
    servername: z.string().optional(),
  })
  .strict()
  .refine((t) => !t.cert === !t.key, { message: 'tls.cert and tls.key go together' });
