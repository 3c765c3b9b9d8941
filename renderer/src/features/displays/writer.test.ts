// A machine's alarm marker shows the highest priority of that machine's shown alarms and whether one
// waits for acknowledgement; the symbol registry covers every kind a document may hold.
import { describe, expect, it } from 'vitest';
import type { AlarmRow } from '../../../../native/api/alarm-requests';
import { actsOn, SYMBOL_LIST, SYMBOLS } from './symbols';
import { machineAlarmState } from './writer';

const row = (machine: string, priority: AlarmRow['priority'], state: AlarmRow['state']): AlarmRow =>
  ({ id: `${machine}-${priority}-${state}`, machine, priority, state }) as AlarmRow;

describe('machine alarm markers', () => {
  it('the highest priority of the shown alarms; shelved, suppressed and out-of-service ones are not shown', () => {
    const rows = [
      row('S/A/P1', 'Low', 'ack_active'),
      row('S/A/P1', 'High', 'unack_rtn'),
      row('S/A/P1', 'Critical', 'shelved'),
      row('S/A/P1', 'Critical', 'out_of_service'),
      row('S/A/P2', 'Critical', 'unack_active'),
    ];
    expect(machineAlarmState(rows, 'S/A/P1')).toEqual({ priority: 'High', count: 2, unacked: true });
    expect(machineAlarmState([row('S/A/P1', 'Medium', 'ack_active')], 'S/A/P1')).toEqual({ priority: 'Medium', count: 1, unacked: false });
    expect(machineAlarmState(rows, 'S/A/P9')).toEqual({ priority: null, count: 0, unacked: false });
  });
});

describe('the symbol registry', () => {
  it('lists each kind once, under its own key, with a title', () => {
    expect(new Set(SYMBOL_LIST.map((s) => s.kind)).size).toBe(SYMBOL_LIST.length);
    for (const s of SYMBOL_LIST) {
      expect(SYMBOLS[s.kind], s.kind).toBe(s);
      expect(s.title.length, s.kind).toBeGreaterThan(0);
    }
  });

  it('equipment acts (opens its faceplate) only when it names a machine; navigation always acts; a value box never', () => {
    const el = (kind: keyof typeof SYMBOLS, props: Record<string, string> = {}) => ({
      id: 'x',
      kind,
      x: 0,
      y: 0,
      w: 1,
      h: 1,
      bind: {},
      props,
    });
    expect(actsOn(el('pump'))).toBe(false);
    expect(actsOn(el('pump', { machine: 'S/A/P1' }))).toBe(true);
    expect(actsOn(el('button', { display: 'a' }))).toBe(true);
    expect(actsOn(el('value', { machine: 'S/A/P1' }))).toBe(false);
  });
});
