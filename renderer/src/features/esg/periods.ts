// The ESG screen's periods, in the site's time zone (where the core keeps its hours and days): today
// so far, each of the past days, the last 7 days, this month so far and the past months. Each period
// is a [from, to) range for esg.summary / esg.series and the bucket its chart uses.
import type { EsgSeries } from '../../../../native/api/esg-requests';
import { fromWall, wallClock } from '../../lib/datetime';

export interface EsgPeriod {
  /** Stable key for the period list: "day:2026-12-01", "last7", "month:2026-11". */
  key: string;
  label: string;
  from: number;
  to: number;
  /** The chart's bucket: hours for a day or a week, days for a month. */
  bucket: EsgSeries['period'];
  /** The local month a month report for this period covers, YYYY-MM. */
  month: string;
}

interface Ymd {
  year: number;
  month: number;
  day: number;
}

/** The instant local midnight of year-month-day begins in `timeZone` (month and day may overflow: month 13 is next January). */
export function localMidnight(year: number, month: number, day: number, timeZone: string): number {
  return fromWall({ year, month, day, hour: 0, minute: 0, second: 0 }, timeZone);
}

const p2 = (n: number) => String(n).padStart(2, '0');
const ymd = (d: Ymd) => `${d.year}-${p2(d.month)}-${p2(d.day)}`;
const ym = (d: Ymd) => `${d.year}-${p2(d.month)}`;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * The periods offered at instant `now`: today and the past `days` days, the last 7 days, this month and
 * the past `months` months. `dateText` writes a day's date in the console's format (lib/datetime formatDate).
 */
export function esgPeriods(
  now: number,
  timeZone: string,
  days = 14,
  months = 12,
  dateText: (ms: number) => string = (ms) => ymd(wallClock(ms, timeZone)),
): EsgPeriod[] {
  const today = wallClock(now, timeZone);
  const out: EsgPeriod[] = [];
  for (let i = 0; i <= days; i++) {
    const from = localMidnight(today.year, today.month, today.day - i, timeZone);
    const next = localMidnight(today.year, today.month, today.day - i + 1, timeZone);
    const d = wallClock(from, timeZone);
    const label = i === 0 ? `Today (${dateText(from)})` : i === 1 ? `Yesterday (${dateText(from)})` : dateText(from);
    out.push({ key: `day:${ymd(d)}`, label, from, to: Math.min(now, next), bucket: 'hour', month: ym(d) });
  }
  out.push({ key: 'last7', label: 'Last 7 days', from: now - 7 * 86_400_000, to: now, bucket: 'hour', month: ym(today) });
  for (let i = 0; i <= months; i++) {
    const from = localMidnight(today.year, today.month - i, 1, timeZone);
    const next = localMidnight(today.year, today.month - i + 1, 1, timeZone);
    const d = wallClock(from, timeZone);
    const name = `${MONTHS[d.month - 1]} ${d.year}`;
    out.push({
      key: `month:${ym(d)}`,
      label: i === 0 ? `This month (${name})` : name,
      from,
      to: Math.min(now, next),
      bucket: 'day',
      month: ym(d),
    });
  }
  return out;
}
