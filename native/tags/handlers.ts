import type { Handlers } from '../api/contract.js';
import { ApiFailure } from '../api/registry.js';
import type { IngestLinesOutcome, IngestOutcome } from '../api/tag-requests.js';
import type { MachineInfo, TagSnapshot, WriteResult } from '../api/types.js';
import type { Driver } from '../drivers/driver.js';
import type { CheckedPush, IngestDriver } from '../drivers/ingest/driver.js';
import { describeError } from '../util/errors.js';
import { QUALITY_NAMES, type TagBus } from './bus.js';
import { checkWrite, WriteRefused } from './write-check.js';

export function snapshotOf(bus: TagBus, id: number): TagSnapshot {
  const tag = bus.tag(id);
  if (!tag) throw new ApiFailure('not_found', `no tag with id ${id}`);
  const cv = bus.current(id);
  return {
    id,
    name: tag.name,
    value: cv.value,
    quality: QUALITY_NAMES[cv.quality],
    qualityReason: cv.reason,
    timestamp: new Date(cv.ts || cv.receivedAt || Date.now()).toISOString(),
    unit: tag.unit,
  };
}

export interface TagServices {
  bus: TagBus;
  machines: MachineInfo[];
  drivers: ReadonlyMap<string, Driver>;
  /** Called after every write attempt, successful or not (the audit trail). */
  onWrite?: (result: WriteResult, user: string | null) => void;
  /** Where pushed samples are committed before a push is acknowledged (the historian). */
  storage?: IngestStorage;
}

export interface IngestStorage {
  /**
   * Why `n` more samples cannot be taken now, or null: with `retryAfterS` a passing condition (a
   * full buffer: 429), without it a fault (the historian cannot write: 503). Either way nothing is taken.
   */
  refuse(n: number): { message: string; retryAfterS?: number } | null;
  /** Resolves once everything put on the bus so far is committed; rejects when it was not. */
  commit(): Promise<void>;
}

export function tagHandlers(
  s: TagServices,
): Pick<
  Handlers,
  'tags.list' | 'tags.snapshot' | 'tags.write' | 'connections.list' | 'tags.ingest' | 'tags.ingestSeries' | 'tags.ingestLines'
> {
  let validating: Promise<void> = Promise.resolve();
  const ingestDrivers = () => {
    const ingest = [...s.drivers.values()].filter((d): d is IngestDriver => d.protocol === 'ingest');
    if (ingest.length === 0) throw new ApiFailure('not_found', 'this site has no push (ingest) connection');
    return ingest;
  };
  /** The push connection that owns a tag; a tag it does not know goes to the first, which refuses it by name. */
  const ownerOf = (ingest: IngestDriver[]) => {
    const byConnection = new Map(ingest.map((d) => [d.name, d]));
    return (name: unknown) => {
      const id = typeof name === 'string' ? s.bus.idOf(name) : undefined;
      const conn = id === undefined ? undefined : s.bus.tag(id)?.connection;
      return (conn === undefined ? undefined : byConnection.get(conn)) ?? (ingest[0] as IngestDriver);
    };
  };
  /**
   * Validate a push (this yields; nothing is taken yet). One push is validated at a time, so between
   * its slices the event loop serves other requests rather than more ingest.
   */
  const validate = async <T>(work: () => Promise<T>): Promise<T> => {
    const turn = validating.then(work);
    validating = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  };
  /**
   * Room for all of a checked push, or none of it is taken: the checks and the take run in one
   * turn. Then answer once the samples are committed (group commit: concurrent pushes share a
   * transaction). Returns the retry delay when nothing was taken for lack of room. A push that
   * could never fit (more samples for a connection than its maxQueue) is refused at once (413):
   * answered "retry", a client that obeys would send it again for ever.
   */
  const store = async (checked: readonly { d: IngestDriver; push: CheckedPush }[], accepted: number): Promise<number | null> => {
    if (accepted === 0) return null;
    for (const c of checked) {
      const tooLarge = c.d.tooLarge(c.push.ids.length);
      if (tooLarge) throw new ApiFailure('too_large', tooLarge);
    }
    const refused = s.storage?.refuse(accepted) ?? null;
    if (refused && refused.retryAfterS === undefined)
      throw new ApiFailure('unavailable', `${refused.message}; nothing of this push was taken`);
    if (refused || !checked.every((c) => c.d.hasRoomFor(c.push.ids.length))) return refused?.retryAfterS ?? 1;
    for (const c of checked) c.d.take(c.push);
    // Hand the samples to the bus's listeners (the historian) now, so the commit below includes them.
    s.bus.flush();
    try {
      await s.storage?.commit();
    } catch (err) {
      throw new ApiFailure(
        'unavailable',
        `the ${accepted} samples of this push are held in memory but not yet stored (${describeError(err)}); ` +
          'the historian stores them when it can write again',
      );
    } finally {
      for (const c of checked) c.d.release(c.push.ids.length);
    }
    return null;
  };
  return {
    'tags.list': () => ({ tags: [...s.bus.tags], machines: s.machines }),
    'tags.snapshot': ({ names }) => {
      if (!names) return s.bus.tags.map((t) => snapshotOf(s.bus, t.id));
      return names.map((n) => {
        const id = s.bus.idOf(n);
        if (id === undefined) throw new ApiFailure('not_found', `no tag named "${n}"`);
        return snapshotOf(s.bus, id);
      });
    },
    'tags.write': async ({ tag: name, value: given }, ctx) => {
      const id = s.bus.idOf(name);
      if (id === undefined) throw new ApiFailure('not_found', `no tag named "${name}"`);
      const tag = s.bus.tag(id)!;
      if (!tag.writable) throw new ApiFailure('forbidden', `${name} is read-only`);
      let value: number | boolean;
      try {
        value = checkWrite(tag, given);
      } catch (err) {
        if (err instanceof WriteRefused) throw new ApiFailure('validation', err.message);
        throw err;
      }
      const driver = s.drivers.get(tag.connection);
      if (!driver) throw new ApiFailure('unavailable', `connection ${tag.connection} is not running`);
      let result: WriteResult;
      try {
        const readBack = await driver.write(id, value);
        result = { tag: name, requested: value, readBack, ok: true, error: null };
      } catch (err) {
        result = {
          tag: name,
          requested: value,
          readBack: s.bus.current(id).value,
          ok: false,
          error: describeError(err),
        };
      }
      s.onWrite?.(result, ctx.user);
      return result;
    },
    'connections.list': () => [...s.drivers.values()].map((d) => d.diagnostics()),
    'tags.ingest': async ({ items }) => {
      // Route each item to the push connection that owns its tag; a tag read from a PLC cannot be pushed.
      const ingest = ingestDrivers();
      const owner = ownerOf(ingest);
      const groups = new Map<IngestDriver, { items: readonly unknown[]; index: number[] | null }>();
      // One push connection (the common site): the items go to it as they are, nothing is regrouped.
      if (ingest.length === 1) groups.set(ingest[0] as IngestDriver, { items, index: null });
      else
        items.forEach((item, index) => {
          const d = owner((item as { tag?: unknown } | null)?.tag);
          let g = groups.get(d);
          if (!g) {
            g = { items: [], index: [] };
            groups.set(d, g);
          }
          (g.items as unknown[]).push(item);
          g.index?.push(index);
        });
      const checked = await validate(async () => {
        const out: { d: IngestDriver; index: number[] | null; push: CheckedPush }[] = [];
        for (const [d, g] of groups) out.push({ d, index: g.index, push: await d.check(g.items) });
        return out;
      });
      const outcome: IngestOutcome = { accepted: 0, rejected: [] };
      for (const c of checked) {
        outcome.accepted += c.push.ids.length;
        const index = c.index;
        outcome.rejected.push(...(index ? c.push.rejected.map((x) => ({ ...x, index: index[x.index] ?? x.index })) : c.push.rejected));
      }
      outcome.rejected.sort((a, b) => a.index - b.index);
      const retryAfterS = await store(checked, outcome.accepted);
      return retryAfterS === null ? outcome : { accepted: 0, rejected: [], retryAfterS };
    },
    'tags.ingestSeries': async ({ series }) => {
      // A series is one tag's: it goes to that tag's connection whole, no sample is copied to route it.
      const owner = ownerOf(ingestDrivers());
      const groups = new Map<IngestDriver, number[]>();
      const at: number[] = [];
      let samples = 0;
      series.forEach((one, i) => {
        at.push(samples);
        samples += one.v.length;
        const d = owner(one.tag);
        const g = groups.get(d);
        if (g) g.push(i);
        else groups.set(d, [i]);
      });
      const checked = await validate(async () => {
        const out: { d: IngestDriver; push: CheckedPush }[] = [];
        for (const [d, which] of groups) out.push({ d, push: await d.checkSeries(series, which, at) });
        return out;
      });
      const outcome: IngestOutcome = { accepted: 0, rejected: [] };
      for (const c of checked) {
        outcome.accepted += c.push.ids.length;
        outcome.rejected.push(...c.push.rejected);
      }
      outcome.rejected.sort((a, b) => a.index - b.index);
      const retryAfterS = await store(checked, outcome.accepted);
      return retryAfterS === null ? outcome : { accepted: 0, rejected: [], retryAfterS };
    },
    'tags.ingestLines': async ({ text, precision, connection }) => {
      // The connection whose rule names the tags: the one asked for (`?db=`), or the only one with a rule.
      const ingest = ingestDrivers();
      const withRule = ingest.filter((d) => d.takesLines);
      let d: IngestDriver | undefined;
      if (connection !== undefined) {
        d = ingest.find((x) => x.name === connection);
        if (!d)
          throw new ApiFailure(
            'not_found',
            `no push (ingest) connection named "${connection}"; ${withRule.length ? `line protocol is taken by ${withRule.map((x) => x.name).join(', ')}` : 'no connection takes line protocol'}`,
          );
        if (!d.takesLines)
          throw new ApiFailure(
            'validation',
            `connection ${connection} takes no line protocol: give it a lineProtocol rule in the site file`,
          );
      } else if (withRule.length === 1) d = withRule[0];
      else if (withRule.length === 0)
        throw new ApiFailure('not_found', 'no push (ingest) connection takes line protocol: give one a lineProtocol rule in the site file');
      else
        throw new ApiFailure(
          'validation',
          `several connections take line protocol (${withRule.map((x) => x.name).join(', ')}): name one with ?db=<connection>`,
        );
      const driver = d as IngestDriver;
      const push = await validate(() => driver.checkLines(text, precision));
      const outcome: IngestLinesOutcome = {
        accepted: push.ids.length,
        rejected: push.rejected.map((r) => ({ line: r.index, error: r.error })),
      };
      const retryAfterS = await store([{ d: driver, push }], outcome.accepted);
      return retryAfterS === null ? outcome : { accepted: 0, rejected: [], retryAfterS };
    },
  };
}
