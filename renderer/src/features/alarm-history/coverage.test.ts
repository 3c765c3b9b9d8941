// The KPI page's coverage sentence (issue 16: "Average 0.05 per 10 min" over 24 h for a console that
// had run 12 minutes).
import { describe, expect, it } from 'vitest';
import { coverageText, duration } from './AlarmHistory';

const MIN = 60_000;

describe('KPI coverage', () => {
  it('says how much of the requested span the console observed', () => {
    expect(coverageText({ observedMs: 12 * MIN, requestedMs: 1_440 * MIN })).toBe('observed 12 min of the requested 24 h (0.8 %)');
    expect(coverageText({ observedMs: 1_440 * MIN, requestedMs: 1_440 * MIN })).toBe('observed the whole 24 h');
    expect(coverageText({ observedMs: 0, requestedMs: 60 * MIN })).toBe('the console was not running in the requested 1 h: no rates');
  });

  it('writes spans as people say them', () => {
    expect([40_000, 12 * MIN, 200 * MIN, 7 * 1_440 * MIN, 2 * 1_440 * MIN + 4 * 60 * MIN].map(duration)).toEqual([
      '40 s',
      '12 min',
      '3 h 20 min',
      '7 d',
      '2 d 4 h',
    ]);
  });
});
