import { describe, expect, it } from 'vitest';
import { esgPeriods, localMidnight } from './periods';

describe('ESG periods in the site time zone', () => {
  it('finds local midnight across a DST change and a +05:30 zone', () => {
    expect(new Date(localMidnight(2024, 3, 31, 'Europe/London')).toISOString()).toBe('2024-03-31T00:00:00.000Z');
    expect(new Date(localMidnight(2024, 4, 1, 'Europe/London')).toISOString()).toBe('2024-03-31T23:00:00.000Z');
    expect(new Date(localMidnight(2024, 5, 1, 'Asia/Kolkata')).toISOString()).toBe('2024-04-30T18:30:00.000Z');
    // Month 13 is next January.
    expect(localMidnight(2024, 13, 1, 'UTC')).toBe(Date.parse('2025-01-01T00:00:00Z'));
  });

  it('offers today so far, past days, the last 7 days, this month so far and past months', () => {
    const now = Date.parse('2024-04-02T10:30:00Z');
    const periods = esgPeriods(now, 'Europe/London', 3, 2);
    expect(periods.map((p) => p.key)).toEqual([
      'day:2024-04-02',
      'day:2024-04-01',
      'day:2024-03-31',
      'day:2024-03-30',
      'last7',
      'month:2024-04',
      'month:2024-03',
      'month:2024-02',
    ]);
    const today = periods[0];
    expect(today).toMatchObject({ from: Date.parse('2024-04-01T23:00:00Z'), to: now, bucket: 'hour', month: '2024-04' });
    // The spring-forward day has 23 hours.
    const dst = periods.find((p) => p.key === 'day:2024-03-31');
    expect(dst && dst.to - dst.from).toBe(23 * 3_600_000);
    const march = periods.find((p) => p.key === 'month:2024-03');
    expect(march).toMatchObject({ from: Date.parse('2024-03-01T00:00:00Z'), to: Date.parse('2024-03-31T23:00:00Z'), bucket: 'day' });
  });
});
