// Messages between the historian's main-thread face and its writer thread. Both ends are this
// folder's code in one process, so the types are the contract (no process boundary to validate).
import type { Durability, TagPolicy } from './config.js';
import type { RecoveryReport } from './store.js';

export interface WriterInit {
  file: string;
  tagNames: string[];
  policies: TagPolicy[];
  flushIntervalMs: number;
  /** Commit early once this many samples wait. */
  maxBatchSamples: number;
  deflateLevel: number;
  maxDbBytes: number | null;
  durability: Durability;
}

export type ToWriter =
  | { type: 'batch'; n: number; ids: Uint32Array; ts: Float64Array; values: Float64Array; quality: Uint8Array }
  | { type: 'flush'; id: number }
  | { type: 'retention'; id: number; now: number }
  | { type: 'quota'; id: number; maxDbBytes: number | null }
  /**
   * Live configuration: the tag table by id (new ids appended; a removed tag keeps its id and name
   * here so that its row stays its own) and the storage rules. Everything before it is committed
   * first; batches after it are held until the store has the new table, so none is lost.
   */
  | { type: 'retag'; id: number; tagNames: string[]; policies: TagPolicy[]; durability: Durability }
  | { type: 'close'; id: number };

export interface WriterStats {
  /** Samples received by the writer and committed, since start. */
  committed: number;
  pending: number;
  batchLatencyMs: number;
  chunkBytes: number;
  chunkSamples: number;
  /** Samples set aside in the quarantine table since start (a fault isolated to them). */
  quarantined: number;
}

export type FromWriter =
  | { type: 'ready'; recovery: RecoveryReport }
  /** `noRoom`: the file could not be opened for lack of room (disk full) or an I/O fault; worth retrying. */
  | { type: 'fatal'; message: string; noRoom: boolean }
  | { type: 'committed'; stats: WriterStats }
  | { type: 'done'; id: number; error: string | null; result?: number }
  /** `failing`: writes fail (true) or work again (false); absent for other news. */
  | { type: 'system'; level: 'info' | 'warning' | 'error'; message: string; failing?: boolean };
