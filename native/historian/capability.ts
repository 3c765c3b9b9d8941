// The historian as a capability: it keeps every reading from the bus, serves history, and shows
// the progress of exports.
import path from 'node:path';
import type { HistoryExportProgress } from '../api/history-requests.js';
import { type Capability, type CapabilityContext, numbersOf, restartUnlessSame } from '../capability.js';
import type { AcceptWindowConfig, DeadbandConfig, Durability, RetentionConfig } from './config.js';
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
  const { config } = ctx;
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
    // Retention, storage rules, durability and the size cap are read when the writer thread starts.
    reconfigure: (next) => restartUnlessSame(config, next),
    async stop() {
      offExport();
      await store.close();
    },
  };
}
