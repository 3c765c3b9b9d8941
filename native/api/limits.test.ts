// The request limits as the registry applies them: refused before the handler runs, with a
// message that names the limit and its maximum; within the limits, the same request passes.
import { describe, expect, it } from 'vitest';
import { describeBytes, describeSpan } from './limits.js';
import { HandlerRegistry } from './registry.js';

const DAY = 86_400_000;
const ctx = { user: 'viewer1', role: 'viewer' as const, origin: 'internal' as const };

describe('limit messages', () => {
  it('read as spans and sizes people use', () => {
    expect(describeSpan(400 * DAY)).toBe('400 days');
    expect(describeSpan(3_660 * DAY)).toBe('3,660 days');
    expect(describeSpan(Date.parse('9999-12-31T23:59:59Z') - Date.parse('0000-01-01T00:00:00Z'))).toBe('9,999.8 years');
    expect(describeSpan(36 * 3_600_000)).toBe('36 hours');
    expect(describeBytes(256 * 1024 * 1024)).toBe('256 MB');
    expect(describeBytes(1024 ** 3)).toBe('1 GB');
  });
});

describe('the registry refuses over-limit requests before their handler runs', () => {
  const ran: string[] = [];
  const registry = new HandlerRegistry();
  registry.register({
    'alarms.kpis': () => {
      ran.push('alarms.kpis');
      return {} as never;
    },
    'history.aggregate': () => {
      ran.push('history.aggregate');
      return [];
    },
    'esg.series': () => {
      ran.push('esg.series');
      return {} as never;
    },
  });

  it.each([
    [
      'alarms.kpis',
      { from: '0000-01-01T00:00:00Z', to: '9999-12-31T23:59:59Z' },
      'from/to span 9,999.8 years exceeds the limit of 400 days for alarms.kpis',
    ],
    ['alarms.kpis', { from: Date.now() - 401 * DAY }, 'exceeds the limit of 400 days for alarms.kpis'],
    [
      'history.aggregate',
      { tags: ['a'], from: 0, to: 40 * DAY, intervalMs: 3_600_000, state: 1 },
      'from/to span 40 days exceeds the limit of 31 days for history.aggregate from raw samples (state, or not on whole minutes)',
    ],
    [
      'history.aggregate',
      { tags: Array(10).fill('a'), from: 0, to: 30 * DAY, intervalMs: 60_000 },
      '432,000 rows exceeds the limit of 200,000 rows for history.aggregate; use a longer interval or fewer tags',
    ],
    ['esg.series', { from: 0, to: 401 * DAY, period: 'hour' }, 'from/to span 401 days exceeds the limit of 400 days for esg.series'],
  ])('%s %j', async (name, args, message) => {
    ran.length = 0;
    const r = await registry.call(name, args, ctx);
    expect(r.error?.type).toBe('validation');
    expect(r.error?.message).toContain(message);
    expect(ran).toEqual([]);
  });

  it('lets the same requests through within their limits', async () => {
    ran.length = 0;
    expect((await registry.call('alarms.kpis', { from: Date.now() - 365 * DAY }, ctx)).error).toBeUndefined();
    expect(
      (await registry.call('history.aggregate', { tags: ['a'], from: 0, to: 30 * DAY, intervalMs: 60_000, state: 1 }, ctx)).error,
    ).toBeUndefined();
    expect(ran).toEqual(['alarms.kpis', 'history.aggregate']);
  });
});
