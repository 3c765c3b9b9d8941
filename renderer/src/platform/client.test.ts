import { describe, expect, it } from 'vitest';
import { ApiCallError, errorText } from './client';

const failed = (type: ApiCallError['error']['type'], message: string) => new ApiCallError({ type, message });

describe('error messages for people', () => {
  it('rewords the core’s argument check as sentences naming each field, never validator output', () => {
    const shelve =
      '✖ Invalid input: expected string, received undefined\n  → at reason\n✖ Too big: expected number to be <=480\n  → at minutes';
    expect(errorText(failed('validation', shelve))).toBe(
      'Check the entry: the field “reason” is required; the field “minutes” must be at most 480.',
    );
    expect(errorText(failed('validation', '✖ Too small: expected string to have >=1 characters\n  → at reason'))).toBe(
      'Check the entry: the field “reason” must not be empty.',
    );
    expect(errorText(failed('validation', '✖ Invalid input: expected number, received string\n  → at changes.writeMin'))).toBe(
      'Check the entry: the field “changes.writeMin” must be a number, not text.',
    );
    expect(errorText(failed('validation', '✖ Invalid option: expected one of "viewer"|"admin"\n  → at role'))).toBe(
      'Check the entry: the field “role” must be one of "viewer", "admin".',
    );
    expect(errorText(failed('validation', '✖ Unrecognized key: "colour"'))).toBe(
      'Check the entry: "colour" is not a field this request takes.',
    );
    // A schema's own words are kept, with the field named.
    expect(errorText(failed('validation', '✖ letters, digits and . _ @ - only\n  → at user'))).toBe(
      'Check the entry: the field “user” is refused: letters, digits and . _ @ - only.',
    );
    // A sentence the core wrote for people stays as it is, capitalised and ended.
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
