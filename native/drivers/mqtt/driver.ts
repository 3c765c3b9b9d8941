// MQTT driver (mqtt.js): JSON topics mapped to tags by topic filter and field path, or Sparkplug B.
//
// Connection life: the shared life cycle (../connection.ts) opens one mqtt.js client per attempt
// (mqtt.js's own reconnect is off) and reconnects with exponential backoff; every connect
// subscribes again (clean sessions, so nothing depends on the broker remembering us), and every
// tag turns Bad ("comm failure") the moment the connection closes. In Sparkplug mode it also asks every configured edge node for a rebirth on connect, so
// current values and aliases arrive without waiting for the next change.
//
// Malformed payloads never reach the bus: they are counted in diagnostics.errors by kind
// (json, field, type, timestamp, sparkplugPayload, seqGap, unknownAlias, unborn…) and dropped; a
// sample whose timestamp field cannot be read as a time is dropped too (its time is unknown, and a
// receipt time would pass a late or replayed message off as current). Each fault is logged when it
// starts and then as a count every few minutes (RepeatedFault), never once per message. A source
// timestamp ahead of the console's clock is the bus's business (historian.acceptWindow): the sample
// is kept at receipt time as Uncertain, "source clock ahead".
//
// Staleness: a tag is expected to publish every expectedPeriodMs (tag option, else connection);
// without one the source is event-driven and its value stays Good until the connection is lost.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { z } from 'zod';
import { DISCOVER_LIMITS } from '../../api/connection-requests.js';
import type { QualityCode, TagValue } from '../../api/types.js';
import { describeZodIssue } from '../../util/describe.js';
import { describeError } from '../../util/errors.js';
import { Connection, type ErrorClass, LinkError, type LinkHandle } from '../connection.js';
import { type Driver, type DriverContext, type DriverTag, toEngineering, toRaw } from '../driver.js';
import { type MqttConnectionConfig, mqttJsonTagOptionsSchema, mqttSparkplugTagOptionsSchema, sparkplugAddressProblem } from './config.js';
import { discoverMqtt } from './discover.js';
import { coerce, compilePath, defaultValue, type FieldPath, pick, toEpochMs } from './json-mapping.js';
import { type MetricMeta, REBIRTH_METRIC, SPARKPLUG_NAMESPACE, SparkplugHost, sparkplugCodec } from './sparkplug.js';
import { TopicIndex } from './topic.js';

export class MqttConfigError extends Error {
  override name = 'MqttConfigError';
}

/** How long a write waits for the device to publish the new value back. */
const READBACK_MS = 3000;

interface JsonRoute {
  tag: DriverTag;
  value: FieldPath | null;
  timestamp: FieldPath | null;
  writeTopic: string | undefined;
}

/** Why a tag's options do not fit the schema, as the validator words it (did-you-mean, no raw zod text). */
function optionProblems(schema: z.ZodType, options: Record<string, unknown>): string | null {
  const r = schema.safeParse(options);
  if (r.success) return null;
  return r.error.issues
    .flatMap((issue) => describeZodIssue(issue, schema, options, ['options']))
    .map((d) => `${d.path.map(String).join('.')}: ${d.message}`)
    .join('; ');
}

/** A payload value for a message: short, whatever the device sent. */
function shortJson(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

function redact(url: string): string {
  return url.replace(/\/\/[^/@]*@/, '//');
}

export function createMqttDriver(config: MqttConnectionConfig, tags: DriverTag[], ctx: DriverContext): Driver {
  const byId = new Map(tags.map((t) => [t.id, t]));
  const routes = new TopicIndex<JsonRoute>();
  const jsonRoutes = new Map<number, JsonRoute>();
  /** Sparkplug: "group/edge[/device]/metric" → tag id, and the edge nodes to watch ("group/edge"). */
  const keyToId = new Map<string, number>();
  const keyOfId = new Map<number, string>();
  const edges = new Set<string>();

  for (const tag of tags) {
    if (config.mode === 'json') {
      const problem = optionProblems(mqttJsonTagOptionsSchema, tag.options);
      if (problem) throw new MqttConfigError(`${tag.name}: ${problem}`);
      const opts = mqttJsonTagOptionsSchema.parse(tag.options);
      const route: JsonRoute = {
        tag,
        value: opts.value ? compilePath(opts.value) : null,
        timestamp: opts.timestamp ? compilePath(opts.timestamp) : null,
        writeTopic: opts.writeTopic,
      };
      try {
        routes.add(tag.address, route);
      } catch (err) {
        throw new MqttConfigError(`${tag.name}: ${describeError(err)}`);
      }
      jsonRoutes.set(tag.id, route);
    } else {
      const optionProblem = optionProblems(mqttSparkplugTagOptionsSchema, tag.options);
      if (optionProblem) throw new MqttConfigError(`${tag.name}: ${optionProblem}`);
      const key = config.sparkplug.groupId ? `${config.sparkplug.groupId}/${tag.address}` : tag.address;
      const parts = key.split('/');
      const problem = sparkplugAddressProblem(tag.address, config.sparkplug.groupId);
      if (problem) throw new MqttConfigError(`${tag.name}: ${problem}`);
      if (keyToId.has(key)) throw new MqttConfigError(`${tag.name}: Sparkplug metric ${key} is already mapped to another tag`);
      keyToId.set(key, tag.id);
      keyOfId.set(tag.id, key);
      edges.add(`${parts[0]}/${parts[1]}`);
    }
  }

  let client: MqttClient | null = null;
  const waiters = new Map<number, Set<() => void>>();
  const markAll = (reason: string) => {
    const now = Date.now();
    for (const t of tags) ctx.bus.setQuality(t.id, 2, reason, now);
  };

  const link = new Connection(
    {
      name: config.name,
      protocol: 'mqtt',
      endpoint: redact(config.url),
      tagCount: tags.length,
      reconnect: config.reconnect,
      log: ctx.log,
      ...(ctx.clock ? { clock: ctx.clock } : {}),
      label: `[mqtt:${config.name}]`,
    },
    { open, close, markBad: markAll },
  );

  // A device spewing bad payloads must not flood the log: each fault (kind, and tag where there is
  // one) is logged when it starts, counted every few minutes, and logged once when it clears.
  /** Tags with an active payload fault: a good sample for one of them clears it. */
  const faulty = new Map<number, Set<string>>();
  const fail = (kind: string, message: string, tagId?: number, cls: ErrorClass = 'payload') => {
    const key = tagId === undefined ? kind : `${kind}:${tagId}`;
    link.fault({ kind, key, cls, message: `${kind}: ${message}` });
    if (tagId !== undefined) {
      const keys = faulty.get(tagId) ?? new Set();
      keys.add(key);
      faulty.set(tagId, keys);
    }
  };

  function deliver(tag: DriverTag, raw: TagValue, quality: QualityCode, ts: number, reason = ''): void {
    const value = typeof raw === 'number' ? toEngineering(raw, tag.scaling) : raw;
    ctx.bus.update(tag.id, value, quality, ts, reason);
    link.rate.add();
    if (faulty.size > 0) {
      const keys = faulty.get(tag.id);
      if (keys) {
        faulty.delete(tag.id);
        for (const key of keys) link.clear(key, `${tag.name}: good samples again`);
      }
    }
    const w = waiters.get(tag.id);
    if (w) for (const resolve of w) resolve();
  }

  // JSON mode ---------------------------------------------------------------------------------
  const matched: JsonRoute[] = [];
  // The newest payload time taken per tag (timestamp-mapped tags), to know a retained message sent
  // again on resubscribe from one the device published since.
  const sourceTimes = new Map<number, number>();
  function onJson(topic: string, payload: Buffer, retained: boolean): void {
    matched.length = 0;
    routes.match(topic, (r) => matched.push(r));
    if (matched.length === 0) return;
    const text = payload.toString('utf8');
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      // Plain text ("21.5" is JSON already; "ON" is not) is taken as it is; broken JSON is an error.
      if (/^\s*[[{"]/.test(text)) {
        fail('json', `${topic}: payload is not valid JSON`);
        return;
      }
      doc = text.trim();
    }
    const now = Date.now();
    for (const r of matched) {
      const raw = r.value ? pick(doc, r.value) : defaultValue(doc);
      if (raw === undefined) {
        fail('field', `${topic}: no value at ${r.value ? r.value.join('.') : '"value"'} for ${r.tag.name}`, r.tag.id);
        continue;
      }
      const value = raw === null ? null : coerce(raw, r.tag.dataType);
      if (value === undefined) {
        fail('type', `${topic}: ${shortJson(raw)} is not a ${r.tag.dataType} for ${r.tag.name}`, r.tag.id);
        continue;
      }
      let ts = now;
      if (r.timestamp) {
        const at = pick(doc, r.timestamp);
        const t = toEpochMs(at);
        if (t === undefined) {
          fail(
            'timestamp',
            `${topic}: ${at === undefined ? 'no timestamp' : `${shortJson(at)} is not a time`} at ${r.timestamp.join('.')} for ${r.tag.name}; sample dropped`,
            r.tag.id,
          );
          continue;
        }
        // A retained message is the value the broker kept, stamped when it was last published —
        // often before the status the bus holds for the tag (the link's "not connected yet" or
        // "comm failure", set before this link opened). Stored at its own time it would sort before
        // that Bad status and the history would read Bad until the device next published: it is
        // recorded 1 ms after it, as an OPC UA item's first notification is. The broker sends it
        // again on every resubscribe: one older than a message already taken from the topic is
        // outdated (the device published since without retain) and dropped. Live messages keep the
        // time they carry.
        if (retained) {
          const seen = sourceTimes.get(r.tag.id);
          if (seen !== undefined && t < seen) continue;
          const held = ctx.bus.current(r.tag.id).ts;
          ts = t <= held ? held + 1 : t;
        } else ts = t;
        sourceTimes.set(r.tag.id, Math.max(t, sourceTimes.get(r.tag.id) ?? t));
      }
      if (value === null) deliver(r.tag, null, 1, ts, 'null value from source');
      else deliver(r.tag, value, 0, ts);
    }
  }

  // Sparkplug mode ----------------------------------------------------------------------------
  const host = new SparkplugHost(
    {
      resolve: (key) => keyToId.get(key),
      value(id, raw, ts) {
        const tag = byId.get(id) as DriverTag;
        if (raw === null) return deliver(tag, null, 1, ts, 'null value from source');
        const value = coerce(raw, tag.dataType);
        if (value === undefined) return fail('type', `${shortJson(raw)} is not a ${tag.dataType} for ${tag.name}`, id);
        deliver(tag, value, 0, ts);
      },
      dead(prefix, reason) {
        const now = Date.now();
        for (const [key, id] of keyToId) if (key.startsWith(`${prefix}/`)) ctx.bus.setQuality(id, 2, reason, now);
      },
      rebirth(group, edge, why) {
        if (!client?.connected) return;
        ctx.log('info', `[mqtt:${config.name}] rebirth request to ${group}/${edge}: ${why}`);
        const payload = sparkplugCodec.encodePayload({
          timestamp: Date.now(),
          metrics: [{ name: REBIRTH_METRIC, type: 'Boolean', value: true }],
        });
        client.publish(`${SPARKPLUG_NAMESPACE}/${group}/NCMD/${edge}`, Buffer.from(payload), { qos: 0 });
      },
      error: fail,
    },
    { rebirthMinIntervalMs: config.sparkplug.rebirthMinIntervalMs },
  );

  function filters(): string[] {
    if (config.mode === 'json') return routes.filters();
    return [...edges].flatMap((e) => {
      const [group, edge] = e.split('/') as [string, string];
      return [`${SPARKPLUG_NAMESPACE}/${group}/+/${edge}`, `${SPARKPLUG_NAMESPACE}/${group}/+/${edge}/+`];
    });
  }

  function clientOptions(): IClientOptions {
    const o: IClientOptions = {
      clientId: config.clientId ?? `aurum-${config.name.replace(/[^A-Za-z0-9_-]/g, '_')}-${randomBytes(4).toString('hex')}`,
      clean: true,
      resubscribe: false,
      keepalive: config.keepaliveS,
      connectTimeout: config.connectTimeoutMs,
      // The life cycle reconnects (with its backoff), one client per attempt.
      reconnectPeriod: 0,
      protocolVersion: 4,
    };
    if (config.username !== undefined) o.username = config.username;
    // The core has opened the sealed secret in memory (core.ts); the site file holds only enc:v1:….
    if (config.passwordSecret !== undefined) o.password = config.passwordSecret;
    if (config.tls) {
      // The validator has made these names absolute (relative ones are read from the site file's folder).
      const read = (field: 'ca' | 'cert' | 'key', file: string) => {
        try {
          return fs.readFileSync(file);
        } catch (err) {
          throw new Error(`tls.${field}: cannot read ${file}: ${describeError(err)}`);
        }
      };
      if (config.tls.ca) o.ca = read('ca', config.tls.ca);
      if (config.tls.cert) o.cert = read('cert', config.tls.cert);
      if (config.tls.key) o.key = read('key', config.tls.key);
      o.rejectUnauthorized = config.tls.rejectUnauthorized;
      if (config.tls.servername) o.servername = config.tls.servername;
    }
    return o;
  }

  /** One attempt: a client that connects, or the reason it did not (then close() ends it). */
  async function open(handle: LinkHandle): Promise<void> {
    let options: IClientOptions;
    try {
      options = clientOptions();
    } catch (err) {
      throw new LinkError({ kind: 'tls', cls: 'config', bad: null, message: `tls: ${describeError(err)}` });
    }
    let c: MqttClient;
    try {
      c = connect(config.url, options);
    } catch (err) {
      throw new LinkError({ kind: 'connect', cls: 'config', bad: null, message: `connect: ${describeError(err)}` });
    }
    client = c;
    let opened = false;
    // Kept for the client's whole life: an 'error' without a listener would be thrown.
    c.on('error', (err) => {
      if (opened) link.fault({ kind: 'connect', key: 'link', message: `connect: ${describeError(err)}` });
    });
    c.on('message', (topic, payload, packet) => {
      if (config.mode === 'json') onJson(topic, payload, packet.retain);
      else host.handle(topic, payload);
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          finish(
            new LinkError({
              kind: 'connect',
              cls: 'timeout',
              bad: null,
              message: `connect: no CONNACK within ${config.connectTimeoutMs} ms`,
            }),
          ),
        config.connectTimeoutMs + 100,
      );
      const onError = (err: Error) => finish(err);
      const onClose = () => finish(new Error('the broker closed the connection'));
      function finish(err?: Error) {
        clearTimeout(timer);
        c.off('connect', onConnect);
        c.off('error', onError);
        c.off('close', onClose);
        if (err) reject(err);
        else resolve();
      }
      const onConnect = () => finish();
      c.once('connect', onConnect);
      c.once('error', onError);
      c.once('close', onClose);
    });
    opened = true;
    c.on('close', () =>
      handle.lost({ kind: null, message: 'connection: broker connection lost', bad: 'comm failure: broker connection lost' }),
    );
    markAll('no value received since connect');
    const list = filters();
    if (list.length === 0) return;
    c.subscribe(list, { qos: config.qos }, (err, granted) => {
      if (err) return fail('subscribe', describeError(err), undefined, 'protocol');
      for (const g of granted ?? []) if (g.qos === 128) fail('subscribe', `broker refused ${g.topic}`, undefined, 'protocol');
      if (config.mode === 'sparkplug' && config.sparkplug.rebirthOnConnect)
        for (const e of edges) {
          const [group, edge] = e.split('/') as [string, string];
          host.requestRebirth(group, edge, 'host connected');
        }
    });
  }

  async function close(): Promise<void> {
    const c = client;
    client = null;
    host.reset();
    if (c) await c.endAsync(true);
  }

  function waitForUpdate(id: number, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const set = waiters.get(id) ?? new Set();
      waiters.set(id, set);
      const done = (ok: boolean) => {
        clearTimeout(timer);
        set.delete(onUpdate);
        if (set.size === 0) waiters.delete(id);
        resolve(ok);
      };
      const onUpdate = () => done(true);
      const timer = setTimeout(() => done(false), ms);
      set.add(onUpdate);
    });
  }

  async function publishWrite(tag: DriverTag, value: number | boolean): Promise<string> {
    const c = client;
    if (!c?.connected) throw new Error(`connection ${config.name} is ${link.publicState}`);
    const raw = typeof value === 'number' ? toRaw(value, tag.scaling) : value;
    if (config.mode === 'json') {
      const route = jsonRoutes.get(tag.id);
      if (!route?.writeTopic) throw new Error(`${tag.name} has no options.writeTopic: it is read-only`);
      await c.publishAsync(route.writeTopic, JSON.stringify({ value: raw }), { qos: config.qos });
      return route.writeTopic;
    }
    const meta: MetricMeta | undefined = host.metaById.get(tag.id);
    if (!meta) throw new Error(`${tag.name}: no Sparkplug birth seen for ${keyOfId.get(tag.id)}, its type is unknown`);
    const topic =
      meta.device === null
        ? `${SPARKPLUG_NAMESPACE}/${meta.group}/NCMD/${meta.edge}`
        : `${SPARKPLUG_NAMESPACE}/${meta.group}/DCMD/${meta.edge}/${meta.device}`;
    const sent = meta.type === 'Boolean' ? Boolean(raw) : Number(raw);
    const payload = sparkplugCodec.encodePayload({
      timestamp: Date.now(),
      metrics: [{ name: meta.name, type: meta.type as 'Double', value: sent }],
    });
    await c.publishAsync(topic, Buffer.from(payload), { qos: 0 });
    return topic;
  }

  return {
    ...link.face(),
    discover: async ({ filter, listenMs, maxTopics }) =>
      await discoverMqtt(config, clientOptions(), {
        filter: filter ?? (config.mode === 'sparkplug' ? `${SPARKPLUG_NAMESPACE}/#` : '#'),
        listenMs,
        maxTopics,
        maxFields: DISCOVER_LIMITS.maxFields,
      }),
    async write(tagId, value) {
      const tag = byId.get(tagId);
      if (!tag) throw new Error(`tag ${tagId} is not on connection ${config.name}`);
      const readback = waitForUpdate(tagId, READBACK_MS);
      let topic: string;
      try {
        topic = await publishWrite(tag, value);
      } catch (err) {
        fail('write', `${tag.name}: ${describeError(err)}`, tagId, 'other');
        throw err;
      }
      if (!(await readback)) throw new Error(`${tag.name}: published to ${topic}, but no value came back within ${READBACK_MS} ms`);
      return ctx.bus.current(tagId).value;
    },
  };
}
