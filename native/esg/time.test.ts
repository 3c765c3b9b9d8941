import { describe, expect, it } from 'vitest';
import { inWindow, periodRange, shiftKey, ZoneClock } from './time.js';

const H = 3_600_000;
const at = (iso: string) => Date.parse(iso);

describe('ZoneClock', () => {
  it('keys the two 01:00 hours of a fall-back night apart (Europe/London, 27 Oct 2024)', () => {
    const c = new ZoneClock('Europe/London');
    // 00:30 UTC is 01:30 BST; 01:30 UTC is 01:30 GMT.
    expect(c.hourStart(at('2024-10-27T00:30:00Z'))).toBe(at('2024-10-27T00:00:00Z'));
    expect(c.hourStart(at('2024-10-27T01:30:00Z'))).toBe(at('2024-10-27T01:00:00Z'));
    expect(c.local(at('2024-10-27T00:30:00Z')).hour).toBe(1);
    expect(c.local(at('2024-10-27T01:30:00Z')).hour).toBe(1);
    expect(c.instant(2024, 10, 27) - c.instant(2024, 10, 26)).toBe(24 * H);
    expect(c.instant(2024, 10, 28) - c.instant(2024, 10, 27)).toBe(25 * H);
    expect(c.instant(2024, 4, 1) - c.instant(2024, 3, 31)).toBe(23 * H);
    // 01:30 local does not exist on 31 March: it is read as 02:30 BST.
    expect(c.instant(2024, 3, 31, 1, 30)).toBe(at('2024-03-31T01:30:00Z'));
  });

  it('aligns local hours to :30 UTC in a +05:30 zone', () => {
    const c = new ZoneClock('Asia/Kolkata');
    expect(c.hourStart(at('2024-05-01T10:10:00Z'))).toBe(at('2024-05-01T09:30:00Z'));
    expect(c.dayKey(at('2024-05-01T18:29:00Z'))).toBe('2024-05-01');
    expect(c.dayKey(at('2024-05-01T18:30:00Z'))).toBe('2024-05-02');
  });

  it('gives local months, quarters and years as instants', () => {
    const c = new ZoneClock('Europe/London');
    expect(periodRange(c, 'month', '2024-03')).toEqual({
      from: at('2024-03-01T00:00:00Z'),
      to: at('2024-03-31T23:00:00Z'),
      label: '2024-03',
    });
    expect(periodRange(c, 'quarter', '2024-11-15')).toEqual({
      from: at('2024-10-01T00:00:00+01:00'),
      to: at('2025-01-01T00:00:00Z'),
      label: '2024-Q4',
    });
    expect(periodRange(new ZoneClock('America/New_York'), 'year', '2024').from).toBe(at('2024-01-01T05:00:00Z'));
    expect(() => periodRange(c, 'month', '2024-13')).toThrow(RangeError);
  });

  it('puts the hours after midnight into the night shift that started the day before', () => {
    const c = new ZoneClock('UTC');
    const shifts = [
      { name: 'Day', start: '06:00' },
      { name: 'Evening', start: '14:00' },
      { name: 'Night', start: '22:00' },
    ];
    expect(shiftKey(c, shifts, at('2024-05-02T03:00:00Z'))).toBe('2024-05-01 Night');
    expect(shiftKey(c, shifts, at('2024-05-02T23:00:00Z'))).toBe('2024-05-02 Night');
    expect(shiftKey(c, shifts, at('2024-05-02T06:00:00Z'))).toBe('2024-05-02 Day');
  });

  it('checks tariff windows in local time, across midnight too', () => {
    const c = new ZoneClock('Europe/Berlin');
    const peak = { days: [1, 2, 3, 4, 5], from: '08:00', to: '20:00' };
    // Monday 6 May 2024, 07:30 UTC = 09:30 CEST.
    expect(inWindow(c, at('2024-05-06T07:30:00Z'), peak)).toBe(true);
    expect(inWindow(c, at('2024-05-06T18:30:00Z'), peak)).toBe(false);
    expect(inWindow(c, at('2024-05-05T07:30:00Z'), peak)).toBe(false);
    expect(inWindow(c, at('2024-05-06T22:30:00Z'), { days: [1, 2], from: '22:00', to: '06:00' })).toBe(true);
  });
});
