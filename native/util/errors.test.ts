import { describe, expect, it } from 'vitest';
import { describeError } from './errors.js';
import { RepeatedFault } from './log.js';

describe('describeError', () => {
  it('gives a sentence for errors, strings and the plain objects libraries throw', () => {
    expect(describeError(new Error('port closed\n    at Socket.x (net.js:1)'))).toBe('port closed');
    expect(describeError({ name: 'TransactionTimedOutError', message: 'Timed out', errno: 'ETIMEDOUT' })).toBe('Timed out');
    expect(describeError({ errno: 'ETIMEDOUT' })).toBe('ETIMEDOUT');
    expect(describeError({})).toBe('unknown error');
    expect(describeError(undefined)).toBe('unknown error');
    expect(describeError({ modbusCode: 2 })).not.toContain('[object Object]');
  });
});

describe('RepeatedFault', () => {
  it('logs when a fault starts, a count every summary period, and once when it clears', () => {
    let t = 0;
    const lines: string[] = [];
    const f = new RepeatedFault(
      (_l, m) => lines.push(m),
      60_000,
      () => t,
    );
    for (let i = 0; i <= 120; i++) {
      f.report('plc1/hr:7', 'plc1: unit 1 hr:7 raised exception 2 (illegal data address)');
      t += 1000;
    }
    // 121 occurrences over 2 minutes: one start line and one summary per minute.
    expect(lines.length).toBe(3);
    expect(lines[1]).toContain('still failing: 60 more times');
    f.clear('plc1/hr:7');
    expect(lines.length).toBe(4);
    expect(lines[3]).toContain('after 121 occurrences');
    f.clear('plc1/hr:7');
    expect(lines.length).toBe(4);
  });
});
