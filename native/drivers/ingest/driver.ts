// The push "driver": samples arrive from HTTP (POST /api/ingest) instead of being polled. A bounded
// queue is drained into the tag bus on the next turn of the event loop; when it is full, pushes are
// refused whole (the caller retries later) rather than dropping samples silently.
import { z } from 'zod';
import type { IngestOutcome } from '../../api/tag-requests.js';
import type { ConnectionDiagnostics, QualityCode } from '../../api/types.js';
import { type Driver, type DriverContext, type DriverTag, RateMeter } from '../driver.js';
import type { IngestConnectionConfig } from './config.js';

export const ingestItemSchema = z
  .object({
    tag: z.string().min(1),
    value: z.union([z.number().finite(), z.boolean(), z.string().max(1024), z.null()]),
    timestamp: z.union([z.string().datetime({ offset: true }), z.number()]).optional(),
    quality: z.enum(['Good', 'Uncertain', 'Bad']).default('Good'),
  })
  .strict();

export interface IngestDriver extends Driver {
  push(items: unknown[]): IngestOutcome;
}

const QUALITY: Record<string, QualityCode> = { Good: 0, Uncertain: 1, Bad: 2 };

export function createIngestDriver(config: IngestConnectionConfig, tags: DriverTag[], ctx: DriverContext): IngestDriver {
  const byName = new Map(tags.map((t) => [t.name, t]));
  const queue: { id: number; value: number | boolean | string | null; q: QualityCode; ts: number }[] = [];
  let scheduled = false;
  const rate = new RateMeter();
  let lastError: string | null = null;
  let lastErrorAt: string | null = null;
  const errors: Record<string, number> = {};

  const fail = (kind: string, message: string) => {
    errors[kind] = (errors[kind] ?? 0) + 1;
    lastError = `${kind}: ${message}`;
    lastErrorAt = new Date().toISOString();
  };

  const drain = () => {
    scheduled = false;
    for (const s of queue.splice(0)) ctx.bus.update(s.id, s.value, s.q, s.ts);
  };

  return {
    name: config.name,
    protocol: 'ingest',
    async start() {},
    async stop() {
      drain();
    },
    async write() {
      throw new Error(`${config.name} receives pushed values only; it cannot write to the device`);
    },
    push(items) {
      if (queue.length + items.length > config.maxQueue) {
        fail('backpressure', `queue full (${queue.length} of ${config.maxQueue})`);
        return { accepted: 0, rejected: [], retryAfterS: 1 };
      }
      const rejected: IngestOutcome['rejected'] = [];
      const now = Date.now();
      items.forEach((raw, index) => {
        const parsed = ingestItemSchema.safeParse(raw);
        if (!parsed.success) {
          fail('malformed', `item ${index}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
          rejected.push({
            index,
            ok: false,
            error: parsed.error.issues.map((i) => `${i.path.join('.') || 'item'}: ${i.message}`).join('; '),
          });
          return;
        }
        const tag = byName.get(parsed.data.tag);
        if (!tag) {
          fail('unknown tag', parsed.data.tag);
          rejected.push({ index, ok: false, error: `no pushed tag named "${parsed.data.tag}" on connection ${config.name}` });
          return;
        }
        const ts =
          parsed.data.timestamp === undefined
            ? now
            : typeof parsed.data.timestamp === 'number'
              ? parsed.data.timestamp
              : Date.parse(parsed.data.timestamp);
        queue.push({ id: tag.id, value: parsed.data.value, q: QUALITY[parsed.data.quality] ?? 0, ts });
      });
      rate.add(items.length - rejected.length);
      if (!scheduled && queue.length > 0) {
        scheduled = true;
        setImmediate(drain);
      }
      return { accepted: items.length - rejected.length, rejected };
    },
    diagnostics(): ConnectionDiagnostics {
      return {
        name: config.name,
        protocol: 'ingest',
        endpoint: 'POST /api/ingest',
        state: 'connected',
        lastError,
        lastErrorAt,
        reconnects: 0,
        tagCount: tags.length,
        rate: rate.perSecond(),
        latencyMs: null,
        errors: { ...errors, queued: queue.length },
      };
    },
  };
}
