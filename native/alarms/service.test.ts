import { afterEach, describe, expect, it } from 'vitest';
import type { AlarmListUpdate } from '../api/alarm-requests.js';
import { TagBus } from '../tags/bus.js';
import { AlarmConfigError, type AlarmDefinitionInput, alarmDefinitionSchema } from './definition.js';
import { AlarmNotFoundError, AlarmService, AlarmStateError } from './service.js';
import { batchOf, Clock, makeTags, type Sample, tempDb } from './test-kit.js';

const TAGS = makeTags([
  'Demo/PS/P1/Pressure',
  'Demo/PS/P1/Running',
  'Demo/PS/P1/Flow',
  'Demo/PS/P1/Setpoint',
  'Demo/PS/P1/Tripped',
  'Demo/PS/P2/Pressure',
  'Demo/PS/P1/AnomalyScore',
  'Demo/PS/P1/RUL',
]);
const [PRESSURE, RUNNING, FLOW, SETPOINT, TRIPPED, P2_PRESSURE, SCORE, RUL] = [0, 1, 2, 3, 4, 5, 6, 7];
const P1_HI = 'Demo.PS.P1.Pressure.hi';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function setup(defs: AlarmDefinitionInput[], clock = new Clock()) {
  const tmp = tempDb();
  cleanups.push(tmp.cleanup);
  const definitions = defs.map((d) => alarmDefinitionSchema.parse(d));
  const updates: AlarmListUpdate[] = [];
  const open = () => new AlarmService({ db: tmp.open(), tags: TAGS, definitions, now: clock.now, onChange: (u) => updates.push(u) });
  const svc = open();
  const feed = (samples: Sample[]) => svc.evaluate(batchOf(samples, clock.t));
  return { svc, clock, feed, open, updates };
}

const stateOf = (svc: AlarmService, id: string) => svc.row(id)?.state;

describe('limit alarms', () => {
  it('activates above the limit and clears only past the deadband', () => {
    const { svc, feed } = setup([{ tag: 'Demo/PS/P1/Pressure', type: 'hi', limit: 10, deadband: 0.5, priority: 'High' }]);
    feed([{ id: PRESSURE, v: 9.9 }]);
    expect(stateOf(svc, P1_HI)).toBe('normal');
    feed([{ id: PRESSURE, v: 10.2 }]);
    expect(stateOf(svc, P1_HI)).toBe('unack_active');
    feed([{ id: PRESSURE, v: 9.7 }]);
    expect(stateOf(svc, P1_HI)).toBe('unack_active');
    feed([{ id: PRESSURE, v: 9.5 }]);
    expect(stateOf(svc, P1_HI)).toBe('unack_rtn');
    expect(svc.journal().map((e) => e.kind)).toEqual(['activate', 'clear']);
    expect(svc.journal()[0]).toMatchObject({ value: 10.2, limit: 10, priority: 'High', tag: 'Demo/PS/P1/Pressure', user: null });
  });

  it('low limits use the deadband upwards, and the message carries value, unit and limit', () => {
    const { svc, feed } = setup([
      {
        tag: 'Demo/PS/P1/Pressure',
        type: 'lolo',
        limit: 2,
        deadband: 1,
        priority: 'Critical',
        message: 'P1 suction {value} {unit} < {limit}',
      },
    ]);
    feed([{ id: PRESSURE, v: 1.5 }]);
    const row = svc.row('Demo.PS.P1.Pressure.lolo');
    expect(row).toMatchObject({ state: 'unack_active', message: 'P1 suction 1.5 bar < 2', priority: 'Critical' });
    feed([{ id: PRESSURE, v: 2.9 }]);
    expect(row && stateOf(svc, row.id)).toBe('unack_active');
    feed([{ id: PRESSURE, v: 3 }]);
    expect(stateOf(svc, 'Demo.PS.P1.Pressure.lolo')).toBe('unack_rtn');
  });

  it('ignores Bad-quality samples instead of judging them', () => {
    const { svc, feed } = setup([{ tag: 'Demo/PS/P1/Pressure', type: 'hi', limit: 10, priority: 'High' }]);
    feed([{ id: PRESSURE, v: 50, q: 2 }]);
    expect(stateOf(svc, P1_HI)).toBe('normal');
    feed([{ id: PRESSURE, v: 50, q: 1 }]);
    expect(stateOf(svc, P1_HI)).toBe('unack_active');
  });

  it('one wildcard definition covers every instance of a template', () => {
    const { svc, feed } = setup([{ tag: 'Demo/PS/*/Pressure', type: 'hi', limit: 10, priority: 'Low' }]);
    expect(svc.ids().sort()).toEqual(['Demo.PS.P1.Pressure.hi', 'Demo.PS.P2.Pressure.hi']);
    feed([{ id: P2_PRESSURE, v: 11 }]);
    expect(svc.list().alarms.map((a) => a.id)).toEqual(['Demo.PS.P2.Pressure.hi']);
    expect(svc.list().alarms[0]).toMatchObject({ machine: 'Demo/PS/P2', area: 'PS' });
  });
});

describe('on- and off-delays (controllable clock)', () => {
  it('activates only after the condition held for onDelayS; a shorter spike never annunciates', () => {
    const { svc, feed, clock } = setup([{ tag: 'Demo/PS/P1/Pressure', type: 'hi', limit: 10, onDelayS: 5, priority: 'High' }]);
    feed([{ id: PRESSURE, v: 12 }]);
    clock.advance(3000);
    svc.tick();
    expect(stateOf(svc, P1_HI)).toBe('normal');
    feed([{ id: PRESSURE, v: 8 }]);
    clock.advance(10_000);
    svc.tick();
    expect(stateOf(svc, P1_HI)).toBe('normal');

    feed([{ id: PRESSURE, v: 12 }]);
    clock.advance(4999);
    svc.tick();
    expect(stateOf(svc, P1_HI)).toBe('normal');
    clock.advance(1);
    svc.tick();
    expect(stateOf(svc, P1_HI)).toBe('unack_active');
    expect(svc.row(P1_HI)?.activeSince).toBe(new Date(clock.t).toISOString());
  });

  it('an on-delay restarts when the value dips below the limit, even inside the deadband', () => {
    const { svc, feed, clock } = setup([{ tag: 'Demo/PS/P1/Pressure', type: 'hi', limit: 10, deadband: 1, onDelayS: 5, priority: 'High' }]);
    feed([{ id: PRESSURE, v: 10.5 }]);
    clock.advance(4000);
    feed([{ id: PRESSURE, v: 9.8 }]);
    clock.advance(1000);
    feed([{ id: PRESSURE, v: 10.5 }]);
    clock.advance(4000);
    svc.tick();
    expect(stateOf(svc, P1_HI)).toBe('normal');
    clock.advance(1000);
    svc.tick();
    expect(svc.row(P1_HI)).toMatchObject({ state: 'unack_active', value: 10.5 });
    feed([{ id: PRESSURE, v: 9.8 }]);
    expect(stateOf(svc, P1_HI)).toBe('unack_active');
  });

  it('clears only after the condition was gone for offDelayS', () => {
    const { svc, feed, clock } = setup([{ tag: 'Demo/PS/P1/Pressure', type: 'hi', limit: 10, offDelayS: 10, priority: 'High' }]);
    feed([{ id: PRESSURE, v: 12 }]);
    clock.advance(1000);
    feed([{ id: PRESSURE, v: 9 }]);
    clock.advance(5000);
    feed([{ id: PRESSURE, v: 11 }]);
    feed([{ id: PRESSURE, v: 9 }]);
    clock.advance(9000);
    svc.tick();
    expect(stateOf(svc, P1_HI)).toBe('unack_active');
    clock.advance(1000);
    svc.tick();
    expect(stateOf(svc, P1_HI)).toBe('unack_rtn');
    expect(svc.journal().map((e) => e.kind)).toEqual(['activate', 'clear']);
  });
});

describe('other alarm types', () => {
  it('suppresses a stopped pump’s low-flow alarm by design and annunciates it when the pump runs', () => {
    const { svc, feed } = setup([
      { tag: 'Demo/PS/P1/Flow', type: 'lo', limit: 50, priority: 'Medium', suppressWhen: { tag: 'Running', equals: false } },
    ]);
    const id = 'Demo.PS.P1.Flow.lo';
    feed([
      { id: RUNNING, v: 0 },
      { id: FLOW, v: 0 },
    ]);
    expect(stateOf(svc, id)).toBe('suppressed');
    expect(svc.list(['unack_active']).alarms).toHaveLength(0);
    expect(svc.list(['suppressed']).alarms).toHaveLength(1);
    feed([{ id: RUNNING, v: 1 }]);
    expect(stateOf(svc, id)).toBe('unack_active');
    feed([{ id: FLOW, v: 80 }]);
    feed([{ id: RUNNING, v: 0 }]);
    expect(stateOf(svc, id)).toBe('suppressed');
    expect(svc.journal().map((e) => e.kind)).toEqual(['suppress', 'activate', 'unsuppress', 'clear', 'suppress']);
  });

  // Issue 16: Pump102's low-flow alarm fired the moment the pump restarted, without its on-delay:
  // the condition had been established while the stopped pump was suppressed, and lifting the
  // suppression annunciated it at once, before the flow had had its 10 s to come up.
  it('honours the on-delay after state-based suppression ends (a restarting pump gets its on-delay)', () => {
    const { svc, feed, clock } = setup([
      { tag: 'Demo/PS/P1/Flow', type: 'lo', limit: 80, onDelayS: 10, priority: 'Low', suppressWhen: { tag: 'Running', equals: false } },
    ]);
    const id = 'Demo.PS.P1.Flow.lo';
    feed([
      { id: RUNNING, v: 1 },
      { id: FLOW, v: 100 },
    ]);
    feed([
      { id: RUNNING, v: 0 },
      { id: FLOW, v: 0 },
    ]);
    clock.advance(30_000);
    svc.tick();
    expect(stateOf(svc, id)).toBe('suppressed');
    expect(svc.stateOf(id).condition).toBe(true);

    // Restart: the flow is still low when Running turns true.
    feed([
      { id: RUNNING, v: 1 },
      { id: FLOW, v: 20 },
    ]);
    expect(stateOf(svc, id)).toBe('normal');
    clock.advance(9_999);
    feed([{ id: FLOW, v: 40 }]);
    svc.tick();
    expect(stateOf(svc, id)).toBe('normal');
    // Still low 10 s after the restart: now it is a real alarm, active since the delay ran out.
    clock.advance(1);
    svc.tick();
    expect(svc.row(id)).toMatchObject({ state: 'unack_active', activeSince: new Date(clock.t).toISOString() });
    expect(svc.replayJournal(id)).toEqual(svc.stateOf(id));
  });

  it('a restarting pump whose flow comes up within the on-delay never annunciates', () => {
    const { svc, feed, clock } = setup([
      { tag: 'Demo/PS/P1/Flow', type: 'lo', limit: 80, onDelayS: 10, priority: 'Low', suppressWhen: { tag: 'Running', equals: false } },
    ]);
    const id = 'Demo.PS.P1.Flow.lo';
    feed([
      { id: RUNNING, v: 0 },
      { id: FLOW, v: 0 },
    ]);
    clock.advance(30_000);
    svc.tick();
    feed([
      { id: RUNNING, v: 1 },
      { id: FLOW, v: 10 },
    ]);
    clock.advance(6_000);
    feed([{ id: FLOW, v: 95 }]);
    clock.advance(60_000);
    svc.tick();
    expect(stateOf(svc, id)).toBe('normal');
    expect(svc.journal({ kinds: ['activate'] }).filter((e) => e.state === 'unack_active')).toEqual([]);
    expect(svc.replayJournal(id)).toEqual(svc.stateOf(id));
  });

  // Issue 16: the journal showed "Flow low: NaN m³/h": the suppress entry of an alarm that had never
  // activated carried the message rendered with no value at all.
  it('never journals NaN: an alarm suppressed before it ever activated has a message without a value', () => {
    const { svc, feed } = setup([
      { tag: 'Demo/PS/P1/Flow', type: 'lo', limit: 80, onDelayS: 10, priority: 'Low', suppressWhen: { tag: 'Running', equals: false } },
    ]);
    feed([{ id: RUNNING, v: 0 }]);
    const [entry] = svc.journal();
    expect(entry?.kind).toBe('suppress');
    expect(entry?.message).not.toMatch(/NaN/);
    expect(entry?.message).toBe('Demo/PS/P1/Flow low (limit 80 bar)');
    expect(svc.row('Demo.PS.P1.Flow.lo')?.message).not.toMatch(/NaN/);
  });

  // Issue 16: an alarm's value read 29.226919174194336; the message shows it at the tag's decimals.
  it('writes value and limit in the message at the tag’s decimals, never 17 significant digits', () => {
    const tmp = tempDb();
    cleanups.push(tmp.cleanup);
    const tags = makeTags(['Demo/PS/P1/Flow'], 'm³/h').map((t) => ({ ...t, decimals: 1 }));
    const definitions = [alarmDefinitionSchema.parse({ tag: 'Demo/PS/P1/Flow', type: 'lo', limit: 80, priority: 'Low' })];
    const svc = new AlarmService({ db: tmp.open(), tags, definitions, now: new Clock().now });
    svc.evaluate(batchOf([{ id: 0, v: 29.226919174194336 }]));
    expect(svc.row('Demo.PS.P1.Flow.lo')?.message).toBe('Demo/PS/P1/Flow low: 29.2 m³/h (limit 80 m³/h)');
    expect(svc.journal()[0]?.message).toBe('Demo/PS/P1/Flow low: 29.2 m³/h (limit 80 m³/h)');
  });

  it('deviation from a setpoint tag follows both the value and the setpoint', () => {
    const { svc, feed } = setup([{ tag: 'Demo/PS/P1/Pressure', type: 'deviation', setpointTag: 'Setpoint', limit: 3, priority: 'Medium' }]);
    const id = 'Demo.PS.P1.Pressure.deviation';
    feed([
      { id: SETPOINT, v: 50 },
      { id: PRESSURE, v: 54 },
    ]);
    expect(svc.row(id)).toMatchObject({ state: 'unack_active', value: 4 });
    feed([{ id: SETPOINT, v: 53 }]);
    expect(stateOf(svc, id)).toBe('unack_rtn');
  });

  it('rate of change uses the source timestamps', () => {
    const { svc, feed } = setup([{ tag: 'Demo/PS/P1/Pressure', type: 'roc', limit: 2, priority: 'Low' }]);
    const id = 'Demo.PS.P1.Pressure.roc';
    feed([{ id: PRESSURE, v: 10, ts: 0 }]);
    feed([{ id: PRESSURE, v: 13, ts: 2000 }]);
    expect(stateOf(svc, id)).toBe('normal');
    feed([{ id: PRESSURE, v: 16, ts: 3000 }]);
    expect(svc.row(id)).toMatchObject({ state: 'unack_active', value: 3 });
    feed([{ id: PRESSURE, v: 16.5, ts: 4000 }]);
    expect(stateOf(svc, id)).toBe('unack_rtn');
  });

  it('discrete trip, bad quality and latch', () => {
    const { svc, feed } = setup([
      { tag: 'Demo/PS/P1/Tripped', type: 'discrete', limit: true, priority: 'Critical', latch: true },
      { tag: 'Demo/PS/P1/Pressure', type: 'bad_quality', priority: 'Medium' },
    ]);
    feed([
      { id: TRIPPED, v: 1 },
      { id: PRESSURE, v: Number.NaN, q: 2 },
    ]);
    expect(stateOf(svc, 'Demo.PS.P1.Tripped.discrete')).toBe('unack_active');
    expect(stateOf(svc, 'Demo.PS.P1.Pressure.bad_quality')).toBe('unack_active');
    feed([
      { id: TRIPPED, v: 0 },
      { id: PRESSURE, v: 3 },
    ]);
    expect(stateOf(svc, 'Demo.PS.P1.Tripped.discrete')).toBe('unack_active');
    expect(stateOf(svc, 'Demo.PS.P1.Pressure.bad_quality')).toBe('unack_rtn');
    svc.ack(['Demo.PS.P1.Tripped.discrete'], 'ana');
    expect(stateOf(svc, 'Demo.PS.P1.Tripped.discrete')).toBe('normal');
  });

  it('a latched trip that trips again is listed with the re-trip’s own "active since", unacknowledged', () => {
    const id = 'Demo.PS.P1.Tripped.discrete';
    const { svc, feed, clock } = setup([{ tag: 'Demo/PS/P1/Tripped', type: 'discrete', limit: true, priority: 'Critical', latch: true }]);
    feed([{ id: TRIPPED, v: 1 }]);
    const first = svc.row(id)?.activeSince;
    svc.ack([id], 'ana');
    clock.advance(60_000);
    feed([{ id: TRIPPED, v: 0 }]);
    expect(stateOf(svc, id)).toBe('ack_active');
    clock.advance(60_000);
    feed([{ id: TRIPPED, v: 1 }]);
    expect(svc.row(id)).toMatchObject({ state: 'unack_active', activeSince: new Date(clock.t).toISOString(), ackedBy: null });
    expect(svc.row(id)?.activeSince).not.toBe(first);
  });

  it('model alarms are ordinary alarms on the derived tags inference publishes', () => {
    const { svc, feed } = setup([
      { tag: 'Demo/PS/*/AnomalyScore', type: 'model', limit: 0.8, priority: 'High' },
      { tag: 'Demo/PS/*/RUL', type: 'model', direction: 'below', limit: 50, priority: 'Medium' },
    ]);
    feed([
      { id: SCORE, v: 0.9 },
      { id: RUL, v: 60 },
    ]);
    expect(stateOf(svc, 'Demo.PS.P1.AnomalyScore.model')).toBe('unack_active');
    expect(stateOf(svc, 'Demo.PS.P1.RUL.model')).toBe('normal');
    feed([{ id: RUL, v: 40 }]);
    expect(stateOf(svc, 'Demo.PS.P1.RUL.model')).toBe('unack_active');
  });

  it('the real tag bus feeds the service through onBatch', async () => {
    const { svc } = setup([{ tag: 'Demo/PS/P1/Pressure', type: 'hi', limit: 10, priority: 'High' }]);
    const bus = new TagBus(TAGS);
    bus.onBatch((b) => svc.evaluate(b));
    bus.update(PRESSURE, 5, 0, 1);
    bus.update(PRESSURE, 15, 0, 2);
    await new Promise((r) => setImmediate(r));
    expect(stateOf(svc, P1_HI)).toBe('unack_active');
  });
});

describe('operator actions and the journal', () => {
  const def: AlarmDefinitionInput = { tag: 'Demo/PS/P1/Pressure', type: 'hi', limit: 10, priority: 'High' };

  it('journals acks, shelving and out-of-service with user, comment and reason', () => {
    const { svc, feed, clock } = setup([def]);
    feed([{ id: PRESSURE, v: 12 }]);
    expect(svc.ack([P1_HI], 'ana', 'checking relief valve')).toEqual({ acknowledged: [P1_HI], unchanged: [] });
    expect(svc.ack([P1_HI], 'ana')).toEqual({ acknowledged: [], unchanged: [P1_HI] });
    const shelved = svc.shelve(P1_HI, 30, 'transmitter drifting', 'bob');
    expect(shelved).toMatchObject({
      state: 'shelved',
      maskReason: 'transmitter drifting',
      shelvedUntil: new Date(clock.t + 1_800_000).toISOString(),
    });
    svc.unshelve(P1_HI, 'bob');
    expect(stateOf(svc, P1_HI)).toBe('unack_active');
    svc.outOfService(P1_HI, 'eve', 'instrument removed');
    expect(() => svc.shelve(P1_HI, 10, 'x', 'bob')).toThrow(AlarmStateError);
    svc.returnToService(P1_HI, 'eve');
    const j = svc.journal();
    expect(j.map((e) => [e.kind, e.user, e.comment, e.state])).toEqual([
      ['activate', null, '', 'unack_active'],
      ['ack', 'ana', 'checking relief valve', 'ack_active'],
      ['shelve', 'bob', 'transmitter drifting', 'shelved'],
      ['unshelve', 'bob', '', 'unack_active'],
      ['out_of_service', 'eve', 'instrument removed', 'out_of_service'],
      ['return_to_service', 'eve', '', 'unack_active'],
    ]);
    expect(svc.journal({ kinds: ['ack'], user: 'ana' })).toHaveLength(1);
    expect(svc.journal({ tag: 'Demo/PS/P1/' })).toHaveLength(6);
    expect(svc.journal({ tag: 'Demo/PS/P2/' })).toHaveLength(0);
    expect(svc.journal({ limit: 2, offset: 4 }).map((e) => e.kind)).toEqual(['out_of_service', 'return_to_service']);
  });

  // Issue 16: a shelved row lost its "Active since" and showed neither who shelved it nor why.
  it('a shelved row keeps its active since and shows who shelved it, why and until when; a restart keeps them', () => {
    const { svc, feed, clock, open } = setup([def]);
    feed([{ id: PRESSURE, v: 12 }]);
    const since = new Date(clock.t).toISOString();
    clock.advance(60_000);
    const shelved = svc.shelve(P1_HI, 30, 'transmitter drifting', 'bob');
    expect(shelved).toMatchObject({
      state: 'shelved',
      activeSince: since,
      maskedBy: 'bob',
      maskReason: 'transmitter drifting',
      shelvedUntil: new Date(clock.t + 1_800_000).toISOString(),
    });
    expect(open().row(P1_HI)).toMatchObject({ activeSince: since, maskedBy: 'bob', maskReason: 'transmitter drifting' });
    // Out of service by an engineer: who and why, then back in service with nothing masked.
    expect(svc.outOfService(P1_HI, 'eve', 'instrument removed')).toMatchObject({
      state: 'out_of_service',
      activeSince: since,
      maskedBy: 'eve',
      maskReason: 'instrument removed',
      shelvedUntil: null,
    });
    expect(svc.returnToService(P1_HI, 'eve')).toMatchObject({ state: 'unack_active', maskedBy: null, maskReason: '' });
  });

  it('takes every alarm of a tag out of service at once (an instrument removed), and returns them together', () => {
    const { svc, feed } = setup([
      { tag: 'Demo/PS/P1/Pressure', type: 'hi', limit: 10, priority: 'High' },
      { tag: 'Demo/PS/P1/Pressure', type: 'hihi', limit: 20, priority: 'Critical' },
      { tag: 'Demo/PS/P1/Pressure', type: 'bad_quality', priority: 'Low' },
      { tag: 'Demo/PS/P2/Pressure', type: 'hi', limit: 10, priority: 'High' },
    ]);
    feed([{ id: PRESSURE, v: 12 }]);
    expect(svc.outOfService(P1_HI, 'eve', 'transmitter removed', true)).toMatchObject({ state: 'out_of_service', maskedBy: 'eve' });
    const oos = svc.list(['out_of_service']).alarms.map((a) => a.id);
    expect(oos.sort()).toEqual(['Demo.PS.P1.Pressure.bad_quality', 'Demo.PS.P1.Pressure.hi', 'Demo.PS.P1.Pressure.hihi']);
    expect(stateOf(svc, 'Demo.PS.P2.Pressure.hi')).toBe('normal');
    expect(() => svc.outOfService('Demo.PS.P1.Pressure.hihi', 'eve', 'again', true)).toThrow(/every alarm on tag "Demo\/PS\/P1\/Pressure"/);
    svc.returnToService('Demo.PS.P1.Pressure.hihi', 'eve', true);
    expect(svc.list(['out_of_service']).alarms).toEqual([]);
    expect(stateOf(svc, P1_HI)).toBe('unack_active');
    expect(svc.journal({ kinds: ['out_of_service', 'return_to_service'] })).toHaveLength(6);
    expect(() => svc.returnToService(P1_HI, 'eve', true)).toThrow(AlarmStateError);
  });

  it('shelving expires on the clock', () => {
    const { svc, feed, clock } = setup([def]);
    feed([{ id: PRESSURE, v: 12 }]);
    svc.shelve(P1_HI, 10, 'nuisance during startup', 'bob');
    clock.advance(599_999);
    svc.tick();
    expect(stateOf(svc, P1_HI)).toBe('shelved');
    clock.advance(1);
    svc.tick();
    expect(stateOf(svc, P1_HI)).toBe('unack_active');
    expect(svc.journal().at(-1)).toMatchObject({ kind: 'unshelve', user: 'system' });
  });

  it('refuses unknown alarms and actions the state does not allow', () => {
    const { svc } = setup([def]);
    expect(() => svc.ack(['nope'], 'ana')).toThrow(AlarmNotFoundError);
    expect(() => svc.unshelve(P1_HI, 'ana')).toThrow(AlarmStateError);
    expect(() => svc.returnToService(P1_HI, 'ana')).toThrow(AlarmStateError);
  });

  it('exports the journal as CSV with user text defused', () => {
    const { svc, feed } = setup([def]);
    feed([{ id: PRESSURE, v: 12 }]);
    svc.ack([P1_HI], 'ana', '=HYPERLINK("x")');
    const lines = svc.exportJournalCsv().trim().split('\r\n');
    expect(lines[0]).toBe('seq,time,alarm,tag,area,event,state,value,limit,priority,user,comment,message,until');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain(`"'=HYPERLINK(""x"")"`);
  });

  it('streams a compact update per batch with banner counts', () => {
    const { feed, updates, svc } = setup([def, { tag: 'Demo/PS/P2/Pressure', type: 'hi', limit: 10, priority: 'Critical' }]);
    feed([
      { id: PRESSURE, v: 12 },
      { id: P2_PRESSURE, v: 12 },
    ]);
    expect(updates).toHaveLength(1);
    expect(updates[0]?.changed.map((r) => r.id).sort()).toEqual([P1_HI, 'Demo.PS.P2.Pressure.hi']);
    expect(updates[0]?.counts.unacknowledged).toEqual({ Critical: 1, High: 1, Medium: 0, Low: 0 });
    feed([{ id: PRESSURE, v: 12.5 }]);
    expect(updates).toHaveLength(1);
    svc.ack([P1_HI], 'ana');
    expect(updates[1]?.changed).toMatchObject([{ id: P1_HI, state: 'ack_active' }]);
    expect(updates[1]?.counts.active).toEqual({ Critical: 1, High: 1, Medium: 0, Low: 0 });
    expect(svc.list().alarms.map((a) => a.priority)).toEqual(['Critical', 'High']);
  });

  it('system alarms are raised, survive a restart and are acknowledged like others', () => {
    const { svc, open } = setup([def]);
    const row = svc.raiseSystemAlarm('historian', 'historian disk full', 'Critical');
    expect(row).toMatchObject({ id: 'system.historian', type: 'system', state: 'unack_active', message: 'historian disk full' });
    svc.clearSystemAlarm('historian');
    const again = open();
    expect(again.row('system.historian')).toMatchObject({ state: 'unack_rtn', priority: 'Critical' });
    again.ack(['system.historian'], 'ana');
    expect(again.row('system.historian')?.state).toBe('normal');
  });

  it('names the definition that points at a missing tag', () => {
    expect(() => setup([{ tag: 'Demo/PS/P9/Pressure', type: 'hi', limit: 1, priority: 'Low' }])).toThrow(AlarmConfigError);
    expect(() =>
      setup([{ tag: 'Demo/PS/P1/Flow', type: 'lo', limit: 1, priority: 'Low', suppressWhen: { tag: 'Nope', equals: 0 } }]),
    ).toThrow(/suppressWhen.tag "Demo\/PS\/P1\/Nope"/);
    expect(() => alarmDefinitionSchema.parse({ tag: 'x', type: 'deviation', limit: 2, priority: 'Low' })).toThrow(/setpointTag/);
  });
});

describe('restart', () => {
  it('an alarm latched under the old definition can still be reset after the latch is removed', () => {
    const tmp = tempDb();
    cleanups.push(tmp.cleanup);
    const clock = new Clock();
    const open = (latch: boolean) =>
      new AlarmService({
        db: tmp.open(),
        tags: TAGS,
        definitions: [
          alarmDefinitionSchema.parse({ tag: 'Demo/PS/P1/Tripped', type: 'discrete', limit: true, priority: 'Critical', latch }),
        ],
        now: clock.now,
      });
    const id = 'Demo.PS.P1.Tripped.discrete';
    const before = open(true);
    before.evaluate(batchOf([{ id: TRIPPED, v: 1 }], clock.t));
    before.ack([id], 'ana');
    before.evaluate(batchOf([{ id: TRIPPED, v: 0 }], clock.t));
    expect(before.row(id)?.state).toBe('ack_active');
    const after = open(false);
    expect(after.ack([id], 'ana').acknowledged).toEqual([id]);
    expect(after.row(id)?.state).toBe('normal');
  });

  it('restores active states and acknowledgements exactly', () => {
    const defs: AlarmDefinitionInput[] = [
      { tag: 'Demo/PS/P1/Pressure', type: 'hi', limit: 10, priority: 'High' },
      { tag: 'Demo/PS/P2/Pressure', type: 'hi', limit: 10, priority: 'Low' },
      { tag: 'Demo/PS/P1/Flow', type: 'lo', limit: 50, priority: 'Medium' },
    ];
    const { svc, feed, open, clock } = setup(defs);
    feed([
      { id: PRESSURE, v: 12 },
      { id: P2_PRESSURE, v: 12 },
      { id: FLOW, v: 10 },
    ]);
    svc.ack([P1_HI], 'ana', 'seen');
    svc.shelve('Demo.PS.P1.Flow.lo', 60, 'maintenance on the flowmeter', 'bob');
    const before = svc.list();
    const after = open();
    expect(after.list()).toEqual(before);
    for (const id of after.ids()) expect(after.stateOf(id)).toEqual(svc.stateOf(id));
    // The restored state keeps working: the acknowledged alarm clears to normal, not to unack_rtn.
    after.evaluate(batchOf([{ id: PRESSURE, v: 5 }], clock.t));
    expect(after.row(P1_HI)?.state).toBe('normal');
    after.evaluate(batchOf([{ id: P2_PRESSURE, v: 5 }], clock.t));
    expect(after.row('Demo.PS.P2.Pressure.hi')?.state).toBe('unack_rtn');
  });
});
