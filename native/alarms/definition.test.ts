// A refused `alarms:` section is answered in the core's sentences, each naming its field
// (util/describe.ts), never in zod's own wording.
import { describe, expect, it } from 'vitest';
import { VALIDATOR_WORDING } from '../util/validator-wording.js';
import { AlarmConfigError, parseDefinitions } from './definition.js';

function refusal(section: unknown[]): string {
  try {
    parseDefinitions(section);
  } catch (err) {
    if (err instanceof AlarmConfigError) return err.message;
    throw err;
  }
  throw new Error('expected the alarms section to be refused');
}

describe('parseDefinitions refused', () => {
  it('names each field of each definition in a sentence, with a likely intended value', () => {
    const message = refusal([
      { tag: 'Demo/PS/P1/Pressure', type: 'hi', limit: 1, priority: 'Low' },
      { tag: 'Demo/PS/P1/Flow', type: 'lo', limit: 'low', priority: 'Hgh' },
    ]);
    expect(message.split('; ')).toEqual([
      'alarms[1].limit: must be a number or true/false, but it is the text "low"',
      'alarms[1].priority: must be one of "Critical", "High", "Medium", "Low", but it is the text "Hgh": did you mean High?',
    ]);
    expect(message).not.toMatch(VALIDATOR_WORDING);
  });

  it('says an unknown field with the one likely meant', () => {
    const message = refusal([{ tag: 'Demo/PS/P1/Pressure', type: 'hi', limit: 1, priority: 'Low', onDelay: 5 }]);
    expect(message).toMatch(/^alarms\[0\]\.onDelay: unknown field "onDelay": did you mean onDelayS\?$/);
    expect(message).not.toMatch(VALIDATOR_WORDING);
  });
});
