// The historian: every sample kept in compressed, time-partitioned SQLite chunks, minute and hour
// rollups maintained as data arrives, trends/aggregates/exports over any range, and the sync outbox.

export { type HistorianFace, type HistorianSection, open } from './capability.js';
export {
  type AcceptWindowConfig,
  acceptWindowSchema,
  type DeadbandConfig,
  deadbandConfigSchema,
  type RetentionConfig,
  resolveAcceptWindow,
  retentionConfigSchema,
} from './config.js';
export { ExportCancelled } from './export.js';
export { type HistoryHandlers, historyHandlers } from './handlers.js';
export { type Historian, type HistorianOptions, openHistorian, type RangeSeries } from './historian.js';
export type { Outbox, OutboxRow } from './outbox.js';
export type { RecoveryReport } from './store.js';
