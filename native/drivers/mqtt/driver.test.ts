import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { Aedes } from 'aedes';
import { connect, type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import type { TagDataType, TagInfo } from '../../api/types.js';
import { TagBus } from '../../tags/bus.js';
import type { DriverTag } from '../driver.js';
import { type EmbeddedBroker, startEmbeddedBroker } from './broker.js';
import { type MqttConnectionConfig, mqttConnectionSchema } from './config.js';
import { startDemoMqttPublisher } from './demo-publisher.js';
import { createMqttDriver, MqttConfigError } from './driver.js';
import { REBIRTH_METRIC, type SparkplugPayload, sparkplugCodec } from './sparkplug.js';

interface TagSpec {
  name: string;
  address: string;
  type?: TagDataType;
  options?: Record<string, unknown>;
}

function setup(specs: TagSpec[]) {
  const infos: TagInfo[] = specs.map((s, id) => ({
    id,
    name: s.name,
    site: 'S',
    area: 'A',
    machine: 'M',
    unit: '',
    description: '',
    dataType: s.type ?? 'float',
    connection: 'mq',
    address: s.address,
    rangeLo: null,
    rangeHi: null,
    writable: false,
    writeMin: null,
    writeMax: null,
    expectedPeriodMs: 1000,
  }));
  const tags: DriverTag[] = specs.map((s, id) => ({
    id,
    name: s.name,
    address: s.address,
    dataType: s.type ?? 'float',
    scaling: null,
    periodMs: 1000,
    options: s.options ?? {},
  }));
  return { bus: new TagBus(infos), tags };
}

const logs: string[] = [];
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  logs.length = 0;
});

async function broker(port?: number): Promise<EmbeddedBroker> {
  const b = await startEmbeddedBroker(port ? { port } : {});
  cleanups.push(() => b.close());
  return b;
}

function driverFor(url: string, specs: TagSpec[], extra: Record<string, unknown> = {}) {
  const { bus, tags } = setup(specs);
  const config: MqttConnectionConfig = mqttConnectionSchema.parse({
    name: 'mq',
    protocol: 'mqtt',
    url,
    reconnect: { initialDelayMs: 100, maxDelayMs: 300 },
    ...extra,
  });
  const driver = createMqttDriver(config, tags, { bus, log: (_l, m) => logs.push(m), dataDir: '/nonexistent' });
  cleanups.push(() => driver.stop());
  return { bus, driver };
}

async function peer(url: string): Promise<MqttClient> {
  const c = connect(url, { reconnectPeriod: 0 });
  cleanups.push(() => c.endAsync(true));
  await new Promise<void>((resolve, reject) => {
    c.once('connect', () => resolve());
    c.once('error', reject);
  });
  return c;
}

/** Poll until cond holds; bounded, so a broken driver fails the test instead of hanging it. */
async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sp = (p: SparkplugPayload) => Buffer.from(sparkplugCodec.encodePayload(p));

describe('MQTT JSON mode', () => {
  it('maps LoRaWAN uplinks (ChirpStack, The Things Stack), wildcards, plain payloads and timestamps onto tags', async () => {
    const b = await broker();
    const { bus, driver } = driverFor(b.url, [
      {
        name: 'cs.temp',
        address: 'application/+/device/a84041000181c061/event/up',
        options: { value: 'object.temperature', timestamp: 'time' },
      },
      { name: 'cs.hum', address: 'application/+/device/a84041000181c061/event/up', options: { value: 'object.humidity' } },
      {
        name: 'tts.level',
        address: 'v3/tank-app@ttn/devices/+/up',
        options: { value: 'uplink_message.decoded_payload.level_cm', timestamp: 'received_at' },
      },
      { name: 'plain', address: 'plant/line1/#' },
      { name: 'run', address: 'plant/pump/run', type: 'bool' },
      { name: 'count', address: 'plant/pump/count', type: 'int', options: { value: 'data.counts[1]', timestamp: 'ts' } },
    ]);
    await driver.start();
    expect(driver.diagnostics().state).toBe('connected');
    const p = await peer(b.url);
    await new Promise((r) => setTimeout(r, 100));
    await p.publishAsync(
      'application/7d1a/device/a84041000181c061/event/up',
      JSON.stringify({
        deviceInfo: { devEui: 'a84041000181c061' },
        time: '2024-05-01T10:00:00.000Z',
        object: { temperature: 21.5, humidity: 48 },
      }),
    );
    await p.publishAsync(
      'v3/tank-app@ttn/devices/tank-7/up',
      JSON.stringify({ received_at: '2024-05-01T10:00:01.5Z', uplink_message: { decoded_payload: { level_cm: 131.2 } } }),
    );
    await p.publishAsync('plant/line1/flow', '42.5');
    await p.publishAsync('plant/pump/run', 'ON');
    await p.publishAsync('plant/pump/count', JSON.stringify({ ts: 1714557600, data: { counts: [1, 8] } }));
    await until(() => bus.current(5).quality === 0, 'all JSON values');
    await until(() => [0, 1, 2, 3, 4].every((id) => bus.current(id).quality === 0), 'all JSON values');
    expect(bus.current(0)).toMatchObject({ value: 21.5, ts: Date.parse('2024-05-01T10:00:00.000Z') });
    expect(bus.current(1).value).toBe(48);
    expect(bus.current(2)).toMatchObject({ value: 131.2, ts: Date.parse('2024-05-01T10:00:01.5Z') });
    expect(bus.current(3).value).toBe(42.5);
    expect(bus.current(4).value).toBe(true);
    expect(bus.current(5)).toMatchObject({ value: 8, ts: 1714557600_000 });
    expect(driver.diagnostics().errors).toEqual({});
  });

  it('counts malformed payloads by kind, drops them (a sample with an unreadable timestamp too) and keeps the last good value', async () => {
    const b = await broker();
    const { bus, driver } = driverFor(b.url, [
      { name: 't', address: 'dev/t', options: { value: 'v', timestamp: 'at' } },
      { name: 'b', address: 'dev/b', type: 'bool' },
    ]);
    await driver.start();
    const p = await peer(b.url);
    await new Promise((r) => setTimeout(r, 100));
    await p.publishAsync('dev/t', JSON.stringify({ v: 1.25, at: Date.now() }));
    await until(() => bus.current(0).value === 1.25, 'first value');
    await p.publishAsync('dev/t', '{"v": 2, ');
    await p.publishAsync('dev/t', '[1,2');
    await p.publishAsync('dev/t', JSON.stringify({ other: 3 }));
    await p.publishAsync('dev/t', JSON.stringify({ v: 'not a number' }));
    await p.publishAsync('dev/t', JSON.stringify({ v: 5, at: 'yesterday' }));
    await p.publishAsync('dev/b', Buffer.from([0xff, 0xfe, 0x00]));
    await until(() => (driver.diagnostics().errors.type ?? 0) >= 2, 'type errors');
    expect(driver.diagnostics().errors).toEqual({ json: 2, field: 1, type: 2, timestamp: 1 });
    // The sample whose time cannot be read is not passed off as current: the last good value stays.
    expect(bus.current(0).value).toBe(1.25);
    expect(bus.current(0).quality).toBe(0);
    expect(bus.current(1).quality).toBe(2);
    expect(driver.diagnostics().lastError).toMatch(/^type: /);
  });

  it('stores a retained value after the link-start status, and a live message at the time it carries', async () => {
    const b = await broker();
    const dev = await peer(b.url);
    const anHourAgo = Date.now() - 3_600_000;
    await dev.publishAsync('dev/t', JSON.stringify({ v: 7, at: anHourAgo }), { retain: true });
    const { bus, driver } = driverFor(b.url, [{ name: 't', address: 'dev/t', options: { value: 'v', timestamp: 'at' } }]);
    const history: { ts: number; quality: number; value: number }[] = [];
    bus.onBatch((batch) => {
      for (let i = 0; i < batch.length; i++) {
        history.push({ ts: batch.ts[i] as number, quality: batch.quality[i] as number, value: batch.values[i] as number });
      }
    });
    await driver.start();
    await until(() => bus.current(0).value === 7, 'the retained value');
    bus.flush();
    // What the history holds, in time order: the link's start statuses, then the retained value after them.
    const inOrder = [...history].sort((x, y) => x.ts - y.ts);
    const last = inOrder.at(-1);
    const before = inOrder.slice(0, -1);
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((s) => s.quality === 2)).toBe(true);
    expect(last).toMatchObject({ quality: 0, value: 7 });
    expect(last?.ts).toBe((before.at(-1)?.ts as number) + 1);

    // A message published live keeps its own time, older or not.
    const older = anHourAgo + 1000;
    await dev.publishAsync('dev/t', JSON.stringify({ v: 8, at: older }));
    await until(() => bus.current(0).value === 8, 'the live value');
    expect(bus.current(0).ts).toBe(older);

    // Resubscribed (stop, start), the broker sends the retained 7 again: older than the live 8
    // already taken, it is outdated and dropped, not stored as the newest value after the status.
    await driver.stop();
    await driver.start();
    bus.flush();
    const restartedAt = history.length;
    await until(() => {
      void dev.publishAsync('dev/t', JSON.stringify({ v: 9, at: Date.now() }));
      return bus.current(0).value === 9;
    }, 'a live value after the resubscribe');
    bus.flush();
    expect(history.slice(restartedAt).filter((s) => s.value === 7)).toEqual([]);
  });

  it('turns tags Bad when the broker goes away and recovers by itself, resubscribed', async () => {
    const first = await startEmbeddedBroker();
    const port = first.port;
    const { bus, driver } = driverFor(first.url, [{ name: 't', address: 'dev/t' }]);
    await driver.start();
    const p1 = connect(first.url, { reconnectPeriod: 0 });
    await new Promise((r) => p1.once('connect', r));
    await p1.publishAsync('dev/t', '1');
    await until(() => bus.current(0).value === 1 && bus.current(0).quality === 0, 'value before the outage');
    await p1.endAsync(true);
    await first.close();
    await until(() => bus.current(0).quality === 2, 'Bad after broker loss', 2000);
    expect(bus.current(0).reason).toMatch(/comm failure/);
    expect(driver.diagnostics().state).not.toBe('connected');

    const second = await broker(port);
    await until(() => driver.diagnostics().state === 'connected', 'reconnect');
    expect(driver.diagnostics().reconnects).toBe(1);
    const p2 = await peer(second.url);
    await until(() => {
      void p2.publishAsync('dev/t', '2');
      return bus.current(0).value === 2;
    }, 'value after the outage (resubscribed)');
    expect(bus.current(0).quality).toBe(0);
  });

  it('writes to the write topic and returns the value the device publishes back', async () => {
    const b = await broker();
    const { driver } = driverFor(b.url, [
      { name: 'sp', address: 'dev/sp/state', options: { value: 'value', writeTopic: 'dev/sp/set' } },
      { name: 'ro', address: 'dev/ro' },
    ]);
    await driver.start();
    const device = await peer(b.url);
    await device.subscribeAsync('dev/sp/set');
    device.on('message', (_t, payload) => {
      const { value } = JSON.parse(payload.toString()) as { value: number };
      void device.publishAsync('dev/sp/state', JSON.stringify({ value }));
    });
    await expect(driver.write(0, 12.5)).resolves.toBe(12.5);
    await expect(driver.write(1, 1)).rejects.toThrow(/read-only/);
  });

  it('rejects bad tag options with the tag name', () => {
    expect(() => driverFor('mqtt://127.0.0.1:1', [{ name: 'x', address: 'a/b', options: { vlaue: 'v' } }])).toThrow(MqttConfigError);
    expect(() => driverFor('mqtt://127.0.0.1:1', [{ name: 'x', address: 'a/b', options: { vlaue: 'v' } }])).toThrow(
      'x: options.vlaue: unknown field "vlaue": did you mean value?',
    );
    expect(() => driverFor('mqtt://127.0.0.1:1', [{ name: 'x', address: 'a/#/b' }])).toThrow(
      /x: "a\/#\/b" is not a valid MQTT topic filter/,
    );
    expect(() => driverFor('mqtt://127.0.0.1:1', [{ name: 'y', address: 'a/b', options: { value: 'a..b' } }])).toThrow(/y: options.value/);
    expect(mqttConnectionSchema.safeParse({ name: 'm', protocol: 'mqtt', url: 'http://x' }).success).toBe(false);
  });

  it('is an unreachable broker, not a crash', async () => {
    const { bus, driver } = driverFor('mqtt://127.0.0.1:1', [{ name: 't', address: 'dev/t' }], { connectTimeoutMs: 500 });
    await driver.start();
    expect(bus.current(0).quality).toBe(2);
    await until(() => driver.diagnostics().lastError !== null, 'connect error');
    expect(driver.diagnostics().state).not.toBe('connected');
    const demo = driverFor('demo', [{ name: 't', address: 'dev/t' }]);
    await demo.driver.start();
    expect(demo.driver.diagnostics()).toMatchObject({ state: 'error', errors: { connect: 1 } });
  });
});

const openssl = spawnSync('openssl', ['version']).status === 0;

describe.skipIf(!openssl)('MQTT over TLS with username/password', () => {
  it('connects only with the right CA and credentials, and says why not otherwise', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aurum-mqtt-tls-'));
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    const made = spawnSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-keyout',
      key,
      '-out',
      cert,
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ]);
    expect(made.status).toBe(0);
    const aedes = await Aedes.createBroker({
      authenticate: (_client, username, password, done) => done(null, username === 'console' && password?.toString() === 's3cret'),
    });
    const server = tls.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (socket) => aedes.handle(socket));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => aedes.close(() => server.close(() => r()))));
    const port = (server.address() as { port: number }).port;
    const url = `mqtts://127.0.0.1:${port}`;
    const tags = [{ name: 't', address: 'secure/t' }];

    // passwordSecret as the driver gets it: opened by the core from the sealed text in the site file.
    const good = driverFor(url, tags, { username: 'console', passwordSecret: 's3cret', tls: { ca: cert } });
    await good.driver.start();
    expect(good.driver.diagnostics().state).toBe('connected');
    const p = connect(url, { username: 'console', password: 's3cret', ca: fs.readFileSync(cert), reconnectPeriod: 0 });
    cleanups.push(() => p.endAsync(true));
    await new Promise((r) => p.once('connect', r));
    await p.publishAsync('secure/t', '7');
    await until(() => good.bus.current(0).value === 7, 'value over TLS');

    const wrongPassword = driverFor(url, tags, { username: 'console', passwordSecret: 'nope', tls: { ca: cert } });
    await wrongPassword.driver.start();
    await until(() => wrongPassword.driver.diagnostics().lastError !== null, 'auth error');
    expect(wrongPassword.driver.diagnostics().lastError).toMatch(/not authorized/i);
    expect(wrongPassword.driver.diagnostics().state).not.toBe('connected');

    const untrusted = driverFor(url, tags, { username: 'console', passwordSecret: 's3cret' });
    await untrusted.driver.start();
    await until(() => untrusted.driver.diagnostics().lastError !== null, 'certificate error');
    expect(untrusted.driver.diagnostics().lastError).toMatch(/certificate/i);
    expect(untrusted.bus.current(0).quality).toBe(2);

    const missingFile = driverFor(url, tags, { tls: { ca: path.join(dir, 'absent.pem') } });
    await missingFile.driver.start();
    expect(missingFile.driver.diagnostics()).toMatchObject({ state: 'error', errors: { tls: 1 } });
  });
});

describe('MQTT Sparkplug B mode', () => {
  const births = (bdSeq: number) =>
    sp({
      timestamp: 1000,
      seq: 0,
      metrics: [
        { name: 'bdSeq', type: 'UInt64', value: bdSeq },
        { name: 'Inputs/Temp', alias: 1, type: 'Double', value: 20.5, timestamp: 1000 },
        { name: 'Running', alias: 2, type: 'Boolean', value: true },
        { name: 'Count', alias: 3, type: 'UInt64', value: 7 },
        { name: 'Unmapped', alias: 9, type: 'Int32', value: 1 },
      ],
    });

  async function sparkplugRig() {
    const b = await broker();
    const { bus, driver } = driverFor(
      b.url,
      [
        { name: 'temp', address: 'E1/Inputs/Temp' },
        { name: 'run', address: 'E1/Running', type: 'bool' },
        { name: 'count', address: 'E1/Count', type: 'int' },
        { name: 'dev.speed', address: 'E1/Drive7/Speed' },
      ],
      { mode: 'sparkplug', sparkplug: { groupId: 'Plant', rebirthMinIntervalMs: 0 } },
    );
    const edge = await peer(b.url);
    const commands: string[] = [];
    await edge.subscribeAsync('spBv1.0/Plant/NCMD/E1');
    edge.on('message', (_t, payload) => {
      for (const m of sparkplugCodec.decodePayload(payload).metrics ?? []) commands.push(`${m.name}=${String(m.value)}`);
    });
    await driver.start();
    await until(() => commands.length > 0, 'rebirth request on connect');
    expect(commands).toEqual([`${REBIRTH_METRIC}=true`]);
    commands.length = 0;
    return { bus, driver, edge, commands };
  }

  it('decodes births, aliased data, device metrics and deaths; sequence gaps ask for a rebirth', async () => {
    const { bus, driver, edge, commands } = await sparkplugRig();
    await edge.publishAsync('spBv1.0/Plant/NBIRTH/E1', births(3));
    await until(() => bus.current(2).quality === 0, 'birth values');
    expect(bus.current(0)).toMatchObject({ value: 20.5, ts: 1000, quality: 0 });
    expect(bus.current(1).value).toBe(true);
    expect(bus.current(2).value).toBe(7);

    await edge.publishAsync(
      'spBv1.0/Plant/NDATA/E1',
      sp({ timestamp: 2000, seq: 1, metrics: [{ alias: 1, type: 'Double', value: 21.25 }] }),
    );
    await until(() => bus.current(0).value === 21.25, 'NDATA by alias');
    expect(bus.current(0).ts).toBe(2000);

    await edge.publishAsync(
      'spBv1.0/Plant/DBIRTH/E1/Drive7',
      sp({ timestamp: 3000, seq: 2, metrics: [{ name: 'Speed', alias: 20, type: 'Float', value: 1450 }] }),
    );
    await until(() => bus.current(3).value === 1450, 'DBIRTH');
    await edge.publishAsync(
      'spBv1.0/Plant/DDATA/E1/Drive7',
      sp({ timestamp: 3100, seq: 3, metrics: [{ alias: 20, type: 'Float', value: 1500 }] }),
    );
    await until(() => bus.current(3).value === 1500, 'DDATA');
    expect(commands).toEqual([]);

    // seq 4 is lost: seq 5 is applied, and the node is asked to rebirth.
    await edge.publishAsync('spBv1.0/Plant/NDATA/E1', sp({ timestamp: 4000, seq: 5, metrics: [{ alias: 1, type: 'Double', value: 22 }] }));
    await until(() => commands.length === 1, 'rebirth after a gap');
    expect(commands).toEqual([`${REBIRTH_METRIC}=true`]);
    expect(driver.diagnostics().errors.seqGap).toBe(1);

    await edge.publishAsync('spBv1.0/Plant/DDEATH/E1/Drive7', sp({ timestamp: 5000, seq: 6 }));
    await until(() => bus.current(3).quality === 2, 'DDEATH → Bad');
    expect(bus.current(3).reason).toMatch(/DDEATH/);
    expect(bus.current(0).quality).toBe(0);

    // A will from an older session (other bdSeq) is ignored; this session's death counts.
    await edge.publishAsync('spBv1.0/Plant/NDEATH/E1', sp({ metrics: [{ name: 'bdSeq', type: 'UInt64', value: 2 }] }));
    await edge.publishAsync('spBv1.0/Plant/NDEATH/E1', sp({ metrics: [{ name: 'bdSeq', type: 'UInt64', value: 3 }] }));
    await until(() => bus.current(0).quality === 2, 'NDEATH → Bad');
    expect([0, 1, 2].map((id) => bus.current(id).reason)).toEqual(Array(3).fill('Sparkplug NDEATH: edge node offline'));
    expect(bus.current(0).value).toBe(22);
  });

  it('counts malformed payloads and unknown aliases, asks for a rebirth, never crashes', async () => {
    const { bus, driver, edge, commands } = await sparkplugRig();
    await edge.publishAsync('spBv1.0/Plant/NDATA/E1', sp({ seq: 1, metrics: [{ alias: 1, type: 'Double', value: 1 }] }));
    await until(() => commands.length === 1, 'rebirth for data before birth');
    await edge.publishAsync('spBv1.0/Plant/NBIRTH/E1', births(0));
    await until(() => bus.current(0).quality === 0, 'birth');
    await edge.publishAsync('spBv1.0/Plant/NDATA/E1', Buffer.from([0x08, 0x96, 0x01, 0x12, 0xff, 0xff]));
    await edge.publishAsync('spBv1.0/Plant/NDATA/E1', Buffer.from('{"json": "is not sparkplug"}'));
    await edge.publishAsync('spBv1.0/Plant/NDATA/E1', sp({ seq: 1, metrics: [{ alias: 77, type: 'Double', value: 1 }] }));
    await edge.publishAsync('spBv1.0/Plant/NDATA/E1', sp({ seq: 2, metrics: [{ alias: 1, type: 'Double', value: 99 }] }));
    await until(() => bus.current(0).value === 99, 'good data after bad');
    const errors = driver.diagnostics().errors;
    expect(errors.unborn).toBe(1);
    expect(errors.sparkplugPayload).toBe(2);
    expect(errors.unknownAlias).toBe(1);
    // The rebirth asked for the unknown alias travels back through the broker: it may reach the edge
    // after the driver has applied the next message.
    await until(() => commands.length >= 2, 'rebirth for an unknown alias');
    expect(commands.length).toBe(2);
    expect(driver.diagnostics().state).toBe('connected');
  });

  it('writes through NCMD and returns the value the edge node reports back', async () => {
    const { driver, edge } = await sparkplugRig();
    await edge.publishAsync('spBv1.0/Plant/NBIRTH/E1', births(0));
    let seq = 0;
    edge.on('message', (_t, payload) => {
      const m = sparkplugCodec.decodePayload(payload).metrics?.find((x) => x.name === 'Inputs/Temp');
      if (m) void edge.publishAsync('spBv1.0/Plant/NDATA/E1', sp({ seq: ++seq, metrics: [{ alias: 1, type: 'Double', value: m.value }] }));
    });
    await new Promise((r) => setTimeout(r, 100));
    await expect(driver.write(0, 33.5)).resolves.toBe(33.5);
  });
});

describe('demo publisher', () => {
  it('feeds the driver over JSON and Sparkplug B, and rebirths when asked', async () => {
    const b = await broker();
    let flow = 10;
    const source = () => [
      { name: 'Pump1/Flow', value: flow },
      { name: 'Pump1/Running', value: true },
    ];
    const json = driverFor(b.url, [
      { name: 'flow', address: 'aurum/demo/Pump1/Flow', options: { timestamp: 'timestamp' } },
      { name: 'running', address: 'aurum/demo/Pump1/Running', type: 'bool' },
    ]);
    const spb = driverFor(
      b.url,
      [
        { name: 'flow', address: 'AurumDemo/Plant/Pump1/Flow' },
        { name: 'running', address: 'AurumDemo/Plant/Pump1/Running', type: 'bool' },
      ],
      { mode: 'sparkplug' },
    );
    await json.driver.start();
    const pub = await startDemoMqttPublisher(b.url, source, { periodMs: 60_000 });
    cleanups.push(() => pub.stop());
    // The Sparkplug driver joins after the NBIRTH: it gets values through its rebirth request.
    await spb.driver.start();
    await until(() => spb.bus.current(0).value === 10 && spb.bus.current(1).value === true, 'Sparkplug values after rebirth');
    flow = 11.5;
    await pub.publishNow();
    await until(() => json.bus.current(0).value === 11.5 && spb.bus.current(0).value === 11.5, 'JSON and NDATA values');
    expect(json.bus.current(1)).toMatchObject({ value: true, quality: 0 });
    expect(spb.driver.diagnostics().errors).toEqual({});
    await pub.stop();
    await until(() => spb.bus.current(0).quality === 2, 'NDEATH on publisher stop');
  });
});
