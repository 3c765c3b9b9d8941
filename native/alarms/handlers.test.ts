// The handlers as a transport calls them: arguments parsed by the request schemas, the services'
// errors turned into API errors.
import { afterEach, describe, expect, it } from 'vitest';
import { alarmRequests } from '../api/alarm-requests.js';
import type { CallContext } from '../api/contract.js';
import { ApiFailure } from '../api/registry.js';
import { MaintenanceLog } from '../maintenance/log.js';
import { alarmDefinitionSchema } from './definition.js';
import { alarmHandlers } from './handlers.js';
import { AlarmService } from './service.js';
import { batchOf, Clock, makeTags, tempDb } from './test-kit.js';

const ctx: CallContext = { user: 'ana', role: 'operator', origin: 'http' };
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function setup() {
  const tmp = tempDb();
  cleanups.push(tmp.cleanup);
  const clock = new Clock();
  const db = tmp.open();
  const svc = new AlarmService({
    db,
    tags: makeTags(['Demo/PS/P1/Pressure']),
    definitions: [alarmDefinitionSchema.parse({ tag: 'Demo/PS/P1/Pressure', type: 'hi', limit: 10, priority: 'High' })],
    now: clock.now,
  });
  svc.evaluate(batchOf([{ id: 0, v: 12 }], clock.t));
  return { h: alarmHandlers(svc, new MaintenanceLog({ db, alarms: svc, now: clock.now })), clock, db };
}

describe('alarm handlers', () => {
  it('list, ack with comment, shelve and the journal by time range', async () => {
    const { h, clock } = setup();
    const list = await h['alarms.list'](alarmRequests['alarms.list'].parse(undefined), ctx);
    expect(list.alarms[0]).toMatchObject({
      id: 'Demo.PS.P1.Pressure.hi',
      tag: 'Demo/PS/P1/Pressure',
      priority: 'High',
      state: 'unack_active',
    });
    expect(list.alarms[0]?.activeSince).toBe(new Date(clock.t).toISOString());
    const acked = await h['alarms.ack'](alarmRequests['alarms.ack'].parse({ ids: ['Demo.PS.P1.Pressure.hi'], comment: 'seen' }), ctx);
    expect(acked.acknowledged).toEqual(['Demo.PS.P1.Pressure.hi']);
    const row = await h['alarms.shelve'](
      alarmRequests['alarms.shelve'].parse({ id: 'Demo.PS.P1.Pressure.hi', minutes: 15, reason: 'valve work' }),
      ctx,
    );
    expect(row.state).toBe('shelved');
    const journal = await h['alarms.journal'](
      alarmRequests['alarms.journal'].parse({ from: new Date(clock.t - 1000).toISOString(), to: new Date(clock.t + 1000).toISOString() }),
      ctx,
    );
    expect(journal.map((e) => [e.kind, e.user])).toEqual([
      ['activate', null],
      ['ack', 'ana'],
      ['shelve', 'ana'],
    ]);
    const csv = await h['alarms.export'](alarmRequests['alarms.export'].parse(undefined), ctx);
    expect(csv.contentType).toMatch(/^text\/csv/);
    expect(csv.body.split('\r\n')).toHaveLength(5);
  });

  it('refuses journal and event exports over 100,000 rows before writing them, with a sentence', async () => {
    const { h, db, clock } = setup();
    const journal = db.prepare(
      `INSERT INTO alarm_journal (ts, alarm_id, tag, area, kind, state, value, alarm_limit, priority, user, comment, message, until, one_shot)
       VALUES (?, 'x', 'T/x', 'PS', 'activate', 'unack_active', 1, 0, 'High', NULL, '', '', NULL, 0)`,
    );
    const events = db.prepare(
      `INSERT INTO operational_events (machine, kind, at, recorded_at, user, what, parts, downtime_min, resets_baseline, alarm_id)
       VALUES ('Demo/PS/P1', 'shift_note', ?, ?, NULL, 'note', '[]', 0, 0, NULL)`,
    );
    db.transaction(() => {
      for (let i = 0; i < 100_000; i++) {
        journal.run(clock.t - i * 1000);
        events.run(clock.t - i * 1000, clock.t);
      }
    })();
    // 100,001 journal entries (one from setup): one too many.
    // The handlers refuse synchronously, as the registry calls them (inside its own try).
    const settled = async <T>(f: () => T | Promise<T>) => f();
    await expect(settled(() => h['alarms.export'](alarmRequests['alarms.export'].parse(undefined), ctx))).rejects.toMatchObject({
      type: 'validation',
      message: 'the journal holds more than 100,000 entries in this range, the limit of rows for alarms.export; narrow the range or filter',
    });
    expect(
      (await h['alarms.export'](alarmRequests['alarms.export'].parse({ from: clock.t - 3_600_000, to: clock.t + 1000 }), ctx)).body.split(
        '\r\n',
      ).length,
    ).toBeGreaterThan(3600);
    expect((await h['events.export'](alarmRequests['events.export'].parse(undefined), ctx)).body.split('\r\n')).toHaveLength(100_002);
    // Formatted 2,000 events per step, the event loop given back between steps.
    const steps = new MaintenanceLog({ db, now: clock.now }).exportCsvSteps();
    let yields = 0;
    while (!steps.next().done) yields++;
    expect(yields).toBe(50);
    events.run(clock.t, clock.t);
    await expect(settled(() => h['events.export'](alarmRequests['events.export'].parse(undefined), ctx))).rejects.toMatchObject({
      type: 'validation',
      message: '100,001 rows exceeds the limit of 100,000 rows for events.export; narrow the range or filter by machine or kind',
    });
  });

  it('maps unknown alarms to not_found and impossible actions to conflict', async () => {
    const { h } = setup();
    await expect(h['alarms.ack'](alarmRequests['alarms.ack'].parse({ ids: ['nope'] }), ctx)).rejects.toMatchObject({ type: 'not_found' });
    await expect(h['alarms.unshelve']({ id: 'Demo.PS.P1.Pressure.hi' }, ctx)).rejects.toBeInstanceOf(ApiFailure);
    await expect(h['alarms.unshelve']({ id: 'Demo.PS.P1.Pressure.hi' }, ctx)).rejects.toMatchObject({ type: 'conflict' });
    await expect(
      h['maintenance.request'](alarmRequests['maintenance.request'].parse({ alarmId: 'nope', description: 'x' }), ctx),
    ).rejects.toMatchObject({ type: 'validation' });
  });

  it('validates arguments at the boundary', () => {
    expect(alarmRequests['alarms.shelve'].safeParse({ id: 'a', minutes: 10, reason: '' }).success).toBe(false);
    expect(alarmRequests['alarms.shelve'].safeParse({ id: 'a', minutes: 24 * 60 + 1, reason: 'long' }).success).toBe(false);
    expect(alarmRequests['maintenance.request'].safeParse({ description: 'no machine' }).success).toBe(false);
  });

  it('records operational events with the caller as author and exports them', async () => {
    const { h } = setup();
    const e = await h['events.record'](
      alarmRequests['events.record'].parse({ machine: 'Demo/PS/P1', kind: 'failure', what: 'Seal blew', downtimeMin: 30 }),
      ctx,
    );
    expect(e).toMatchObject({ user: 'ana', kind: 'failure', downtimeMin: 30 });
    const file = await h['events.export'](alarmRequests['events.export'].parse(undefined), ctx);
    expect(file.body).toContain('Seal blew');
    const requests = await h['events.export'](alarmRequests['events.export'].parse({ of: 'requests' }), ctx);
    expect(requests.filename).toBe('maintenance-requests.csv');
  });
});
