// The alarm list as the core reports it: a full list on (re)connection, then changes from the
// `alarms` stream (a row in state "normal" leaves the list). Coarse: changes are events, not samples.
import { createStore, useStore } from 'zustand';
import type { AlarmCounts, AlarmListUpdate, AlarmRow, Priority } from '../../../native/api/alarm-requests';

export interface AlarmState {
  rows: AlarmRow[];
  counts: AlarmCounts | null;
}

export const PRIORITIES: Priority[] = ['Critical', 'High', 'Medium', 'Low'];
const RANK: Record<Priority, number> = { Critical: 0, High: 1, Medium: 2, Low: 3 };
const STATE_RANK: Record<string, number> = { unack_active: 0, unack_rtn: 1, ack_active: 2, shelved: 3, suppressed: 4, out_of_service: 5 };

/** Unacknowledged first, then by priority, then newest first: what needs the operator comes first. */
export function sortAlarms(rows: AlarmRow[]): AlarmRow[] {
  return [...rows].sort(
    (a, b) =>
      (STATE_RANK[a.state] ?? 9) - (STATE_RANK[b.state] ?? 9) ||
      RANK[a.priority] - RANK[b.priority] ||
      (b.activeSince ?? b.changedAt).localeCompare(a.activeSince ?? a.changedAt),
  );
}

export function applyAlarmUpdate(rows: AlarmRow[], update: AlarmListUpdate): AlarmRow[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const r of update.changed) {
    if (r.state === 'normal') byId.delete(r.id);
    else byId.set(r.id, r);
  }
  return sortAlarms([...byId.values()]);
}

export const alarmStore = createStore<AlarmState>(() => ({ rows: [], counts: null }));

export function useAlarms<T>(selector: (s: AlarmState) => T): T {
  return useStore(alarmStore, selector);
}

export const alarmActions = {
  setList(rows: AlarmRow[], counts: AlarmCounts) {
    alarmStore.setState({ rows: sortAlarms(rows), counts });
  },
  apply(update: AlarmListUpdate) {
    alarmStore.setState((s) => ({ rows: applyAlarmUpdate(s.rows, update), counts: update.counts }));
  },
};

export const unacknowledged = (a: AlarmRow): boolean => a.state === 'unack_active' || a.state === 'unack_rtn';

export function countByPriority(rows: readonly AlarmRow[]): Record<Priority, number> {
  const c: Record<Priority, number> = { Critical: 0, High: 0, Medium: 0, Low: 0 };
  for (const r of rows) c[r.priority]++;
  return c;
}

/** "1 Critical, 2 Low": the priorities present, highest first. */
export function describeCounts(c: Record<Priority, number>): string {
  return PRIORITIES.filter((p) => c[p] > 0)
    .map((p) => `${c[p]} ${p}`)
    .join(', ');
}

export interface AlarmSummaryFigures {
  /** Unacknowledged (active or cleared) per priority. */
  unacknowledged: Record<Priority, number>;
  /** Standing: active and acknowledged, still in alarm, per priority. */
  standing: Record<Priority, number>;
  /** The unacknowledged alarm waiting longest, or null. */
  oldest: AlarmRow | null;
}

/**
 * The header's figures from the alarm list. Standing alarms are counted beside the unacknowledged
 * ones: acknowledging an alarm does not make its condition go away, and the header must not read
 * as if the plant were clear while acknowledged alarms are still active.
 */
export function alarmSummary(rows: readonly AlarmRow[]): AlarmSummaryFigures {
  const waiting = rows.filter(unacknowledged);
  let oldest: AlarmRow | null = null;
  for (const r of waiting) {
    if (!oldest || (r.activeSince ?? r.changedAt) < (oldest.activeSince ?? oldest.changedAt)) oldest = r;
  }
  return {
    unacknowledged: countByPriority(waiting),
    standing: countByPriority(rows.filter((r) => r.state === 'ack_active')),
    oldest,
  };
}
