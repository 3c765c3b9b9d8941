import { describe, expect, it } from 'vitest';
import { fromLocalInput, toLocalInput } from './period';

describe('datetime-local conversion', () => {
  it('round-trips a time to the minute in local time', () => {
    const ms = new Date(2026, 10, 22, 8, 5).getTime();
    expect(toLocalInput(ms)).toBe('2026-11-22T08:05');
    expect(fromLocalInput(toLocalInput(ms + 42_000))).toBe(ms);
  });
  it('treats empty or malformed text as no bound', () => {
    expect(fromLocalInput('')).toBeUndefined();
    expect(fromLocalInput('not a time')).toBeUndefined();
  });
});

describe('datetime-local to the second', () => {
  it('adds the seconds for inputs with step=1, in local time', () => {
    const ms = new Date(2026, 0, 3, 17, 4, 9).getTime();
    expect(toLocalInput(ms, 'second')).toBe('2026-01-03T17:04:09');
    expect(fromLocalInput(toLocalInput(ms + 420, 'second'))).toBe(ms);
  });
});
