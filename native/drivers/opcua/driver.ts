// OPC UA client driver: one session, one subscription with a monitored item per tag.
//
// Connection life: the shared life cycle (../connection.ts); one open() makes client, session,
// subscription and monitored items; a lost socket, a closed session, an ended subscription or a
// missed keep-alive is a loss. On any loss every tag of the connection turns Bad ("comm failure")
// at once; the life cycle then reconnects with exponential backoff and opens all of it again, so a
// restarted server is recovered without restarting the console.
//
// A tag's own fault stays with that tag: a NodeId that does not parse, an nsu= URI the server does
// not know, a node the server refuses, a value of another type than the tag declares — that tag is
// Bad with a reason naming connection, endpoint, NodeId and cause; the others keep running.
import {
  AccessLevelFlag,
  AttributeIds,
  BrowseDirection,
  ClientMonitoredItemGroup,
  type ClientSession,
  type ClientSubscription,
  DataChangeFilter,
  DataChangeTrigger,
  DataType,
  type DataValue,
  DeadbandType,
  MessageSecurityMode,
  NodeClass,
  NodeId,
  NodeIdType,
  OPCUAClient,
  type ReadValueIdOptions,
  SecurityPolicy,
  StatusCodes,
  setErrorLogger,
  setWarningLogger,
  TimestampsToReturn,
  Variant,
  VariantArrayType,
} from 'node-opcua';
import type { BrowseNode, QualityCode, TagDataType, TagValue } from '../../api/types.js';
import { describeError } from '../../util/errors.js';
import { logger } from '../../util/log.js';
import { Connection, classifyError, type ErrorClass, type LinkHandle } from '../connection.js';
import { type Driver, type DriverContext, type DriverTag, toEngineering, toRaw } from '../driver.js';
import { emptyAttributes, INTEGER_TYPES, readTagAttributes } from './attributes.js';
import { type OpcuaConnectionConfig, type OpcuaDeadband, opcuaTagOptionsSchema, tagOptionProblems } from './config.js';
import { formatNodeId, type ParsedNodeId, parseNodeId } from './nodeid.js';
import { type ClientIdentity, clientIdentity, clientPki, colonHex, pkiFor } from './pki.js';
import { describeOpcuaError, statusInWords } from './status.js';

const SECURITY_MODE: Record<OpcuaConnectionConfig['securityMode'], MessageSecurityMode> = {
  None: MessageSecurityMode.None,
  Sign: MessageSecurityMode.Sign,
  SignAndEncrypt: MessageSecurityMode.SignAndEncrypt,
};

const SECURITY_POLICY: Record<OpcuaConnectionConfig['securityPolicy'], SecurityPolicy> = {
  None: SecurityPolicy.None,
  Basic256Sha256: SecurityPolicy.Basic256Sha256,
  Aes128_Sha256_RsaOaep: SecurityPolicy.Aes128_Sha256_RsaOaep,
  Aes256_Sha256_RsaPss: SecurityPolicy.Aes256_Sha256_RsaPss,
};

const MONITORED_ITEMS_PER_CALL = 500;
/** Identity used when the caller names no site (tests, benchmarks). */
const NO_SITE = { name: 'Aurum' };

/**
 * node-opcua prints its own warnings on stdout, some with a whole certificate in base64, on every
 * retry. The driver reports every fault itself (once, with thumbprints), so node-opcua's text goes to
 * the debug channel "node-opcua" (AURUM_DEBUG=node-opcua), one line each, long base64 runs elided.
 */
const opcuaLog = logger('node-opcua');
const quietLine = (args: unknown[]) =>
  args
    .map((a) => (typeof a === 'string' ? a : describeError(a)))
    .join(' ')
    .replace(/[A-Za-z0-9+/=]{120,}/g, (b) => `<${b.length} characters elided>`)
    .split('\n', 1)[0];
setWarningLogger((_ctx, ...args: unknown[]) => opcuaLog('debug', quietLine(args)));
setErrorLogger((_ctx, ...args: unknown[]) => opcuaLog('debug', quietLine(args)));

/** OPC UA status → console quality. The top two bits of a StatusCode carry its severity. */
export function qualityOf(status: number): QualityCode {
  const severity = status >>> 30;
  return severity === 0 ? 0 : severity === 1 ? 1 : 2;
}

/** An error of a request (browse) with the kind the API answers with (400, 404, 503). */
export class OpcuaRequestError extends Error {
  constructor(
    readonly kind: 'invalid' | 'not_found' | 'unavailable',
    message: string,
  ) {
    super(message);
  }
}

const NUMERIC_TYPES = new Set([...INTEGER_TYPES, DataType.Float, DataType.Double]);
/** Value range of each integer type (64-bit ones as far as a number is exact). */
const INTEGER_RANGE = new Map<DataType, [number, number]>([
  [DataType.SByte, [-128, 127]],
  [DataType.Byte, [0, 255]],
  [DataType.Int16, [-32_768, 32_767]],
  [DataType.UInt16, [0, 65_535]],
  [DataType.Int32, [-2_147_483_648, 2_147_483_647]],
  [DataType.UInt32, [0, 4_294_967_295]],
  [DataType.Int64, [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]],
  [DataType.UInt64, [0, Number.MAX_SAFE_INTEGER]],
]);
const TEXT_TYPES = new Set([DataType.String, DataType.LocalizedText, DataType.XmlElement]);

/** Which OPC UA built-in types each declared tag type takes; anything else is a type mismatch. */
export function acceptsType(declared: TagDataType, dt: DataType): boolean {
  switch (declared) {
    case 'float':
      return NUMERIC_TYPES.has(dt);
    case 'int':
      return INTEGER_TYPES.has(dt);
    case 'bool':
      return dt === DataType.Boolean;
    case 'string':
      return TEXT_TYPES.has(dt);
  }
}

const TWO_POW_53 = 2n ** 53n;

/**
 * An Int64/UInt64 ([high, low] 32-bit words in node-opcua) as a number. Exact for |v| ≤ 2^53; beyond
 * that the nearest double is returned with `lost` set, and the tag is marked Uncertain.
 */
export function int64ToNumber(words: readonly [number, number], signed: boolean): { value: number; lost: boolean } {
  const raw = (BigInt(words[0] >>> 0) << 32n) | BigInt(words[1] >>> 0);
  const big = signed ? BigInt.asIntN(64, raw) : raw;
  return { value: Number(big), lost: big > TWO_POW_53 || big < -TWO_POW_53 };
}

/** A scalar variant as a tag value of the declared type, or why it cannot be one. */
export function convertVariant(declared: TagDataType, v: Variant): { value: TagValue; uncertain?: string } | { mismatch: string } {
  const name = DataType[v.dataType] ?? `type ${v.dataType}`;
  if (v.dataType === DataType.Null) return { mismatch: 'the server sends no value (Null)' };
  if (v.arrayType !== VariantArrayType.Scalar)
    return { mismatch: `type mismatch: server sends an array of ${name}, the tag is a single ${declared}` };
  if (!acceptsType(declared, v.dataType)) return { mismatch: `type mismatch: server sends ${name}, the tag is declared ${declared}` };
  if (v.dataType === DataType.Int64 || v.dataType === DataType.UInt64) {
    const words = v.value as [number, number] | number;
    if (typeof words === 'number') return { value: words };
    const n = int64ToNumber(words, v.dataType === DataType.Int64);
    return n.lost
      ? { value: n.value, uncertain: `precision lost: the ${name} value is beyond ±2^53 and is shown rounded to ${n.value}` }
      : { value: n.value };
  }
  if (v.dataType === DataType.LocalizedText) return { value: (v.value as { text?: string | null } | null)?.text ?? '' };
  return { value: v.value as TagValue };
}

interface Item {
  tag: DriverTag;
  parsed: ParsedNodeId;
  deadband: OpcuaDeadband | null;
  /** Resolved for the current session (nsu= needs the server's namespace array). */
  nodeId: NodeId | null;
  /** RepeatedFault key of this tag's type mismatch (made once, not per sample). */
  typeFaultKey: string;
}

function toNodeId(p: ParsedNodeId, index: number): NodeId {
  const id = p.identifier;
  switch (id.type) {
    case 'i':
      return new NodeId(NodeIdType.NUMERIC, id.value, index);
    case 's':
      return new NodeId(NodeIdType.STRING, id.value, index);
    case 'g':
      return new NodeId(NodeIdType.GUID, id.value, index);
    case 'b':
      return new NodeId(NodeIdType.BYTESTRING, Buffer.from(id.value), index);
  }
}

function deadbandFilter(d: OpcuaDeadband | null): DataChangeFilter | null {
  if (!d) return null;
  return new DataChangeFilter({
    trigger: DataChangeTrigger.StatusValue,
    deadbandType: d.type === 'absolute' ? DeadbandType.Absolute : DeadbandType.Percent,
    deadbandValue: d.value,
  });
}

export function createOpcuaDriver(config: OpcuaConnectionConfig, tags: DriverTag[], ctx: DriverContext): Driver {
  let client: OPCUAClient | null = null;
  let session: ClientSession | null = null;
  let watchdog: NodeJS.Timeout | null = null;
  let lastHeard = 0;
  let identity: ClientIdentity | null = null;
  /** The server certificate checked on the current attempt, to name it when it is refused. */
  let serverThumbprint: string | null = null;
  const where = `connection ${config.name} (${config.endpoint})`;
  const link = new Connection(
    {
      name: config.name,
      protocol: 'opcua',
      endpoint: config.endpoint,
      tagCount: tags.length,
      reconnect: config.reconnect,
      log: ctx.log,
      ...(ctx.clock ? { clock: ctx.clock } : {}),
      label: `[opcua:${config.name}]`,
    },
    {
      open,
      close: teardown,
      openFailed(err) {
        const message = describeOpcuaError(err, errorContext());
        // The worded message knows more (which certificate, whose login) than the library's text.
        const worded = classifyError(new Error(message));
        return {
          cls: worded === 'other' ? classifyError(err) : worded,
          kind: 'connect',
          message: `connect: ${message}`,
          log: `${where}: connect: ${message}`,
          bad: `comm failure: ${where}: ${message}`,
        };
      },
      markBad: (reason) => markAllBad(reason),
    },
  );
  const faults = link.faults;
  const dataTypes = new Map<number, DataType>();

  // NodeIds and options are parsed once: a tag whose NodeId or options are malformed is Bad for the
  // life of the driver with that reason, and never reaches node-opcua.
  const items = new Map<number, Item>();
  const configProblems = new Map<number, string>();
  for (const tag of tags) {
    const parsed = parseNodeId(tag.address);
    const options = opcuaTagOptionsSchema.safeParse(tag.options);
    if (!parsed.ok) configProblems.set(tag.id, `config error: ${where}, tag ${tag.name}: ${parsed.message}`);
    else if (!options.success)
      configProblems.set(
        tag.id,
        `config error: ${where}, tag ${tag.name}: ${tagOptionProblems(tag.options)
          .map((p) => p.message)
          .join('; ')}`,
      );
    else {
      const own = options.data.deadband;
      const deadband = own === 'none' ? null : (own ?? config.deadband ?? null);
      items.set(tag.id, { tag, parsed: parsed.nodeId, deadband, nodeId: null, typeFaultKey: `type:${tag.id}` });
    }
  }
  /** Tag problems of the current session (unknown nsu URI, node refused): cleared on reconnect. */
  const itemProblems = new Map<number, string>();
  /** Tags whose monitored item has not sent its first notification on the current link. */
  let firstPending = new Set<number>();
  for (const [id, reason] of configProblems) faults.report(`tag:${id}`, reason);

  const tagProblem = (tag: DriverTag, nodeText: string, cause: string) =>
    `config error: ${where}, tag ${tag.name}, NodeId ${nodeText}: ${cause}`;

  const markAllBad = (reason: string) => {
    const now = Date.now();
    for (const t of tags) ctx.bus.setQuality(t.id, 2, configProblems.get(t.id) ?? reason, now);
  };

  const onValue = (item: Item, dv: DataValue) => {
    const tag = item.tag;
    link.rate.add();
    lastHeard = Date.now();
    const status = dv.statusCode;
    let ts = dv.sourceTimestamp?.getTime() ?? dv.serverTimestamp?.getTime() ?? Date.now();
    // An item's first notification is the value the server holds now, stamped with the time it last
    // changed. That is often older than what the bus holds for the tag — the link's start or loss
    // status, set before this link opened: stored at its own time it would sort before that Bad
    // status, and the history would read Bad until the value next changed. It is recorded 1 ms
    // after it instead; what the server sampled since (after the subscription began) sorts after.
    if (firstPending.delete(tag.id)) {
      const held = ctx.bus.current(tag.id).ts;
      if (ts <= held) ts = held + 1;
    }
    let quality = qualityOf(status.value);
    let reason = quality === 0 ? '' : statusInWords(status);
    const converted = convertVariant(tag.dataType, dv.value);
    const key = item.typeFaultKey;
    if ('mismatch' in converted) {
      // A Bad status usually comes without a value: the status is the reason, not the type.
      if (quality === 2) {
        ctx.bus.update(tag.id, null, 2, ts, reason);
        return;
      }
      const why = `${converted.mismatch} (NodeId ${tag.address})`;
      faults.report(key, `${where}, tag ${tag.name}: ${why}`);
      ctx.bus.update(tag.id, null, 2, ts, why);
      return;
    }
    faults.clear(key, `${where}, tag ${tag.name}: the server sends a ${tag.dataType} value again`);
    let value = converted.value;
    if (converted.uncertain) {
      if (quality === 0) quality = 1;
      reason = reason ? `${reason}; ${converted.uncertain}` : converted.uncertain;
    }
    if (typeof value === 'number' && tag.scaling) value = toEngineering(value, tag.scaling);
    ctx.bus.update(tag.id, value ?? null, quality, ts, reason);
  };

  async function teardown(): Promise<void> {
    if (watchdog) clearInterval(watchdog);
    watchdog = null;
    const c = client;
    client = null;
    session = null;
    if (c) await c.disconnect().catch(() => undefined);
  }

  /** A loss of the link (ignored while connecting: the open that is running fails by itself). */
  const lostOf =
    (handle: LinkHandle) =>
    (reason: string, cls: ErrorClass = 'lost') =>
      handle.lost({
        kind: 'connection',
        cls,
        message: `connection: ${reason}`,
        log: `${where}: connection: ${reason}`,
        bad: `comm failure: ${reason}`,
      });

  /** Resolve every item's NodeId for this session; nsu= URIs go through the server's namespace array. */
  async function resolveItems(s: ClientSession): Promise<Item[]> {
    itemProblems.clear();
    const needsUris = [...items.values()].some((i) => 'uri' in i.parsed.namespace);
    const namespaces = needsUris ? await s.readNamespaceArray() : [];
    const ready: Item[] = [];
    for (const item of items.values()) {
      const ns = item.parsed.namespace;
      const index = 'index' in ns ? ns.index : namespaces.indexOf(ns.uri);
      if (index < 0) {
        const uri = 'uri' in ns ? ns.uri : '';
        itemProblems.set(
          item.tag.id,
          tagProblem(item.tag, item.tag.address, `the server has no namespace "${uri}" (its namespaces: ${namespaces.join(', ')})`),
        );
        item.nodeId = null;
        continue;
      }
      item.nodeId = toNodeId(item.parsed, index);
      ready.push(item);
    }
    return ready;
  }

  async function monitor(sub: ClientSubscription, ready: Item[]): Promise<void> {
    // One group per sampling interval and deadband; servers cap items per call (often 1,000): chunks.
    const groups = new Map<string, Item[]>();
    for (const item of ready) {
      const key = `${item.tag.periodMs}|${JSON.stringify(item.deadband)}`;
      const g = groups.get(key);
      if (g) g.push(item);
      else groups.set(key, [item]);
    }
    for (const group of groups.values()) {
      const first = group[0] as Item;
      const filter = deadbandFilter(first.deadband);
      for (let start = 0; start < group.length; start += MONITORED_ITEMS_PER_CALL) {
        const chunk = group.slice(start, start + MONITORED_ITEMS_PER_CALL);
        const requests: ReadValueIdOptions[] = chunk.map((i) => ({ nodeId: i.nodeId as NodeId, attributeId: AttributeIds.Value }));
        const mig = ClientMonitoredItemGroup.create(
          sub,
          requests,
          { samplingInterval: first.tag.periodMs, discardOldest: true, queueSize: config.queueSize, ...(filter ? { filter } : {}) },
          TimestampsToReturn.Both,
        );
        mig.on('changed', (_mi, dv, index) => {
          const item = chunk[index];
          if (item && !itemProblems.has(item.tag.id)) onValue(item, dv);
        });
        await new Promise<void>((resolve, reject) => {
          mig.once('initialized', () => resolve());
          mig.once('err', (message: string) => reject(new Error(`the server refused the monitored items: ${message}`)));
        });
        // Items the server refused (unknown NodeId, unsupported deadband…) are Bad with its reason.
        mig.monitoredItems.forEach((mi, i) => {
          const item = chunk[i];
          const status = mi.statusCode;
          if (!item || !status || status.value === StatusCodes.Good.value) {
            if (item) faults.clear(`tag:${item.tag.id}`);
            return;
          }
          const reason = tagProblem(item.tag, item.tag.address, statusInWords(status));
          itemProblems.set(item.tag.id, reason);
          link.fault({ kind: 'monitored item', key: `tag:${item.tag.id}`, cls: 'protocol', message: reason });
          ctx.bus.setQuality(item.tag.id, 2, reason);
        });
      }
    }
  }

  /** One attempt: client, session, subscription and monitored items; throws what failed (then teardown). */
  async function open(handle: LinkHandle): Promise<void> {
    const lost = lostOf(handle);
    serverThumbprint = null;
    identity = await clientIdentity(ctx.dataDir, ctx.site ?? NO_SITE);
    const cm = pkiFor(await clientPki(ctx.dataDir), config.name, (t) => {
      serverThumbprint = colonHex(t);
    });
    const c = OPCUAClient.create({
      applicationName: identity.applicationName,
      applicationUri: identity.applicationUri,
      certificateFile: identity.certificateFile,
      privateKeyFile: identity.privateKeyFile,
      endpointMustExist: false,
      securityMode: SECURITY_MODE[config.securityMode],
      securityPolicy: SECURITY_POLICY[config.securityPolicy],
      // The life cycle reconnects (and recreates session and subscription); node-opcua must not.
      connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
      keepSessionAlive: true,
      requestedSessionTimeout: 60_000,
      clientCertificateManager: cm,
    });
    client = c;
    const t0 = Date.now();
    await c.connect(config.endpoint);
    c.on('connection_lost', () => lost('connection lost'));
    c.on('close', () => lost('connection closed'));
    // The core opens the sealed password and hands the driver the plain one, in memory only.
    const s = await c.createSession(
      config.user ? { type: 1, userName: config.user.username, password: config.user.passwordSecret } : undefined,
    );
    session = s;
    s.on('session_closed', () => lost('the server closed the session'));
    link.measured(Date.now() - t0);
    const ready = await resolveItems(s);
    for (const [id, reason] of itemProblems) {
      faults.report(`tag:${id}`, reason);
      ctx.bus.setQuality(id, 2, reason);
    }
    // createSubscription2 resolves once the server has created it: nothing later runs without a session.
    const sub = await s.createSubscription2({
      requestedPublishingInterval: config.publishingIntervalMs,
      requestedLifetimeCount: 100,
      requestedMaxKeepAliveCount: Math.max(2, Math.ceil(config.keepAliveMs / config.publishingIntervalMs)),
      maxNotificationsPerPublish: 0,
      publishingEnabled: true,
      priority: 10,
    });
    sub.on('keepalive', () => {
      lastHeard = Date.now();
    });
    sub.on('terminated', () => lost('the server ended the subscription'));
    (sub as unknown as NodeJS.EventEmitter).on('error', (err: unknown) => lost(`subscription error: ${describeError(err)}`));
    (sub as unknown as NodeJS.EventEmitter).on('internal_error', (err: unknown) => lost(`subscription error: ${describeError(err)}`));
    firstPending = new Set(ready.map((i) => i.tag.id));
    await monitor(sub, ready);
    lastHeard = Date.now();
    // A missed keep-alive means the link is gone even if the socket has not noticed yet.
    const silenceMs = 3 * Math.max(config.keepAliveMs, config.publishingIntervalMs);
    const ids = tags.filter((t) => !configProblems.has(t.id) && !itemProblems.has(t.id)).map((t) => t.id);
    watchdog = setInterval(
      () => {
        if (Date.now() - lastHeard > silenceMs) lost(`no notification or keep-alive for ${silenceMs} ms`, 'timeout');
        // The subscription reports changes only: while it is alive, unchanged values are still current.
        else ctx.bus.confirm(ids);
      },
      Math.min(1000, silenceMs / 3),
    );
    watchdog.unref();
  }

  const errorContext = () => ({
    endpoint: config.endpoint,
    securityMode: config.securityMode,
    securityPolicy: config.securityPolicy,
    user: config.user?.username,
    own: identity ? { thumbprint: identity.thumbprint, file: identity.certificateFile } : null,
    serverThumbprint,
  });

  /** A session call whose failure (a node-opcua error) becomes a sentence naming what was being done. */
  async function inWords<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw new OpcuaRequestError('unavailable', `${what} on ${where} failed: ${describeOpcuaError(err, errorContext())}`);
    }
  }

  function connectedSession(): ClientSession {
    const s = session;
    if (!s || !link.up) {
      const { lastError } = link.snapshot();
      throw new OpcuaRequestError('unavailable', `${where} is ${link.publicState}${lastError ? ` (${lastError})` : ''}`);
    }
    return s;
  }

  async function dataTypeOf(item: Item, s: ClientSession): Promise<DataType> {
    const cached = dataTypes.get(item.tag.id);
    if (cached !== undefined) return cached;
    const dt = await s.getBuiltInDataType(item.nodeId as NodeId);
    dataTypes.set(item.tag.id, dt);
    return dt;
  }

  /** The value to send for a write, refused in a sentence when the node's type cannot take it. */
  function rawFor(item: Item, value: number | boolean, dt: DataType): number | boolean | [number, number] {
    const typeName = DataType[dt] ?? `type ${dt}`;
    if (typeof value === 'boolean') {
      if (dt !== DataType.Boolean)
        throw new Error(`${item.tag.name}: the node ${item.tag.address} is ${typeName}; a boolean cannot be written to it`);
      return value;
    }
    if (!NUMERIC_TYPES.has(dt))
      throw new Error(`${item.tag.name}: the node ${item.tag.address} is ${typeName}; a number cannot be written to it`);
    const raw = toRaw(value, item.tag.scaling);
    if (INTEGER_TYPES.has(dt) && !Number.isInteger(raw))
      throw new Error(`${item.tag.name}: the node ${item.tag.address} is ${typeName}, and ${raw} is not a whole number`);
    if ((dt === DataType.Int64 || dt === DataType.UInt64) && !Number.isSafeInteger(raw))
      throw new Error(`${item.tag.name}: ${raw} is beyond ±2^53, where a number no longer holds an exact ${typeName}`);
    const range = INTEGER_RANGE.get(dt);
    if (range && (raw < range[0] || raw > range[1]))
      throw new Error(`${item.tag.name}: the node ${item.tag.address} is ${typeName}, which holds ${range[0]} to ${range[1]}, not ${raw}`);
    // node-opcua takes 64-bit integers as [high, low] 32-bit words (and asserts on large negative numbers).
    if (dt === DataType.Int64 || dt === DataType.UInt64) {
      const words = BigInt.asUintN(64, BigInt(raw));
      return [Number(words >> 32n), Number(words & 0xffff_ffffn)];
    }
    return raw;
  }

  return {
    ...link.face(),
    async write(tagId, value) {
      const problem = configProblems.get(tagId) ?? itemProblems.get(tagId);
      if (problem) throw new Error(problem);
      const item = items.get(tagId);
      if (!item) throw new Error(`tag ${tagId} is not on ${where}`);
      const s = connectedSession();
      if (!item.nodeId) throw new Error(`${item.tag.name}: NodeId ${item.tag.address} is not resolved on ${where}`);
      const nodeId = item.nodeId;
      const dataType = await inWords(`reading the data type of ${item.tag.name} (${item.tag.address})`, () => dataTypeOf(item, s));
      const raw = rawFor(item, value, dataType);
      const t0 = Date.now();
      const status = await inWords(`writing ${item.tag.name} (${item.tag.address})`, () =>
        s.write({
          nodeId,
          attributeId: AttributeIds.Value,
          value: { value: new Variant({ dataType, arrayType: VariantArrayType.Scalar, value: raw }) },
        }),
      );
      link.measured(Date.now() - t0);
      if (status.value !== StatusCodes.Good.value) {
        const why = statusInWords(status);
        const message = `write: ${item.tag.name} (${item.tag.address}): ${why}`;
        link.fault({ kind: 'write', key: `write:${tagId}`, cls: 'protocol', message, log: `${where}: ${message}` });
        throw new Error(`the server refused the write to ${item.tag.name}: ${why}`);
      }
      faults.clear(`write:${tagId}`);
      const dv = await inWords(`reading back ${item.tag.name} (${item.tag.address})`, () =>
        s.read({ nodeId, attributeId: AttributeIds.Value }),
      );
      onValue(item, dv);
      const converted = convertVariant(item.tag.dataType, dv.value);
      if ('mismatch' in converted) throw new Error(`${item.tag.name}: ${converted.mismatch}`);
      const back = converted.value;
      return typeof back === 'number' && item.tag.scaling ? toEngineering(back, item.tag.scaling) : back;
    },
    async tagAttributes(nodeIds) {
      const s = connectedSession();
      const parsed = nodeIds.map((text) => ({ text, p: parseNodeId(text) }));
      const namespaces = parsed.some(({ p }) => p.ok && 'uri' in p.nodeId.namespace)
        ? await inWords('reading the namespace array', () => s.readNamespaceArray())
        : [];
      const targets = parsed.map(({ text, p }): { text: string; id: NodeId | null; problem: string | null } => {
        if (!p.ok) return { text, id: null, problem: p.message };
        const ns = p.nodeId.namespace;
        const index = 'uri' in ns ? namespaces.indexOf(ns.uri) : ns.index;
        if (index < 0) return { text, id: null, problem: `the server has no namespace "${'uri' in ns ? ns.uri : ''}"` };
        return { text, id: toNodeId(p.nodeId, index), problem: null };
      });
      const found = targets.filter((t): t is { text: string; id: NodeId; problem: null } => t.id !== null);
      return await inWords(`reading the tag attributes of ${found.length} node(s)`, async () => {
        const attrs = await readTagAttributes(
          s,
          found.map((t) => t.id),
        );
        const byText = new Map(found.map((t, i) => [t.text, attrs[i]]));
        return targets.map((t) => byText.get(t.text) ?? { ...emptyAttributes(t.text), problem: t.problem });
      });
    },
    async browse(nodeId) {
      const text = nodeId ?? 'i=85';
      const parsed = parseNodeId(text);
      if (!parsed.ok) throw new OpcuaRequestError('invalid', parsed.message);
      const s = connectedSession();
      let index: number;
      const ns = parsed.nodeId.namespace;
      if ('uri' in ns) {
        index = (await s.readNamespaceArray()).indexOf(ns.uri);
        if (index < 0) throw new OpcuaRequestError('not_found', `${where}: the server has no namespace "${ns.uri}"`);
      } else index = ns.index;
      const target = toNodeId(parsed.nodeId, index);
      const result = await inWords(`browsing ${text}`, () =>
        s.browse({
          nodeId: target,
          browseDirection: BrowseDirection.Forward,
          referenceTypeId: 'HierarchicalReferences',
          includeSubtypes: true,
          resultMask: 63,
        }),
      );
      const status = result.statusCode;
      if (status.value === StatusCodes.BadNodeIdUnknown.value)
        throw new OpcuaRequestError('not_found', `${where} has no node ${formatNodeId({ index, identifier: parsed.nodeId.identifier })}`);
      if (status.value === StatusCodes.BadNodeIdInvalid.value)
        throw new OpcuaRequestError('invalid', `${where}: ${text}: ${statusInWords(status)}`);
      if (qualityOf(status.value) === 2)
        throw new OpcuaRequestError('unavailable', `${where}: browsing ${text} failed: ${statusInWords(status)}`);
      const refs = result.references ?? [];
      const variables = refs.filter((r) => r.nodeClass === NodeClass.Variable);
      // Per variable: built-in data type, and AccessLevel ∧ UserAccessLevel (what this session may do).
      const [types, access] = await Promise.all([
        Promise.all(variables.map((r) => s.getBuiltInDataType(r.nodeId).catch(() => null))),
        variables.length === 0
          ? Promise.resolve([])
          : s.read(
              variables.flatMap((r) => [
                { nodeId: r.nodeId, attributeId: AttributeIds.AccessLevel },
                { nodeId: r.nodeId, attributeId: AttributeIds.UserAccessLevel },
              ]),
            ),
      ]);
      const info = new Map(
        variables.map((r, i) => {
          const level = access[2 * i]?.value.value as number | null | undefined;
          const user = access[2 * i + 1]?.value.value as number | null | undefined;
          const effective = typeof level === 'number' ? level & (typeof user === 'number' ? user : level) : null;
          return [
            r.nodeId.toString(),
            {
              dataType: types[i] ?? null,
              accessLevel:
                effective === null
                  ? null
                  : {
                      readable: (effective & AccessLevelFlag.CurrentRead) !== 0,
                      writable: (effective & AccessLevelFlag.CurrentWrite) !== 0,
                    },
            },
          ];
        }),
      );
      return refs.map((r): BrowseNode => {
        const v = info.get(r.nodeId.toString());
        return {
          nodeId: r.nodeId.toString(),
          browseName: r.browseName.toString(),
          displayName: r.displayName.text ?? r.browseName.name ?? '',
          nodeClass: (NodeClass[r.nodeClass] ?? 'Unspecified') as BrowseNode['nodeClass'],
          dataType: v?.dataType === null || v?.dataType === undefined ? null : (DataType[v.dataType] ?? null),
          accessLevel: v?.accessLevel ?? null,
        };
      });
    },
  };
}
