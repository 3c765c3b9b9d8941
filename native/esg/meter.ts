// One meter's running state, shared by the service that feeds it and the queries that read it
// (its own file so that neither imports the other).
import type { GapKind, MeterAccumulator, SlotAmount } from './accumulator.js';
import type { MeterConfig, SourceConfig } from './config.js';
import type { CanonicalUnit } from './units.js';

export interface MeterRuntime {
  cfg: MeterConfig;
  site: string;
  area: string;
  machine: string;
  unit: CanonicalUnit;
  sources: SourceConfig[];
  acc: MeterAccumulator | null;
  slots: Map<number, SlotAmount>;
  pendingGaps: { start: number; end: number; kind: GapKind; reason: string }[];
  lastGap: { seq: number; end: number; kind: GapKind; reason: string } | null;
}
