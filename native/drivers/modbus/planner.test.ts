import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ModbusTable } from './address.js';
import { ModbusPlanError, type PlanItem, type PlannedRead, planReads } from './planner.js';

const hr = (key: number, offset: number, count = 1): PlanItem => ({ key, table: 'holding', offset, count });
const isBits = (t: ModbusTable) => t === 'coil' || t === 'discrete';

/** Every point is served by exactly one read of its table that covers it; limits and gaps hold. */
function checkPlan(items: readonly PlanItem[], reads: PlannedRead[], maxGap: number, maxRegisters = 125, maxBits = 2000): void {
  const served = reads.flatMap((r) => r.items.map((i) => i.key)).sort((a, b) => a - b);
  expect(served).toEqual(items.map((i) => i.key).sort((a, b) => a - b));
  for (const r of reads) {
    expect(r.count).toBeLessThanOrEqual(isBits(r.table) ? maxBits : maxRegisters);
    const used = new Uint8Array(r.count);
    for (const i of r.items) {
      expect(i.table).toBe(r.table);
      expect(i.offset).toBeGreaterThanOrEqual(r.start);
      expect(i.offset + i.count).toBeLessThanOrEqual(r.start + r.count);
      used.fill(1, i.offset - r.start, i.offset - r.start + i.count);
    }
    expect(used[0]).toBe(1);
    expect(used[r.count - 1]).toBe(1);
    let run = 0;
    for (const u of used) {
      run = u ? 0 : run + 1;
      expect(run).toBeLessThanOrEqual(maxGap);
    }
  }
}

/** Exhaustive optimum for non-overlapping points: the fewest contiguous runs (DP over sorted points). */
function optimum(items: readonly PlanItem[], maxGap: number, limit: number): number {
  const s = [...items].sort((a, b) => a.offset - b.offset);
  const best = new Array<number>(s.length + 1).fill(Number.POSITIVE_INFINITY);
  best[0] = 0;
  for (let j = 1; j <= s.length; j++)
    for (let i = j - 1; i >= 0; i--) {
      const first = s[i] as PlanItem;
      const last = s[j - 1] as PlanItem;
      if (last.offset + last.count - first.offset > limit) break;
      let ok = true;
      for (let k = i + 1; k < j; k++)
        if ((s[k] as PlanItem).offset - ((s[k - 1] as PlanItem).offset + (s[k - 1] as PlanItem).count) > maxGap) ok = false;
      if (ok) best[j] = Math.min(best[j] as number, (best[i] as number) + 1);
    }
  return best[s.length] as number;
}

describe('planReads', () => {
  it('merges adjacent points into one read', () => {
    const reads = planReads([hr(1, 0, 2), hr(2, 2, 2), hr(3, 4)], { maxGap: 0 });
    expect(reads).toEqual([{ table: 'holding', start: 0, count: 5, items: [hr(1, 0, 2), hr(2, 2, 2), hr(3, 4)] }]);
  });

  it('reads through gaps up to maxGap and no further', () => {
    expect(planReads([hr(1, 0), hr(2, 11)], { maxGap: 10 })).toHaveLength(1);
    const split = planReads([hr(1, 0), hr(2, 12)], { maxGap: 10 });
    expect(split.map((r) => [r.start, r.count])).toEqual([
      [0, 1],
      [12, 1],
    ]);
  });

  it('keeps register reads within 125 and bit reads within 2000', () => {
    const regs = Array.from({ length: 300 }, (_, i) => hr(i, i));
    expect(planReads(regs, { maxGap: 0 }).map((r) => r.count)).toEqual([125, 125, 50]);
    const coils = Array.from({ length: 4500 }, (_, i): PlanItem => ({ key: i, table: 'coil', offset: i, count: 1 }));
    expect(planReads(coils, { maxGap: 0 }).map((r) => r.count)).toEqual([2000, 2000, 500]);
    expect(planReads(regs, { maxGap: 0, maxRegisters: 100 }).map((r) => r.count)).toEqual([100, 100, 100]);
  });

  it('never splits a multi-register point across requests', () => {
    const items = Array.from({ length: 100 }, (_, i) => hr(i, i * 2, 2));
    const reads = planReads(items, { maxGap: 0 });
    expect(reads.map((r) => r.count)).toEqual([124, 76]);
    checkPlan(items, reads, 0);
  });

  it('plans each table apart, even at the same offsets', () => {
    const items: PlanItem[] = [
      { key: 1, table: 'holding', offset: 5, count: 1 },
      { key: 2, table: 'input', offset: 5, count: 1 },
      { key: 3, table: 'coil', offset: 5, count: 1 },
      { key: 4, table: 'discrete', offset: 5, count: 1 },
      { key: 5, table: 'holding', offset: 6, count: 2 },
    ];
    const reads = planReads(items, { maxGap: 10 });
    expect(reads.map((r) => [r.table, r.start, r.count])).toEqual([
      ['coil', 5, 1],
      ['discrete', 5, 1],
      ['input', 5, 1],
      ['holding', 5, 3],
    ]);
  });

  it('serves overlapping and duplicate points from one read', () => {
    const items = [hr(1, 10, 4), hr(2, 10, 2), hr(3, 12, 2), hr(4, 10, 4)];
    const reads = planReads(items, { maxGap: 0 });
    expect(reads).toHaveLength(1);
    expect(reads[0]?.count).toBe(4);
    checkPlan(items, reads, 0);
  });

  it('needs no reads for no points', () => {
    expect(planReads([], { maxGap: 5 })).toEqual([]);
  });

  it('reports impossible points and options', () => {
    expect(() => planReads([hr(7, 0, 126)], { maxGap: 0 })).toThrow(/point 7: 126 holding units do not fit one request/);
    expect(() => planReads([hr(8, 65535, 2)], { maxGap: 0 })).toThrow(/point 8: .*past the end/);
    expect(() => planReads([hr(9, -1)], { maxGap: 0 })).toThrow(ModbusPlanError);
    expect(() => planReads([hr(1, 0)], { maxGap: -1 })).toThrow(/maxGap/);
    expect(() => planReads([hr(1, 0)], { maxGap: 0, maxRegisters: 126 })).toThrow(/maxRegisters/);
  });

  it('property: every plan is valid, and optimal for non-overlapping points', () => {
    // Non-overlapping points: random widths laid out with random gaps.
    const layout = fc.array(fc.record({ gap: fc.nat({ max: 20 }), count: fc.integer({ min: 1, max: 4 }) }), { maxLength: 120 });
    fc.assert(
      fc.property(layout, fc.nat({ max: 12 }), fc.integer({ min: 4, max: 125 }), fc.boolean(), (cells, maxGap, maxRegisters, shuffle) => {
        let at = 0;
        const items = cells.map((c, key) => {
          const item = hr(key, at + c.gap, c.count);
          at = item.offset + c.count;
          return item;
        });
        const input = shuffle ? [...items].reverse() : items;
        const reads = planReads(input, { maxGap, maxRegisters });
        checkPlan(items, reads, maxGap, maxRegisters);
        expect(reads).toHaveLength(optimum(items, maxGap, maxRegisters));
      }),
      { numRuns: 300 },
    );
  });

  it('property: plans of arbitrary (overlapping, mixed-table) points are valid', () => {
    const item = fc.record({
      table: fc.constantFrom<ModbusTable>('coil', 'discrete', 'input', 'holding'),
      offset: fc.nat({ max: 3000 }),
      count: fc.integer({ min: 1, max: 4 }),
    });
    fc.assert(
      fc.property(fc.array(item, { maxLength: 200 }), fc.nat({ max: 30 }), (raw, maxGap) => {
        const items = raw.map((r, key) => ({ key, ...r, count: isBits(r.table) ? 1 : r.count }));
        checkPlan(items, planReads(items, { maxGap }), maxGap);
      }),
      { numRuns: 200 },
    );
  });
});
