// The push "driver": samples arrive from HTTP (POST /api/ingest) instead of being polled. A push is
// handled in two steps so that a refusal takes nothing: `check` validates every item (yielding to
// the event loop between slices, so a large push never holds up other requests), then `take` puts
// the accepted samples on the tag bus in one synchronous step, after the caller has checked room.
// Samples taken count against `maxQueue` until the caller `release`s them (once their commit is over).
// Three forms arrive at `check`: JSON items, columnar series and InfluxDB line protocol; each is
// read straight into the same columns and passes the same per-sample checks (tag of this
// connection, accept window, days per push), so the same input stores the same samples.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { z } from 'zod';
import type { IngestSeries, Precision } from '../../api/tag-requests.js';
import type { QualityCode, TagValue } from '../../api/types.js';
import { describeValue, describeZodError } from '../../util/describe.js';
import { Connection, type ErrorClass } from '../connection.js';
import type { Driver, DriverContext, DriverTag } from '../driver.js';
import type { IngestConnectionConfig } from './config.js';
import { applyTemplate, compileTemplate, type LineSink, type LineTarget, parseLines, type TemplatePart } from './line-protocol.js';

const TIMESTAMP_SERIES_MESSAGE = 'a time is milliseconds since 1970 (a finite number)';
/** The form a timestamp takes, as it reads after "must be" (describeZodIssue words the sentence). */
const TIMESTAMP_FORM = 'milliseconds since 1970 or an ISO 8601 date-time with an offset (2026-01-31T12:00:00Z)';

export const ingestItemSchema = z
  .object({
    tag: z.string().min(1),
    value: z.union([z.number().finite(), z.boolean(), z.string().max(1024), z.null()]),
    timestamp: z.union([z.iso.datetime({ offset: true, error: TIMESTAMP_FORM }), z.number()]).optional(),
    quality: z.enum(['Good', 'Uncertain', 'Bad']).default('Good'),
  })
  .strict();

type IngestItem = z.output<typeof ingestItemSchema>;
const ITEM_KEYS = new Set(['tag', 'value', 'timestamp', 'quality']);
const QUALITIES = new Set(['Good', 'Uncertain', 'Bad']);

/** An item as the schema takes it, before its defaults are applied. */
type PlainItem = { tag: string; value: TagValue; timestamp?: number; quality?: IngestItem['quality'] };

/**
 * The schema's own rules, checked without allocating, for the common item (a number timestamp or
 * none): true for an item the schema accepts as it is (the item itself is then read, no copy is
 * made); false for anything else (string times, any doubt), which goes through the schema, which
 * also words the refusal.
 */
function isPlainItem(raw: unknown): raw is PlainItem {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return false;
  const o = raw as Record<string, unknown>;
  for (const k in o) if (!ITEM_KEYS.has(k)) return false;
  const { tag, value, timestamp, quality } = o;
  if (typeof tag !== 'string' || tag.length === 0) return false;
  if (
    !(
      value === null ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value)) ||
      (typeof value === 'string' && value.length <= 1024)
    )
  ) {
    return false;
  }
  if (!(timestamp === undefined || (typeof timestamp === 'number' && Number.isFinite(timestamp)))) return false;
  return quality === undefined || (typeof quality === 'string' && QUALITIES.has(quality));
}

/**
 * Why an item the schema refused is refused, as sentences naming the item and each field (never
 * zod's own wording). An item that is no object at all is said so here: the schema's sentence for
 * a missing root is worded for site files.
 */
function itemRefusal(index: number, raw: unknown, error: z.ZodError): string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return `item ${index} must be an object { "tag", "value", "timestamp"?, "quality"? }, but it is ${describeValue(raw)}`;
  return describeZodError(error, ingestItemSchema, raw)
    .map((f) => `item ${index}: ${f.message}`)
    .join('; ');
}

const sampleOf = (s: number, tag: string, k: number) => `series ${s} (${tag}) sample ${k}`;

/** Items validated per slice before yielding to the event loop. */
const SLICE = 500;
const DAY = 86_400_000;

/**
 * A validated push: column arrays of the accepted samples, and the refused items with reasons —
 * `index` is the item's index (JSON items), the sample's position in the push (series) or the
 * line number (line protocol).
 */
export interface CheckedPush {
  ids: number[];
  values: TagValue[];
  quality: QualityCode[];
  ts: number[];
  rejected: { index: number; ok: false; error: string }[];
}

/** Line-protocol keys whose tag is remembered per connection; past this the memory starts again. */
const LINE_KEY_CACHE = 65_536;

export interface IngestDriver extends Driver {
  /** Validate items one by one against the schema, the connection's tags and the accept window; takes nothing. */
  check(items: readonly unknown[]): Promise<CheckedPush>;
  /** The same for series of a columnar push: `which` are the series (by index) of this connection; `at[s]` is series s's first sample's position in the push. */
  checkSeries(series: readonly IngestSeries[], which: readonly number[], at: readonly number[]): Promise<CheckedPush>;
  /** The same for line protocol, named by this connection's `lineProtocol` rule; refusals by line number. */
  checkLines(text: string, precision: Precision): Promise<CheckedPush>;
  /** Whether this connection takes line protocol (it has a `lineProtocol` rule). */
  readonly takesLines: boolean;
  /**
   * Why `n` samples of one push can never be taken (more than maxQueue: no wait makes room for
   * them), as the sentence a client is answered; null when they fit an empty queue.
   */
  tooLarge(n: number): string | null;
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
      endpoint: config.lineProtocol ? 'POST /api/ingest, POST /api/write' : 'POST /api/ingest',
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

  /**
   * The checks every form shares, after its own parsing: the tag is this connection's, the time is
   * inside the accept window and on one of the push's few days. Returns the refusal, or null once
   * the sample is in `out`.
   */
  const admit = (out: CheckedPush, days: Set<number>, tag: DriverTag, value: TagValue, quality: QualityCode, ts: number, now: number) => {
    const problem = ctx.bus.timestampProblem(ts, now);
    if (problem) {
      fail('timestamp outside the accept window', `${tag.name}: ${problem.message}`);
      return `${tag.name}: ${problem.message}; not stored`;
    }
    const refused = dayRefusal(days, ts, tag.name);
    if (refused) return refused;
    out.ids.push(tag.id);
    out.values.push(value);
    out.quality.push(quality);
    out.ts.push(ts);
    return null;
  };
  // Each new day is a new partition in the historian: a push may touch only a few.
  const dayRefusal = (days: Set<number>, ts: number, what: string): string | null => {
    const day = Math.floor(ts / DAY);
    if (days.has(day)) return null;
    if (days.size >= config.maxDaysPerPush) {
      fail('too many days in one push', what);
      return `${what}: this push already holds samples of ${config.maxDaysPerPush} days (maxDaysPerPush of ${config.name}); send other days in another push`;
    }
    days.add(day);
    return null;
  };
  const unknownTag = (name: string) => {
    fail('unknown tag', name);
    return `no pushed tag named "${name}" on connection ${config.name}`;
  };
  const empty = (): CheckedPush => ({ ids: [], values: [], quality: [], ts: [], rejected: [] });

  // Line protocol: the connection's naming rule, and what each key seen so far resolved to.
  const rule = config.lineProtocol;
  const template = rule?.name === undefined ? null : (compileTemplate(rule.name) as TemplatePart[] | string);
  const lineTargets = new Map<string, LineTarget | string>();
  const targetOf = (name: string): LineTarget | null => {
    const tag = byName.get(name);
    if (!tag) return null;
    const type = ctx.bus.tag(tag.id)?.dataType ?? 'float';
    return { id: tag.id, name, text: type === 'string', type };
  };
  const resolveLine: LineSink['resolve'] = (key, decode, f) => {
    const known = lineTargets.get(key);
    if (known !== undefined) return known;
    const ref = decode(f);
    let answer: LineTarget | string;
    const override = rule?.overrides.find(
      (o) =>
        o.measurement === ref.measurement && o.field === ref.field && Object.entries(o.tags ?? {}).every(([k, v]) => ref.tags[k] === v),
    );
    const series = `measurement "${ref.measurement}" field "${ref.field}"`;
    if (override) answer = targetOf(override.to) ?? unknownTag(override.to);
    else if (!template || typeof template === 'string')
      answer = `${series} matches no override of connection ${config.name}, and it has no name template`;
    else {
      const name = applyTemplate(template, ref);
      if (typeof name !== 'string')
        answer = `${series}: the name template "${rule?.name}" of connection ${config.name} needs tag "${name.missingTag}", which this line does not have`;
      else answer = targetOf(name) ?? `${series} is named "${name}" by the template "${rule?.name}", but ${unknownTag(name)}`;
    }
    if (lineTargets.size >= LINE_KEY_CACHE) lineTargets.clear();
    // A copy of the key: a slice would keep the whole request text alive as long as the cache.
    lineTargets.set(Buffer.from(key, 'utf8').toString('utf8'), answer);
    return answer;
  };

  return {
    ...link.face(),
    takesLines: rule !== undefined,
    async write() {
      throw new Error(`${config.name} receives pushed values only; it cannot write to the device`);
    },
    async check(items) {
      const out = empty();
      const days = new Set<number>();
      for (let start = 0; start < items.length; start += SLICE) {
        if (start > 0) await nextTurn();
        const now = Date.now();
        const end = Math.min(items.length, start + SLICE);
        for (let index = start; index < end; index++) {
          const raw = items[index];
          let item: PlainItem | IngestItem;
          if (isPlainItem(raw)) item = raw;
          else {
            const parsed = ingestItemSchema.safeParse(raw);
            if (!parsed.success) {
              const error = itemRefusal(index, raw, parsed.error);
              fail('malformed', error);
              out.rejected.push({ index, ok: false, error });
              continue;
            }
            item = parsed.data;
          }
          const tag = byName.get(item.tag);
          if (!tag) {
            out.rejected.push({ index, ok: false, error: unknownTag(item.tag) });
            continue;
          }
          const ts = item.timestamp === undefined ? now : typeof item.timestamp === 'number' ? item.timestamp : Date.parse(item.timestamp);
          const refused = admit(out, days, tag, item.value, QUALITY[item.quality ?? 'Good'] ?? 0, ts, now);
          if (refused) out.rejected.push({ index, ok: false, error: refused });
        }
      }
      return out;
    },
    async checkSeries(series, which, at) {
      const out = empty();
      const days = new Set<number>();
      let sinceYield = 0;
      let now = Date.now();
      for (const s of which) {
        const one = series[s] as IngestSeries;
        const tag = byName.get(one.tag);
        const base = at[s] as number;
        const q = one.q;
        for (let k = 0; k < one.v.length; k++) {
          if (++sinceYield >= SLICE) {
            sinceYield = 0;
            await nextTurn();
            now = Date.now();
          }
          if (!tag) {
            out.rejected.push({
              index: base + k,
              ok: false,
              error: `${sampleOf(s, one.tag, k)}: ${k === 0 ? unknownTag(one.tag) : `no pushed tag named "${one.tag}" on connection ${config.name}`}`,
            });
            continue;
          }
          const value = one.v[k];
          const t = one.t[k];
          const quality = q === undefined ? 'Good' : typeof q === 'string' ? q : q[k];
          let problem: string | null = null;
          if (
            !(
              value === null ||
              typeof value === 'boolean' ||
              (typeof value === 'number' && Number.isFinite(value)) ||
              (typeof value === 'string' && value.length <= 1024)
            )
          )
            problem = 'v: a value is a finite number, a boolean, a text of at most 1,024 characters or null';
          else if (typeof t !== 'number' || !Number.isFinite(t)) problem = `t: ${TIMESTAMP_SERIES_MESSAGE}`;
          else if (quality !== 'Good' && quality !== 'Uncertain' && quality !== 'Bad')
            problem = 'q: a quality is "Good", "Uncertain" or "Bad"';
          if (problem) {
            fail('malformed', `${sampleOf(s, one.tag, k)}: ${problem}`);
            out.rejected.push({ index: base + k, ok: false, error: `${sampleOf(s, one.tag, k)}: ${problem}` });
            continue;
          }
          const refused = admit(out, days, tag, value as TagValue, QUALITY[quality as string] ?? 0, t as number, now);
          if (refused) out.rejected.push({ index: base + k, ok: false, error: `${sampleOf(s, one.tag, k)}: ${refused}` });
        }
      }
      return out;
    },
    async checkLines(text, precision) {
      const out = empty();
      const days = new Set<number>();
      let now = Date.now();
      const sink: LineSink = {
        resolve: resolveLine,
        accept: (ts) => {
          const problem = ctx.bus.timestampProblem(ts, now);
          if (problem) {
            fail('timestamp outside the accept window', problem.message);
            return `${problem.message}; not stored`;
          }
          return dayRefusal(days, ts, 'this line');
        },
        push: (id, value, ts) => {
          out.ids.push(id);
          out.values.push(value);
          out.quality.push(0);
          out.ts.push(ts);
        },
        refuse: (line, message) => {
          fail('malformed', message);
          out.rejected.push({ index: line, ok: false, error: message });
        },
      };
      let at = { next: 0, line: 1 };
      while (at.next < text.length) {
        if (at.line > 1) await nextTurn();
        now = Date.now();
        at = parseLines(text, at.next, at.line, SLICE, precision, now, sink);
      }
      return out;
    },
    tooLarge(n) {
      if (n <= config.maxQueue) return null;
      const max = config.maxQueue.toLocaleString('en-US');
      const message =
        `this push holds ${n.toLocaleString('en-US')} samples for connection ${config.name}, more than its maxQueue of ${max} ` +
        `(the samples it holds awaiting their commit), so it could never be taken and nothing of it was taken: ` +
        `split it into pushes of at most ${max} samples`;
      fail('push too large', message);
      return message;
    },
    hasRoomFor(n) {
      if (awaitingCommit + n <= config.maxQueue) return true;
      fail('backpressure', `queue full (${awaitingCommit} of ${config.maxQueue} samples awaiting their commit)`);
      return false;
    },
    take(push) {
      ctx.bus.updateAll(push.ids, push.values, push.quality, push.ts);
      awaitingCommit += push.ids.length;
      link.rate.add(push.ids.length);
    },
    release(n) {
      awaitingCommit = Math.max(0, awaitingCommit - n);
    },
    diagnostics: () => link.diagnostics({ queued: awaitingCommit }),
  };
}
