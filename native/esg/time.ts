// Local calendar arithmetic in the site's IANA time zone, with the platform's Intl data only.
// Activity is kept in 15-minute slots (every real zone offset is a multiple of 15 minutes, so a
// slot never straddles a local hour) and emission records in local hours, each keyed by the UTC
// instant it starts at: the two 01:00 hours of a DST fall-back night stay distinct, and the
// missing 02:00 of a spring-forward night simply does not exist.

export const SLOT_MS = 15 * 60_000;
const HOUR_MS = 3_600_000;

export interface LocalParts {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** 0 Sunday … 6 Saturday */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws a RangeError for a zone name the platform does not know. */
export function assertTimeZone(timeZone: string): void {
  formatter(timeZone);
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function partsOf(timeZone: string, t: number): LocalParts & { second: number } {
  const p: Record<string, string> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(t))) p[part.type] = part.value;
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour),
    minute: Number(p.minute),
    second: Number(p.second),
    weekday: WEEKDAYS[p.weekday ?? 'Sun'] ?? 0,
  };
}

export class ZoneClock {
  private readonly offsets = new Map<number, number>();
  constructor(readonly timeZone: string) {
    assertTimeZone(timeZone);
  }

  /** Offset of local time from UTC at instant t, ms. Offsets only change on 15-minute boundaries, so they are cached per slot. */
  offset(t: number): number {
    const slot = Math.floor(t / SLOT_MS);
    let off = this.offsets.get(slot);
    if (off === undefined) {
      const at = slot * SLOT_MS;
      const p = partsOf(this.timeZone, at);
      off = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - at;
      if (this.offsets.size > 50_000) this.offsets.clear();
      this.offsets.set(slot, off);
    }
    return off;
  }

  local(t: number): LocalParts {
    const w = new Date(t + this.offset(t));
    return {
      year: w.getUTCFullYear(),
      month: w.getUTCMonth() + 1,
      day: w.getUTCDate(),
      hour: w.getUTCHours(),
      minute: w.getUTCMinutes(),
      weekday: w.getUTCDay(),
    };
  }

  /** The UTC instant at which the local hour containing t began. */
  hourStart(t: number): number {
    const off = this.offset(t);
    return Math.floor((t + off) / HOUR_MS) * HOUR_MS - off;
  }

  /**
   * The instant of a local wall time. A wall time skipped by a spring-forward change is moved
   * forward by the length of the jump (as Temporal's "compatible" does); one repeated by a
   * fall-back change maps to its first occurrence.
   */
  instant(year: number, month: number, day: number, hour = 0, minute = 0): number {
    const wall = Date.UTC(year, month - 1, day, hour, minute);
    const candidates = [wall - this.offset(wall - 14 * HOUR_MS), wall - this.offset(wall + 14 * HOUR_MS)].sort((a, b) => a - b);
    for (const c of candidates) if (c + this.offset(c) === wall) return c;
    // Skipped wall time: read it with the offset from before the jump.
    return candidates[1] as number;
  }

  dayKey(t: number): string {
    const p = this.local(t);
    return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
  }

  monthKey(t: number): string {
    const p = this.local(t);
    return `${p.year}-${pad(p.month)}`;
  }
}

export function pad(n: number): string {
  return String(n).padStart(2, '0');
}

export type ReportPeriod = 'month' | 'quarter' | 'year';

/** [from, to) of the local month, quarter or year that contains the local date `start` (YYYY, YYYY-MM or YYYY-MM-DD). */
export function periodRange(clock: ZoneClock, period: ReportPeriod, start: string): { from: number; to: number; label: string } {
  const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/.exec(start);
  if (!m) throw new RangeError(`"${start}" is not a date (YYYY, YYYY-MM or YYYY-MM-DD)`);
  const year = Number(m[1]);
  const month = m[2] ? Number(m[2]) : 1;
  if (month < 1 || month > 12) throw new RangeError(`"${start}" has no month ${month}`);
  if (period === 'year') return { from: clock.instant(year, 1, 1), to: clock.instant(year + 1, 1, 1), label: `${year}` };
  if (period === 'quarter') {
    const q = Math.floor((month - 1) / 3);
    const first = q * 3 + 1;
    const next = first + 3;
    return {
      from: clock.instant(year, first, 1),
      to: next > 12 ? clock.instant(year + 1, 1, 1) : clock.instant(year, next, 1),
      label: `${year}-Q${q + 1}`,
    };
  }
  return {
    from: clock.instant(year, month, 1),
    to: month === 12 ? clock.instant(year + 1, 1, 1) : clock.instant(year, month + 1, 1),
    label: `${year}-${pad(month)}`,
  };
}

export interface ShiftDef {
  name: string;
  /** Local start, "HH:MM". */
  start: string;
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** The shift an instant belongs to, keyed by the local date the shift started on: "2024-03-31 Night". */
export function shiftKey(clock: ZoneClock, shifts: readonly ShiftDef[], t: number): string {
  if (shifts.length === 0) return clock.dayKey(t);
  const sorted = [...shifts].sort((a, b) => minutesOf(a.start) - minutesOf(b.start));
  const p = clock.local(t);
  const minute = p.hour * 60 + p.minute;
  let current: ShiftDef | undefined;
  for (const s of sorted) if (minutesOf(s.start) <= minute) current = s;
  if (current) return `${clock.dayKey(t)} ${current.name}`;
  // Before the first shift of the day: the last shift, which started the previous local day.
  const last = sorted[sorted.length - 1] as ShiftDef;
  const prevDay = clock.instant(p.year, p.month, p.day) - 1;
  return `${clock.dayKey(prevDay)} ${last.name}`;
}

/** Whether instant t falls in a weekly tariff window (local weekdays 0–6 and "HH:MM" times; a window may cross midnight). */
export function inWindow(clock: ZoneClock, t: number, w: { days: readonly number[]; from: string; to: string }): boolean {
  const p = clock.local(t);
  if (!w.days.includes(p.weekday)) return false;
  const m = p.hour * 60 + p.minute;
  const from = minutesOf(w.from);
  const to = minutesOf(w.to);
  return from <= to ? m >= from && m < to : m >= from || m < to;
}
