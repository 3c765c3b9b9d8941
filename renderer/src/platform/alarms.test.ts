import { describe, expect, it } from 'vitest';
import type { AlarmCounts, AlarmRow } from '../../../native/api/alarm-requests';
import { alarmSummary, applyAlarmUpdate, describeCounts, sortAlarms } from './alarms';
import { predictionActions, predictionStore } from './predictions';

const row = (id: string, over: Partial<AlarmRow>): AlarmRow => ({
  id,
  tag: `S/A/M/${id}`,
  area: 'A',
  machine: 'S/A/M',
  type: 'hi',
  priority: 'Medium',
  state: 'unack_active',
  message: id,
  value: 1,
  limit: 0,
  unit: '',
  condition: true,
  latched: false,
  activeSince: '2026-01-01T00:00:00.000Z',
  ackedAt: null,
  ackedBy: null,
  shelvedUntil: null,
  maskReason: '',
  changedAt: '2026-01-01T00:00:00.000Z',
  ...over,
});
const counts = {} as AlarmCounts;

describe('alarm list', () => {
  it('puts unacknowledged first, then higher priority, then newer', () => {
    const sorted = sortAlarms([
      row('acked-critical', { state: 'ack_active', priority: 'Critical' }),
      row('low-new', { priority: 'Low', activeSince: '2026-01-01T00:05:00.000Z' }),
      row('high-old', { priority: 'High' }),
      row('high-new', { priority: 'High', activeSince: '2026-01-01T00:03:00.000Z' }),
      row('rtn', { state: 'unack_rtn', priority: 'Critical' }),
    ]);
    expect(sorted.map((r) => r.id)).toEqual(['high-new', 'high-old', 'low-new', 'rtn', 'acked-critical']);
  });

  it('replaces changed rows and drops those back to normal', () => {
    const rows = [row('a', {}), row('b', {})];
    const next = applyAlarmUpdate(rows, {
      changed: [row('a', { state: 'ack_active' }), row('b', { state: 'normal' }), row('c', {})],
      counts,
    });
    expect(next.map((r) => [r.id, r.state])).toEqual([
      ['c', 'unack_active'],
      ['a', 'ack_active'],
    ]);
  });
});

describe('alarm summary', () => {
  it('counts standing (active, acknowledged) alarms beside the unacknowledged and names the oldest waiting', () => {
    const s = alarmSummary([
      row('p1', { state: 'ack_active', priority: 'Critical' }),
      row('p2', { state: 'ack_active', priority: 'High' }),
      row('p3a', { state: 'ack_active', priority: 'Medium' }),
      row('p3b', { state: 'ack_active', priority: 'Medium' }),
      row('new', { priority: 'Low', activeSince: '2026-01-01T00:05:00.000Z' }),
      row('old', { state: 'unack_rtn', priority: 'Low', activeSince: '2026-01-01T00:01:00.000Z' }),
      row('shelved', { state: 'shelved', priority: 'Critical', activeSince: null }),
    ]);
    expect(s.standing).toEqual({ Critical: 1, High: 1, Medium: 2, Low: 0 });
    expect(s.unacknowledged).toEqual({ Critical: 0, High: 0, Medium: 0, Low: 2 });
    expect(s.oldest?.id).toBe('old');
    expect(describeCounts(s.standing)).toBe('1 Critical, 1 High, 2 Medium');
  });

  it('has no oldest when everything is acknowledged', () => {
    expect(alarmSummary([row('a', { state: 'ack_active' })]).oldest).toBeNull();
  });
});

describe('predictions', () => {
  it('keeps the latest prediction per machine', () => {
    predictionActions.setAll([{ machine: 'M1', model: null, prediction: null, reason: null }]);
    predictionActions.apply({ machine: 'M2', anomalyScore: 0.4, threshold: 1.5, health: 91, contributors: [], model: 'm@1', timestamp: 1 });
    const s = predictionStore.getState().byMachine;
    expect(Object.keys(s).sort()).toEqual(['M1', 'M2']);
    expect(s.M2?.prediction?.health).toBe(91);
  });
});
