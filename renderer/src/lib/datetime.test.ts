import { describe, expect, it } from 'vitest';
import { dateTimePattern, formatDate, formatDateTime, formatTime, parseDateTime } from './datetime';

const utc = { dateFormat: 'iso', timeZone: 'UTC' } as const;
const berlin = { dateFormat: 'iso', timeZone: 'Europe/Berlin' } as const;
const ms = Date.UTC(2026, 11, 1, 17, 5, 9);

describe('formatDateTime', () => {
  it('writes one 24-hour ISO-like format in the site’s time zone', () => {
    expect(formatDateTime(ms, 'second', utc)).toBe('2026-12-01 17:05:09');
    expect(formatDateTime(new Date(ms).toISOString(), 'second', utc)).toBe('2026-12-01 17:05:09');
    expect(formatDateTime(ms, 'second', berlin)).toBe('2026-12-01 18:05:09');
    expect(formatDateTime(Date.UTC(2026, 11, 1, 0, 0, 0), 'minute', utc)).toBe('2026-12-01 00:00');
    expect(formatDate(ms, utc)).toBe('2026-12-01');
    expect(formatTime(ms, berlin)).toBe('18:05:09');
  });

  it('writes the date the site chose', () => {
    expect(formatDateTime(ms, 'second', { dateFormat: 'dmy', timeZone: 'UTC' })).toBe('01/12/2026 17:05:09');
    expect(formatDateTime(ms, 'second', { dateFormat: 'mdy', timeZone: 'UTC' })).toBe('12/01/2026 17:05:09');
  });

  it('writes an em dash for no time', () => {
    expect(formatDateTime(null, 'second', utc)).toBe('—');
    expect(formatDateTime('not a time', 'second', utc)).toBe('—');
  });
});

describe('parseDateTime', () => {
  it('reads what formatDateTime writes, in the site’s zone', () => {
    for (const s of [utc, berlin, { dateFormat: 'dmy', timeZone: 'America/New_York' } as const])
      expect(parseDateTime(formatDateTime(ms, 'second', s), s)).toEqual({ ms });
    expect(parseDateTime('2026-12-01 17:05', utc)).toEqual({ ms: ms - 9000 });
    expect(parseDateTime('2026-07-01 12:00:00', berlin)).toEqual({ ms: Date.UTC(2026, 6, 1, 10) });
    expect(parseDateTime('  ', utc)).toEqual({ ms: undefined });
  });

  it('says what it expects for text that is no date', () => {
    expect(parseDateTime('12/01/2026', utc)).toEqual({
      error: '"12/01/2026" is not a date and time: write a date and time as YYYY-MM-DD HH:mm:ss (24-hour, UTC)',
    });
    expect(parseDateTime('2026-02-30 10:00', utc)).toMatchObject({ error: expect.stringMatching(/not a day of the calendar/) });
    expect(parseDateTime('2026-02-03 24:00', utc)).toMatchObject({ error: expect.stringMatching(/not a time of day/) });
    expect(dateTimePattern({ dateFormat: 'dmy', timeZone: 'UTC' })).toBe('DD/MM/YYYY HH:mm:ss');
  });
});
