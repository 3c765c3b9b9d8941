// The host-application side of Sparkplug B: decodes NBIRTH/NDATA/NDEATH/DBIRTH/DDATA/DDEATH
// (Eclipse Tahu's codec, sparkplug-payload), keeps each edge node's birth state, metric aliases and
// sequence numbers, and tells its owner which tag got which value — or that a node or device died.
//
// Rules followed (Sparkplug B 3.0):
// - seq runs 0…255 over every message of an edge node except NDEATH; a gap means lost messages,
//   so the node is asked for a rebirth (NCMD "Node Control/Rebirth"), rate-limited per node.
// - DATA before a BIRTH (we joined late, or aliases are unknown) is dropped and a rebirth asked.
// - NDEATH counts only when its bdSeq matches the NBIRTH's (a stale will from an older session is
//   ignored); it kills the node and all its devices. DDEATH kills one device.
// Not done here: STATE publication as a primary host, templates, datasets, historical metrics
// (isHistorical values are dropped, they must not overwrite the current value).
import sparkplug from 'sparkplug-payload';
import type { TagValue } from '../../api/types.js';
import { describeError } from '../../util/errors.js';

function loadCodec() {
  const c = sparkplug.get('spBv1.0');
  if (!c) throw new Error('sparkplug-payload has no spBv1.0 codec');
  return c;
}
const codec = loadCodec();
export const sparkplugCodec = codec;

export type SparkplugPayload = ReturnType<typeof codec.decodePayload>;
type Metric = NonNullable<SparkplugPayload['metrics']>[number];

export const SPARKPLUG_NAMESPACE = 'spBv1.0';
export const REBIRTH_METRIC = 'Node Control/Rebirth';

/** What the host reports to its owner (the driver). Keys are "group/edge_node[/device]/metric". */
export interface SparkplugSink {
  /** Which tag, if any, a metric key feeds. Called at birth (and for metrics sent by name). */
  resolve(key: string): number | undefined;
  value(tagId: number, value: TagValue, ts: number, meta: MetricMeta): void;
  /** Every tag whose key starts with `prefix` + "/" lost its source. */
  dead(prefix: string, reason: string): void;
  rebirth(group: string, edge: string, why: string): void;
  error(kind: string, message: string): void;
}

/** What a birth certificate said about a metric: enough to write it back with NCMD/DCMD. */
export interface MetricMeta {
  group: string;
  edge: string;
  device: string | null;
  name: string;
  type: string;
}

interface EdgeNode {
  born: boolean;
  bdSeq: number | null;
  seq: number | null;
  /** alias → tag id (-1: a metric no tag uses) and its birth metadata. */
  aliases: Map<number, { id: number; meta: MetricMeta }>;
  lastRebirthAt: number;
}

interface LongLike {
  toNumber(): number;
}

function num(v: number | LongLike | null | undefined): number | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'number' ? v : v.toNumber();
}

function isLong(v: unknown): v is LongLike {
  return typeof v === 'object' && v !== null && typeof (v as LongLike).toNumber === 'function';
}

function metricValue(m: Metric): TagValue | undefined {
  if (m.isNull) return null;
  const v: unknown = m.value;
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v;
  if (isLong(v)) return v.toNumber();
  return undefined;
}

export class SparkplugHost {
  private readonly nodes = new Map<string, EdgeNode>();
  /** Tag metadata learnt from births, by tag id: used for writes. */
  readonly metaById = new Map<number, MetricMeta>();
  /** Metrics decoded into values: the benchmark's and diagnostics' counter. */
  metrics = 0;

  constructor(
    private readonly sink: SparkplugSink,
    private readonly opts: { rebirthMinIntervalMs: number },
  ) {}

  private node(group: string, edge: string): EdgeNode {
    const key = `${group}/${edge}`;
    let n = this.nodes.get(key);
    if (!n) {
      n = { born: false, bdSeq: null, seq: null, aliases: new Map(), lastRebirthAt: Number.NEGATIVE_INFINITY };
      this.nodes.set(key, n);
    }
    return n;
  }

  /** Ask for a rebirth unless one was asked recently. */
  requestRebirth(group: string, edge: string, why: string, now = Date.now()): void {
    const n = this.node(group, edge);
    if (now - n.lastRebirthAt < this.opts.rebirthMinIntervalMs) return;
    n.lastRebirthAt = now;
    this.sink.rebirth(group, edge, why);
  }

  /** Forget every node's state (the broker connection was lost: births must be seen again). */
  reset(): void {
    for (const n of this.nodes.values()) {
      n.born = false;
      n.seq = null;
      n.aliases.clear();
      n.lastRebirthAt = Number.NEGATIVE_INFINITY;
    }
  }

  handle(topic: string, payload: Uint8Array, now = Date.now()): void {
    const parts = topic.split('/');
    if (parts[0] !== SPARKPLUG_NAMESPACE || parts.length < 4 || parts.length > 5) return;
    const [, group, type, edge, device] = parts as [string, string, string, string, string | undefined];
    if (type === 'NCMD' || type === 'DCMD' || type === 'STATE') return;
    const isNodeMsg = type === 'NBIRTH' || type === 'NDATA' || type === 'NDEATH';
    const isDeviceMsg = type === 'DBIRTH' || type === 'DDATA' || type === 'DDEATH';
    if ((!isNodeMsg && !isDeviceMsg) || isNodeMsg === (device !== undefined)) {
      this.sink.error('sparkplugTopic', `unexpected Sparkplug topic ${topic}`);
      return;
    }
    let msg: SparkplugPayload;
    try {
      msg = codec.decodePayload(payload);
    } catch (err) {
      this.sink.error('sparkplugPayload', `${topic}: ${describeError(err)}`);
      return;
    }
    const n = this.node(group, edge);
    const payloadTs = num(msg.timestamp) ?? now;

    if (type === 'NDEATH') {
      const bd = this.bdSeqOf(msg);
      if (n.bdSeq !== null && bd !== null && bd !== n.bdSeq) return;
      n.born = false;
      n.seq = null;
      this.sink.dead(`${group}/${edge}`, 'Sparkplug NDEATH: edge node offline');
      return;
    }

    const seq = num(msg.seq);
    if (type === 'NBIRTH') {
      n.born = true;
      n.bdSeq = this.bdSeqOf(msg);
      n.seq = seq;
      n.aliases.clear();
      this.birth(msg, n, group, edge, null, payloadTs);
      return;
    }

    if (!n.born) {
      this.sink.error('unborn', `${topic} before NBIRTH`);
      this.requestRebirth(group, edge, `${type} before NBIRTH`, now);
      return;
    }
    if (seq === null || n.seq === null || seq !== (n.seq + 1) % 256) {
      this.sink.error('seqGap', `${group}/${edge}: seq ${seq} after ${n.seq}`);
      this.requestRebirth(group, edge, `sequence gap (${n.seq} → ${seq})`, now);
    }
    n.seq = seq;

    const dev = device ?? null;
    if (type === 'DBIRTH') this.birth(msg, n, group, edge, dev, payloadTs);
    else if (type === 'DDEATH') this.sink.dead(`${group}/${edge}/${dev}`, 'Sparkplug DDEATH: device offline');
    else this.data(msg, n, group, edge, dev, payloadTs, now);
  }

  private bdSeqOf(msg: SparkplugPayload): number | null {
    const m = msg.metrics?.find((x) => x.name === 'bdSeq');
    if (!m) return null;
    const v = metricValue(m);
    return typeof v === 'number' ? v : null;
  }

  private birth(msg: SparkplugPayload, n: EdgeNode, group: string, edge: string, device: string | null, payloadTs: number): void {
    const prefix = device === null ? `${group}/${edge}/` : `${group}/${edge}/${device}/`;
    for (const m of msg.metrics ?? []) {
      if (!m.name) {
        this.sink.error('sparkplugPayload', `${prefix}: birth metric without a name`);
        continue;
      }
      const meta: MetricMeta = { group, edge, device, name: m.name, type: m.type };
      const id = this.sink.resolve(prefix + m.name) ?? -1;
      const alias = num(m.alias);
      if (alias !== null) n.aliases.set(alias, { id, meta });
      if (id >= 0) {
        this.metaById.set(id, meta);
        this.emit(id, m, payloadTs, meta);
      }
    }
  }

  private data(
    msg: SparkplugPayload,
    n: EdgeNode,
    group: string,
    edge: string,
    device: string | null,
    payloadTs: number,
    now: number,
  ): void {
    for (const m of msg.metrics ?? []) {
      const alias = num(m.alias);
      if (alias !== null) {
        const entry = n.aliases.get(alias);
        if (!entry) {
          this.sink.error('unknownAlias', `${group}/${edge}: alias ${alias} not in the birth certificate`);
          this.requestRebirth(group, edge, `unknown alias ${alias}`, now);
          continue;
        }
        if (entry.id >= 0) this.emit(entry.id, m, payloadTs, entry.meta);
      } else if (m.name) {
        const id = this.sink.resolve(device === null ? `${group}/${edge}/${m.name}` : `${group}/${edge}/${device}/${m.name}`);
        if (id !== undefined) this.emit(id, m, payloadTs, this.metaById.get(id) ?? { group, edge, device, name: m.name, type: m.type });
      } else this.sink.error('sparkplugPayload', `${group}/${edge}: metric with neither name nor alias`);
    }
  }

  private emit(id: number, m: Metric, payloadTs: number, meta: MetricMeta): void {
    if (m.isHistorical) return;
    const value = metricValue(m);
    if (value === undefined) {
      this.sink.error('unsupportedType', `${meta.name}: Sparkplug type ${m.type} is not a scalar`);
      return;
    }
    this.metrics++;
    this.sink.value(id, value, num(m.timestamp) ?? payloadTs, meta);
  }
}
