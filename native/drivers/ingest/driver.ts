// The push "driver": samples arrive from HTTP (POST /api/ingest) instead of being polled. A push is
// handled in two steps so that a refusal takes nothing: `check` validates every item (yielding to
// the event loop between slices, so a large push never holds up other requests), then `take` puts
// the accepted samples on the tag bus in one synchronous step, after the caller has checked room.
// Samples taken count against `maxQueue` until the caller `release`s them (once their commit is over).
import { setImmediate as nextTurn } from 'node:timers/promises';
import { z } from 'zod';
import type { IngestOutcome } from '../../api/tag-requests.js';
import type { QualityCode, TagValue } from '../../api/types.js';
import { Connection, type ErrorClass } from '../connection.js';
import type { Driver, DriverContext, DriverTag } from '../driver.js';
import type { IngestConnectionConfig } from './config.js';

const TIMESTAMP_MESSAGE = 'must be milliseconds since 1970 or an ISO 8601 date-time with an offset (2026-01-31T12:00:00Z)';

export const ingestItemSchema = z
  .object({
    tag: z.string().min(1),
    value: z.union([z.number().finite(), z.boolean(), z.string().max(1024), z.null()]),
    timestamp: z.union([z.iso.datetime({ offset: true, error: TIMESTAMP_MESSAGE }), z.number({ error: TIMESTAMP_MESSAGE })]).optional(),
    quality: z.enum(['Good', 'Uncertain', 'Bad']).default('Good'),
  })
  .strict();

type IngestItem = z.output<typeof ingestItemSchema>;
const ITEM_KEYS = new Set(['tag', 'value', 'timestamp', 'quality']);
const QUALITIES = new Set(['Good', 'Uncertain', 'Bad']);

/**
 * The schema's own rules, checked without allocating, for the common item (a number timestamp or
 * none): the same answer as ingestItemSchema for every item it accepts; anything else (string
 * times, any doubt) returns null and goes through the schema, which also words the refusal.
 */
function plainItem(raw: unknown): IngestItem | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const o = raw as Record<string, unknown>;
  for (const k in o) if (!ITEM_KEYS.has(k)) return null;
  const { tag, value, timestamp, quality } = o;
  if (typeof tag !== 'string' || tag.length === 0) return null;
  if (
    !(
      value === null ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value)) ||
      (typeof value === 'string' && value.length <= 1024)
    )
  ) {
    return null;
  }
  if (!(timestamp === undefined || (typeof timestamp === 'number' && Number.isFinite(timestamp)))) return null;
  if (!(quality === undefined || (typeof quality === 'string' && QUALITIES.has(quality)))) return null;
  return { tag, value, timestamp, quality: (quality ?? 'Good') as IngestItem['quality'] } as IngestItem;
}

/** Items validated per slice before yielding to the event loop. */
const SLICE = 500;
const DAY = 86_400_000;

/** A validated push: column arrays of the accepted samples, and the refused items with reasons. */
export interface CheckedPush {
  ids: number[];
  values: TagValue[];
  quality: QualityCode[];
  ts: number[];
  rejected: IngestOutcome['rejected'];
}

export interface IngestDriver extends Driver {
  /** Validate items one by one against the schema, the connection's tags and the accept window; takes nothing. */
  check(items: readonly unknown[]): Promise<CheckedPush>;
  /** Whether `n` more samples fit under maxQueue beside those taken and not yet released. */
  hasRoomFor(n: number): boolean;
  /** Put a checked push on the tag bus, all of it, now. */
  take(push: CheckedPush): void;
  /** The commit of `n` taken samples is over (stored, or failed and reported to the client). */
  release(n: number): void;
}

const QUALITY: Record<string, QualityCode> = { Good: 0, Uncertain: 1, Bad: 2 };

export function createIngestDriver(config: IngestConnectionConfig, tags: DriverTag[], ctx: DriverContext): IngestDriver {
  const byName = new Map(tags.map((t) => [t.name, t]));
  let awaitingCommit = 0;
  // No link to open: the life cycle is connected from start() to stop(), and keeps the counts.
  const link = new Connection(
    {
      name: config.name,
      protocol: 'ingest',
      endpoint: 'POST /api/ingest',
      tagCount: tags.length,
      reconnect: { initialDelayMs: 500, maxDelayMs: 10_000 },
      log: ctx.log,
      ...(ctx.clock ? { clock: ctx.clock } : {}),
      label: `[ingest:${config.name}]`,
    },
    { open: async () => {}, close: async () => {}, markBad: () => {} },
  );
  // Each refusal is answered to the client that pushed it, item by item; the log is not told.
  const fail = (kind: string, message: string, cls: ErrorClass = 'payload') =>
    link.fault({ kind, key: null, cls, message: `${kind}: ${message}` });

  return {
    ...link.face(),
    async write() {
      throw new Error(`${config.name} receives pushed values only; it cannot write to the device`);
    },
    async check(items) {
      const out: CheckedPush = { ids: [], values: [], quality: [], ts: [], rejected: [] };
      // Each new day is a new partition in the historian: a push may touch only a few.
      const days = new Set<number>();
      for (let start = 0; start < items.length; start += SLICE) {
        if (start > 0) await nextTurn();
        const now = Date.now();
        const end = Math.min(items.length, start + SLICE);
        for (let index = start; index < end; index++) {
          const plain = plainItem(items[index]);
          const parsed = plain ? { success: true as const, data: plain } : ingestItemSchema.safeParse(items[index]);
          if (!parsed.success) {
            fail('malformed', `item ${index}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
            out.rejected.push({
              index,
              ok: false,
              error: parsed.error.issues.map((i) => `${i.path.join('.') || 'item'}: ${i.message}`).join('; '),
            });
            continue;
          }
          const item = parsed.data;
          const tag = byName.get(item.tag);
          if (!tag) {
            fail('unknown tag', item.tag);
            out.rejected.push({ index, ok: false, error: `no pushed tag named "${item.tag}" on connection ${config.name}` });
            continue;
          }
          const ts = item.timestamp === undefined ? now : typeof item.timestamp === 'number' ? item.timestamp : Date.parse(item.timestamp);
          const problem = ctx.bus.timestampProblem(ts, now);
          if (problem) {
            fail('timestamp outside the accept window', `${item.tag}: ${problem.message}`);
            out.rejected.push({ index, ok: false, error: `${item.tag}: ${problem.message}; not stored` });
            continue;
          }
          const day = Math.floor(ts / DAY);
          if (!days.has(day)) {
            if (days.size >= config.maxDaysPerPush) {
              fail('too many days in one push', item.tag);
              out.rejected.push({
                index,
                ok: false,
                error: `${item.tag}: this push already holds samples of ${config.maxDaysPerPush} days (maxDaysPerPush of ${config.name}); send other days in another push`,
              });
              continue;
            }
            days.add(day);
          }
          out.ids.push(tag.id);
          out.values.push(item.value);
          out.quality.push(QUALITY[item.quality] ?? 0);
          out.ts.push(ts);
        }
      }
      return out;
    },
    hasRoomFor(n) {
      if (awaitingCommit + n <= config.maxQueue) return true;
      fail('backpressure', `queue full (${awaitingCommit} of ${config.maxQueue} samples awaiting their commit)`);
      return false;
    },
    take(push) {
      const bus = ctx.bus;
      for (let i = 0; i < push.ids.length; i++) {
        bus.update(push.ids[i] as number, push.values[i] as TagValue, push.quality[i] as QualityCode, push.ts[i] as number);
      }
      awaitingCommit += push.ids.length;
      link.rate.add(push.ids.length);
    },
    release(n) {
      awaitingCommit = Math.max(0, awaitingCommit - n);
    },
    diagnostics: () => link.diagnostics({ queued: awaitingCommit }),
  };
}
