// Journal entries back into state-machine events: replaying an alarm's journal from the initial
// state must give the state the service holds (the journal is the record of truth; the state
// table is a cache of its fold, kept so a restart needs no full replay).

import { type AlarmEvent, type AlarmState, INITIAL_STATE, reduce } from './state.js';
import type { DbJournalRow } from './store.js';

export function eventOf(r: DbJournalRow): AlarmEvent {
  const user = r.user ?? 'system';
  switch (r.kind) {
    case 'activate':
    case 'clear':
      return { kind: r.kind, ts: r.ts, value: r.value };
    case 'ack':
      return { kind: 'ack', ts: r.ts, user, comment: r.comment };
    case 'shelve':
      return { kind: 'shelve', ts: r.ts, user, until: r.until ?? r.ts, oneShot: r.one_shot === 1, reason: r.comment };
    case 'unshelve':
      return { kind: 'unshelve', ts: r.ts, user };
    case 'suppress':
    case 'unsuppress':
      return { kind: r.kind, ts: r.ts };
    case 'out_of_service':
      return { kind: 'out_of_service', ts: r.ts, user, reason: r.comment };
    case 'return_to_service':
      return { kind: 'return_to_service', ts: r.ts, user };
  }
}

export function replay(rows: Iterable<DbJournalRow>, latch: boolean): AlarmState {
  let s = INITIAL_STATE;
  for (const r of rows) s = reduce(s, eventOf(r), latch);
  return s;
}
