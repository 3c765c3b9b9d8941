import { describe, expect, it } from 'vitest';
import { ApiCallError, errorText } from './client';

const failed = (type: ApiCallError['error']['type'], message: string) => new ApiCallError({ type, message });

describe('error messages for people', () => {
  it('shows the core’s argument check as it words it, one sentence per field, and never parses it', () => {
    const reason = { path: 'reason', message: 'the field "reason" is required and must be text' };
    const minutes = { path: 'minutes', message: 'the field "minutes" must be at most 1440, but it is 1441' };
    const refused = (fields: { path: string; message: string }[]) =>
      new ApiCallError({ type: 'validation', message: fields.map((f) => f.message).join('; '), fields });
    expect(errorText(refused([reason, minutes]))).toBe(
      'Check the entry: the field "reason" is required and must be text; the field "minutes" must be at most 1440, but it is 1441.',
    );
    expect(errorText(refused([{ path: 'colour', message: 'unknown field "colour": did you mean color?' }]))).toBe(
      'Check the entry: unknown field "colour": did you mean color?',
    );
    // A refusal a handler wrote for people (no fields) stays as it is, capitalised and ended.
    expect(errorText(failed('validation', 'password refused: at least 10 characters'))).toBe('Password refused: at least 10 characters.');
  });

  it('says what happened and what to do when the link is down, and makes every message a sentence', () => {
    expect(errorText(failed('unavailable', 'not connected to the console core'))).toMatch(/^Not connected .*nothing was sent; try again/);
    expect(errorText(failed('unavailable', 'connection to the console core lost'))).toMatch(/check the result once the link is back\.$/);
    expect(errorText(failed('unauthenticated', 'wrong user name or password'))).toBe('Wrong user name or password.');
    expect(errorText(new Error('write refused (out of range)'))).toBe('Write refused (out of range)');
    expect(errorText('plain')).toBe('Plain.');
    expect(errorText(failed('forbidden', 'Refused.'))).toBe('Refused.');
  });
});
