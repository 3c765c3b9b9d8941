import { z } from 'zod';

export const modbusConnectionSchema = z
  .object({
    name: z.string().min(1),
    protocol: z.literal('modbus'),
    transport: z.enum(['tcp', 'rtu']).default('tcp'),
    /** TCP host, or "demo" for the built-in plant. */
    host: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65535).default(502),
    /** RTU serial settings. */
    serialPort: z.string().optional(),
    baudRate: z.number().int().default(19200),
    parity: z.enum(['none', 'even', 'odd']).default('even'),
    unitId: z.number().int().min(0).max(255).default(1),
    /** Byte/word order of 32/64-bit values on this device. */
    wordOrder: z.enum(['ABCD', 'CDAB', 'BADC', 'DCBA']).default('ABCD'),
    /** Default poll period for tags without their own periodMs. */
    pollMs: z.number().int().min(20).max(3_600_000).default(1000),
    timeoutMs: z.number().int().min(50).max(30_000).default(1000),
    retries: z.number().int().min(0).max(5).default(1),
    /** Largest run of unused registers the planner reads through to save a request. */
    maxGap: z.number().int().min(0).max(100).default(10),
    reconnect: z
      .object({ initialDelayMs: z.number().int().min(50).default(500), maxDelayMs: z.number().int().min(100).default(10_000) })
      .strict()
      .default({ initialDelayMs: 500, maxDelayMs: 10_000 }),
  })
  .strict()
  .refine((c) => (c.transport === 'tcp' ? !!c.host : !!c.serialPort), { message: 'tcp needs "host"; rtu needs "serialPort"' });

export type ModbusConnectionConfig = z.output<typeof modbusConnectionSchema>;
