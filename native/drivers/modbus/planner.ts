// Coalesces the points of a poll group into the fewest Modbus read requests.
//
// Per table, points are taken in address order and a read grows while the next point both
// (a) leaves at most `maxGap` unused registers/bits between the end of what the read covers so far
// and its own start, and (b) keeps the read within the protocol limit (125 registers for FC3/FC4,
// 2000 bits for FC1/FC2). Greedy growth is optimal for points that do not overlap (the planner's
// property test checks it against an exhaustive optimum); overlapping points are always covered,
// they may just not shorten the plan further.
//
// The planner does not split one point across requests: a point wider than the limit is a
// configuration error, reported with its key.
import type { ModbusTable } from './address.js';

export interface PlanItem {
  /** The caller's handle for this point (a tag id). */
  key: number;
  table: ModbusTable;
  /** 0-based protocol offset. */
  offset: number;
  /** Registers (or bits) the point occupies. */
  count: number;
}

export interface PlannedRead {
  table: ModbusTable;
  start: number;
  count: number;
  /** The points this read serves, in address order. */
  items: PlanItem[];
}

export interface PlanOptions {
  /** Largest run of unused registers/bits read through to save a request (0 = only adjacent points merge). */
  maxGap: number;
  /** Registers per FC3/FC4 request; the Modbus limit is 125. */
  maxRegisters?: number;
  /** Bits per FC1/FC2 request; the Modbus limit is 2000. */
  maxBits?: number;
}

export class ModbusPlanError extends Error {
  override name = 'ModbusPlanError';
}

const TABLE_ORDER: readonly ModbusTable[] = ['coil', 'discrete', 'input', 'holding'];
const ADDRESS_SPACE = 65536;

export function planReads(items: readonly PlanItem[], opts: PlanOptions): PlannedRead[] {
  const maxRegisters = opts.maxRegisters ?? 125;
  const maxBits = opts.maxBits ?? 2000;
  if (!Number.isInteger(opts.maxGap) || opts.maxGap < 0)
    throw new ModbusPlanError(`maxGap must be a non-negative integer, got ${opts.maxGap}`);
  if (!(maxRegisters >= 1 && maxRegisters <= 125)) throw new ModbusPlanError(`maxRegisters must be 1–125, got ${maxRegisters}`);
  if (!(maxBits >= 1 && maxBits <= 2000)) throw new ModbusPlanError(`maxBits must be 1–2000, got ${maxBits}`);

  const reads: PlannedRead[] = [];
  for (const table of TABLE_ORDER) {
    const limit = table === 'coil' || table === 'discrete' ? maxBits : maxRegisters;
    const sorted = items.filter((i) => i.table === table).sort((a, b) => a.offset - b.offset || b.count - a.count);
    let current: PlannedRead | null = null;
    let end = 0;
    for (const item of sorted) {
      if (!Number.isInteger(item.offset) || item.offset < 0 || !Number.isInteger(item.count) || item.count < 1)
        throw new ModbusPlanError(`point ${item.key}: bad ${table} offset ${item.offset} / count ${item.count}`);
      if (item.offset + item.count > ADDRESS_SPACE)
        throw new ModbusPlanError(`point ${item.key}: ${table} ${item.offset}+${item.count} runs past the end of the address space`);
      if (item.count > limit)
        throw new ModbusPlanError(`point ${item.key}: ${item.count} ${table} units do not fit one request (limit ${limit})`);
      const itemEnd = item.offset + item.count;
      if (current && item.offset - end <= opts.maxGap && Math.max(end, itemEnd) - current.start <= limit) {
        current.items.push(item);
        end = Math.max(end, itemEnd);
        current.count = end - current.start;
      } else {
        current = { table, start: item.offset, count: item.count, items: [item] };
        end = itemEnd;
        reads.push(current);
      }
    }
  }
  return reads;
}
