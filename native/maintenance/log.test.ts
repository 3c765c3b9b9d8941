import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { alarmDefinitionSchema } from '../alarms/definition.js';
import { AlarmService } from '../alarms/service.js';
import { batchOf, Clock, makeTags, tempDb } from '../alarms/test-kit.js';
import type { OperationalEvent } from '../api/alarm-requests.js';
import { maintenanceConfigSchema } from './config.js';
import { MaintenanceError, MaintenanceLog } from './log.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const MACHINES = ['Demo/PS/P1', 'Demo/PS/P2'];

function setup(config = maintenanceConfigSchema.parse({})) {
  const tmp = tempDb();
  cleanups.push(tmp.cleanup);
  const clock = new Clock();
  const db = tmp.open();
  const tags = makeTags(['Demo/PS/P1/BearingTemp']);
  const alarms = new AlarmService({
    db,
    tags,
    definitions: [alarmDefinitionSchema.parse({ tag: 'Demo/PS/P1/BearingTemp', type: 'hi', limit: 80, priority: 'High' })],
    now: clock.now,
  });
  const recorded: OperationalEvent[] = [];
  const log = new MaintenanceLog({
    db,
    config,
    site: 'Demo',
    machines: MACHINES,
    alarms,
    now: clock.now,
    onEvent: (e) => recorded.push(e),
  });
  return { log, alarms, clock, recorded, open: () => new MaintenanceLog({ db: tmp.open(), machines: MACHINES }) };
}

interface Received {
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

async function receiver(status: number): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cmms`, received };
}

describe('operational events', () => {
  it('records who, when, what, parts and downtime per machine, survives reopening, and filters', () => {
    const { log, clock, recorded, open } = setup();
    const at = clock.t - 3_600_000;
    const e = log.record(
      {
        machine: 'Demo/PS/P1',
        kind: 'repair',
        at,
        what: 'Replaced DE bearing',
        parts: ['SKF 6310-2Z'],
        downtimeMin: 95,
        resetsBaseline: true,
      },
      'mike',
    );
    expect(e).toMatchObject({
      machine: 'Demo/PS/P1',
      kind: 'repair',
      user: 'mike',
      parts: ['SKF 6310-2Z'],
      downtimeMin: 95,
      resetsBaseline: true,
    });
    expect(e.at).toBe(new Date(at).toISOString());
    expect(recorded).toEqual([e]);
    log.record({ machine: 'Demo/PS/P2', kind: 'shift_note', what: 'Noisy coupling' }, 'ana');
    log.record({ machine: 'Demo/PS/P1', kind: 'calibration', what: 'Flowmeter zeroed' }, 'ana');

    const again = open();
    expect(again.list().map((x) => x.kind)).toEqual(['repair', 'shift_note', 'calibration']);
    expect(again.list({ machine: 'Demo/PS/P1' }).map((x) => x.kind)).toEqual(['repair', 'calibration']);
    expect(again.list({ kinds: ['shift_note'] })).toHaveLength(1);
    expect(again.list({ from: clock.t })).toHaveLength(2);
  });

  it('refuses unknown machines', () => {
    const { log } = setup();
    expect(() => log.record({ machine: 'Demo/PS/P9', kind: 'failure', what: 'x' }, 'ana')).toThrow(MaintenanceError);
  });

  it('exports CSV', () => {
    const { log } = setup();
    log.record({ machine: 'Demo/PS/P1', kind: 'maintenance', what: 'Greased, "as planned"', parts: ['grease', 'seal'] }, 'mike');
    const lines = log.exportCsv().trim().split('\r\n');
    expect(lines[0]).toBe('id,machine,kind,at,recorded_at,user,what,parts,downtime_min,resets_baseline,alarm');
    expect(lines[1]).toContain('"Greased, ""as planned""",grease; seal,0,false,');
  });
});

describe('maintenance requests', () => {
  it('takes the machine from the alarm it is raised from, and stays open without a webhook', async () => {
    const { log, alarms, clock } = setup();
    alarms.evaluate(batchOf([{ id: 0, v: 91 }], clock.t));
    const r = await log.request({ alarmId: 'Demo.PS.P1.BearingTemp.hi', description: 'Bearing running hot', priority: 'High' }, 'ana');
    expect(r).toMatchObject({ machine: 'Demo/PS/P1', source: 'alarm', alarmId: 'Demo.PS.P1.BearingTemp.hi', status: 'open', user: 'ana' });
    await expect(log.request({ alarmId: 'nope', description: 'x', priority: 'Low' }, 'ana')).rejects.toThrow(MaintenanceError);
    expect(log.requests()).toHaveLength(1);
  });

  it('posts to the configured webhook and records the outcome', async () => {
    const ok = await receiver(201);
    const { log, clock } = setup(maintenanceConfigSchema.parse({ webhook: { url: ok.url, headers: { 'x-api-key': 'k1' } } }));
    const prediction = { model: 'pump-ae@2', anomalyScore: 0.93, health: 41, rul: null, timestamp: clock.t };
    const r = await log.request(
      { machine: 'Demo/PS/P2', prediction, description: 'Anomaly score high for 2 h', priority: 'Medium' },
      'ana',
    );
    expect(r).toMatchObject({ status: 'sent', source: 'prediction', webhookError: null, prediction: { model: 'pump-ae@2', health: 41 } });
    expect(ok.received).toHaveLength(1);
    expect(ok.received[0]?.headers['x-api-key']).toBe('k1');
    expect(ok.received[0]?.body).toMatchObject({ type: 'maintenance_request', site: 'Demo', request: { id: r.id, machine: 'Demo/PS/P2' } });
    expect(log.exportRequestsCsv()).toContain('pump-ae@2,0.93,41,,Anomaly score high for 2 h,Medium,sent,');
  });

  it('keeps the request when the maintenance system refuses it', async () => {
    const failing = await receiver(503);
    const { log } = setup(maintenanceConfigSchema.parse({ webhook: { url: failing.url } }));
    const r = await log.request({ machine: 'Demo/PS/P1', description: 'Seal leaking', priority: 'Low' }, 'ana');
    expect(r).toMatchObject({ status: 'failed', webhookError: 'HTTP 503 Service Unavailable' });
    expect(log.requests({ status: 'failed' })).toHaveLength(1);
  });
});
