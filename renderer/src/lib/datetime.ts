// The console's one date and time format: every time a screen shows, and every time an operator
// types, is written `2026-12-01 17:05:09` (24-hour; the site file's `site.dateFormat` may choose
// 01/12/2026 or 12/01/2026 for the date), in the site's time zone, whatever the browser's locale.
// Native date inputs render in the browser's locale, so the screens use text fields read by
// parseDateTime instead.
import type { CoreInfo, DateFormat } from '../../../native/api/types';
import { appStore } from '../platform/store';

export interface DateTimeSettings {
  dateFormat: DateFormat;
  /** IANA time zone the times are shown and read in. */
  timeZone: string;
}

/** Before the core has said (hello), the browser's own zone and the ISO-like date. */
const FALLBACK: DateTimeSettings = { dateFormat: 'iso', timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC' };

/** The site's settings, from the core's hello. */
export function dateTimeSettings(info: Pick<CoreInfo, 'dateFormat' | 'timeZone'> | null = appStore.getState().info): DateTimeSettings {
  return info?.timeZone && info.dateFormat ? { dateFormat: info.dateFormat, timeZone: info.timeZone } : FALLBACK;
}

const partFormats = new Map<string, Intl.DateTimeFormat>();

function partsFormat(timeZone: string): Intl.DateTimeFormat {
  let f = partFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partFormats.set(timeZone, f);
  }
  return f;
}

/** A wall-clock reading in a time zone. */
export interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall clock of `timeZone` at instant `ms`. */
export function wallClock(ms: number, timeZone: string): Wall {
  const w: Wall = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const p of partsFormat(timeZone).formatToParts(ms)) {
    if (p.type in w) w[p.type as keyof Wall] = Number(p.value);
  }
  // Some engines write midnight as hour 24 even with h23.
  if (w.hour === 24) w.hour = 0;
  return w;
}

const p2 = (n: number) => String(n).padStart(2, '0');

function dateText(w: Wall, format: DateFormat): string {
  const y = String(w.year).padStart(4, '0');
  if (format === 'dmy') return `${p2(w.day)}/${p2(w.month)}/${y}`;
  if (format === 'mdy') return `${p2(w.month)}/${p2(w.day)}/${y}`;
  return `${y}-${p2(w.month)}-${p2(w.day)}`;
}

type TimeInput = number | string | Date | null | undefined;

function toMs(t: TimeInput): number {
  if (t === null || t === undefined || t === '') return Number.NaN;
  if (typeof t === 'number') return t;
  if (t instanceof Date) return t.getTime();
  return Date.parse(t);
}

/** A date and time in the console's format (`2026-12-01 17:05:09`); an em dash for no time or an invalid one. */
export function formatDateTime(t: TimeInput, precision: 'second' | 'minute' = 'second', settings = dateTimeSettings()): string {
  const ms = toMs(t);
  if (!Number.isFinite(ms)) return '—';
  const w = wallClock(ms, settings.timeZone);
  const time = precision === 'minute' ? `${p2(w.hour)}:${p2(w.minute)}` : `${p2(w.hour)}:${p2(w.minute)}:${p2(w.second)}`;
  return `${dateText(w, settings.dateFormat)} ${time}`;
}

/** A time of day alone (`17:05:09`, 24-hour, site zone), where the date is plain from the context (a chart's cursor). */
export function formatTime(t: TimeInput, settings = dateTimeSettings()): string {
  const ms = toMs(t);
  if (!Number.isFinite(ms)) return '—';
  const w = wallClock(ms, settings.timeZone);
  return `${p2(w.hour)}:${p2(w.minute)}:${p2(w.second)}`;
}

/** A date alone in the console's format (`2026-12-01`). */
export function formatDate(t: TimeInput, settings = dateTimeSettings()): string {
  const ms = toMs(t);
  if (!Number.isFinite(ms)) return '—';
  return dateText(wallClock(ms, settings.timeZone), settings.dateFormat);
}

/** What the date and time fields expect, for placeholders and messages. */
export function dateTimePattern(settings = dateTimeSettings()): string {
  const date = settings.dateFormat === 'dmy' ? 'DD/MM/YYYY' : settings.dateFormat === 'mdy' ? 'MM/DD/YYYY' : 'YYYY-MM-DD';
  return `${date} HH:mm:ss`;
}

const DATE_RE: Record<DateFormat, RegExp> = {
  iso: /^(?<y>\d{4})-(?<m>\d{1,2})-(?<d>\d{1,2})/,
  dmy: /^(?<d>\d{1,2})\/(?<m>\d{1,2})\/(?<y>\d{4})/,
  mdy: /^(?<m>\d{1,2})\/(?<d>\d{1,2})\/(?<y>\d{4})/,
};

/** The ms the wall-clock time stands for in `timeZone` (the later one where a clock change repeats an hour). */
export function fromWall(w: Wall, timeZone: string): number {
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  const offsetAt = (ms: number) => {
    const x = wallClock(ms, timeZone);
    return Date.UTC(x.year, x.month - 1, x.day, x.hour, x.minute, x.second) - Math.floor(ms / 1000) * 1000;
  };
  let ms = asUtc - offsetAt(asUtc);
  const second = asUtc - offsetAt(ms);
  if (second !== ms) ms = second;
  return ms;
}

/**
 * A date and time typed in the console's format (seconds optional), read in the site's time zone:
 * `{ ms }`, or `{ error }` saying what is expected. An empty field is `{ ms: undefined }` (no bound).
 */
export function parseDateTime(text: string, settings = dateTimeSettings()): { ms: number | undefined } | { error: string } {
  const s = text.trim();
  if (s === '') return { ms: undefined };
  const expected = `write a date and time as ${dateTimePattern(settings)} (24-hour, ${settings.timeZone})`;
  const date = DATE_RE[settings.dateFormat].exec(s);
  const rest = date ? s.slice(date[0].length) : '';
  const time = /^(?:[ T](?<h>\d{1,2}):(?<min>\d{2})(?::(?<s>\d{2}))?)?$/.exec(rest);
  if (!date?.groups || !time?.groups) return { error: `"${s}" is not a date and time: ${expected}` };
  const w: Wall = {
    year: Number(date.groups.y),
    month: Number(date.groups.m),
    day: Number(date.groups.d),
    hour: Number(time.groups.h ?? 0),
    minute: Number(time.groups.min ?? 0),
    second: Number(time.groups.s ?? 0),
  };
  const check = new Date(Date.UTC(w.year, w.month - 1, w.day));
  if (check.getUTCMonth() !== w.month - 1 || check.getUTCDate() !== w.day || w.month < 1 || w.month > 12)
    return { error: `"${s}" is not a day of the calendar: ${expected}` };
  if (w.hour > 23 || w.minute > 59 || w.second > 59) return { error: `"${s}" is not a time of day: ${expected}` };
  return { ms: fromWall(w, settings.timeZone) };
}
