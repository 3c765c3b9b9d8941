// The one shape every capability has, and what it is given to build itself. Each capability folder
// exports `open(ctx)` (in its index.ts; the drivers' in drivers/capability.ts) returning a
// Capability; native/core.ts lists them in order and opens them in a loop. On the bus floor: it
// knows the bus, the contract and the containment boundary, and no capability.
import type { EventStreams, Handlers, StreamName } from './api/contract.js';
import type { HandlerRegistry } from './api/registry.js';
import type { MachineInfo } from './api/types.js';
import type { SampleBatch, TagBus } from './tags/bus.js';
import { Boundary, recordCrashesIn } from './util/boundary.js';
import type { Logger } from './util/log.js';

/** What a configuration change came to: applied in place, or only this capability must restart. */
export type Reconfigured = 'applied' | 'restart-needed';

export interface Capability {
  /** Its requests, registered with the core's handler registry. */
  readonly handlers?: Partial<Handlers>;
  /** The event streams it emits (through ctx.emit). */
  readonly streams?: readonly StreamName[];
  /** Its bus listener: subscribed by the core in list order, under this name (listener faults name it). */
  readonly listener?: { readonly name: string; batch(b: SampleBatch): void };
  /** What other capabilities may use of it, under its name (see Faces). */
  readonly face?: unknown;
  /** Its figures for diagnostics and /metrics, by group name (historian, tag_bus…), numbers only. */
  metrics?(): Record<string, Record<string, number>>;
  /** Apply a changed configuration section in place, or say that this capability must restart. */
  reconfigure(next: unknown): Reconfigured | Promise<Reconfigured>;
  stop(): void | Promise<void>;
}

/**
 * The public faces by capability name. Empty here: each capability adds its own entry
 * (`declare module '../capability.js' { interface Faces { historian: HistorianFace } }`), so that a
 * misspelt name or a wrong type does not compile, and this file imports no capability.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging in each capability.
export interface Faces {}

/** The site-wide facts a capability may read. */
export interface SiteInfo {
  readonly name: string;
  readonly timeZone: string;
  readonly machines: MachineInfo[];
}

export interface CapabilityContext<Config = undefined> {
  /** This capability's section of the site file (as core.ts's list selects it). */
  readonly config: Config;
  readonly site: SiteInfo;
  readonly bus: TagBus;
  readonly clock: () => number;
  /** A logger under the given source name (the capability's own, or a part of it such as "modbus"). */
  readonly logger: (source: string) => Logger;
  readonly dataDir: string;
  /** Where the shipped models are (the data dir's models/ holds downloaded ones). */
  readonly modelsDir: string;
  /** The containment boundary (util/boundary.ts): each capability runs its services behind it. */
  readonly boundary: Boundary;
  /** The system-alarm port: messages for operators; errors become system alarms. */
  readonly system: SystemAlarms;
  readonly emit: EventListener;
  /** Another capability's face; it must be opened earlier in core.ts's list. */
  face<K extends keyof Faces>(name: K): Faces[K];
  /** Another capability's face, or undefined when this site does not run it. */
  optional<K extends keyof Faces>(name: K): Faces[K] | undefined;
}

export type EventListener = <S extends StreamName>(stream: S, data: EventStreams[S]) => void;

export type OpenCapability<Config> = (ctx: CapabilityContext<Config>) => Capability | Promise<Capability>;

/**
 * The system-alarm port. The console's own trouble (historian disk full, model worker died…) is
 * shown to operators; an error becomes a system alarm once the alarm capability provides the
 * alarms, and one reported before that (a historian salvaged at start) is raised then, never lost.
 */
export class SystemAlarms {
  private target: { raise(source: string, message: string): void; clear(source: string): void } | null = null;
  private readonly early: { source: string; message: string }[] = [];

  constructor(private readonly show: (m: EventStreams['system']) => void) {}

  message(m: EventStreams['system']): void {
    this.show(m);
    if (m.level !== 'error') return;
    if (this.target) this.target.raise(m.source, m.message);
    else this.early.push({ source: m.source, message: m.message });
  }

  clear(source: string): void {
    this.target?.clear(source);
  }

  /** The alarm capability plugs its system alarms in here; what was reported before is raised now. */
  provide(target: { raise(source: string, message: string): void; clear(source: string): void }): void {
    this.target = target;
    for (const a of this.early.splice(0)) target.raise(a.source, a.message);
  }
}

/** A figures object reduced to its numbers (the rest is diagnostics for people, not /metrics). */
export function numbersOf(figures: object): Record<string, number> {
  return Object.fromEntries(Object.entries(figures).filter((e): e is [string, number] => typeof e[1] === 'number'));
}

/**
 * For a capability that cannot yet apply a change in place: an unchanged section needs nothing, any
 * other change needs that capability restarted.
 */
export function restartUnlessSame(current: unknown, next: unknown): Reconfigured {
  return JSON.stringify(current) === JSON.stringify(next) ? 'applied' : 'restart-needed';
}

/** What the core gives every capability; the config, and the faces of those opened before it, are added per capability. */
export type SharedContext = Omit<CapabilityContext<unknown>, 'config' | 'face' | 'optional'>;

/**
 * The opened capabilities, in order: each one's listener subscribed under its name, its handlers
 * registered, its face offered to those after it; stopped in the reverse order.
 */
export class Capabilities {
  private readonly faces = new Map<string, unknown>();
  private readonly opened: { name: string; capability: Capability; off: () => void }[] = [];

  constructor(
    private readonly shared: SharedContext,
    private readonly registry: HandlerRegistry,
  ) {}

  face<K extends keyof Faces>(name: K): Faces[K] {
    if (!this.faces.has(name)) throw new Error(`the ${name} capability is used before core.ts opens it`);
    return this.faces.get(name) as Faces[K];
  }

  async open<C>(name: string, open: OpenCapability<C>, config: C): Promise<void> {
    const capability = await open({
      ...this.shared,
      config,
      face: (n) => this.face(n),
      optional: (n) => this.faces.get(n) as Faces[typeof n] | undefined,
    });
    const listener = capability.listener;
    const off = listener ? this.shared.bus.onBatch((b) => listener.batch(b), listener.name) : () => undefined;
    this.opened.push({ name, capability, off });
    if (capability.handlers) this.registry.register(capability.handlers);
    if (capability.face !== undefined) this.faces.set(name, capability.face);
  }

  /** Hand a running capability its changed section (live configuration); null when this site does not run it. */
  async reconfigure(name: string, next: unknown): Promise<Reconfigured | null> {
    const entry = this.opened.find((o) => o.name === name);
    return entry ? await entry.capability.reconfigure(next) : null;
  }

  /** Every capability's figures, by group. */
  metrics(): Record<string, Record<string, number>> {
    return Object.assign({}, ...this.opened.map(({ capability }) => capability.metrics?.() ?? {}));
  }

  /** Open these in order; when one fails to open, those opened before it are stopped again. */
  async openAll(entries: readonly { name: string; open: OpenCapability<unknown>; config: unknown }[]): Promise<void> {
    try {
      for (const e of entries) await this.open(e.name, e.open, e.config);
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Stop every capability, the last opened first; the containment boundary closes after them. */
  async stop(): Promise<void> {
    for (const { capability, off } of this.opened.splice(0).reverse()) {
      off();
      await capability.stop();
    }
    this.shared.boundary.close();
  }
}

/**
 * The containment boundary (util/boundary.ts) of a running core, crashes recorded in `crashLog`:
 * every service's faults are logged once, raised as system alarms and, where the service can be
 * restarted, restarted with backoff. Its system alarms and the event streams come with it.
 */
export function containment(crashLog: string): { boundary: Boundary; system: SystemAlarms; events: EventHub } {
  const system = new SystemAlarms((m) => events.emit('system', m));
  const boundary = new Boundary({
    raise: (source, message) => system.message({ level: 'error', source, message, timestamp: new Date().toISOString() }),
    clear: (source) => system.clear(source),
  });
  recordCrashesIn(crashLog, boundary);
  const events = new EventHub(boundary);
  return { boundary, system, events };
}

/** The core's event streams: to every listener (the transports); a listener that throws is contained. */
export class EventHub {
  private readonly listeners = new Set<EventListener>();
  constructor(private readonly boundary: Boundary) {}

  readonly emit: EventListener = (stream, data) => {
    for (const l of this.listeners) {
      try {
        l(stream, data);
      } catch (err) {
        this.boundary.fault('server', `sending the ${stream} stream`, err);
      }
    }
  };

  on(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
