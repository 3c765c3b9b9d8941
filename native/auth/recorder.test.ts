import { afterEach, describe, expect, it } from 'vitest';
import type { CallContext } from '../api/contract.js';
import type { ApiResult } from '../api/types.js';
import { auditedCall, redact } from './recorder.js';
import { type Fixture, fixture } from './test-support.js';

let f: Fixture;
afterEach(() => f?.dispose());
const operator: CallContext = { user: 'ana', role: 'operator', origin: 'ipc' };

describe('audit recorder around the core call', () => {
  it('records actions with old value, arguments and outcome; leaves reads alone', async () => {
    f = fixture();
    let speed = 40;
    const inner = async (name: string, args: unknown): Promise<ApiResult<unknown>> => {
      if (name === 'tags.write') {
        speed = (args as { value: number }).value;
        return { data: { ok: true, readBack: speed } };
      }
      if (name === 'alarms.ack') return { error: { type: 'conflict', message: 'already acknowledged' } };
      if (name === 'auth.users.create') return { error: { type: 'forbidden', message: 'no' } };
      return { data: [] };
    };
    const call = auditedCall(inner, f.audit, { 'tags.write': () => ({ details: { old: speed } }) });
    await call('tags.write', { tag: 'Site/A/P1/Speed', value: 55, confirmed: true }, operator);
    await call('tags.snapshot', {}, operator);
    await call('alarms.ack', { alarm: 'P1_HighTemp' }, operator);
    await call('auth.users.create', { user: 'x', password: 'pw-pw-pw-pw' }, operator);
    await call('auth.users.list', {}, { ...operator, role: 'admin' });

    const [denied, failed, write] = f.audit.query();
    expect(f.audit.query()).toHaveLength(3);
    expect(write).toMatchObject({ action: 'tags.write', actor: 'ana', target: 'Site/A/P1/Speed', result: 'ok' });
    expect(write?.details).toMatchObject({ old: 40, args: { value: 55 }, result: { readBack: 55 } });
    expect(failed).toMatchObject({
      action: 'alarms.ack',
      target: 'P1_HighTemp',
      result: 'failed',
      details: { error: 'already acknowledged' },
    });
    expect(denied).toMatchObject({ action: 'auth.users.create', result: 'denied', details: { args: { password: '(redacted)' } } });
  });

  it('names the alarms an acknowledgement acted on, and keeps an entry small whatever the caller sent', async () => {
    f = fixture();
    const inner = async (name: string, args: unknown): Promise<ApiResult<unknown>> =>
      name === 'tags.write'
        ? { error: { type: 'not_found', message: `no tag named ${(args as { tag: string }).tag}` } }
        : { data: { acknowledged: 2 } };
    const call = auditedCall(inner, f.audit);
    await call('alarms.ack', { ids: ['P1_HighTemp', 'P2_LowFlow'], comment: 'seen' }, operator);
    expect(f.audit.query()[0]).toMatchObject({ action: 'alarms.ack', target: 'P1_HighTemp, P2_LowFlow', result: 'ok' });

    const huge = `Site/${'x'.repeat(3_900_000)}`;
    await call('tags.write', { tag: huge, value: 1, confirmed: true }, operator);
    const [entry] = f.audit.query();
    expect(entry?.target.length).toBeLessThanOrEqual(1024);
    expect(entry?.target).toMatch(/^Site\/x+…\(truncated, 3900005 characters\)$/);
    expect(JSON.stringify(entry?.details).length).toBeLessThan(20_000);
    expect(entry?.details.truncated).toMatch(/characters/);
    expect(f.audit.verify()).toMatchObject({ ok: true, entries: 2 });
  });

  it('redacts secret-looking fields at any depth', () => {
    expect(redact({ a: 1, password: 'x', nested: [{ apiKey: 'k', token: 't', keep: 'v' }], key: 'k2', monkey: 'ok' })).toEqual({
      a: 1,
      password: '(redacted)',
      nested: [{ apiKey: '(redacted)', token: '(redacted)', keep: 'v' }],
      key: '(redacted)',
      monkey: 'ok',
    });
  });
});
