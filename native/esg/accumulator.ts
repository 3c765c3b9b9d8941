// Activity accumulation for one meter: time-weighted integration of rates (power, flows) and
// differences of counters (energy meters, totalisers, production counters), split into 15-minute
// slots. Quality- and gap-aware: an interval with a Bad end, a non-numeric value or more than
// `maxGapMs` between samples is reported as a gap and never filled. Counters keep their consumption
// across a gap (the meter kept counting) but the split over the slots in between is an estimate,
// and that is reported too.
import { SLOT_MS } from './time.js';

export interface SlotAmount {
  qty: number;
  /** Part of qty consumed while the machine stood idle. */
  idleQty: number;
  /** Time covered by measured data. */
  coveredMs: number;
  /** Part of coveredMs where an end sample was Uncertain. */
  uncertainMs: number;
  /** Time whose consumption is known only as a total spread evenly (counter readings far apart). */
  estimatedMs: number;
  /** The first and last instant the amount covers: a range ending or starting inside the hour takes its share of that span. */
  firstMs: number;
  lastMs: number;
}

export type GapKind = 'missing' | 'estimated' | 'reset';

export interface ActivitySink {
  add(slotStart: number, amount: SlotAmount): void;
  gap(start: number, end: number, kind: GapKind, reason: string): void;
}

export interface Sample {
  ts: number;
  v: number;
  q: number;
}

export interface AccumulatorOptions {
  mode: 'rate' | 'counter';
  /** Rate: canonical units per second per unit of value (kW → kWh/s = 1/3600). Counter: canonical units per unit of reading. */
  scale: number;
  maxGapMs: number;
  integration: 'trapezoid' | 'step';
  rollover?: number;
  /** Whether the machine was idle at instant t (decided at each interval's start). */
  isIdle?: (t: number) => boolean;
}

export class MeterAccumulator {
  /** Last sample (rate) or last good reading (counter); persisted so counters survive restarts. */
  last: Sample | null = null;

  constructor(
    private readonly opts: AccumulatorOptions,
    private readonly sink: ActivitySink,
  ) {}

  /** Feed one sample; returns the amount counted by this sample (counter increments, rate integrals), for production tracking. */
  push(ts: number, v: number, q: number): number {
    return this.opts.mode === 'rate' ? this.pushRate(ts, v, q) : this.pushCounter(ts, v, q);
  }

  private pushRate(ts: number, v: number, q: number): number {
    const last = this.last;
    if (last && ts <= last.ts) return 0; // duplicate or out of order: the interval is already accounted for
    this.last = { ts, v, q };
    if (!last) return 0;
    const dt = ts - last.ts;
    const bad = last.q === 2 || q === 2;
    const numeric = Number.isFinite(last.v) && Number.isFinite(v);
    if (bad || !numeric || dt > this.opts.maxGapMs) {
      const why = bad ? 'Bad quality' : !numeric ? 'no numeric value' : `no sample for ${Math.round(dt / 1000)} s`;
      this.sink.gap(last.ts, ts, 'missing', why);
      return 0;
    }
    // Negative readings (noise around zero, export) are not consumption.
    const v0 = Math.max(0, last.v);
    const v1 = this.opts.integration === 'step' ? v0 : Math.max(0, v);
    const uncertain = last.q === 1 || q === 1;
    const idle = this.opts.isIdle?.(last.ts) ?? false;
    let total = 0;
    forEachSlot(last.ts, ts, (a, b) => {
      const va = v0 + ((v1 - v0) * (a - last.ts)) / dt;
      const vb = v0 + ((v1 - v0) * (b - last.ts)) / dt;
      const qty = ((va + vb) / 2) * ((b - a) / 1000) * this.opts.scale;
      total += qty;
      this.sink.add(slotOf(a), {
        qty,
        idleQty: idle ? qty : 0,
        coveredMs: b - a,
        uncertainMs: uncertain ? b - a : 0,
        estimatedMs: 0,
        firstMs: a,
        lastMs: b,
      });
    });
    return total;
  }

  private pushCounter(ts: number, v: number, q: number): number {
    // A Bad or non-numeric reading is skipped: the next good reading's difference covers it.
    if (q === 2 || !Number.isFinite(v)) return 0;
    const last = this.last;
    if (last && ts <= last.ts) return 0;
    this.last = { ts, v, q };
    if (!last) return 0;
    let delta = v - last.v;
    if (delta < 0) {
      const r = this.opts.rollover;
      const wrapped = r !== undefined ? r - last.v + v : Number.NaN;
      // A wrap is plausible only when it implies less than half a meter turn; anything else is a reset or a new meter.
      if (r !== undefined && last.v <= r && wrapped >= 0 && wrapped < r / 2) delta = wrapped;
      else {
        this.sink.gap(
          last.ts,
          ts,
          'reset',
          `meter reading fell from ${last.v} to ${v} (reset or replaced meter): consumption in between unknown`,
        );
        return 0;
      }
    }
    const dt = ts - last.ts;
    const estimated = dt > this.opts.maxGapMs;
    if (estimated && delta > 0) {
      this.sink.gap(last.ts, ts, 'estimated', `readings ${Math.round(dt / 1000)} s apart: total known, its split over time estimated`);
    }
    const amount = delta * this.opts.scale;
    const uncertain = last.q === 1 || q === 1;
    const idle = this.opts.isIdle?.(last.ts) ?? false;
    forEachSlot(last.ts, ts, (a, b) => {
      const qty = (amount * (b - a)) / dt;
      this.sink.add(slotOf(a), {
        qty,
        idleQty: idle ? qty : 0,
        coveredMs: b - a,
        uncertainMs: uncertain ? b - a : 0,
        estimatedMs: estimated ? b - a : 0,
        firstMs: a,
        lastMs: b,
      });
    });
    return amount;
  }
}

export function slotOf(t: number): number {
  return Math.floor(t / SLOT_MS) * SLOT_MS;
}

/** Split [t0, t1] at slot boundaries. */
function forEachSlot(t0: number, t1: number, fn: (a: number, b: number) => void): void {
  let a = t0;
  while (a < t1) {
    const b = Math.min(t1, slotOf(a) + SLOT_MS);
    fn(a, b);
    a = b;
  }
}
