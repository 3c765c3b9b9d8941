// Sparkplug B metrics/s decoded into a real TagBus: an edge node streams NDATA (100 aliased
// metrics per message) through an in-process aedes broker to the MQTT driver. Baselines from the
// same run: the bare codec decoding the same payloads (no broker, no bus), and a bare mqtt.js
// subscriber receiving the same messages (transport only, no decode).
import { connect, type MqttClient } from 'mqtt';
import type { TagInfo } from '../native/api/types.js';
import { startEmbeddedBroker } from '../native/drivers/mqtt/broker.js';
import { mqttConnectionSchema } from '../native/drivers/mqtt/config.js';
import { createMqttDriver } from '../native/drivers/mqtt/driver.js';
import { sparkplugCodec } from '../native/drivers/mqtt/sparkplug.js';
import { TagBus } from '../native/tags/bus.js';
import type { Bench, BenchResult } from './types.js';

const METRICS = 1000;
const PER_MESSAGE = 100;
const TOPIC = 'spBv1.0/Bench/NDATA/E1';

function payloads(): Buffer[] {
  // One payload per seq value, so the stream never shows a gap.
  return Array.from({ length: 256 }, (_, seq) =>
    Buffer.from(
      sparkplugCodec.encodePayload({
        timestamp: Date.now(),
        seq,
        metrics: Array.from({ length: PER_MESSAGE }, (_, j) => ({
          alias: ((seq * PER_MESSAGE + j) % METRICS) + 1,
          type: 'Double' as const,
          value: seq + j / 100,
        })),
      }),
    ),
  );
}

async function client(url: string): Promise<MqttClient> {
  const c = connect(url, { reconnectPeriod: 0 });
  await new Promise<void>((resolve, reject) => {
    c.once('connect', () => resolve());
    c.once('error', reject);
  });
  return c;
}

/** Publish message 1…`messages` with `send` and wait until `received()` reaches `expected` or stalls for 2 s. */
async function stream(messages: number, send: (i: number) => Promise<unknown>, received: () => number, expected: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 1; i <= messages; i++) {
    const p = send(i);
    if (i % 50 === 0) await p;
  }
  let last = -1;
  let lastChange = performance.now();
  while (received() < expected && performance.now() - lastChange < 2000) {
    if (received() !== last) {
      last = received();
      lastChange = performance.now();
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  return (performance.now() - t0) / 1000;
}

function tagInfos(connection: string, address: (id: number) => string): TagInfo[] {
  return Array.from({ length: METRICS }, (_, id) => ({
    id,
    name: `Bench/m${id}`,
    site: 'B',
    area: 'A',
    machine: 'M',
    unit: '',
    description: '',
    dataType: 'float',
    connection,
    address: address(id),
    rangeLo: null,
    rangeHi: null,
    writable: false,
    writeMin: null,
    writeMax: null,
    expectedPeriodMs: 1000,
  }));
}

/** A bus over the tags, a driver on it, and a counter of samples that reached the bus. */
async function driverOn(url: string, infos: TagInfo[], extra: Record<string, unknown>) {
  const bus = new TagBus(infos);
  const counter = { n: 0 };
  bus.onBatch((b) => {
    counter.n += b.length;
  });
  const driver = createMqttDriver(
    mqttConnectionSchema.parse({ name: 'bench', protocol: 'mqtt', url, qos: 0, ...extra }),
    infos.map((t) => ({ id: t.id, name: t.name, address: t.address, dataType: 'float', scaling: null, periodMs: 1000, options: {} })),
    { bus, log: () => undefined, dataDir: '/nonexistent' },
  );
  await driver.start();
  await new Promise((r) => setTimeout(r, 200));
  return { driver, counter };
}

const bench: Bench = async ({ quick }) => {
  const messages = quick ? 2000 : 10_000;
  const data = payloads();
  const broker = await startEmbeddedBroker();
  try {
    // Baseline 1: the codec alone.
    const c0 = performance.now();
    let decoded = 0;
    for (let i = 1; i <= messages; i++) decoded += sparkplugCodec.decodePayload(data[i % 256] as Buffer).metrics?.length ?? 0;
    const codecRate = decoded / ((performance.now() - c0) / 1000);

    // Baseline 2: a bare subscriber on the same broker.
    const edge = await client(broker.url);
    const sendNdata = (i: number) => edge.publishAsync(TOPIC, data[i % 256] as Buffer, { qos: 0 });
    const bare = await client(broker.url);
    let bareMessages = 0;
    bare.on('message', () => {
      bareMessages++;
    });
    await bare.subscribeAsync(['spBv1.0/#', 'bench/#'], { qos: 0 });
    const bareSeconds = await stream(messages, sendNdata, () => bareMessages, messages);

    // The Sparkplug driver, decoding into a TagBus.
    const sp = await driverOn(
      broker.url,
      tagInfos('spb', (id) => `Bench/E1/m${id}`),
      { mode: 'sparkplug', sparkplug: { rebirthOnConnect: false } },
    );
    const birth = sparkplugCodec.encodePayload({
      timestamp: Date.now(),
      seq: 0,
      metrics: [
        { name: 'bdSeq', type: 'UInt64', value: 0 },
        ...Array.from({ length: METRICS }, (_, id) => ({ name: `m${id}`, alias: id + 1, type: 'Double' as const, value: 0 })),
      ],
    });
    await edge.publishAsync('spBv1.0/Bench/NBIRTH/E1', Buffer.from(birth), { qos: 0 });
    await new Promise((r) => setTimeout(r, 200));
    const base = sp.counter.n;
    const cpu0 = process.cpuUsage();
    const spSeconds = await stream(messages, sendNdata, () => sp.counter.n - base, messages * PER_MESSAGE);
    const cpu = process.cpuUsage(cpu0);
    const delivered = sp.counter.n - base;
    const spErrors = sp.driver.diagnostics().errors;
    await sp.driver.stop();

    // JSON: one value per message, one topic per tag, against a bare subscriber on the same messages.
    const jsonMessages = messages * 5;
    const jsonBody = (i: number) => `{"value": ${i / 10}, "ts": ${Date.now()}}`;
    const sendJson = (i: number) => edge.publishAsync(`bench/json/m${i % METRICS}`, jsonBody(i), { qos: 0 });
    const bareBase = bareMessages;
    const bareJsonSeconds = await stream(jsonMessages, sendJson, () => bareMessages - bareBase, jsonMessages);
    const bareJson = bareMessages - bareBase;
    await bare.endAsync(true);
    const js = await driverOn(
      broker.url,
      tagInfos('json', (id) => `bench/json/m${id}`),
      { mode: 'json' },
    );
    const jsonBase = js.counter.n;
    const jsonSeconds = await stream(jsonMessages, sendJson, () => js.counter.n - jsonBase, jsonMessages);
    const jsonDelivered = js.counter.n - jsonBase;
    const jsonErrors = js.driver.diagnostics().errors;
    await js.driver.stop();
    await edge.endAsync(true);

    const notes = `${messages} NDATA × ${PER_MESSAGE} aliased Double metrics over ${METRICS} tags, aedes in-process, QoS 0; delivered ${delivered}/${messages * PER_MESSAGE}; CPU ${(((cpu.user + cpu.system) / 1e6 / spSeconds) * 100).toFixed(0)} % of a core (broker + edge + driver, one process); errors ${JSON.stringify(spErrors)}`;
    const results: BenchResult[] = [
      {
        bench: 'mqtt',
        metric: 'Sparkplug B metrics decoded into the TagBus',
        value: Math.round(delivered / spSeconds),
        unit: 'metrics/s',
        baseline: 'bare sparkplug-payload decode of the same payloads (no broker, no bus)',
        baselineValue: Math.round(codecRate),
        notes,
      },
      {
        bench: 'mqtt',
        metric: 'Sparkplug NDATA messages through the driver',
        value: Math.round(delivered / PER_MESSAGE / spSeconds),
        unit: 'messages/s',
        baseline: 'bare mqtt.js subscriber, same broker and messages',
        baselineValue: Math.round(bareMessages > 0 ? messages / bareSeconds : 0),
        notes,
      },
      {
        bench: 'mqtt',
        metric: 'JSON values decoded into the TagBus',
        value: Math.round(jsonDelivered / jsonSeconds),
        unit: 'values/s',
        baseline: 'bare mqtt.js subscriber, same broker and messages (messages/s)',
        baselineValue: Math.round(bareJson / bareJsonSeconds),
        notes: `${jsonMessages} messages on ${METRICS} topics, one value each, aedes in-process, QoS 0; delivered ${jsonDelivered}/${jsonMessages}; errors ${JSON.stringify(jsonErrors)}`,
      },
    ];
    return results;
  } finally {
    await broker.close();
  }
};

export default bench;
