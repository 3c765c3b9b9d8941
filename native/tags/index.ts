// The tag capability's public face: reading, writing and pushing tags over the bus, the coalesced
// UI value stream, and stale marking. The bus itself (bus.ts) is the floor below every capability.
import type { TagInfo } from '../api/types.js';
import type { Capability, CapabilityContext } from '../capability.js';
import { tagHandlers } from './handlers.js';
import { startValueStream } from './value-stream.js';

/** How the UI value stream is coalesced (a shell's option, not the site file's). */
export interface TagsSection {
  streamIntervalMs: number;
}

export interface TagsFace {
  /** What the audit trail records of a write beside the request: the value it replaced. */
  writeDetails(args: unknown): { details?: Record<string, unknown> };
}

declare module '../capability.js' {
  interface Faces {
    tags: TagsFace;
  }
}

export function open(ctx: CapabilityContext<TagsSection>): Capability {
  const { bus } = ctx;
  const historian = ctx.face('historian').store;
  // The stream follows the tag table itself (bus.onTable).
  const stream = startValueStream(bus, ctx.config.streamIntervalMs, (batch) => ctx.emit('values', batch));
  // UI and stream clients are told of each change of the table (live configuration), one event per
  // turn however many tags one apply added, removed and renamed: they list the tags again.
  let change: { added: TagInfo[]; removed: { id: number; name: string }[]; renamed: { id: number; from: string; to: string }[] } | null =
    null;
  const offTable = bus.onTable((c) => {
    if (!change) {
      change = { added: [], removed: [], renamed: [] };
      setImmediate(() => {
        const c2 = change;
        change = null;
        if (c2) ctx.emit('tagTable', { ...c2, count: bus.tags.length });
      });
    }
    change.added.push(...c.added);
    change.removed.push(...c.removed);
    change.renamed.push(...c.renamed);
  });
  const housekeeping = setInterval(
    ctx.boundary.for('core').wrap('housekeeping', () => bus.markStale()),
    1000,
  );
  housekeeping.unref();
  const face: TagsFace = {
    writeDetails: (args) => {
      const name = (args as { tag?: unknown } | null)?.tag;
      const id = typeof name === 'string' ? bus.idOf(name) : undefined;
      return id === undefined ? {} : { details: { old: bus.current(id).value } };
    },
  };
  return {
    face,
    handlers: tagHandlers({
      bus,
      machines: ctx.site.machines,
      drivers: ctx.face('drivers').drivers,
      // A push is acknowledged once the historian has committed it.
      storage: { refuse: (n) => historian.refuse(n), commit: () => historian.commit() },
    }),
    streams: ['values', 'tagTable'],
    metrics: () => ({
      tag_bus: {
        samples_total: bus.samplesIn,
        ui_samples_dropped_total: stream.dropped(),
        timestamps_replaced_total: bus.timestampsReplaced,
        listener_faults_total: bus.listenerFaults,
      },
    }),
    // Live configuration changes the bus's table in place (site/apply.ts: unchanged tags keep their
    // ids, values and quality; new ones are added, removed ones leave); the UI stream follows it.
    reconfigure: () => 'applied',
    stop() {
      clearInterval(housekeeping);
      offTable();
      stream.stop();
    },
  };
}
