// Envelopes on the wire (WebSocket, Electron IPC). Client → core messages are validated here;
// core → client envelopes are validated by the renderer's own client.
import { z } from 'zod';
import type { StreamName } from './contract.js';
import type { ApiError, CoreInfo } from './types.js';

export const clientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('req'), id: z.number().int().nonnegative(), name: z.string().min(1).max(100), args: z.unknown() }),
  z.object({ type: z.literal('ping'), id: z.number().int().nonnegative() }),
]);
export type ClientMessage = z.infer<typeof clientMessage>;

export type ServerMessage =
  | { type: 'hello'; info: CoreInfo }
  | { type: 'res'; id: number; data: unknown }
  | { type: 'res'; id: number; error: ApiError }
  | { type: 'pong'; id: number }
  | { type: 'event'; stream: StreamName; data: unknown };
