// Alarm-system performance as EEMUA 191 and ISA-18.2 measure it, from the journal's activations:
// the alarm rate per 10 minutes (overall and per operator position, which here is an area),
// floods (10-minute periods with more than 10 alarms, merged into runs), chattering alarms (three
// or more activations within 60 s), stale alarms (active for more than 24 h), the ten most
// frequent alarms, and how many alarms are shelved, suppressed or out of service.
import type { AlarmKpis, AlarmStateWire, Priority } from '../api/alarm-requests.js';
import type { Activation } from './store.js';

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
const maxOf = (xs: readonly number[]) => xs.reduce((m, x) => (x > m ? x : m), 0);

function buckets(times: readonly number[], from: number, n: number): number[] {
  const out = new Array<number>(n).fill(0);
  for (const t of times) {
    const i = Math.floor((t - from) / PERIOD_MS);
    if (i >= 0 && i < n) out[i] = (out[i] as number) + 1;
  }
  return out;
}

/** Most activations of one alarm inside any window of CHATTER_WINDOW_MS; `times` sorted. */
export function maxInWindow(times: readonly number[], windowMs = CHATTER_WINDOW_MS): number {
  let best = 0;
  let i = 0;
  for (let j = 0; j < times.length; j++) {
    while ((times[j] as number) - (times[i] as number) >= windowMs) i++;
    best = Math.max(best, j - i + 1);
  }
  return best;
}

export function computeKpis(
  activations: readonly Activation[],
  current: readonly CurrentAlarm[],
  from: number,
  to: number,
  now: number,
): AlarmKpis {
  const span = Math.max(to - from, 1);
  const n = Math.max(1, Math.ceil(span / PERIOD_MS));
  const periods = span / PERIOD_MS;
  const all = buckets(
    activations.map((a) => a.ts),
    from,
    n,
  );

  const floods: AlarmKpis['floods'] = [];
  let floodPeriods = 0;
  for (let i = 0; i < n; i++) {
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

  const byAreaTimes = new Map<string, number[]>();
  const byAlarm = new Map<string, { tag: string; priority: Priority; times: number[] }>();
  const byPriority: Record<Priority, number> = { Critical: 0, High: 0, Medium: 0, Low: 0 };
  for (const a of activations) {
    const area = byAreaTimes.get(a.area);
    if (area) area.push(a.ts);
    else byAreaTimes.set(a.area, [a.ts]);
    const al = byAlarm.get(a.alarmId);
    if (al) al.times.push(a.ts);
    else byAlarm.set(a.alarmId, { tag: a.tag, priority: a.priority, times: [a.ts] });
    byPriority[a.priority]++;
  }

  const byArea = [...byAreaTimes]
    .map(([area, times]) => ({
      area,
      activations: times.length,
      averagePer10Min: times.length / periods,
      peakPer10Min: maxOf(buckets(times, from, n)),
    }))
    .sort((a, b) => b.activations - a.activations || a.area.localeCompare(b.area));

  const chattering: AlarmKpis['chattering'] = [];
  for (const [id, a] of byAlarm) {
    const maxIn60s = maxInWindow(a.times);
    if (maxIn60s >= CHATTER_COUNT) chattering.push({ id, tag: a.tag, activations: a.times.length, maxIn60s });
  }
  chattering.sort((a, b) => b.maxIn60s - a.maxIn60s || b.activations - a.activations || a.id.localeCompare(b.id));

  const topTen = [...byAlarm]
    .map(([id, a]) => ({ id, tag: a.tag, priority: a.priority, activations: a.times.length, share: a.times.length / activations.length }))
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
    activations: activations.length,
    averagePer10Min: activations.length / periods,
    peakPer10Min: maxOf(all),
    byArea,
    floods,
    floodShare: floodPeriods / n,
    chattering,
    stale,
    topTen,
    byPriority,
    shelved,
    outOfService,
    suppressed,
    unacknowledged,
  };
}
