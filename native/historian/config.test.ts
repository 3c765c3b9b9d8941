import { describe, expect, it } from 'vitest';
import { deadbandConfigSchema, globToRegExp, resolvePolicies, retentionConfigSchema } from './config.js';
import { makeTags } from './test-kit.js';

const DAY = 86_400_000;

describe('historian config', () => {
  it('matches globs per path segment', () => {
    expect(globToRegExp('Site/*/M/T1').test('Site/Area/M/T1')).toBe(true);
    expect(globToRegExp('Site/*/T1').test('Site/Area/M/T1')).toBe(false);
    expect(globToRegExp('**/T1').test('Site/Area/M/T1')).toBe(true);
    expect(globToRegExp('**/T1').test('Site/Area/M/T10')).toBe(false);
  });

  it('resolves each tag to the first matching rule and retention group', () => {
    const retention = retentionConfigSchema.parse({ rawDays: 10, groups: [{ match: ['**/T1', '**/T2'], rawDays: 90 }] });
    const storage = deadbandConfigSchema.parse([
      { match: '**/T0', mode: 'swinging-door', deviationPercent: 1 },
      { match: '**', mode: 'deadband', deviation: 0.2, decimals: 2, maxHoldMs: 5000 },
    ]);
    const [t0, t1, t3] = resolvePolicies(makeTags(4), retention, storage).filter((_, i) => i !== 2);
    expect(t0).toMatchObject({ mode: 'swinging-door', deviation: 1, decimals: -1, rawMs: 10 * DAY, minuteMs: 365 * DAY });
    expect(t1).toMatchObject({ mode: 'deadband', deviation: 0.2, decimals: 2, maxHoldMs: 5000, rawMs: 90 * DAY });
    expect(t3?.rawMs).toBe(10 * DAY);
  });

  it('defaults to keeping every sample, 30 days raw, and refuses unknown keys', () => {
    const [p] = resolvePolicies(makeTags(1));
    expect(p).toMatchObject({ mode: 'none', rawMs: 30 * DAY, minuteMs: 365 * DAY, hourMs: 1825 * DAY });
    expect(retentionConfigSchema.safeParse({ rawdays: 3 }).success).toBe(false);
    expect(deadbandConfigSchema.safeParse([{ match: '**', mode: 'gzip' }]).success).toBe(false);
  });
});
