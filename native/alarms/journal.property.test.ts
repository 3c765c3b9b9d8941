// Random sequences of process values and operator actions, through the real service and SQLite:
// no alarm ever reaches an invalid state, replaying the journal reproduces every alarm's state,
// and a restart on the same file restores it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alarmDefinitionSchema } from './definition.js';
import { AlarmService, AlarmStateError } from './service.js';
import { invalidReason } from './state.js';
import { batchOf, Clock, makeTags, tempDb } from './test-kit.js';

const TAGS = makeTags(['Demo/PS/P1/Pressure', 'Demo/PS/P1/Running']);
const [PRESSURE, RUNNING] = [0, 1];

type Action =
  | { t: 'value'; v: number; bad: boolean }
  | { t: 'running'; on: boolean }
  | { t: 'ack'; which: number }
  | { t: 'shelve'; which: number; minutes: number; oneShot: boolean }
  | { t: 'unshelve'; which: number }
  | { t: 'oos'; which: number }
  | { t: 'rts'; which: number }
  | { t: 'advance'; ms: number };

const which = fc.nat(2);
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ t: fc.constant('value' as const), v: fc.double({ min: 0, max: 20, noNaN: true }), bad: fc.boolean() }),
  },
  fc.record({ t: fc.constant('running' as const), on: fc.boolean() }),
  fc.record({ t: fc.constant('ack' as const), which }),
  fc.record({ t: fc.constant('shelve' as const), which, minutes: fc.integer({ min: 1, max: 5 }), oneShot: fc.boolean() }),
  fc.record({ t: fc.constant('unshelve' as const), which }),
  fc.record({ t: fc.constant('oos' as const), which }),
  fc.record({ t: fc.constant('rts' as const), which }),
  { weight: 2, arbitrary: fc.record({ t: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 400_000 }) }) },
);

function definitions(latch: boolean) {
  return [
    {
      tag: 'Demo/PS/P1/Pressure',
      type: 'hi',
      limit: 10,
      deadband: 1,
      onDelayS: 2,
      offDelayS: 1,
      priority: 'High',
      latch,
      suppressWhen: { tag: 'Running', equals: 0 },
    },
    { tag: 'Demo/PS/P1/Pressure', type: 'lo', limit: 5, priority: 'Medium', latch: !latch },
    { tag: 'Demo/PS/P1/Pressure', type: 'bad_quality', priority: 'Low' },
  ].map((d) => alarmDefinitionSchema.parse(d));
}

function perform(svc: AlarmService, clock: Clock, ids: string[], a: Action): void {
  const id = ids[a.t === 'value' || a.t === 'running' || a.t === 'advance' ? 0 : a.which] as string;
  try {
    switch (a.t) {
      case 'value':
        svc.evaluate(batchOf([{ id: PRESSURE, v: a.bad ? Number.NaN : a.v, q: a.bad ? 2 : 0 }], clock.t));
        return;
      case 'running':
        svc.evaluate(batchOf([{ id: RUNNING, v: a.on ? 1 : 0 }], clock.t));
        return;
      case 'ack':
        svc.ack([id], 'op');
        return;
      case 'shelve':
        svc.shelve(id, a.minutes, 'test', 'op', a.oneShot);
        return;
      case 'unshelve':
        svc.unshelve(id, 'op');
        return;
      case 'oos':
        svc.outOfService(id, 'eng', 'test');
        return;
      case 'rts':
        svc.returnToService(id, 'eng');
        return;
      case 'advance':
        clock.advance(a.ms);
        svc.tick();
    }
  } catch (err) {
    if (!(err instanceof AlarmStateError)) throw err;
  }
}

describe('alarm service under random values and actions', () => {
  it('never reaches an invalid state; the journal replays to the state; a restart restores it', () => {
    fc.assert(
      fc.property(fc.array(actionArb, { minLength: 1, maxLength: 40 }), fc.boolean(), (actions, latch) => {
        const tmp = tempDb();
        try {
          const clock = new Clock();
          const defs = definitions(latch);
          const svc = new AlarmService({ db: tmp.open(), tags: TAGS, definitions: defs, now: clock.now });
          const ids = svc.ids();
          const latchOf = new Map(ids.map((id, i) => [id, defs[i]?.latch ?? false]));
          for (const a of actions) {
            perform(svc, clock, ids, a);
            for (const id of ids) {
              const why = invalidReason(svc.stateOf(id), latchOf.get(id) ?? false);
              if (why) throw new Error(`${id}: ${why} after ${JSON.stringify(a)}`);
            }
          }
          const reopened = new AlarmService({ db: tmp.open(), tags: TAGS, definitions: defs, now: clock.now });
          for (const id of ids) {
            expect(svc.replayJournal(id)).toEqual(svc.stateOf(id));
            expect(reopened.stateOf(id)).toEqual(svc.stateOf(id));
          }
          expect(reopened.list()).toEqual(svc.list());
        } finally {
          tmp.cleanup();
        }
      }),
      { numRuns: 60 },
    );
  });
});
