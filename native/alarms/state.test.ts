import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AlarmEvent, type AlarmState, displayState, INITIAL_STATE, invalidReason, reduce } from './state.js';

const act = (ts = 1, value = 10): AlarmEvent => ({ kind: 'activate', ts, value });
const clr = (ts = 2, value = 1): AlarmEvent => ({ kind: 'clear', ts, value });
const ack = (ts = 3): AlarmEvent => ({ kind: 'ack', ts, user: 'ana', comment: '' });
const shelve = (until = 1000, oneShot = false): AlarmEvent => ({
  kind: 'shelve',
  ts: 4,
  user: 'ana',
  until,
  oneShot,
  reason: 'sensor work',
});
const unshelve: AlarmEvent = { kind: 'unshelve', ts: 5, user: 'ana' };
const sup: AlarmEvent = { kind: 'suppress', ts: 6 };
const unsup: AlarmEvent = { kind: 'unsuppress', ts: 7 };
const oos: AlarmEvent = { kind: 'out_of_service', ts: 8, user: 'eng', reason: 'transmitter replaced' };
const rts: AlarmEvent = { kind: 'return_to_service', ts: 9, user: 'eng' };

function run(events: readonly AlarmEvent[], latch = false): AlarmState {
  let s = INITIAL_STATE;
  for (const e of events) {
    s = reduce(s, e, latch);
    expect(invalidReason(s, latch)).toBeNull();
  }
  return s;
}
const stateAfter = (events: readonly AlarmEvent[], latch = false) => displayState(run(events, latch));

describe('ISA-18.2 transitions', () => {
  it.each<[string, AlarmEvent[], string]>([
    ['normal → unack_active on activation', [act()], 'unack_active'],
    ['unack_active → ack_active on ack', [act(), ack()], 'ack_active'],
    ['unack_active → unack_rtn on return to normal', [act(), clr()], 'unack_rtn'],
    ['ack_active → normal on return to normal', [act(), ack(), clr()], 'normal'],
    ['unack_rtn → normal on ack', [act(), clr(), ack()], 'normal'],
    ['unack_rtn → unack_active on re-activation', [act(), clr(), act(5)], 'unack_active'],
    ['normal → shelved', [shelve()], 'shelved'],
    ['unack_active → shelved', [act(), shelve()], 'shelved'],
    ['shelved → unack_active on unshelve while the condition is present', [act(), shelve(), unshelve], 'unack_active'],
    ['shelved → normal on unshelve after the condition cleared', [act(), shelve(), clr(), unshelve], 'normal'],
    ['one-shot shelved → normal when the condition clears', [act(), shelve(1000, true), clr()], 'normal'],
    ['timed shelving survives the condition clearing', [act(), shelve(), clr()], 'shelved'],
    ['unack_active → suppressed by design', [act(), sup], 'suppressed'],
    ['suppressed → unack_active when released with the condition present', [sup, act(), unsup], 'unack_active'],
    ['suppressed → normal when released without the condition', [act(), sup, clr(), unsup], 'normal'],
    ['any → out_of_service', [act(), ack(), oos], 'out_of_service'],
    ['out_of_service → unack_active on return with the condition present', [act(), oos, rts], 'unack_active'],
    ['out_of_service → normal on return without the condition', [oos, rts], 'normal'],
    ['out of service ends shelving', [shelve(), oos, rts], 'normal'],
    ['shelving while out of service is refused', [oos, shelve()], 'out_of_service'],
    ['out of service outranks suppression', [sup, oos], 'out_of_service'],
    ['shelving outranks suppression', [sup, shelve()], 'shelved'],
    ['lifting suppression keeps a shelved alarm shelved', [act(), shelve(), sup, unsup], 'shelved'],
  ])('%s', (_name, events, expected) => {
    expect(stateAfter(events)).toBe(expected);
  });

  it('ack of a masked alarm changes nothing', () => {
    const shelved = run([act(), shelve()]);
    expect(reduce(shelved, ack(), false)).toBe(shelved);
  });

  it('repeated events are no-ops (the service journals only real transitions)', () => {
    const active = run([act()]);
    expect(reduce(active, act(9), false)).toBe(active);
    const acked = run([act(), ack()]);
    expect(reduce(acked, ack(9), false)).toBe(acked);
    expect(reduce(INITIAL_STATE, clr(), false)).toBe(INITIAL_STATE);
    expect(reduce(INITIAL_STATE, unshelve, false)).toBe(INITIAL_STATE);
  });

  it('records when the activation began and who acknowledged it', () => {
    const s = run([act(100), ack(200)]);
    expect(s).toMatchObject({ activeSince: 100, ackedAt: 200, ackedBy: 'ana', value: 10 });
    expect(run([act(100), clr(150), act(300)]).activeSince).toBe(300);
    expect(run([act(100), ack(200), clr(300)]).activeSince).toBeNull();
  });
});

describe('latched alarms', () => {
  it('stay unack_active after the condition clears until acknowledged', () => {
    expect(stateAfter([act(), clr()], true)).toBe('unack_active');
    expect(stateAfter([act(), clr(), ack()], true)).toBe('normal');
  });
  it('stay ack_active after the condition clears until acknowledged again (reset)', () => {
    expect(stateAfter([act(), ack(), clr()], true)).toBe('ack_active');
    expect(stateAfter([act(), ack(), clr(), ack(10)], true)).toBe('normal');
  });
  it('start a new activation on a re-trip after the condition cleared, acknowledged or not', () => {
    const unacked = run([act(100), clr(150), act(300)], true);
    expect(unacked).toMatchObject({ base: 'unack_active', activeSince: 300 });
    const acked = run([act(100), ack(200), clr(250), act(300)], true);
    expect(acked).toMatchObject({ base: 'unack_active', activeSince: 300, ackedAt: null, ackedBy: null });
  });
  it('cannot be reset while the condition is present', () => {
    const s = run([act(), ack()], true);
    expect(reduce(s, ack(10), true)).toBe(s);
  });
});

const eventArb: fc.Arbitrary<AlarmEvent> = fc.oneof(
  fc.record({ kind: fc.constant('activate' as const), ts: fc.nat(1e6), value: fc.double({ noNaN: true }) }),
  fc.record({ kind: fc.constant('clear' as const), ts: fc.nat(1e6), value: fc.double({ noNaN: true }) }),
  fc.record({ kind: fc.constant('ack' as const), ts: fc.nat(1e6), user: fc.constant('u'), comment: fc.constant('') }),
  fc.record({
    kind: fc.constant('shelve' as const),
    ts: fc.nat(1e6),
    user: fc.constant('u'),
    until: fc.nat(2e6),
    oneShot: fc.boolean(),
    reason: fc.constant('r'),
  }),
  fc.record({ kind: fc.constant('unshelve' as const), ts: fc.nat(1e6), user: fc.constant('u') }),
  fc.record({ kind: fc.constant('suppress' as const), ts: fc.nat(1e6) }),
  fc.record({ kind: fc.constant('unsuppress' as const), ts: fc.nat(1e6) }),
  fc.record({ kind: fc.constant('out_of_service' as const), ts: fc.nat(1e6), user: fc.constant('u'), reason: fc.constant('r') }),
  fc.record({ kind: fc.constant('return_to_service' as const), ts: fc.nat(1e6), user: fc.constant('u') }),
);

describe('state machine properties', () => {
  it('no sequence of events reaches an invalid state', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 60 }), fc.boolean(), (events, latch) => {
        let s = INITIAL_STATE;
        for (const e of events) {
          s = reduce(s, e, latch);
          const why = invalidReason(s, latch);
          if (why) throw new Error(`${why} after ${e.kind}`);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('the condition flag always follows the last activation or clear', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 60 }), (events) => {
        const last = events.filter((e) => e.kind === 'activate' || e.kind === 'clear').at(-1);
        expect(run(events).condition).toBe(last?.kind === 'activate');
      }),
      { numRuns: 300 },
    );
  });
});
