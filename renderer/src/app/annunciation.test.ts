import { describe, expect, it } from 'vitest';
import type { AlarmRow, Priority } from '../../../native/api/alarm-requests';
import { annunciationOf, audibleKeys } from './annunciation';

function row(id: string, priority: Priority, state: AlarmRow['state'], activeSince = '2026-11-22T08:00:00.000Z'): AlarmRow {
  return {
    id,
    tag: `T/${id}`,
    area: 'A',
    machine: 'M',
    type: 'hi',
    priority,
    state,
    message: '',
    value: 1,
    limit: 0,
    unit: '',
    condition: state.endsWith('active'),
    latched: false,
    activeSince,
    ackedAt: null,
    ackedBy: null,
    shelvedUntil: null,
    maskReason: '',
    changedAt: activeSince,
  };
}

describe('audible annunciation', () => {
  it('sounds only for active, unacknowledged Critical and High alarms', () => {
    const rows = [
      row('c', 'Critical', 'unack_active'),
      row('h', 'High', 'ack_active'),
      row('m', 'Medium', 'unack_active'),
      row('h2', 'High', 'unack_rtn'),
      row('h3', 'High', 'shelved'),
    ];
    expect(audibleKeys(rows)).toEqual(['c@2026-11-22T08:00:00.000Z']);
    expect(annunciationOf(audibleKeys(rows), new Set(), true)).toBe('sounding');
    expect(annunciationOf(audibleKeys(rows.slice(1)), new Set(), true)).toBe('quiet');
  });

  it('stays silenced for the silenced alarms and sounds again for a new one or a new activation', () => {
    const first = audibleKeys([row('c', 'Critical', 'unack_active')]);
    const silenced = new Set(first);
    expect(annunciationOf(first, silenced, true)).toBe('silenced');
    const another = audibleKeys([row('c', 'Critical', 'unack_active'), row('h', 'High', 'unack_active')]);
    expect(annunciationOf(another, silenced, true)).toBe('sounding');
    const again = audibleKeys([row('c', 'Critical', 'unack_active', '2026-11-22T08:05:00.000Z')]);
    expect(annunciationOf(again, silenced, true)).toBe('sounding');
  });

  it('is off when switched off, whatever is active', () => {
    expect(annunciationOf(audibleKeys([row('c', 'Critical', 'unack_active')]), new Set(), false)).toBe('off');
  });
});
