import { describe, expect, it } from 'vitest';
import { alarmDefinitionSchema } from '../alarms/index.js';
import { testTag } from '../tags/test-tag.js';
import { withAlarmLimits } from './alarm-limits.js';

const tags = [
  testTag(0, 'S/A/Pump101/BearingTemp'),
  testTag(1, 'S/A/Pump102/BearingTemp'),
  testTag(2, 'S/A/Pump101/Flow'),
  testTag(3, 'S/A/Pump101/Running', { dataType: 'bool' }),
];
const defs = [
  { tag: 'S/A/Pump*/BearingTemp', type: 'hi', limit: 70, priority: 'High' },
  { tag: 'S/A/Pump*/BearingTemp', type: 'hihi', limit: 85, priority: 'Critical' },
  { tag: 'S/A/Pump101/Flow', type: 'lo', limit: 5, priority: 'Medium' },
  { tag: 'S/A/Pump101/Flow', type: 'roc', limit: 2, priority: 'Low' },
  { tag: 'S/A/Pump101/Running', type: 'discrete', limit: false, priority: 'Low' },
].map((d) => alarmDefinitionSchema.parse(d));

describe('alarm limits on the tag table', () => {
  it('gives each tag the hihi/hi/lo/lolo limits its definitions set, wildcards expanded, and nothing else', () => {
    const out = withAlarmLimits(tags, defs);
    expect(out[0]?.alarmLimits).toEqual([
      { type: 'hi', limit: 70, priority: 'High' },
      { type: 'hihi', limit: 85, priority: 'Critical' },
    ]);
    expect(out[1]?.alarmLimits).toHaveLength(2);
    expect(out[2]?.alarmLimits).toEqual([{ type: 'lo', limit: 5, priority: 'Medium' }]);
    expect(out[3]).not.toHaveProperty('alarmLimits');
  });

  it('leaves the table without limits when a definition does not compile (the alarm capability names it)', () => {
    const broken = [alarmDefinitionSchema.parse({ tag: 'S/A/Nope/X', type: 'hi', limit: 1, priority: 'Low' })];
    expect(withAlarmLimits(tags, broken).some((t) => t.alarmLimits)).toBe(false);
  });
});
