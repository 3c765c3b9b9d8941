// The console's core: the capabilities a site runs, in the order they open, and the loop that opens
// them. Each capability has one shape (capability.ts); it gets what it may use through its ctx and
// reaches the others through their faces. Both shells and the tests start the core through here.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import * as alarms from './alarms/index.js';
import type { CallContext } from './api/contract.js';
import { HandlerRegistry } from './api/registry.js';
import type { ApiResult, CoreInfo } from './api/types.js';
import * as auth from './auth/index.js';
import { Capabilities, containment, type EventListener, type OpenCapability } from './capability.js';
import * as displays from './displays/index.js';
import * as drivers from './drivers/capability.js';
import type { Driver } from './drivers/driver.js';
import * as esg from './esg/index.js';
import * as historian from './historian/index.js';
import * as inference from './inference/index.js';
import * as maintenance from './maintenance/index.js';
import * as plant from './plant/index.js';
import { siteBus, siteTags } from './site/bus.js';
import { siteRequests } from './site/config-handlers.js';
import { coreInfo, demoSiteFileIn, packageRoot } from './site/files.js';
import { loadSiteFile, type SiteModel } from './site/index.js';
import * as sync from './sync/index.js';
import type { TagBus } from './tags/bus.js';
import * as tags from './tags/index.js';
import { type Logger, logger } from './util/log.js';
import { workerRestarts } from './util/worker.js';

export type { EventListener } from './capability.js';
export { coreVersion, DEMO_SITE_FILE, demoSiteFileIn, packageRoot } from './site/files.js';
export interface CoreOptions {
  /** Site file; the built-in demo plant when omitted. */
  siteFile?: string;
  dataDir: string;
  shell: CoreInfo['shell'];
  /** Interval of the coalesced UI value stream. */
  streamIntervalMs?: number;
  log?: Logger;
}

export interface Core {
  readonly info: CoreInfo;
  readonly model: SiteModel;
  readonly bus: TagBus;
  readonly drivers: ReadonlyMap<string, Driver>;
  readonly registry: HandlerRegistry;
  /** Users and sessions: the transports turn credentials into a call context with it. */
  readonly auth: auth.AuthService;
  /** The file of a history export once it has finished, else null. */
  finishedExport(id: string): string | null;
  call(name: string, args: unknown, ctx: CallContext): Promise<ApiResult<unknown>>;
  /** Figures each service reports for diagnostics and /metrics, by service name. */
  serviceMetrics(): Record<string, Record<string, number>>;
  onEvent(listener: EventListener): () => void;
  stop(): Promise<void>;
}
/** One line of the list: a capability, its site-file section (null: not run on this site), and why it stands here. */
interface Entry<C> {
  name: string;
  open: OpenCapability<C>;
  section: (m: SiteModel, o: CoreOptions) => C | null;
  why: string;
}
const cap = <C>(name: string, open: OpenCapability<C>, section: Entry<C>['section'], why: string) =>
  ({ name, open, section, why }) as unknown as Entry<unknown>;

/** The capabilities in the order they open; they stop in the reverse order. */
const CAPABILITIES: readonly Entry<unknown>[] = [
  cap('plant', plant.open, (m) => (m.demoPlant ? m.connections : null), 'first: the demo connections are pointed at its servers'),
  cap('historian', historian.open, (m) => m.raw.historian, 'subscribes first: every reading is kept, whatever others do'),
  cap('auth', auth.open, () => undefined, 'before connections and uplink: it opens their sealed passwords'),
  cap('alarms', alarms.open, (m) => m.raw.alarms, "early: from here on the console's own errors are system alarms"),
  cap('maintenance', maintenance.open, (m) => m.raw.maintenance, 'after alarms: it shares their events.db and looks alarms up'),
  cap('esg', esg.open, (m) => (m.sections.esg ? { esg: m.sections.esg, tags: m.tags } : null), 'a bus consumer, if configured'),
  cap('inference', inference.open, (m) => m.raw.models?.bindings ?? [], 'after the historian it learns from and the log it relearns on'),
  cap('sync', sync.open, (m) => m.raw.sync ?? sync.syncConfigSchema.parse({}), 'after every capability whose records it sends up'),
  cap('drivers', drivers.open, (m) => m, 'connections start once every consumer listens: no reading is missed'),
  cap('tags', tags.open, (_, o) => ({ streamIntervalMs: o.streamIntervalMs ?? 100 }), 'last: writes go to running connections'),
  cap('displays', displays.open, displays.section, 'reads the display files beside the site file'),
];

export async function startCore(opts: CoreOptions): Promise<Core> {
  mkdirSync(opts.dataDir, { recursive: true });
  const model = loadSiteFile(opts.siteFile ?? demoSiteFileIn(opts.dataDir));
  const info = coreInfo(model, opts.shell);
  const { boundary, system, events } = containment(path.join(opts.dataDir, 'crash.log'));
  const dirs = { modelsDir: path.join(packageRoot, 'models'), dataDir: opts.dataDir };
  const bus = siteBus(model, boundary, dirs);
  const registry = new HandlerRegistry();
  registry.setGate(auth.authGate); // every request from every transport passes the permission gate
  const site = { name: model.site.name, timeZone: model.site.timeZone, machines: model.machines };
  const log = (source: string) => (source === 'core' && opts.log) || logger(source); // the core's own lines: where the shell asked
  const shared = { site, bus, clock: Date.now, logger: log, ...dirs, boundary, system, emit: events.emit };
  const running = new Capabilities(shared, registry);
  await running.openAll(CAPABILITIES.map((c) => ({ ...c, config: c.section(model, opts) })).filter((c) => c.config !== null));
  const sections = (m: SiteModel) => CAPABILITIES.map((c) => ({ name: c.name, section: c.section(m, opts), open: c.open }));
  const siteReq = siteRequests(model, { bus, site, sections, tagsOf: (m) => siteTags(m, dirs), running }, opts.dataDir);
  registry.register({ 'core.info': () => info, ...siteReq.handlers });
  return {
    info,
    model,
    bus,
    drivers: running.face('drivers').drivers,
    registry,
    auth: running.face('auth').auth,
    finishedExport: (id) => running.face('historian').finishedExport(id),
    // Every state-changing request is written to the hash-chained audit trail.
    call: auth.auditedCall(registry.call.bind(registry), running.face('auth').audit, { 'tags.write': running.face('tags').writeDetails }),
    serviceMetrics: () => ({ ...running.metrics(), containment: { ...boundary.metrics(), ...workerRestarts() } }),
    onEvent: (listener) => events.on(listener),
    async stop() {
      await running.stop();
      siteReq.close();
      bus.flush();
    },
  };
}
