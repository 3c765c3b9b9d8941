// Publishes part of the demo plant to a broker, both as JSON (one topic per point:
// {"value": v, "timestamp": "<ISO>"}) and as a Sparkplug B edge node (NBIRTH with aliases and bdSeq,
// NDATA by alias with seq, NDEATH as will and on stop, rebirth on NCMD "Node Control/Rebirth"),
// so the console's MQTT driver has a real peer in the embedded default.
import { connect } from 'mqtt';
import { REBIRTH_METRIC, SPARKPLUG_NAMESPACE, type SparkplugPayload, sparkplugCodec } from './sparkplug.js';

export interface DemoPoint {
  name: string;
  value: number | boolean;
}

export interface DemoPublisherOptions {
  periodMs?: number;
  /** JSON topics are "<jsonTopicPrefix>/<point name>". */
  jsonTopicPrefix?: string;
  groupId?: string;
  edgeNode?: string;
  clientId?: string;
}

export interface DemoMqttPublisher {
  /** Publish one round now (JSON + NDATA), outside the timer. */
  publishNow(): Promise<void>;
  stop(): Promise<void>;
}

type SparkplugType = 'Double' | 'Boolean';

export async function startDemoMqttPublisher(
  brokerUrl: string,
  source: () => DemoPoint[],
  opts: DemoPublisherOptions = {},
): Promise<DemoMqttPublisher> {
  const periodMs = opts.periodMs ?? 1000;
  const prefix = opts.jsonTopicPrefix ?? 'aurum/demo';
  const group = opts.groupId ?? 'AurumDemo';
  const edge = opts.edgeNode ?? 'Plant';
  const nodeTopic = (type: string) => `${SPARKPLUG_NAMESPACE}/${group}/${type}/${edge}`;
  let bdSeq = 0;
  let seq = 0;
  /** name → alias, fixed by the last NBIRTH. */
  let aliases = new Map<string, { alias: number; type: SparkplugType }>();
  const last = new Map<string, number | boolean>();

  const encode = (p: SparkplugPayload) => Buffer.from(sparkplugCodec.encodePayload(p));
  const death = () => encode({ timestamp: Date.now(), metrics: [{ name: 'bdSeq', type: 'UInt64', value: bdSeq }] });
  const nextSeq = () => {
    seq = (seq + 1) % 256;
    return seq;
  };

  const client = connect(brokerUrl, {
    clientId: opts.clientId ?? `aurum-demo-${process.pid}-${Math.floor(Math.random() * 1e6)}`,
    clean: true,
    reconnectPeriod: 1000,
    will: { topic: nodeTopic('NDEATH'), payload: death(), qos: 1, retain: false },
  });

  async function birth(): Promise<void> {
    const points = source();
    aliases = new Map(points.map((p, i) => [p.name, { alias: i + 1, type: typeof p.value === 'boolean' ? 'Boolean' : 'Double' }]));
    last.clear();
    seq = 0;
    const now = Date.now();
    const metrics = [
      { name: 'bdSeq', type: 'UInt64' as const, value: bdSeq },
      { name: REBIRTH_METRIC, type: 'Boolean' as const, value: false },
      ...points.map((p) => {
        const a = aliases.get(p.name) as { alias: number; type: SparkplugType };
        last.set(p.name, p.value);
        return { name: p.name, alias: a.alias, type: a.type, value: p.value, timestamp: now };
      }),
    ];
    await client.publishAsync(nodeTopic('NBIRTH'), encode({ timestamp: now, seq: 0, metrics }), { qos: 0 });
  }

  async function publishRound(): Promise<void> {
    if (!client.connected) return;
    const now = Date.now();
    const iso = new Date(now).toISOString();
    const changed: { alias: number; type: SparkplugType; value: number | boolean; timestamp: number }[] = [];
    const sends: Promise<unknown>[] = [];
    for (const p of source()) {
      sends.push(client.publishAsync(`${prefix}/${p.name}`, JSON.stringify({ value: p.value, timestamp: iso }), { qos: 0 }));
      const a = aliases.get(p.name);
      if (a && last.get(p.name) !== p.value) {
        last.set(p.name, p.value);
        changed.push({ alias: a.alias, type: a.type, value: p.value, timestamp: now });
      }
    }
    if (changed.length > 0)
      sends.push(client.publishAsync(nodeTopic('NDATA'), encode({ timestamp: now, seq: nextSeq(), metrics: changed }), { qos: 0 }));
    await Promise.all(sends);
  }

  client.on('message', (_topic, payload) => {
    try {
      const cmd = sparkplugCodec.decodePayload(payload);
      if (cmd.metrics?.some((m) => m.name === REBIRTH_METRIC && m.value === true)) void birth().catch(() => undefined);
    } catch {
      // A malformed command is not ours to act on.
    }
  });
  client.on('connect', () => {
    client.subscribe(nodeTopic('NCMD'), { qos: 0 }, () => void birth().catch(() => undefined));
  });
  client.on('close', () => {
    // A new session gets a new bdSeq, so a host can tell this session's death from the last one's.
    bdSeq = (bdSeq + 1) % 256;
    if (client.options.will) client.options.will.payload = death();
  });
  // Demo plant's peer must never throw into the core; connection errors just retry.
  client.on('error', () => undefined);

  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 5000);
    client.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  const timer = setInterval(() => void publishRound().catch(() => undefined), periodMs);
  timer.unref();

  return {
    publishNow: publishRound,
    async stop() {
      clearInterval(timer);
      if (client.connected) await client.publishAsync(nodeTopic('NDEATH'), death(), { qos: 0 }).catch(() => undefined);
      await client.endAsync();
    },
  };
}
