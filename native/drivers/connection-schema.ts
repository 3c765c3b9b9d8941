// The site file's `connections:` entries: one schema per protocol, chosen by `protocol`.
import { z } from 'zod';
import { ingestConnectionSchema } from './ingest/config.js';
import { modbusConnectionSchema } from './modbus/config.js';
import { mqttConnectionSchema } from './mqtt/config.js';
import { opcuaConnectionSchema } from './opcua/config.js';

export const connectionSchema = z.discriminatedUnion('protocol', [
  opcuaConnectionSchema,
  modbusConnectionSchema,
  mqttConnectionSchema,
  ingestConnectionSchema,
]);
export type ConnectionConfig = z.output<typeof connectionSchema>;
