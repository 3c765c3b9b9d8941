// OPC UA client driver: one session, one subscription with a monitored item per tag.
//
// Connection life (a small state machine, reported in diagnostics):
//   disconnected → connecting → connected ─(socket lost | keep-alive missed)→ error → connecting …
// On any loss every tag of the connection turns Bad ("comm failure") at once; the driver then
// reconnects with exponential backoff and recreates session, subscription and monitored items, so a
// restarted server is recovered without restarting the console.
import {
  AttributeIds,
  BrowseDirection,
  ClientMonitoredItemGroup,
  type ClientSession,
  ClientSubscription,
  DataType,
  type DataValue,
  MessageSecurityMode,
  NodeClass,
  OPCUAClient,
  type ReadValueIdOptions,
  resolveNodeId,
  SecurityPolicy,
  StatusCodes,
  TimestampsToReturn,
  Variant,
} from 'node-opcua';
import type { BrowseNode, ConnectionDiagnostics, ConnectionState, QualityCode, TagValue } from '../../api/types.js';
import { backoffMs, type Driver, type DriverContext, type DriverTag, RateMeter, toEngineering, toRaw } from '../driver.js';
import type { OpcuaConnectionConfig } from './config.js';
import { clientPki } from './pki.js';

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

/** OPC UA status → console quality. The top two bits of a StatusCode carry its severity. */
export function qualityOf(status: number): QualityCode {
  const severity = status >>> 30;
  return severity === 0 ? 0 : severity === 1 ? 1 : 2;
}

export function createOpcuaDriver(
  config: OpcuaConnectionConfig,
  tags: DriverTag[],
  ctx: DriverContext,
  resolvePassword?: (secret: string) => string,
): Driver {
  let state: ConnectionState = 'disconnected';
  let lastError: string | null = null;
  let lastErrorAt: string | null = null;
  let reconnects = 0;
  let attempts = 0;
  const rate = new RateMeter();
  let latencyMs: number | null = null;
  const errors: Record<string, number> = {};
  let client: OPCUAClient | null = null;
  let session: ClientSession | null = null;
  let stopped = false;
  let retryTimer: NodeJS.Timeout | null = null;
  let watchdog: NodeJS.Timeout | null = null;
  let lastHeard = 0;
  const byId = new Map(tags.map((t) => [t.id, t]));
  const dataTypes = new Map<number, DataType>();

  const fail = (kind: string, err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    errors[kind] = (errors[kind] ?? 0) + 1;
    lastError = `${kind}: ${message.split('\n')[0]}`;
    lastErrorAt = new Date().toISOString();
    ctx.log('warn', `[opcua:${config.name}] ${lastError}`);
  };

  const markAllBad = (reason: string) => {
    const now = Date.now();
    for (const t of tags) ctx.bus.setQuality(t.id, 2, reason, now);
  };

  const onValue = (tag: DriverTag, dv: DataValue) => {
    rate.add();
    lastHeard = Date.now();
    const status = dv.statusCode.value;
    const quality = qualityOf(status);
    let value = dv.value.value as TagValue;
    if (typeof value === 'number' && tag.scaling) value = toEngineering(value, tag.scaling);
    const ts = dv.sourceTimestamp?.getTime() ?? dv.serverTimestamp?.getTime() ?? Date.now();
    ctx.bus.update(tag.id, value ?? null, quality, ts, quality === 0 ? '' : dv.statusCode.name);
  };

  const teardown = async () => {
    if (watchdog) clearInterval(watchdog);
    watchdog = null;
    const c = client;
    client = null;
    session = null;
    if (c) await c.disconnect().catch(() => undefined);
  };

  const scheduleReconnect = () => {
    if (stopped || retryTimer) return;
    const delay = backoffMs(attempts++, config.reconnect.initialDelayMs, config.reconnect.maxDelayMs);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void connect();
    }, delay);
  };

  const lost = (reason: string) => {
    if (stopped || state === 'error' || state === 'connecting') return;
    state = 'error';
    fail('connection', new Error(reason));
    markAllBad(`comm failure: ${reason}`);
    void teardown().then(scheduleReconnect);
  };

  const endpointUrl = () => config.endpoint;

  async function connect(): Promise<void> {
    if (stopped) return;
    state = 'connecting';
    const c = OPCUAClient.create({
      applicationName: 'Aurum Console',
      endpointMustExist: false,
      securityMode: SECURITY_MODE[config.securityMode],
      securityPolicy: SECURITY_POLICY[config.securityPolicy],
      // The driver runs its own reconnect loop (with session and subscription recreation).
      connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
      keepSessionAlive: true,
      requestedSessionTimeout: 60_000,
      clientCertificateManager: await clientPki(ctx.dataDir),
    });
    client = c;
    try {
      const t0 = Date.now();
      await c.connect(endpointUrl());
      c.on('connection_lost', () => lost('connection lost'));
      c.on('close', () => lost('connection closed'));
      const s = await c.createSession(
        config.user
          ? { type: 1, userName: config.user.username, password: resolvePassword?.(config.user.passwordSecret) ?? '' }
          : undefined,
      );
      session = s;
      latencyMs = Date.now() - t0;
      const sub = await ClientSubscription.create(s, {
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
      // Servers cap the items per CreateMonitoredItems call (often 1,000): create them in chunks.
      for (let start = 0; start < tags.length; start += MONITORED_ITEMS_PER_CALL) {
        const chunk = tags.slice(start, start + MONITORED_ITEMS_PER_CALL);
        const items: ReadValueIdOptions[] = chunk.map((t) => ({ nodeId: t.address, attributeId: AttributeIds.Value }));
        const group = ClientMonitoredItemGroup.create(
          sub,
          items,
          { samplingInterval: config.samplingIntervalMs, discardOldest: true, queueSize: config.queueSize },
          TimestampsToReturn.Both,
        );
        group.on('changed', (_item, dv, index) => {
          const tag = chunk[index];
          if (tag) onValue(tag, dv);
        });
        await new Promise<void>((resolve, reject) => {
          group.once('initialized', () => resolve());
          group.once('err', (message: string) => reject(new Error(`creating monitored items: ${message}`)));
        });
        // Items the server refused (unknown NodeId…) stay Bad with the server's reason.
        group.monitoredItems.forEach((mi, i) => {
          const status = mi.statusCode;
          const tag = chunk[i];
          if (tag && status && status.value !== StatusCodes.Good.value) {
            fail('monitored item', new Error(`${tag.name} (${tag.address}): ${status.name}`));
            ctx.bus.setQuality(tag.id, 2, `config error: ${status.name}`);
          }
        });
      }
      if (attempts > 0) reconnects++;
      attempts = 0;
      state = 'connected';
      lastHeard = Date.now();
      // A missed keep-alive means the link is gone even if the socket has not noticed yet.
      const silenceMs = 3 * Math.max(config.keepAliveMs, config.publishingIntervalMs);
      const ids = tags.map((t) => t.id);
      watchdog = setInterval(
        () => {
          if (Date.now() - lastHeard > silenceMs) lost(`no notification or keep-alive for ${silenceMs} ms`);
          // The subscription reports changes only: while it is alive, unchanged values are still current.
          else ctx.bus.confirm(ids);
        },
        Math.min(1000, silenceMs / 3),
      );
      watchdog.unref();
    } catch (err) {
      fail('connect', err);
      state = 'error';
      markAllBad(`comm failure: ${lastError ?? 'cannot connect'}`);
      await teardown();
      scheduleReconnect();
    }
  }

  async function dataTypeOf(tag: DriverTag): Promise<DataType> {
    const cached = dataTypes.get(tag.id);
    if (cached !== undefined) return cached;
    if (!session) throw new Error('not connected');
    const dt = await session.getBuiltInDataType(resolveNodeId(tag.address));
    dataTypes.set(tag.id, dt);
    return dt;
  }

  return {
    name: config.name,
    protocol: 'opcua',
    async start() {
      stopped = false;
      markAllBad('comm failure: not connected yet');
      await connect();
    },
    async stop() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      await teardown();
      state = 'disconnected';
      markAllBad('comm failure: driver stopped');
    },
    async write(tagId, value) {
      const tag = byId.get(tagId);
      if (!tag) throw new Error(`tag ${tagId} is not on connection ${config.name}`);
      const s = session;
      if (!s || state !== 'connected') throw new Error(`connection ${config.name} is ${state}`);
      const dataType = await dataTypeOf(tag);
      const raw = typeof value === 'number' ? toRaw(value, tag.scaling) : value;
      const t0 = Date.now();
      const status = await s.write({
        nodeId: tag.address,
        attributeId: AttributeIds.Value,
        value: { value: new Variant({ dataType, value: raw }) },
      });
      latencyMs = Date.now() - t0;
      if (status.value !== StatusCodes.Good.value) {
        fail('write', new Error(`${tag.name}: ${status.name}`));
        throw new Error(`server refused the write: ${status.name}`);
      }
      const dv = await s.read({ nodeId: tag.address, attributeId: AttributeIds.Value });
      onValue(tag, dv);
      const back = dv.value.value as TagValue;
      return typeof back === 'number' && tag.scaling ? toEngineering(back, tag.scaling) : (back ?? null);
    },
    async browse(nodeId) {
      const s = session;
      if (!s || state !== 'connected') throw new Error(`connection ${config.name} is ${state}`);
      const result = await s.browse({
        nodeId: nodeId ?? 'ns=0;i=85',
        browseDirection: BrowseDirection.Forward,
        referenceTypeId: 'HierarchicalReferences',
        includeSubtypes: true,
        resultMask: 63,
      });
      const refs = result.references ?? [];
      const variables = refs.filter((r) => r.nodeClass === NodeClass.Variable);
      const types = await Promise.all(variables.map((r) => s.getBuiltInDataType(r.nodeId).catch(() => null)));
      const typeOf = new Map(variables.map((r, i) => [r.nodeId.toString(), types[i]]));
      return refs.map((r): BrowseNode => {
        const dt = typeOf.get(r.nodeId.toString());
        return {
          nodeId: r.nodeId.toString(),
          browseName: r.browseName.toString(),
          displayName: r.displayName.text ?? r.browseName.name ?? '',
          nodeClass: (NodeClass[r.nodeClass] ?? 'Unspecified') as BrowseNode['nodeClass'],
          dataType: dt === null || dt === undefined ? null : DataType[dt],
        };
      });
    },
    diagnostics(): ConnectionDiagnostics {
      return {
        name: config.name,
        protocol: 'opcua',
        endpoint: endpointUrl(),
        state,
        lastError,
        lastErrorAt,
        reconnects,
        tagCount: tags.length,
        rate: rate.perSecond(),
        latencyMs,
        errors: { ...errors },
      };
    },
  };
}
