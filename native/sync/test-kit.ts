// Test helpers: a subscriber that collects what the uplink published, and bounded waiting.
import { gunzipSync } from 'node:zlib';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { z } from 'zod';

export const jsonBatchSchema = z.object({
  v: z.literal(1),
  site: z.string(),
  stream: z.string(),
  messages: z.array(z.object({ id: z.string(), ts: z.number(), data: z.unknown() })),
});
export type JsonBatch = z.output<typeof jsonBatchSchema>;

export interface Collector {
  client: MqttClient;
  /** Every raw publish, in arrival order. */
  raw: { topic: string; payload: Buffer }[];
  close(): Promise<void>;
}

export async function collect(url: string, filter: string, opts: IClientOptions = {}): Promise<Collector> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, ...opts });
  const raw: Collector['raw'] = [];
  client.on('message', (topic, payload) => raw.push({ topic, payload }));
  await client.subscribeAsync(filter, { qos: 1 });
  return { client, raw, close: () => client.endAsync() };
}

export function decodeJson(payload: Buffer): JsonBatch {
  const text = payload[0] === 0x1f && payload[1] === 0x8b ? gunzipSync(payload).toString() : payload.toString();
  return jsonBatchSchema.parse(JSON.parse(text));
}

export async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
