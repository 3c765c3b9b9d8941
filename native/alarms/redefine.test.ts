// Live configuration of alarm definitions (AlarmService.redefine): an unchanged alarm keeps its
// state and acknowledgement, a shelved one stays shelved, a changed limit is judged from the next
// sample without losing the state, a new definition (also on a tag added to the table) fires, and a
// removed one leaves the list and is not brought back by a restart.
import { describe, expect, it } from 'vitest';
import type { AlarmDefinition } from './definition.js';
import { AlarmService } from './service.js';
import { batchOf, Clock, makeTags, tempDb } from './test-kit.js';

const def = (tag: string, type: 'hi' | 'lo', limit: number): AlarmDefinition =>
  ({ tag, type, limit, priority: 'High', direction: 'above', deadband: 0, onDelayS: 0, offDelayS: 0, latch: false }) as AlarmDefinition;

const kit = tempDb();

describe('AlarmService.redefine', () => {
  it('keeps unchanged alarms as they are, applies changed ones, adds new ones and clears removed ones', () => {
    const clock = new Clock();
    const tags = makeTags(['S/A/M/P', 'S/A/M/Q', 'S/A/M/R']);
    const defs = [def('S/A/M/P', 'hi', 10), def('S/A/M/Q', 'hi', 10), def('S/A/M/R', 'hi', 10)];
    const svc = new AlarmService({ db: kit.open(), tags, definitions: defs, now: clock.now });
    svc.evaluate(
      batchOf(
        [
          { id: 0, v: 20 },
          { id: 1, v: 20 },
          { id: 2, v: 20 },
        ],
        clock.t,
      ),
    );
    svc.ack(['S.A.M.P.hi'], 'ana');
    svc.shelve('S.A.M.Q.hi', 30, 'drifting', 'bob');
    const before = svc.row('S.A.M.P.hi');

    // A fourth tag joins the table (a live apply appends it); P unchanged, Q's limit raised, R removed, a lo alarm on the new tag.
    const grown = makeTags(['S/A/M/P', 'S/A/M/Q', 'S/A/M/R', 'S/A/M/New']);
    const counts = svc.redefine([def('S/A/M/P', 'hi', 10), def('S/A/M/Q', 'hi', 50), def('S/A/M/New', 'lo', 5)], grown);
    expect(counts).toEqual({ kept: 1, changed: 1, added: 1, removed: 1 });
    expect(svc.row('S.A.M.P.hi')).toEqual(before);
    expect(svc.row('S.A.M.Q.hi')?.state).toBe('shelved');
    expect(svc.row('S.A.M.R.hi')).toBeNull();
    expect(
      svc
        .list()
        .alarms.map((a) => a.id)
        .sort(),
    ).toEqual(['S.A.M.P.hi', 'S.A.M.Q.hi']);

    clock.advance(1000);
    svc.evaluate(batchOf([{ id: 3, v: 1 }], clock.t));
    expect(svc.row('S.A.M.New.lo')?.state).toBe('unack_active');
    svc.stop();

    // A restart on the same definitions: R does not come back, P keeps its acknowledgement.
    const again = new AlarmService({
      db: kit.open(),
      tags: grown,
      definitions: [def('S/A/M/P', 'hi', 10), def('S/A/M/New', 'lo', 5)],
      now: clock.now,
    });
    expect(again.row('S.A.M.R.hi')).toBeNull();
    expect(again.row('S.A.M.P.hi')?.state).toBe(before?.state);
    again.stop();
    kit.cleanup();
  });
});
