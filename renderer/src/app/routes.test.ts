import { describe, expect, it } from 'vitest';
import { formatRoute } from '../platform/navigation';
import { parseRoute } from './routes';

describe('window routes', () => {
  it('round-trips a machine and a trend view', () => {
    const machine = { screen: 'machine' as const, machine: 'Demo/Pump Station/Pump#1', pens: null, windowS: null };
    expect(parseRoute(formatRoute(machine))).toEqual(machine);
    const trend = { screen: 'trends' as const, machine: null, pens: ['Demo/A/B/Flow', 'Demo/A/B/Temp'], windowS: 600 };
    expect(formatRoute(trend)).toBe('#/trends?pens=Demo%2FA%2FB%2FFlow%2CDemo%2FA%2FB%2FTemp&window=600');
    expect(parseRoute(formatRoute(trend))).toEqual(trend);
  });

  it('ignores what is not a screen', () => {
    expect(parseRoute('')).toBeNull();
    expect(parseRoute('#/nowhere')).toBeNull();
    expect(parseRoute('#/alarms')).toEqual({ screen: 'alarms', machine: null, pens: null, windowS: null });
  });
});
