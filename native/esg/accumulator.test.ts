import { describe, expect, it } from 'vitest';
import { type ActivitySink, type GapKind, MeterAccumulator, type SlotAmount } from './accumulator.js';

const T0 = Date.parse('2024-05-01T00:00:00Z');
const MIN = 60_000;

function sink() {
  const slots = new Map<number, SlotAmount>();
  const gaps: { start: number; end: number; kind: GapKind; reason: string }[] = [];
  const s: ActivitySink = {
    add(slot, a) {
      const x = slots.get(slot) ?? {
        qty: 0,
        idleQty: 0,
        coveredMs: 0,
        uncertainMs: 0,
        estimatedMs: 0,
        firstMs: a.firstMs,
        lastMs: a.lastMs,
      };
      x.qty += a.qty;
      x.idleQty += a.idleQty;
      x.coveredMs += a.coveredMs;
      x.uncertainMs += a.uncertainMs;
      x.estimatedMs += a.estimatedMs;
      slots.set(slot, x);
    },
    gap: (start, end, kind, reason) => gaps.push({ start, end, kind, reason }),
  };
  const total = () => [...slots.values()].reduce((a, x) => a + x.qty, 0);
  return { s, slots, gaps, total };
}

const kw = { mode: 'rate' as const, scale: 1 / 3600, maxGapMs: 20 * MIN, integration: 'trapezoid' as const };

describe('MeterAccumulator, rates', () => {
  it('integrates power by the trapezoid rule and splits it at 15-minute slots', () => {
    const k = sink();
    const acc = new MeterAccumulator({ ...kw, maxGapMs: 60 * MIN }, k.s);
    acc.push(T0, 10, 0);
    acc.push(T0 + 30 * MIN, 20, 0);
    // 10 → 20 kW over 30 min = 7.5 kWh; first slot 10 → 15 kW (3.125 kWh), second 15 → 20 kW (4.375 kWh).
    expect(k.slots.get(T0)?.qty).toBeCloseTo(3.125, 10);
    expect(k.slots.get(T0 + 15 * MIN)?.qty).toBeCloseTo(4.375, 10);
    expect(k.total()).toBeCloseTo(7.5, 10);
    expect(k.gaps).toEqual([]);
  });

  it('holds the previous value in step mode', () => {
    const k = sink();
    const acc = new MeterAccumulator({ ...kw, integration: 'step' }, k.s);
    acc.push(T0, 10, 0);
    acc.push(T0 + 6 * MIN, 40, 0);
    acc.push(T0 + 12 * MIN, 40, 0);
    // 10 kW × 0.1 h + 40 kW × 0.1 h
    expect(k.total()).toBeCloseTo(5, 10);
  });

  it('reports long silences and Bad samples as gaps and never fills them', () => {
    const k = sink();
    const acc = new MeterAccumulator(kw, k.s);
    acc.push(T0, 12, 0);
    acc.push(T0 + 10 * MIN, 12, 0); // 2 kWh
    acc.push(T0 + 40 * MIN, 12, 0); // 30 min silence > 20 min: gap
    acc.push(T0 + 50 * MIN, 12, 2); // Bad: gap
    acc.push(T0 + 55 * MIN, 12, 0); // from a Bad sample: gap
    acc.push(T0 + 60 * MIN, 12, 1); // Uncertain end: counted, flagged (1 kWh)
    expect(k.total()).toBeCloseTo(3, 10);
    expect(k.gaps.map((g) => [(g.start - T0) / MIN, (g.end - T0) / MIN, g.kind])).toEqual([
      [10, 40, 'missing'],
      [40, 50, 'missing'],
      [50, 55, 'missing'],
    ]);
    expect(k.gaps[0]?.reason).toBe('no sample for 1800 s');
    const covered = [...k.slots.values()].reduce((a, x) => a + x.coveredMs, 0);
    const uncertain = [...k.slots.values()].reduce((a, x) => a + x.uncertainMs, 0);
    expect(covered).toBe(15 * MIN);
    expect(uncertain).toBe(5 * MIN);
  });

  it('counts negative readings as zero and ignores out-of-order samples', () => {
    const k = sink();
    const acc = new MeterAccumulator(kw, k.s);
    acc.push(T0, -4, 0);
    acc.push(T0 + 6 * MIN, -4, 0);
    acc.push(T0 + 3 * MIN, 100, 0);
    expect(k.total()).toBe(0);
  });

  it('marks energy used while the machine was idle', () => {
    const k = sink();
    const acc = new MeterAccumulator({ ...kw, isIdle: (t) => t >= T0 + 6 * MIN }, k.s);
    acc.push(T0, 10, 0);
    acc.push(T0 + 6 * MIN, 10, 0);
    acc.push(T0 + 12 * MIN, 10, 0);
    const idle = [...k.slots.values()].reduce((a, x) => a + x.idleQty, 0);
    expect(k.total()).toBeCloseTo(2, 10);
    expect(idle).toBeCloseTo(1, 10);
  });
});

const counter = { mode: 'counter' as const, scale: 1, maxGapMs: 20 * MIN, integration: 'trapezoid' as const };

describe('MeterAccumulator, counters', () => {
  it('handles a rollover of a 4-digit register', () => {
    const k = sink();
    const acc = new MeterAccumulator({ ...counter, rollover: 10_000 }, k.s);
    acc.push(T0, 9_990, 0);
    acc.push(T0 + 10 * MIN, 5, 0); // 10 to the wrap, then 5
    expect(k.total()).toBeCloseTo(15, 10);
    expect(k.gaps).toEqual([]);
  });

  it('treats an implausible fall as a reset or replaced meter: a gap, new baseline', () => {
    const k = sink();
    const acc = new MeterAccumulator({ ...counter, rollover: 10_000 }, k.s);
    acc.push(T0, 5_000, 0);
    acc.push(T0 + 5 * MIN, 5_004, 0); // 4
    acc.push(T0 + 10 * MIN, 10, 0); // replaced: wrap would imply 5006 > half a turn
    acc.push(T0 + 15 * MIN, 13, 0); // 3 on the new meter
    expect(k.total()).toBeCloseTo(7, 10);
    expect(k.gaps.map((g) => g.kind)).toEqual(['reset']);
    const noRollover = sink();
    const a2 = new MeterAccumulator(counter, noRollover.s);
    a2.push(T0, 100, 0);
    a2.push(T0 + MIN, 99.5, 0);
    expect(noRollover.gaps.map((g) => g.kind)).toEqual(['reset']);
  });

  it('skips Bad readings and spreads a difference across a long interval, reporting the split as estimated', () => {
    const k = sink();
    const acc = new MeterAccumulator(counter, k.s);
    acc.push(T0, 100, 0);
    acc.push(T0 + 15 * MIN, 0, 2); // Bad: ignored
    acc.push(T0 + 60 * MIN, 160, 0); // 60 over an hour, 15 per slot
    expect([...k.slots.values()].map((x) => x.qty)).toEqual([15, 15, 15, 15]);
    expect(k.gaps.map((g) => g.kind)).toEqual(['estimated']);
    expect([...k.slots.values()].every((x) => x.estimatedMs === 15 * MIN)).toBe(true);
  });
});
