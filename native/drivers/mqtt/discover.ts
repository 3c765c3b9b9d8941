// MQTT discovery, the engineer's "what is on this broker": listen on a topic filter for a chosen
// time with a client of its own (never the running connection's: its subscriptions and session stay
// as they are) and list each topic with what it carries. JSON topics are taken apart into field
// paths in the syntax a tag's options.value uses (a.b[0].c), with a type and a sample; Sparkplug B
// topics are decoded by the driver's own host (./sparkplug.ts SparkplugHost, Tahu's codec), so
// discovery sees exactly the metrics, names, aliases and types the driver would.
import { randomBytes } from 'node:crypto';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { MqttDiscoveredTopic, MqttDiscoverField, MqttDiscoverResult } from '../../api/connection-requests.js';
import type { TagDataType, TagValue } from '../../api/types.js';
import { describeError } from '../../util/errors.js';
import { FIELD_PATH_PATTERN, type MqttConnectionConfig } from './config.js';
import { REBIRTH_METRIC, SPARKPLUG_NAMESPACE, SparkplugHost, sparkplugCodec } from './sparkplug.js';
import { topicFilterProblem } from './topic.js';

export interface DiscoverOptions {
  /** Topic filter (+ and # allowed); for a Sparkplug connection the spBv1.0 namespace by default. */
  filter: string;
  listenMs: number;
  maxTopics: number;
  /** Fields listed per JSON topic at most (a huge document must not make a huge answer). */
  maxFields: number;
  /** Called once the subscription is granted and the listen time starts. */
  listening?: () => void;
}

/** A sample as the answer shows it: scalars as they are, long text cut. */
function sample(v: unknown): TagValue {
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return v;
  const text = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

/** A JSON leaf's type in JSON's words, and the tag type it suggests (a number is a float: a later sample may have a fraction). */
function jsonType(v: unknown): { type: string; dataType: TagDataType | null } {
  if (typeof v === 'boolean') return { type: 'boolean', dataType: 'bool' };
  if (typeof v === 'number') return { type: 'number', dataType: 'float' };
  if (typeof v === 'string') return { type: 'string', dataType: 'string' };
  return { type: 'null', dataType: null };
}

/** A Sparkplug datatype's tag type; null for what a tag cannot hold (DataSet, Template, Bytes…). */
export function sparkplugTagType(type: string): TagDataType | null {
  if (type === 'Boolean') return 'bool';
  if (/^U?Int(8|16|32|64)$/.test(type) || type === 'DateTime') return 'int';
  if (type === 'Float' || type === 'Double') return 'float';
  if (type === 'String' || type === 'Text' || type === 'UUID') return 'string';
  return null;
}

/**
 * Every scalar leaf of a JSON document as its path ("$" for a bare scalar); `exact` is false when a
 * key holds . [ or ], which the field-path syntax cannot name (the path shown would mean another field).
 */
export function flatten(doc: unknown, limit: number): { path: string; value: unknown; exact: boolean }[] {
  const out: { path: string; value: unknown; exact: boolean }[] = [];
  const walk = (v: unknown, path: string, exact: boolean, depth: number) => {
    if (out.length >= limit) return;
    if (v !== null && typeof v === 'object') {
      if (depth >= 16) return;
      if (Array.isArray(v)) for (const [i, x] of v.entries()) walk(x, `${path}[${i}]`, exact, depth + 1);
      else
        for (const [k, x] of Object.entries(v))
          walk(x, path === '' ? k : `${path}.${k}`, exact && k !== '' && !/[.[\]]/.test(k), depth + 1);
      return;
    }
    out.push({ path: path === '' ? '$' : path, value: v, exact });
  };
  walk(doc, '', true, 0);
  return out;
}

/** The JSON document of a payload, as the driver reads it: plain text that is not JSON is a string. */
function parsePayload(payload: Buffer): { doc: unknown } | { error: string } {
  const text = payload.toString('utf8');
  try {
    return { doc: JSON.parse(text) };
  } catch {
    if (/^\s*[[{"]/.test(text)) return { error: 'payload is not valid JSON' };
    return { doc: text.trim() };
  }
}

/** Sparkplug DATA before a birth: the topic is seen, its metrics are not (no aliases yet). */
const UNBORN = 'no birth certificate seen while listening: its metrics are known only from an NBIRTH/DBIRTH';

export async function discoverMqtt(config: MqttConnectionConfig, base: IClientOptions, opts: DiscoverOptions): Promise<MqttDiscoverResult> {
  const problem = topicFilterProblem(opts.filter);
  if (problem) throw new DiscoverInputError(`topic filter "${opts.filter}": ${problem}`);
  const topics = new Map<string, MqttDiscoveredTopic>();
  let dropped = 0;
  const entry = (topic: string, kind: MqttDiscoveredTopic['kind']): MqttDiscoveredTopic | null => {
    let t = topics.get(topic);
    if (!t) {
      if (topics.size >= opts.maxTopics) {
        dropped++;
        return null;
      }
      t = { topic, kind, messages: 0, fields: [], problem: null };
      topics.set(topic, t);
    }
    t.messages++;
    return t;
  };
  // Per topic, where each field path stands in its list: a message updates its fields by lookup, not
  // by a search of the list per field (maxFields² comparisons per message on a busy broker).
  const fieldAt = new Map<MqttDiscoveredTopic, Map<string, number>>();
  const setField = (t: MqttDiscoveredTopic, f: MqttDiscoverField) => {
    let index = fieldAt.get(t);
    if (!index) {
      index = new Map();
      fieldAt.set(t, index);
    }
    const at = index.get(f.path);
    if (at !== undefined) t.fields[at] = f;
    else if (t.fields.length < opts.maxFields) index.set(f.path, t.fields.push(f) - 1);
  };

  // Sparkplug: the driver's host, with a sink that maps every metric key to an id of its own.
  const keys: string[] = [];
  const idOf = new Map<string, number>();
  let current: MqttDiscoveredTopic | null = null;
  let client: MqttClient | null = null;
  const host = new SparkplugHost(
    {
      resolve(key) {
        let id = idOf.get(key);
        if (id === undefined) {
          id = keys.push(key) - 1;
          idOf.set(key, id);
        }
        return id;
      },
      value(_id, value, ts, meta) {
        if (!current) return;
        const groupId = config.sparkplug.groupId;
        const rest = `${meta.edge}/${meta.device === null ? '' : `${meta.device}/`}${meta.name}`;
        // With sparkplug.groupId set, a tag's address leaves the group out, and only that group's metrics can be tags here.
        const address = groupId ? (meta.group === groupId ? rest : null) : `${meta.group}/${rest}`;
        setField(current, {
          path: meta.name,
          type: meta.type,
          dataType: sparkplugTagType(meta.type),
          sample: sample(value),
          at: ts,
          tag: address === null ? null : { address, options: {} },
        });
      },
      dead() {},
      rebirth(group, edge) {
        // The same policy as the driver's: ask only where the connection itself would ask.
        if (!config.sparkplug.rebirthOnConnect || !client?.connected) return;
        const payload = sparkplugCodec.encodePayload({
          timestamp: Date.now(),
          metrics: [{ name: REBIRTH_METRIC, type: 'Boolean', value: true }],
        });
        client.publish(`${SPARKPLUG_NAMESPACE}/${group}/NCMD/${edge}`, Buffer.from(payload), { qos: 0 });
      },
      error(kind, message) {
        if (current && kind !== 'seqGap') current.problem = kind === 'unborn' || kind === 'unknownAlias' ? UNBORN : message;
      },
    },
    { rebirthMinIntervalMs: config.sparkplug.rebirthMinIntervalMs },
  );

  const onMessage = (topic: string, payload: Buffer) => {
    if (topic.startsWith(`${SPARKPLUG_NAMESPACE}/`)) {
      const type = topic.split('/')[2];
      if (type === 'NCMD' || type === 'DCMD' || type === 'STATE') return;
      const t = entry(topic, 'sparkplug');
      if (!t) return;
      current = t;
      host.handle(topic, payload);
      current = null;
      if (t.fields.length > 0 && t.problem === UNBORN) t.problem = null;
      return;
    }
    const t = entry(topic, 'json');
    if (!t) return;
    const parsed = parsePayload(payload);
    if ('error' in parsed) {
      t.problem = parsed.error;
      return;
    }
    t.problem = null;
    const now = Date.now();
    for (const f of flatten(parsed.doc, opts.maxFields))
      setField(t, {
        path: f.path,
        ...jsonType(f.value),
        sample: sample(f.value),
        at: now,
        // A key with . [ or ] in it cannot be written as a field path: listed, not offered as a tag.
        tag: f.exact && FIELD_PATH_PATTERN.test(f.path) ? { address: topic, options: f.path === '$' ? {} : { value: f.path } } : null,
      });
  };

  const options: IClientOptions = {
    ...base,
    // Never the connection's own client id: a broker drops the older of two clients with one id.
    clientId: `${String(base.clientId ?? `aurum-${config.name}`).slice(0, 40)}-discover-${randomBytes(3).toString('hex')}`,
  };
  const c = connect(config.url, options);
  client = c;
  let interrupted: string | null = null;
  c.on('error', () => {}); // the connect promise below reports the first error; later ones end the listen early
  c.on('message', onMessage);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`no CONNACK within ${config.connectTimeoutMs} ms`)), config.connectTimeoutMs + 100);
      const done = (err?: Error) => {
        clearTimeout(timer);
        c.off('connect', ok);
        c.off('error', done);
        c.off('close', closed);
        if (err) reject(err);
        else resolve();
      };
      const ok = () => done();
      const closed = () => done(new Error('the broker closed the connection'));
      c.once('connect', ok);
      c.once('error', done);
      c.once('close', closed);
    });
  } catch (err) {
    await c.endAsync(true).catch(() => {});
    throw new Error(`discovering topics on ${config.name}: connecting to the broker failed: ${describeError(err)}`);
  }
  try {
    const granted = await c.subscribeAsync(opts.filter, { qos: 0 });
    if (granted.some((g) => g.qos === 128)) throw new Error(`the broker refused the subscription to ${opts.filter}`);
    const started = Date.now();
    opts.listening?.();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, opts.listenMs);
      c.once('close', () => {
        clearTimeout(timer);
        // What was seen so far is still worth showing, with why the listen was short.
        interrupted = `the broker closed the connection after ${((Date.now() - started) / 1000).toFixed(1)} s of ${opts.listenMs / 1000} s`;
        resolve();
      });
    });
  } catch (err) {
    throw new Error(`discovering topics on ${config.name}: ${describeError(err)}`);
  } finally {
    c.off('message', onMessage);
    await c.endAsync(true).catch(() => {});
  }
  const list = [...topics.values()].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
  return { connection: config.name, filter: opts.filter, listenMs: opts.listenMs, topics: list, topicsNotListed: dropped, interrupted };
}

/** The caller's mistake (a bad filter): the API answers it as a validation error. */
export class DiscoverInputError extends Error {
  override name = 'DiscoverInputError';
}
