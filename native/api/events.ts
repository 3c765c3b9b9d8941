import type { AlarmListUpdate } from './alarm-requests.js';
import type { HistoryExportProgress } from './history-requests.js';
import type { Prediction } from './prediction-requests.js';
import type { ConnectionDiagnostics, TagInfo, ValueBatch } from './types.js';

/** A message the core raises about itself (historian, driver, worker trouble), shown to operators. */
export interface SystemMessage {
  level: 'info' | 'warning' | 'error';
  source: string;
  message: string;
  timestamp: string;
}

/** Event streams pushed from the core to every client. */
export interface EventStreams {
  /** Coalesced, columnar tag updates. */
  values: ValueBatch;
  connections: ConnectionDiagnostics[];
  system: SystemMessage;
  /** A machine model's latest prediction. */
  predictions: Prediction;
  /** Alarms whose state changed (a row in state "normal" leaves the list), with the counts per priority. */
  alarms: AlarmListUpdate;
  /** Progress of CSV exports started with history.export. */
  historyExport: HistoryExportProgress;
  /**
   * The tag table changed (live configuration): tags added, removed (ids of the others unchanged,
   * a removed id is never given to another name) and renamed (same id); `count` tags now. Clients
   * list the tags again (tags.list) and size per-id arrays to the highest id + 1.
   */
  tagTable: {
    added: TagInfo[];
    removed: { id: number; name: string }[];
    renamed: { id: number; from: string; to: string }[];
    count: number;
  };
}
