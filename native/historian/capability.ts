// The historian as a capability: it keeps every reading from the bus, serves history, and shows
// the progress of exports.
import path from 'node:path';
import type { HistoryExportProgress } from '../api/history-requests.js';
import { type Capability, type CapabilityContext, numbersOf } from '../capability.js';
import { type AcceptWindowConfig, type DeadbandConfig, type Durability, type RetentionConfig, resolveAcceptWindow } from './config.js';
import { historyHandlers as handlersOf } from './handlers.js';
import { openHistorian as openStore, type Historian as Store } from './historian.js';

/** The site file's `historian:` section. */
export interface HistorianSection {
  retention?: RetentionConfig;
  storage?: DeadbandConfig;
  maxDbMB?: number;
  acceptWindow?: AcceptWindowConfig;
  durability?: Durability;
}

export interface HistorianFace {
  readonly store: Store;
  /** The file of a history export once it has finished, else null. */
  finishedExport(id: string): string | null;
}

declare module '../capability.js' {
  interface Faces {
    historian: HistorianFace;
  }
}

export async function open(ctx: CapabilityContext<HistorianSection>): Promise<Capability> {
  let config = ctx.config;
  const store = await ctx.boundary.for('historian').enter(() =>
    openStore({
      dir: path.join(ctx.dataDir, 'historian'),
      tags: ctx.bus.tags,
      retention: config.retention,
      deadband: config.storage,
      maxDbBytes: config.maxDbMB ? config.maxDbMB * 1024 * 1024 : null,
      durability: config.durability ?? 'normal',
      onSystemMessage: (m) => ctx.system.message(m),
    }),
  );
  const exports = new Map<string, HistoryExportProgress>();
  const offExport = store.onExport((p) => {
    exports.set(p.id, p);
    ctx.emit('historyExport', p);
  });
  const face: HistorianFace = {
    store,
    finishedExport: (id) => {
      const p = exports.get(id);
      return p?.state === 'done' ? p.file : null;
    },
  };
  return {
    face,
    handlers: handlersOf(store),
    streams: ['historyExport'],
    listener: { name: 'historian', batch: (b) => store.ingest(b) },
    metrics: () => ({ historian: numbersOf(store.metrics()) }),
    // Called on every live apply (the tag table may have changed while this section did not): new
    // tags are stored from their first sample, removed ones leave queries, a changed section
    // (retention, storage rules, durability, size cap, accept window) takes effect in place. The
    // writer keeps running and loses nothing (historian.ts retag).
    reconfigure: async (next) => {
      const section = next as HistorianSection;
      const detail = await store.retag({
        tags: ctx.bus.byId,
        removed: (id) => ctx.bus.isRemoved(id),
        retention: section.retention,
        deadband: section.storage,
        durability: section.durability,
        maxDbBytes: section.maxDbMB ? section.maxDbMB * 1024 * 1024 : null,
      });
      if (
        JSON.stringify(section.acceptWindow) !== JSON.stringify(config.acceptWindow) ||
        JSON.stringify(section.retention) !== JSON.stringify(config.retention)
      )
        ctx.bus.setAcceptWindow(resolveAcceptWindow(section.acceptWindow, section.retention));
      config = section;
      return { result: 'applied', detail };
    },
    async stop() {
      offExport();
      await store.close();
    },
  };
}
