// The site file's `connections:` entries: one schema per protocol, chosen by `protocol`.
import { z } from 'zod';
import { ingestConnectionSchema } from './ingest/config.js';
import { modbusConnectionSchema } from './modbus/config.js';
import { opcuaConnectionSchema } from './opcua/config.js';

const mqttPlaceholder = z.object({ name: z.string().min(1), protocol: z.literal('mqtt') }).passthrough();

export const connectionSchema = z.discriminatedUnion('protocol', [
  opcuaConnectionSchema,
  modbusConnectionSchema,
  mqttPlaceholder,
  ingestConnectionSchema,
]);
export type ConnectionConfig = z.output<typeof connectionSchema>;
