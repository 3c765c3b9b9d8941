import type { Handlers } from '../api/contract.js';
import { ApiFailure } from '../api/registry.js';
import type { IngestOutcome } from '../api/tag-requests.js';
import type { MachineInfo, TagSnapshot, WriteResult } from '../api/types.js';
import type { Driver } from '../drivers/driver.js';
import type { CheckedPush, IngestDriver } from '../drivers/ingest/driver.js';
import { describeError } from '../util/errors.js';
import { QUALITY_NAMES, type TagBus } from './bus.js';
import { checkWrite, WriteRefused } from './write-check.js';

export function snapshotOf(bus: TagBus, id: number): TagSnapshot {
  const tag = bus.tags[id];
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
): Pick<Handlers, 'tags.list' | 'tags.snapshot' | 'tags.write' | 'connections.list' | 'tags.ingest'> {
  let validating: Promise<void> = Promise.resolve();
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
      const tag = s.bus.tags[id]!;
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
      const ingest = [...s.drivers.values()].filter((d): d is IngestDriver => d.protocol === 'ingest');
      if (ingest.length === 0) throw new ApiFailure('not_found', 'this site has no push (ingest) connection');
      const owner = (item: unknown) => {
        const name = (item as { tag?: unknown } | null)?.tag;
        const id = typeof name === 'string' ? s.bus.idOf(name) : undefined;
        const conn = id === undefined ? undefined : s.bus.tags[id]?.connection;
        return ingest.find((d) => d.name === conn) ?? ingest[0]!;
      };
      const groups = new Map<IngestDriver, { items: unknown[]; index: number[] }>();
      items.forEach((item, index) => {
        const d = owner(item);
        let g = groups.get(d);
        if (!g) {
          g = { items: [], index: [] };
          groups.set(d, g);
        }
        g.items.push(item);
        g.index.push(index);
      });
      // 1. Validate everything (this yields; nothing is taken yet). One push is validated at a time,
      // so between its slices the event loop serves other requests rather than more ingest.
      const checked: { d: IngestDriver; index: number[]; push: CheckedPush }[] = [];
      const turn = validating.then(async () => {
        for (const [d, g] of groups) checked.push({ d, index: g.index, push: await d.check(g.items) });
      });
      validating = turn.catch(() => undefined);
      await turn;
      const outcome: IngestOutcome = { accepted: 0, rejected: [] };
      for (const c of checked) {
        outcome.accepted += c.push.ids.length;
        outcome.rejected.push(...c.push.rejected.map((x) => ({ ...x, index: c.index[x.index] ?? x.index })));
      }
      outcome.rejected.sort((a, b) => a.index - b.index);
      if (outcome.accepted === 0) return outcome;
      // 2. Room for all of it, or none of it is taken: the checks and the take run in one turn.
      const refused = s.storage?.refuse(outcome.accepted) ?? null;
      if (refused && refused.retryAfterS === undefined)
        throw new ApiFailure('unavailable', `${refused.message}; nothing of this push was taken`);
      if (refused || !checked.every((c) => c.d.hasRoomFor(c.push.ids.length))) {
        return { accepted: 0, rejected: [], retryAfterS: refused?.retryAfterS ?? 1 };
      }
      for (const c of checked) c.d.take(c.push);
      // Hand the samples to the bus's listeners (the historian) now, so the commit below includes them.
      s.bus.flush();
      // 3. Answer once the samples are committed (group commit: concurrent pushes share a transaction).
      try {
        await s.storage?.commit();
      } catch (err) {
        throw new ApiFailure(
          'unavailable',
          `the ${outcome.accepted} samples of this push are held in memory but not yet stored (${describeError(err)}); ` +
            'the historian stores them when it can write again',
        );
      } finally {
        for (const c of checked) c.d.release(c.push.ids.length);
      }
      return outcome;
    },
  };
}
