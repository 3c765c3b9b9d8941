// The alarm action forms' checks and the core's refusals as sentences (issue 16: shelving without a
// reason showed the validator's raw output).
import { describe, expect, it } from 'vitest';
import { ApiCallError } from '../../platform/client';
import { checkMinutes, checkReason, refusalText } from './actions';

describe('alarm action checks', () => {
  it('accepts 1 to 1,440 minutes and names what is wrong otherwise', () => {
    expect(checkMinutes(' 30 ')).toEqual({ ok: true, value: 30 });
    expect(checkMinutes('1440')).toEqual({ ok: true, value: 1440 });
    for (const bad of ['0', '1441', 'abc', '-5', '1e3']) {
      const c = checkMinutes(bad);
      expect(c.ok, bad).toBe(false);
      if (!c.ok) expect(c.message).toContain(`“${bad}” is not such a number of minutes`);
    }
    expect(checkMinutes('')).toMatchObject({ ok: false, message: expect.stringMatching(/^Enter for how many minutes/) });
  });

  it('needs a reason of at least 3 characters, trimmed', () => {
    expect(checkReason('  valve work ', 'shelved')).toEqual({ ok: true, value: 'valve work' });
    expect(checkReason(' ab ', 'shelved')).toEqual({
      ok: false,
      message: 'Say why the alarm is shelved, in at least 3 characters: the reason is kept in the alarm journal with your name.',
    });
    expect(checkReason('x'.repeat(501), 'taken out of service')).toMatchObject({ ok: false, message: expect.stringMatching(/^Shorten/) });
  });
});

describe('refusals as sentences', () => {
  it('shows the core’s sentences for a refused argument check, one per field', () => {
    const fields = [
      { path: 'minutes', message: 'the field "minutes" must be greater than 0, but it is 0' },
      { path: 'reason', message: 'the field "reason" is refused: state why the alarm is shelved' },
    ];
    const text = refusalText(
      'Shelving P1 Flow lo',
      new ApiCallError({ type: 'validation', message: fields.map((f) => f.message).join('; '), fields }),
    );
    expect(text).toBe(
      'Shelving P1 Flow lo was refused: The field "minutes" must be greater than 0, but it is 0. The field "reason" is refused: state why the alarm is shelved.',
    );
    // A handler's own refusal (no fields) as a sentence.
    expect(refusalText('Shelving P1', new ApiCallError({ type: 'validation', message: 'the alarm is not shelvable' }))).toBe(
      'Shelving P1 was refused: The alarm is not shelvable.',
    );
  });

  it('says what to do for a lost link and a role that may not', () => {
    expect(refusalText('Shelving P1', new ApiCallError({ type: 'unavailable', message: 'not connected to the console core' }))).toBe(
      'Shelving P1 did not reach the console core: Not connected to the console core. Try again when the link is back.',
    );
    expect(refusalText('Shelving P1', new ApiCallError({ type: 'forbidden', message: 'operate permission needed' }))).toBe(
      'Shelving P1 was refused: your role may not do this (Operate permission needed).',
    );
    expect(refusalText('Shelving P1', new ApiCallError({ type: 'conflict', message: 'alarm "P1" is out of service' }))).toBe(
      'Shelving P1 was refused: Alarm "P1" is out of service.',
    );
  });
});
