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

/** Publish `messages` NDATA (seq 1, 2, …) and wait until `received()` reaches `expected` or stalls. */
async function stream(edge: MqttClient, data: Buffer[], messages: number, received: () => number, expected: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 1; i <= messages; i++) {
    const p = edge.publishAsync(TOPIC, data[i % 256] as Buffer, { qos: 0 });
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
    const bare = await client(broker.url);
    let bareMessages = 0;
    bare.on('message', () => {
      bareMessages++;
    });
    await bare.subscribeAsync(TOPIC, { qos: 0 });
    const bareSeconds = await stream(edge, data, messages, () => bareMessages, messages);
    await bare.endAsync(true);

    // The driver, decoding into a TagBus.
    const infos: TagInfo[] = Array.from({ length: METRICS }, (_, id) => ({
      id,
      name: `Bench/m${id}`,
      site: 'B',
      area: 'A',
      machine: 'M',
      unit: '',
      description: '',
      dataType: 'float',
      connection: 'spb',
      address: `Bench/E1/m${id}`,
      rangeLo: null,
      rangeHi: null,
      writable: false,
      writeMin: null,
      writeMax: null,
      expectedPeriodMs: 1000,
    }));
    const bus = new TagBus(infos);
    let intoBus = 0;
    bus.onBatch((b) => {
      intoBus += b.length;
    });
    const driver = createMqttDriver(
      mqttConnectionSchema.parse({
        name: 'spb',
        protocol: 'mqtt',
        url: broker.url,
        qos: 0,
        mode: 'sparkplug',
        sparkplug: { rebirthOnConnect: false },
      }),
      infos.map((t) => ({ id: t.id, name: t.name, address: t.address, dataType: 'float', scaling: null, periodMs: 1000, options: {} })),
      { bus, log: () => undefined, dataDir: '/nonexistent' },
    );
    await driver.start();
    await new Promise((r) => setTimeout(r, 200));
    const birth = sparkplugCodec.encodePayload({
      timestamp: Date.now(),
      seq: 0,
      metrics: [
        { name: 'bdSeq', type: 'UInt64', value: 0 },
        ...infos.map((t) => ({ name: `m${t.id}`, alias: t.id + 1, type: 'Double' as const, value: 0 })),
      ],
    });
    await edge.publishAsync('spBv1.0/Bench/NBIRTH/E1', Buffer.from(birth), { qos: 0 });
    await new Promise((r) => setTimeout(r, 200));
    const base = intoBus;
    const cpu0 = process.cpuUsage();
    const driverSeconds = await stream(edge, data, messages, () => intoBus - base, messages * PER_MESSAGE);
    const cpu = process.cpuUsage(cpu0);
    const delivered = intoBus - base;
    const errors = driver.diagnostics().errors;
    await driver.stop();
    await edge.endAsync(true);

    const notes = `${messages} NDATA × ${PER_MESSAGE} aliased Double metrics over ${METRICS} tags, aedes in-process, QoS 0; delivered ${delivered}/${messages * PER_MESSAGE}; CPU ${(((cpu.user + cpu.system) / 1e6 / driverSeconds) * 100).toFixed(0)} % of a core (broker + edge + driver, one process); errors ${JSON.stringify(errors)}`;
    const results: BenchResult[] = [
      {
        bench: 'mqtt',
        metric: 'Sparkplug B metrics decoded into the TagBus',
        value: Math.round(delivered / driverSeconds),
        unit: 'metrics/s',
        baseline: 'bare sparkplug-payload decode of the same payloads (no broker, no bus)',
        baselineValue: Math.round(codecRate),
        notes,
      },
      {
        bench: 'mqtt',
        metric: 'NDATA messages through the driver',
        value: Math.round(delivered / PER_MESSAGE / driverSeconds),
        unit: 'messages/s',
        baseline: 'bare mqtt.js subscriber, same broker and messages',
        baselineValue: Math.round(bareMessages / bareSeconds),
        notes,
      },
    ];
    return results;
  } finally {
    await broker.close();
  }
};

export default bench;
