// Messages between the Electron main process and the core's utility process. Both sides validate
// what they receive: the core host runs the plant connection, the main process owns the windows.
import { z } from 'zod';

export const toHost = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('start'), dataDir: z.string().min(1), siteFile: z.string().optional() }),
  z.object({ kind: z.literal('client'), windowId: z.number().int(), message: z.unknown() }),
  z.object({ kind: z.literal('stop') }),
]);
export type ToHost = z.infer<typeof toHost>;

export const fromHost = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ready'), site: z.string(), version: z.string() }),
  z.object({ kind: z.literal('failed'), message: z.string() }),
  /** windowId null: to every window (event streams). */
  z.object({ kind: z.literal('toClient'), windowId: z.number().int().nullable(), message: z.unknown() }),
  z.object({ kind: z.literal('notify'), title: z.string(), body: z.string() }),
  /** No user exists yet: the one-time code the first-run dialog shows, to be entered with the first administrator. */
  z.object({ kind: z.literal('setupCode'), code: z.string().min(1).max(64) }),
  z.object({ kind: z.literal('stopped') }),
]);
export type FromHost = z.infer<typeof fromHost>;
