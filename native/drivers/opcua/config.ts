import { z } from 'zod';

export const opcuaConnectionSchema = z
  .object({
    name: z.string().min(1),
    protocol: z.literal('opcua'),
    /** opc.tcp://host:port/path, or "demo" for the built-in plant. */
    endpoint: z.string().min(1),
    securityMode: z.enum(['None', 'Sign', 'SignAndEncrypt']).default('None'),
    securityPolicy: z.enum(['None', 'Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss']).default('None'),
    /** Anonymous unless a user is given. The password is sealed ("aurum secret seal"), never plain text. */
    user: z
      .object({ username: z.string().min(1), passwordSecret: z.string().min(1) })
      .strict()
      .optional(),
    publishingIntervalMs: z.number().int().min(10).max(60_000).default(250),
    /** Default sampling interval for monitored items without their own periodMs. */
    samplingIntervalMs: z.number().int().min(0).max(60_000).default(250),
    queueSize: z.number().int().min(1).max(1000).default(10),
    keepAliveMs: z.number().int().min(500).max(60_000).default(5000),
    reconnect: z
      .object({ initialDelayMs: z.number().int().min(50).default(500), maxDelayMs: z.number().int().min(100).default(10_000) })
      .strict()
      .default({ initialDelayMs: 500, maxDelayMs: 10_000 }),
  })
  .strict();

export type OpcuaConnectionConfig = z.output<typeof opcuaConnectionSchema>;
