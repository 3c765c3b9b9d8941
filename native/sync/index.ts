// Optional cloud sync: a selective, store-and-forward MQTT uplink (JSON or Sparkplug B) that never
// blocks local operation. The core opens it with the site file's `sync:` block and feeds it.

export { type AggregateFeed, type AggregateFeedOptions, type AggregateRecord, startAggregateFeed } from './aggregate-feed.js';
export { type AlarmFeed, type JournalSource, startAlarmFeed } from './alarm-feed.js';
export { open } from './capability.js';
export { SYNC_STREAMS, type SyncConfig, type SyncConfigInput, type SyncStream, syncConfigSchema } from './config.js';
export { DownlinkError, type DownlinkModel, ModelDownlink, modelPackageSchema } from './downlink.js';
export { type SyncFeeds, syncFeeds } from './feeds.js';
export { type SyncHandlers, syncHandlers } from './handlers.js';
export { aggregateSelected, predictionSelected, rawSelected, streamSelected } from './select.js';
export { openSync, type SyncOptions, type SyncService } from './service.js';
