// The one place that builds the console's services from a site file and wires them together:
//   drivers → tag bus → (historian, alarms, models, ESG) and → UI streams.
// Both shells (Electron's utility process, serve mode) and the tests start the core through here.
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { alarmHandlers, openAlarmService, parseDefinitions } from './alarms/index.js';
import type { CallContext, EventStreams, StreamName } from './api/contract.js';
import type { HistoryExportProgress } from './api/history-requests.js';
import { HandlerRegistry } from './api/registry.js';
import type { ApiResult, CoreInfo } from './api/types.js';
import { type AuthService, auditedCall, authGate, authHandlers, openAuthStore, openSecrets } from './auth/index.js';
import type { Driver } from './drivers/driver.js';
import { connectionHandlers } from './drivers/handlers.js';
import { createDriver } from './drivers/index.js';
import { esgHandlers, openEsg } from './esg/index.js';
import { historyHandlers, openHistorian, resolveAcceptWindow } from './historian/index.js';
import { derivedTags, publishPrediction } from './inference/derived-tags.js';
import { listModels, openInference, predictionHandlers } from './inference/index.js';
import { MaintenanceLog, maintenanceConfigSchema } from './maintenance/index.js';
import { type DemoPlant, startDemoPlant } from './plant/index.js';
import { siteHandlers } from './site/handlers.js';
import { loadSiteFile, type SiteModel } from './site/index.js';
import { openSync, startAggregateFeed, startAlarmFeed, syncConfigSchema, syncFeeds, syncHandlers } from './sync/index.js';
import { TagBus } from './tags/bus.js';
import { tagHandlers } from './tags/handlers.js';
import { startValueStream } from './tags/value-stream.js';
import { Boundary, recordCrashesIn } from './util/boundary.js';
import { describeError } from './util/errors.js';
import { type Logger, logger } from './util/log.js';
import { openSqlite } from './util/sqlite.js';
import { workerRestarts } from './util/worker.js';

export interface CoreOptions {
  /** Site file; the built-in demo plant when omitted. */
  siteFile?: string;
  dataDir: string;
  shell: CoreInfo['shell'];
  /** Interval of the coalesced UI value stream. */
  streamIntervalMs?: number;
  log?: Logger;
}

export type EventListener = <S extends StreamName>(stream: S, data: EventStreams[S]) => void;

export interface Core {
  readonly info: CoreInfo;
  readonly model: SiteModel;
  readonly bus: TagBus;
  readonly drivers: ReadonlyMap<string, Driver>;
  readonly registry: HandlerRegistry;
  /** Users and sessions: the transports turn credentials into a call context with it. */
  readonly auth: AuthService;
  /** The file of a history export once it has finished, else null. */
  finishedExport(id: string): string | null;
  call(name: string, args: unknown, ctx: CallContext): Promise<ApiResult<unknown>>;
  /** Figures each service reports for diagnostics and /metrics, by service name. */
  serviceMetrics(): Record<string, Record<string, number>>;
  onEvent(listener: EventListener): () => void;
  stop(): Promise<void>;
}

export const packageRoot = (() => {
  // native/core.ts from sources, dist/native/*.mjs when bundled: both two levels below the root.
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.basename(path.dirname(here)) === 'dist' ? path.resolve(here, '..', '..') : path.resolve(here, '..');
})();

export const DEMO_SITE_FILE = path.join(packageRoot, 'resources', 'demo-site.yaml');

export function coreVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** Operation after a baseline-resetting maintenance event from which the machine's model relearns. */
const RELEARN_WINDOW_MS = 10 * 60_000;

/**
 * The demo site file a data dir runs on: a copy of the shipped one, made on first start, so that
 * changes made from the console are kept with the data and the shipped file stays pristine.
 */
export function demoSiteFileIn(dataDir: string): string {
  const file = path.join(dataDir, 'demo-site.yaml');
  if (!existsSync(file)) copyFileSync(DEMO_SITE_FILE, file);
  return file;
}

/** Point the site file's "demo" endpoints at the embedded plant. */
function resolveDemoEndpoints(model: SiteModel, plant: DemoPlant): void {
  for (const c of model.connections) {
    if (c.protocol === 'opcua' && c.endpoint === 'demo') c.endpoint = plant.opcuaEndpoint;
    if (c.protocol === 'mqtt' && c.url === 'demo') c.url = plant.mqttUrl;
    if (c.protocol === 'modbus' && c.host === 'demo') {
      c.host = '127.0.0.1';
      c.port = plant.modbusPort;
    }
  }
}

export async function startCore(opts: CoreOptions): Promise<Core> {
  const log = opts.log ?? logger('core');
  mkdirSync(opts.dataDir, { recursive: true });
  const model = loadSiteFile(opts.siteFile ?? demoSiteFileIn(opts.dataDir));
  const info: CoreInfo = {
    name: 'Aurum Console',
    version: coreVersion(),
    site: model.site.name,
    startedAt: new Date().toISOString(),
    shell: opts.shell,
    demoPlant: model.demoPlant,
  };

  const stops: (() => Promise<void> | void)[] = [];
  // The core's own trouble (historian disk full, model worker died…): shown to operators, and an
  // error becomes a system alarm once the alarm service runs.
  let raiseSystemAlarm: ((source: string, message: string) => void) | null = null;
  let clearSystemAlarm: ((source: string) => void) | null = null;
  // Every service runs behind this boundary (util/boundary.ts): its faults are logged once, raised
  // as system alarms and, where the service can be restarted, restarted with backoff.
  const boundary = new Boundary({
    raise: (source, message) => systemMessage({ level: 'error', source, message, timestamp: new Date().toISOString() }),
    clear: (source) => clearSystemAlarm?.(source),
  });
  recordCrashesIn(path.join(opts.dataDir, 'crash.log'), boundary);
  stops.push(() => boundary.close());
  const service = (name: string, restart?: () => Promise<void> | void) => boundary.for(name, restart ? { restart } : {});
  const listeners = new Set<EventListener>();
  const emit: EventListener = (stream, data) => {
    for (const l of listeners) {
      try {
        l(stream, data);
      } catch (err) {
        boundary.fault('server', `sending the ${stream} stream`, err);
      }
    }
  };
  let relearnAfterMaintenance: (machine: string, at: number) => void = () => undefined;
  // Errors reported before the alarm service runs (a historian salvaged or read-only at start) are
  // raised as soon as it does, never lost.
  const earlyAlarms: { source: string; message: string }[] = [];
  const systemMessage = (m: EventStreams['system']) => {
    emit('system', m);
    if (m.level === 'error') {
      if (raiseSystemAlarm) raiseSystemAlarm(m.source, m.message);
      else earlyAlarms.push({ source: m.source, message: m.message });
    }
  };
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  };

  try {
    if (model.demoPlant) {
      const plant = await service('demo plant').enter(() => startDemoPlant({ dataDir: opts.dataDir }));
      stops.push(() => plant.stop());
      resolveDemoEndpoints(model, plant);
      log('info', `demo plant on ${plant.opcuaEndpoint}, modbus://127.0.0.1:${plant.modbusPort} and ${plant.mqttUrl}`);
    }

    // Models: derived tags for their predictions join the tag table before the bus is built.
    const modelsDir = path.join(packageRoot, 'models');
    const bindings = model.raw.models?.bindings ?? [];
    const modelEntries = bindings.length > 0 ? listModels([modelsDir, path.join(opts.dataDir, 'models')]) : [];
    const tags = [...model.tags, ...derivedTags(bindings, modelEntries, model.tags.length, 1000)];
    // Every sample's source time is checked against the accept window where it enters (bus.update).
    const acceptWindow = resolveAcceptWindow(model.raw.historian.acceptWindow, model.raw.historian.retention);
    const bus = new TagBus(tags, undefined, boundary, { acceptWindow });
    // The historian subscribes first: every reading is kept, whatever later consumers do with it.
    const historian = await service('historian').enter(() =>
      openHistorian({
        dir: path.join(opts.dataDir, 'historian'),
        tags,
        retention: model.raw.historian.retention,
        deadband: model.raw.historian.storage,
        maxDbBytes: model.raw.historian.maxDbMB ? model.raw.historian.maxDbMB * 1024 * 1024 : null,
        onSystemMessage: (m) => systemMessage(m),
      }),
    );
    const offHistorian = bus.onBatch((b) => historian.ingest(b), 'historian');
    stops.push(async () => {
      offHistorian();
      await historian.close();
    });

    // Sealed connection passwords are opened in memory only, for the driver that needs them.
    const secrets = openSecrets(opts.dataDir);
    // Optional cloud sync: a durable outbox in sync.db, drained when (and if) the link is up.
    const syncConfig = model.raw.sync ?? syncConfigSchema.parse({});
    const syncBoundary = service('sync', () => sync.restart());
    const sync = syncBoundary.enter(() =>
      openSync({
        config: syncConfig,
        dataDir: opts.dataDir,
        siteName: model.site.name,
        onSystemMessage: systemMessage,
        log: logger('sync'),
        secrets,
        modelsDir: path.join(opts.dataDir, 'models'),
      }),
    );
    stops.push(() => sync.stop());
    const toCloud = syncFeeds(sync, syncConfig, tags);
    if (syncConfig.enabled) {
      const offRaw = bus.onBatch(toCloud.samples, 'sync');
      stops.push(offRaw);
    }
    const drivers = new Map<string, Driver>();
    const driverBoundaries = new Map<string, ReturnType<typeof service>>();
    for (const sealed of model.connections) {
      const conn =
        sealed.protocol === 'mqtt' && sealed.passwordSecret !== undefined
          ? { ...sealed, passwordSecret: secrets.decrypt(sealed.passwordSecret) }
          : sealed.protocol === 'opcua' && sealed.user
            ? { ...sealed, user: { ...sealed.user, passwordSecret: secrets.decrypt(sealed.user.passwordSecret) } }
            : sealed;
      const tags = model.driverTags.get(conn.name) ?? [];
      // A fault the driver did not catch (an event handler that threw) restarts the connection.
      const b = service(`connection ${conn.name}`, async () => {
        await driver.stop();
        await driver.start();
      });
      const driver = b.enter(() => createDriver(conn, tags, { bus, dataDir: opts.dataDir, log: logger(conn.protocol), site: model.site }));
      drivers.set(conn.name, driver);
      driverBoundaries.set(conn.name, b);
    }
    stops.push(async () => {
      await Promise.allSettled([...drivers.values()].map((d) => d.stop()));
    });
    await Promise.all([...drivers].map(([name, d]) => driverBoundaries.get(name)?.enter(() => d.start())));

    const registry = new HandlerRegistry();
    // Who may do what: every request from every transport passes the permission gate, and every
    // state-changing one is written to the hash-chained audit trail.
    const authStore = openAuthStore(opts.dataDir, { log: logger('auth') });
    stops.push(() => authStore.close());
    await authStore.auth.ensureFirstAdmin(process.env);
    registry.setGate(authGate);
    registry.register(authHandlers(authStore.auth, authStore.audit));
    registry.register({ 'core.info': () => info });
    registry.register(
      tagHandlers({
        bus,
        machines: model.machines,
        drivers,
        // A push is acknowledged once the historian has committed it.
        storage: { refuse: (n) => historian.refuse(n), commit: () => historian.commit() },
      }),
    );
    registry.register(siteHandlers({ model }));
    registry.register(connectionHandlers(drivers, opts.dataDir));

    // Alarms and the maintenance log share events.db: the journal, alarm states, events, requests.
    const eventsDb = openSqlite(path.join(opts.dataDir, 'events.db'));
    // Every journaled transition goes up once, in journal order (the UI stream's rows are coalesced).
    let alarmsToCloud: (() => void) | null = null;
    const alarms = openAlarmService({
      db: eventsDb,
      tags,
      definitions: parseDefinitions(model.raw.alarms),
      onChange: (u) => {
        emit('alarms', u);
        alarmsToCloud?.();
      },
    });
    if (syncConfig.enabled && syncConfig.select.alarms) {
      const feed = syncBoundary.enter(() =>
        startAlarmFeed({ sync, journal: alarms, onError: (err) => syncBoundary.fault('queueing alarm transitions', err) }),
      );
      alarmsToCloud = feed.changed;
      stops.push(() => feed.stop());
    }
    const offAlarms = bus.onBatch((b) => alarms.evaluate(b), 'alarms');
    const alarmTick = setInterval(
      service('alarms').wrap('timed alarm work', () => alarms.tick()),
      1000,
    );
    alarmTick.unref();
    const maintenance = new MaintenanceLog({
      db: eventsDb,
      config: model.raw.maintenance ?? maintenanceConfigSchema.parse({}),
      site: model.site.name,
      machines: model.machines.map((m) => m.name),
      alarms,
      onEvent: (e) => {
        toCloud.event(e);
        if (e.resetsBaseline) relearnAfterMaintenance(e.machine, Date.parse(e.at));
      },
    });
    registry.register(alarmHandlers(alarms, maintenance));
    raiseSystemAlarm = (source, message) => alarms.raiseSystemAlarm(source, message, 'High');
    clearSystemAlarm = (source) => alarms.clearSystemAlarm(source);
    for (const a of earlyAlarms.splice(0)) raiseSystemAlarm(a.source, a.message);
    registry.register(historyHandlers(historian));
    registry.register(syncHandlers(sync));
    if (syncConfig.enabled) {
      const aggregates = startAggregateFeed({
        sync,
        config: syncConfig,
        historian,
        tags: tags.map((t) => ({ name: t.name, group: t.area })),
      });
      stops.push(() => aggregates.stop());
    }
    const exportStates = new Map<string, HistoryExportProgress>();
    const offExport = historian.onExport((p) => {
      exportStates.set(p.id, p);
      emit('historyExport', p);
    });
    stops.push(offExport);
    stops.push(() => {
      clearInterval(alarmTick);
      offAlarms();
      eventsDb.close();
    });

    if (model.sections.esg) {
      const esg = openEsg({
        db: openSqlite(path.join(opts.dataDir, 'esg.db')),
        tags: model.tags,
        config: model.sections.esg,
        timeZone: model.site.timeZone,
      });
      const off = bus.onBatch((b) => esg.ingest(b), 'esg');
      registry.register(esgHandlers(esg));
      if (syncConfig.enabled) {
        // Each completed UTC day's figures per machine go up once, while the console runs.
        let sentDay = Math.floor(Date.now() / 86_400_000);
        const daily = setInterval(
          service('esg').wrap('queueing the daily summary for sync', () => {
            const day = Math.floor(Date.now() / 86_400_000);
            if (day === sentDay) return;
            sentDay = day;
            const from = (day - 1) * 86_400_000;
            toCloud.esg({
              kind: 'daily-summary',
              day: new Date(from).toISOString().slice(0, 10),
              summary: esg.summary({ from, to: from + 86_400_000, groupBy: 'machine' }),
            });
          }),
          60_000,
        );
        daily.unref();
        stops.push(() => clearInterval(daily));
      }
      stops.push(() => {
        off();
        esg.close();
      });
    }

    const models = service('models');
    const inference = await models.enter(() =>
      openInference({
        modelsDir,
        dataDir: opts.dataDir,
        bus,
        machines: bindings,
        onPrediction: (p) => {
          publishPrediction(bus, p);
          emit('predictions', p);
          toCloud.prediction(p);
        },
        onSystemMessage: systemMessage,
        history: async (names, from, to, periodMs) => {
          const series = historian.rangeRead({ tags: names, from, to, stepMs: periodMs });
          const length = Math.min(...series.map((s) => s.values.length));
          const rows: number[][] = [];
          for (let i = 0; i < length; i++) {
            const row = series.map((s) => s.values[i] as number);
            if (row.every(Number.isFinite)) rows.push(row);
          }
          return rows;
        },
      }),
    );
    registry.register(predictionHandlers(inference));
    // After maintenance that resets a machine's baseline, its model learns normal behaviour anew from
    // the first ten minutes of operation after the event.
    relearnAfterMaintenance = (machine, at) => {
      if (!bindings.some((b) => b.machine === machine)) return;
      const timer = setTimeout(
        models.wrap('relearning after maintenance', () => {
          inference.learn({ machine, from: at, to: at + RELEARN_WINDOW_MS }).then(
            (m) =>
              systemMessage({
                level: 'info',
                source: 'models',
                message: `${machine}: new baseline learned after maintenance (${m.name}@${m.version})`,
                timestamp: new Date().toISOString(),
              }),
            (err: unknown) =>
              systemMessage({
                level: 'warning',
                source: 'models',
                message: `${machine}: relearning after maintenance failed: ${describeError(err)}`,
                timestamp: new Date().toISOString(),
              }),
          );
        }),
        Math.max(0, at + RELEARN_WINDOW_MS - Date.now()),
      );
      timer.unref();
      stops.push(() => clearTimeout(timer));
    };
    stops.push(() => inference.stop());

    const stream = startValueStream(bus, opts.streamIntervalMs ?? 100, (batch) => emit('values', batch));
    stops.push(() => stream.stop());
    const metricSources = new Map<string, () => Record<string, number>>();
    metricSources.set('inference', () => {
      const d = inference.diagnostics();
      return Object.fromEntries(Object.entries(d).filter((e): e is [string, number] => typeof e[1] === 'number'));
    });
    metricSources.set('historian', () => {
      const m = historian.metrics();
      return Object.fromEntries(Object.entries(m).filter((e): e is [string, number] => typeof e[1] === 'number'));
    });
    metricSources.set('tag_bus', () => ({
      samples_total: bus.samplesIn,
      ui_samples_dropped_total: stream.dropped(),
      timestamps_replaced_total: bus.timestampsReplaced,
      listener_faults_total: bus.listenerFaults,
    }));
    metricSources.set('containment', () => ({ ...boundary.metrics(), ...workerRestarts() }));
    const housekeeping = setInterval(
      service('core').wrap('housekeeping', () => {
        bus.markStale();
        emit(
          'connections',
          [...drivers.values()].map((d) => d.diagnostics()),
        );
      }),
      1000,
    );
    housekeeping.unref();
    stops.push(() => clearInterval(housekeeping));

    return {
      info,
      model,
      bus,
      drivers,
      registry,
      auth: authStore.auth,
      finishedExport: (id) => {
        const p = exportStates.get(id);
        return p?.state === 'done' ? p.file : null;
      },
      call: auditedCall(registry.call.bind(registry), authStore.audit, {
        'tags.write': (args) => {
          const name = (args as { tag?: unknown } | null)?.tag;
          const id = typeof name === 'string' ? bus.idOf(name) : undefined;
          return id === undefined ? {} : { details: { old: bus.current(id).value } };
        },
      }),
      serviceMetrics: () => Object.fromEntries([...metricSources].map(([name, read]) => [name, read()])),
      onEvent(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      async stop() {
        await stopAll();
        bus.flush();
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
