// What a batch of outbox rows looks like on the wire, in the two formats.
// JSON: topic <namespace>/<site>/<stream>, body {"v":1,"site","stream","messages":[{"id","ts","data"}]},
//   gzip-compressed when configured (the body then starts with 1f 8b).
// Sparkplug B: the console is an edge node <site> in group <namespace>; each row is one String
//   metric named after its stream carrying the row's JSON, timestamped with its enqueue time, with
//   the message id in the metric's property set ("msgId") so a host can de-duplicate.
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { REBIRTH_METRIC, SPARKPLUG_NAMESPACE, sparkplugCodec } from '../drivers/mqtt/sparkplug.js';
import type { SyncStream } from './config.js';
import type { OutboxRow } from './outbox.js';

const gzipAsync = promisify(gzip);

/** A topic level may not hold "/", "+" or "#". */
export function topicSafe(name: string): string {
  return name.replace(/[/+#\s]/g, '_');
}

export function messageId(epoch: string, rowId: number): string {
  return `${epoch}-${rowId}`;
}

export function jsonTopic(namespace: string, site: string, stream: SyncStream): string {
  return `${namespace}/${topicSafe(site)}/${stream}`;
}

export async function encodeJsonBatch(
  site: string,
  epoch: string,
  stream: SyncStream,
  rows: readonly OutboxRow[],
  compress: boolean,
): Promise<Buffer> {
  // Built as text: the rows are stored as JSON already, parsing them only to re-serialise is waste.
  const messages = rows.map((r) => `{"id":${JSON.stringify(messageId(epoch, r.id))},"ts":${r.createdAt},"data":${r.payload}}`).join(',');
  const text = `{"v":1,"site":${JSON.stringify(site)},"stream":"${stream}","messages":[${messages}]}`;
  return compress ? gzipAsync(text) : Buffer.from(text);
}

/** Where the fleet back end publishes model packages: to this site, or to every site. */
export function downlinkTopics(namespace: string, site: string): string[] {
  return [`${namespace}/${topicSafe(site)}/downlink/models`, `${namespace}/fleet/downlink/models`];
}

export type SparkplugKind = 'NBIRTH' | 'NDATA' | 'NDEATH' | 'NCMD';

export function sparkplugTopic(namespace: string, kind: SparkplugKind, site: string): string {
  return `${SPARKPLUG_NAMESPACE}/${topicSafe(namespace)}/${kind}/${topicSafe(site)}`;
}

const BD_SEQ = 'bdSeq';

/** An NCMD asking this node for a new birth certificate ("Node Control/Rebirth" = true). Anything else, including writes, is ignored. */
export function isRebirthRequest(body: Buffer): boolean {
  try {
    return (sparkplugCodec.decodePayload(new Uint8Array(body)).metrics ?? []).some((m) => m.name === REBIRTH_METRIC && m.value === true);
  } catch {
    return false;
  }
}

export function sparkplugBirth(streams: readonly SyncStream[], bdSeq: number, now: number): Buffer {
  return Buffer.from(
    sparkplugCodec.encodePayload({
      timestamp: now,
      seq: 0,
      metrics: [
        { name: BD_SEQ, type: 'UInt64', value: bdSeq, timestamp: now },
        { name: REBIRTH_METRIC, type: 'Boolean', value: false, timestamp: now },
        ...streams.map((s) => ({ name: s, type: 'String' as const, value: '', timestamp: now })),
      ],
    }),
  );
}

export function sparkplugDeath(bdSeq: number, now: number): Buffer {
  return Buffer.from(
    sparkplugCodec.encodePayload({ timestamp: now, metrics: [{ name: BD_SEQ, type: 'UInt64', value: bdSeq, timestamp: now }] }),
  );
}

export function sparkplugData(epoch: string, stream: SyncStream, rows: readonly OutboxRow[], seq: number, now: number): Buffer {
  return Buffer.from(
    sparkplugCodec.encodePayload({
      timestamp: now,
      seq,
      metrics: rows.map((r) => ({
        name: stream,
        type: 'String' as const,
        value: r.payload,
        timestamp: r.createdAt,
        properties: { msgId: { type: 'String' as const, value: messageId(epoch, r.id) } },
      })),
    }),
  );
}
