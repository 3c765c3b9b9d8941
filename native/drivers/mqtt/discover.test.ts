// MQTT discovery against a real broker (aedes): JSON topics taken apart into field paths, Sparkplug B
// metrics decoded by the driver's own host (with the rebirth a late-joining host asks for), bounds.
import { connect, type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { connectionRequests } from '../../api/connection-requests.js';
import { TagBus } from '../../tags/bus.js';
import type { Driver } from '../driver.js';
import { connectionHandlers } from '../handlers.js';
import { startEmbeddedBroker } from './broker.js';
import { mqttConnectionSchema } from './config.js';
import { discoverMqtt, flatten } from './discover.js';
import { createMqttDriver } from './driver.js';
import { type SparkplugPayload, sparkplugCodec } from './sparkplug.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function brokerUrl(): Promise<string> {
  const b = await startEmbeddedBroker();
  cleanups.push(() => b.close());
  return b.url;
}

function mqttDriver(url: string, extra: Record<string, unknown> = {}): Driver {
  const config = mqttConnectionSchema.parse({ name: 'mq', protocol: 'mqtt', url, ...extra });
  // Discovery needs no tags and no running link: it listens with a client of its own.
  const d = createMqttDriver(config, [], { bus: new TagBus([]), log: () => {}, dataDir: '/nonexistent' });
  cleanups.push(() => d.stop());
  return d;
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

const sp = (p: SparkplugPayload) => Buffer.from(sparkplugCodec.encodePayload(p));

describe('connections.discoverMqtt', () => {
  it('lists JSON topics with their flattened field paths, types, samples and the tag each would make', async () => {
    const url = await brokerUrl();
    const dev = await peer(url);
    // Retained: delivered the moment discovery subscribes, whatever the machine's load.
    await dev.publishAsync(
      'plant/pump1/state',
      JSON.stringify({ flow: 12.5, run: true, mode: 'auto', vib: { rms: 2, peaks: [1.5, 3] }, 'a.b': 1, none: null }),
      { retain: true },
    );
    await dev.publishAsync('plant/pump1/speed', '1480', { retain: true });
    await dev.publishAsync('plant/broken', '{"flow": 1', { retain: true });
    await dev.publishAsync('other/x', '1', { retain: true });

    const handlers = connectionHandlers(new Map([['mq', mqttDriver(url)]]), '/nonexistent');
    const args = connectionRequests['connections.discoverMqtt'].parse({ connection: 'mq', filter: 'plant/#', listenS: 1 });
    const r = await handlers['connections.discoverMqtt'](args, undefined as never);

    expect(r.filter).toBe('plant/#');
    expect(r.topics.map((t) => t.topic)).toEqual(['plant/broken', 'plant/pump1/speed', 'plant/pump1/state']);
    const state = r.topics.find((t) => t.topic === 'plant/pump1/state');
    expect(state?.kind).toBe('json');
    expect(state?.fields.map((f) => [f.path, f.type, f.dataType, f.sample])).toEqual([
      ['flow', 'number', 'float', 12.5],
      ['run', 'boolean', 'bool', true],
      ['mode', 'string', 'string', 'auto'],
      ['vib.rms', 'number', 'float', 2],
      ['vib.peaks[0]', 'number', 'float', 1.5],
      ['vib.peaks[1]', 'number', 'float', 3],
      ['a.b', 'number', 'float', 1],
      ['none', 'null', null, null],
    ]);
    expect(state?.fields.find((f) => f.path === 'vib.peaks[1]')?.tag).toEqual({
      address: 'plant/pump1/state',
      options: { value: 'vib.peaks[1]' },
    });
    // A key with a dot in it cannot be written as a field path: listed, not offered as a tag.
    expect(state?.fields.find((f) => f.path === 'a.b')?.tag).toBeNull();
    const speed = r.topics.find((t) => t.topic === 'plant/pump1/speed');
    expect(speed?.fields).toEqual([
      expect.objectContaining({ path: '$', sample: 1480, tag: { address: 'plant/pump1/speed', options: {} } }),
    ]);
    expect(r.topics.find((t) => t.topic === 'plant/broken')).toMatchObject({ fields: [], problem: 'payload is not valid JSON' });
  });

  it('counts the topics beyond maxTopics instead of listing them', async () => {
    const url = await brokerUrl();
    const dev = await peer(url);
    for (const n of [1, 2, 3, 4]) await dev.publishAsync(`t/${n}`, String(n), { retain: true });
    const d = mqttDriver(url);
    const r = await d.discover?.({ filter: 't/+', listenMs: 1000, maxTopics: 2 });
    expect(r?.topics).toHaveLength(2);
    expect(r?.topicsNotListed).toBe(2);
  });

  it('decodes Sparkplug B births and data with the driver host, asking a late-joined edge node for a rebirth', async () => {
    const url = await brokerUrl();
    const edge = await peer(url);
    let seq = 0;
    const next = () => seq++ % 256;
    const birth = () =>
      sp({
        timestamp: 1_700_000_000_000,
        seq: next(),
        metrics: [
          { name: 'bdSeq', type: 'UInt64', value: 0 },
          { name: 'Pump/Flow', alias: 1, type: 'Double', value: 41.5 },
          { name: 'Pump/Running', alias: 2, type: 'Boolean', value: true },
        ],
      });
    // The edge node answers a rebirth request (NCMD Node Control/Rebirth) with its births.
    let rebirths = 0;
    await edge.subscribeAsync('spBv1.0/Plant/NCMD/E1');
    edge.on('message', (_t, payload) => {
      const m = sparkplugCodec.decodePayload(payload);
      if (!m.metrics?.some((x) => x.name === 'Node Control/Rebirth')) return;
      rebirths++;
      seq = 0;
      void edge.publishAsync('spBv1.0/Plant/NBIRTH/E1', birth());
      void edge.publishAsync(
        'spBv1.0/Plant/DBIRTH/E1/Meter',
        sp({ timestamp: 1_700_000_000_000, seq: next(), metrics: [{ name: 'Energy', alias: 3, type: 'Int64', value: 1234 }] }),
      );
    });
    // Data whose birth discovery has not seen: it asks for one, as the driver does on connect.
    const data = setInterval(() => {
      void edge.publishAsync(
        'spBv1.0/Plant/NDATA/E1',
        sp({ timestamp: Date.now(), seq: next(), metrics: [{ alias: 1, type: 'Double', value: 42 }] }),
      );
    }, 100);
    cleanups.push(async () => clearInterval(data));

    const d = mqttDriver(url, { mode: 'sparkplug', sparkplug: { groupId: 'Plant' } });
    const r = await d.discover?.({ listenMs: 3000, maxTopics: 100 });
    clearInterval(data);

    expect(r?.filter).toBe('spBv1.0/#');
    expect(rebirths).toBeGreaterThanOrEqual(1);
    const nbirth = r?.topics.find((t) => t.topic === 'spBv1.0/Plant/NBIRTH/E1');
    expect(nbirth?.kind).toBe('sparkplug');
    expect(nbirth?.fields.map((f) => [f.path, f.type, f.dataType, f.tag?.address])).toEqual([
      ['bdSeq', 'UInt64', 'int', 'E1/bdSeq'],
      ['Pump/Flow', 'Double', 'float', 'E1/Pump/Flow'],
      ['Pump/Running', 'Boolean', 'bool', 'E1/Pump/Running'],
    ]);
    const dbirth = r?.topics.find((t) => t.topic === 'spBv1.0/Plant/DBIRTH/E1/Meter');
    expect(dbirth?.fields).toEqual([
      expect.objectContaining({ path: 'Energy', type: 'Int64', sample: 1234, tag: { address: 'E1/Meter/Energy', options: {} } }),
    ]);
    // After the birth, data by alias is named: the metric, its type and the latest sample.
    const ndata = r?.topics.find((t) => t.topic === 'spBv1.0/Plant/NDATA/E1');
    expect(ndata?.fields).toEqual([expect.objectContaining({ path: 'Pump/Flow', type: 'Double', sample: 42 })]);
    expect(ndata?.problem).toBeNull();
  });

  it('ends the listen early and says why when the broker goes away while listening', async () => {
    const b = await startEmbeddedBroker();
    const config = mqttConnectionSchema.parse({ name: 'mq', protocol: 'mqtt', url: b.url });
    let subscribed!: () => void;
    const ready = new Promise<void>((resolve) => {
      subscribed = resolve;
    });
    const listening = discoverMqtt(
      config,
      { reconnectPeriod: 0 },
      { filter: '#', listenMs: 60_000, maxTopics: 10, maxFields: 10, listening: subscribed },
    );
    await ready;
    await b.close();
    const r = await listening;
    expect(r.interrupted).toMatch(/^the broker closed the connection after \d+\.\d s of 60 s$/);
  });

  it("updates a topic's fields in place from its later messages, in first-seen order, up to maxFields", async () => {
    const url = await brokerUrl();
    const dev = await peer(url);
    const config = mqttConnectionSchema.parse({ name: 'mq', protocol: 'mqtt', url });
    let sent!: Promise<unknown>;
    const r = await discoverMqtt(
      config,
      { reconnectPeriod: 0 },
      {
        filter: 'p/#',
        listenMs: 2000,
        maxTopics: 10,
        maxFields: 3,
        // Published once the subscription is granted, acknowledged by the broker (QoS 1) well inside the listen time.
        listening: () => {
          sent = (async () => {
            await dev.publishAsync('p/m', JSON.stringify({ a: 1, b: 2 }), { qos: 1 });
            await dev.publishAsync('p/m', JSON.stringify({ b: 20, c: 3, a: 10, d: 4 }), { qos: 1 });
          })();
        },
      },
    );
    await sent;
    const m = r.topics.find((t) => t.topic === 'p/m');
    expect(m?.messages).toBe(2);
    expect(m?.fields.map((f) => [f.path, f.sample])).toEqual([
      ['a', 10],
      ['b', 20],
      ['c', 3],
    ]);
  });

  it('refuses a malformed filter, an out-of-bounds listen time and a connection that is not MQTT', async () => {
    const url = await brokerUrl();
    const handlers = connectionHandlers(
      new Map<string, Driver>([
        ['mq', mqttDriver(url)],
        ['mb', { ...mqttDriver(url), protocol: 'modbus', discover: undefined } as Driver],
      ]),
      '/nonexistent',
    );
    const schema = connectionRequests['connections.discoverMqtt'];
    expect(schema.safeParse({ connection: 'mq', listenS: 61 }).success).toBe(false);
    expect(schema.safeParse({ connection: 'mq', listenS: 0 }).success).toBe(false);
    await expect(
      handlers['connections.discoverMqtt'](schema.parse({ connection: 'mq', filter: 'a/#/b' }), undefined as never),
    ).rejects.toMatchObject({
      type: 'validation',
      message: expect.stringContaining('topic filter "a/#/b"'),
    });
    await expect(handlers['connections.discoverMqtt'](schema.parse({ connection: 'mb' }), undefined as never)).rejects.toMatchObject({
      type: 'validation',
      message: 'mb (modbus) is not an MQTT connection: topics are discovered on MQTT only',
    });
  });

  it('flattens nested documents to the field-path syntax and stops at the limit', () => {
    expect(flatten({ a: [{ b: 1 }, 2], 'x.y': 3 }, 10)).toEqual([
      { path: 'a[0].b', value: 1, exact: true },
      { path: 'a[1]', value: 2, exact: true },
      { path: 'x.y', value: 3, exact: false },
    ]);
    expect(flatten(7, 10)).toEqual([{ path: '$', value: 7, exact: true }]);
    expect(flatten({ a: 1, b: 2, c: 3 }, 2)).toHaveLength(2);
  });
});
