// Alarm-system performance as EEMUA 191 and ISA-18.2 measure it, from the journal's activations:
// the alarm rate per 10 minutes (overall and per operator position, which here is an area),
// floods (10-minute periods with more than 10 alarms, merged into runs), chattering alarms (three
// or more activations within 60 s), stale alarms (active for more than 24 h), the ten most
// frequent alarms, and how many alarms are shelved, suppressed or out of service.
//
// The figures accumulate one slice of activations at a time (in time order), so a long period is
// read a day at a time and the event loop is given back between days (`kpiSteps`, driven by
// native/util/sliced.ts); memory grows with the number of 10-minute periods and alarms, never with
// the number of activations.
import type { AlarmKpis, AlarmStateWire, Priority } from '../api/alarm-requests.js';
import { DAY_MS } from '../api/limits.js';
import type { Activation, RunSpan } from './store.js';

export const PERIOD_MS = 10 * 60_000;
export const FLOOD_THRESHOLD = 10;
export const CHATTER_WINDOW_MS = 60_000;
export const CHATTER_COUNT = 3;
export const STALE_MS = 24 * 3_600_000;

export interface CurrentAlarm {
  id: string;
  tag: string;
  state: AlarmStateWire | 'normal';
  activeSince: number | null;
}

const iso = (ms: number) => new Date(ms).toISOString();
/** Not Math.max(...xs): a year of 10-minute periods is too many arguments for a call. */
const maxOf = (xs: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < xs.length; i++) if ((xs[i] as number) > m) m = xs[i] as number;
  return m;
};

/** Most activations of one alarm inside any window of CHATTER_WINDOW_MS; `times` sorted. */
export function maxInWindow(times: readonly number[], windowMs = CHATTER_WINDOW_MS): number {
  const w = new WindowCounter(windowMs);
  for (const t of times) w.add(t);
  return w.best;
}

/** The most events inside any window of `windowMs`, fed in time order; holds only the window. */
class WindowCounter {
  best = 0;
  private readonly recent: number[] = [];
  private head = 0;
  constructor(private readonly windowMs: number) {}
  add(t: number): void {
    this.recent.push(t);
    while (t - (this.recent[this.head] as number) >= this.windowMs) this.head++;
    if (this.head > 64) {
      this.recent.splice(0, this.head);
      this.head = 0;
    }
    this.best = Math.max(this.best, this.recent.length - this.head);
  }
}

/**
 * The spans observed, clipped to [from, to), sorted and merged (runs may overlap: a run record
 * touched after the next one started, two services on one file).
 */
export function clipSpans(spans: readonly RunSpan[], from: number, to: number): RunSpan[] {
  const clipped = spans
    .map((r) => ({ start: Math.max(r.start, from), end: Math.min(r.end, to) }))
    .filter((r) => r.end > r.start)
    .sort((a, b) => a.start - b.start);
  const out: RunSpan[] = [];
  for (const r of clipped) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}

/**
 * The KPI figures over [from, to), fed activations in time order one slice at a time. Rates are per
 * 10 minutes of the time observed (`observed`: when the console was running; default the whole
 * span), so a console that ran 12 minutes of a day is not judged as if it had watched 24 hours.
 */
export class KpiAccumulator {
  private readonly n: number;
  private readonly all: Uint32Array;
  private readonly byArea = new Map<string, { activations: number; periods: Uint32Array }>();
  private readonly byAlarm = new Map<string, { tag: string; priority: Priority; activations: number; window: WindowCounter }>();
  private readonly byPriority: Record<Priority, number> = { Critical: 0, High: 0, Medium: 0, Low: 0 };
  private total = 0;

  private readonly observed: RunSpan[];

  constructor(
    private readonly from: number,
    private readonly to: number,
    observed: readonly RunSpan[] = [{ start: from, end: to }],
  ) {
    this.n = Math.max(1, Math.ceil(Math.max(to - from, 1) / PERIOD_MS));
    this.all = new Uint32Array(this.n);
    this.observed = clipSpans(observed, from, to);
  }

  /** The 10-minute periods that were observed at least in part. */
  private observedPeriods(): number {
    let count = 0;
    let lastIndex = -1;
    for (const r of this.observed) {
      const first = Math.max(Math.floor((r.start - this.from) / PERIOD_MS), lastIndex + 1);
      const last = Math.min(Math.ceil((r.end - this.from) / PERIOD_MS) - 1, this.n - 1);
      if (last >= first) {
        count += last - first + 1;
        lastIndex = last;
      }
    }
    return count;
  }

  add(activations: readonly Activation[]): void {
    for (const a of activations) {
      this.total++;
      const i = Math.floor((a.ts - this.from) / PERIOD_MS);
      const inRange = i >= 0 && i < this.n;
      if (inRange) this.all[i] = (this.all[i] as number) + 1;
      let area = this.byArea.get(a.area);
      if (!area) {
        area = { activations: 0, periods: new Uint32Array(this.n) };
        this.byArea.set(a.area, area);
      }
      area.activations++;
      if (inRange) area.periods[i] = (area.periods[i] as number) + 1;
      let al = this.byAlarm.get(a.alarmId);
      if (!al) {
        al = { tag: a.tag, priority: a.priority, activations: 0, window: new WindowCounter(CHATTER_WINDOW_MS) };
        this.byAlarm.set(a.alarmId, al);
      }
      al.activations++;
      al.window.add(a.ts);
      this.byPriority[a.priority]++;
    }
  }

  finish(current: readonly CurrentAlarm[], now: number): AlarmKpis {
    const { from, to, all } = this;
    const observedMs = this.observed.reduce((a, r) => a + r.end - r.start, 0);
    // Nothing observed: no rate (0), rather than a division by zero.
    const periods = observedMs > 0 ? observedMs / PERIOD_MS : Number.POSITIVE_INFINITY;
    const floods: AlarmKpis['floods'] = [];
    let floodPeriods = 0;
    for (let i = 0; i < this.n; i++) {
      const c = all[i] as number;
      if (c <= FLOOD_THRESHOLD) continue;
      floodPeriods++;
      const start = from + i * PERIOD_MS;
      const end = Math.min(start + PERIOD_MS, to);
      const last = floods[floods.length - 1];
      if (last && last.end === iso(start)) {
        last.end = iso(end);
        last.activations += c;
        last.peakPer10Min = Math.max(last.peakPer10Min, c);
      } else floods.push({ start: iso(start), end: iso(end), activations: c, peakPer10Min: c });
    }

    const byArea = [...this.byArea]
      .map(([area, a]) => ({
        area,
        activations: a.activations,
        averagePer10Min: a.activations / periods,
        peakPer10Min: maxOf(a.periods),
      }))
      .sort((a, b) => b.activations - a.activations || a.area.localeCompare(b.area));

    const chattering: AlarmKpis['chattering'] = [];
    for (const [id, a] of this.byAlarm) {
      const maxIn60s = a.window.best;
      if (maxIn60s >= CHATTER_COUNT) chattering.push({ id, tag: a.tag, activations: a.activations, maxIn60s });
    }
    chattering.sort((a, b) => b.maxIn60s - a.maxIn60s || b.activations - a.activations || a.id.localeCompare(b.id));

    const topTen = [...this.byAlarm]
      .map(([id, a]) => ({ id, tag: a.tag, priority: a.priority, activations: a.activations, share: a.activations / this.total }))
      .sort((a, b) => b.activations - a.activations || a.id.localeCompare(b.id))
      .slice(0, 10);

    const stale: AlarmKpis['stale'] = [];
    let shelved = 0;
    let outOfService = 0;
    let suppressed = 0;
    let unacknowledged = 0;
    for (const c of current) {
      if (c.state === 'shelved') shelved++;
      else if (c.state === 'out_of_service') outOfService++;
      else if (c.state === 'suppressed') suppressed++;
      else if (c.state === 'unack_active' || c.state === 'unack_rtn') unacknowledged++;
      const active = c.state === 'unack_active' || c.state === 'ack_active';
      if (active && c.activeSince !== null && now - c.activeSince > STALE_MS)
        stale.push({ id: c.id, tag: c.tag, activeSince: iso(c.activeSince), hours: (now - c.activeSince) / 3_600_000 });
    }
    stale.sort((a, b) => a.activeSince.localeCompare(b.activeSince));

    return {
      from: iso(from),
      to: iso(to),
      requestedMs: to - from,
      observedMs,
      observed: this.observed.map((r) => ({ start: iso(r.start), end: iso(r.end) })),
      activations: this.total,
      averagePer10Min: this.total / periods,
      peakPer10Min: maxOf(all),
      byArea,
      floods,
      floodShare: floodPeriods / Math.max(1, this.observedPeriods()),
      chattering,
      stale,
      topTen,
      byPriority: { ...this.byPriority },
      shelved,
      outOfService,
      suppressed,
      unacknowledged,
    };
  }
}

/** The KPIs of activations already in memory, in one go. */
export function computeKpis(
  activations: readonly Activation[],
  current: readonly CurrentAlarm[],
  from: number,
  to: number,
  now: number,
  observed?: readonly RunSpan[],
): AlarmKpis {
  const acc = new KpiAccumulator(from, to, observed);
  acc.add(activations);
  return acc.finish(current, now);
}

/** Activations one slice should hold at most: a few milliseconds of reading and counting. */
export const ACTIVATIONS_PER_SLICE = 5_000;

/**
 * The KPIs over [from, to) read `sliceMs` (a day) at a time through `read`, yielding after each
 * slice: run with runSliced to give the event loop back between days, or runToEnd in one go.
 * After a slice with more than ACTIVATIONS_PER_SLICE activations (a flood) the slices shrink, down
 * to a minute, and grow back to `sliceMs` once the rate falls: one step stays short either way.
 */
export function* kpiSteps(
  read: (from: number, to: number) => readonly Activation[],
  current: () => readonly CurrentAlarm[],
  from: number,
  to: number,
  now: number,
  sliceMs = DAY_MS,
  observed?: readonly RunSpan[],
): Generator<void, AlarmKpis> {
  const acc = new KpiAccumulator(from, to, observed);
  let width = sliceMs;
  for (let t = from; t < to; ) {
    const end = Math.min(t + width, to);
    const slice = read(t, end);
    acc.add(slice);
    t = end;
    if (slice.length > ACTIVATIONS_PER_SLICE) width = Math.max(60_000, Math.floor(width / 8));
    else if (slice.length < ACTIVATIONS_PER_SLICE / 8) width = Math.min(sliceMs, width * 2);
    yield;
  }
  return acc.finish(current(), now);
}
