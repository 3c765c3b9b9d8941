// The one shape every capability has, and what it is given to build itself. Each capability folder
// exports `open(ctx)` (in its index.ts; the drivers' in drivers/capability.ts) returning a
// Capability; native/core.ts lists them in order and opens them in a loop. On the bus floor: it
// knows the bus, the contract and the containment boundary, and no capability.
import type { EventStreams, Handlers, StreamName } from './api/contract.js';
import { ApiFailure, type HandlerRegistry } from './api/registry.js';
import type { MachineInfo } from './api/types.js';
import type { SampleBatch, TagBus } from './tags/bus.js';
import { Boundary, recordCrashesIn } from './util/boundary.js';
import { describeError } from './util/errors.js';
import type { Logger } from './util/log.js';

/**
 * What a configuration change came to: applied in place, or this capability cannot apply it in
 * place — then the core restarts it alone (Capabilities.reconfigure), with those that use its face.
 */
export type Reconfigured = 'applied' | 'restart-needed';
/** A reconfigure's answer, optionally with what it did in a sentence (shown in config.apply's answer). */
export type ReconfigureAnswer = Reconfigured | { result: Reconfigured; detail: string };

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
  reconfigure(next: unknown): ReconfigureAnswer | Promise<ReconfigureAnswer>;
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
 * For a capability that cannot apply a change in place: an unchanged section needs nothing, any
 * other change is applied by restarting that capability alone (Capabilities.reconfigure).
 */
export function restartUnlessSame(current: unknown, next: unknown): Reconfigured {
  return JSON.stringify(current) === JSON.stringify(next) ? 'applied' : 'restart-needed';
}

/** What the core gives every capability; the config, and the faces of those opened before it, are added per capability. */
export type SharedContext = Omit<CapabilityContext<unknown>, 'config' | 'face' | 'optional'>;

/** Samples a restarting capability's listener may have held for it (beyond: counted, not kept). */
export const RESTART_HOLD_SAMPLES = 1_000_000;

/** One capability of the list as it runs: its instance may be replaced (restart) or absent (section removed, restarting). */
interface Running {
  readonly name: string;
  open: OpenCapability<unknown>;
  config: unknown;
  capability: Capability | null;
  /** The faces it asked for when it opened (optional ones included): it restarts after any of them does. */
  uses: Set<string>;
  /** Unsubscribes its bus listener (subscribed once, the instance behind it swapped). */
  off: (() => void) | null;
  /** Copies of the batches that arrived while it restarted, replayed to the new instance. */
  holding: { batches: SampleBatch[]; samples: number; lost: number } | null;
  /** Why its requests cannot be answered now (restarting, not configured), or null. */
  absent: string | null;
}

const copyBatch = (b: SampleBatch): SampleBatch => ({
  length: b.length,
  ids: b.ids.slice(0, b.length),
  ts: b.ts.slice(0, b.length),
  values: b.values.slice(0, b.length),
  quality: b.quality.slice(0, b.length),
});

/**
 * The opened capabilities, in order: each one's listener subscribed under its name, its handlers
 * registered, its face offered to those after it; stopped in the reverse order. A capability that
 * cannot apply a changed section in place is restarted alone, in place (`reconfigure`).
 */
export class Capabilities {
  private readonly faces = new Map<string, unknown>();
  private readonly opened: Running[] = [];
  /** Request names registered with the registry, and the entry whose instance answers each. */
  private readonly routed = new Set<string>();
  private readonly servedBy = new Map<string, Running>();

  constructor(
    private readonly shared: SharedContext,
    private readonly registry: HandlerRegistry,
  ) {}

  face<K extends keyof Faces>(name: K): Faces[K] {
    if (!this.faces.has(name)) throw new Error(`the ${name} capability is used before core.ts opens it`);
    return this.faces.get(name) as Faces[K];
  }

  async open<C>(name: string, open: OpenCapability<C>, config: C): Promise<void> {
    const entry: Running = {
      name,
      open: open as OpenCapability<unknown>,
      config,
      capability: null,
      uses: new Set(),
      off: null,
      holding: null,
      absent: null,
    };
    await this.start(entry);
    this.opened.push(entry);
  }

  /** Open an entry's instance on its config: listener, handlers and face follow it. */
  private async start(entry: Running): Promise<void> {
    entry.uses.clear();
    const capability = await entry.open({
      ...this.shared,
      config: entry.config,
      face: (n) => {
        entry.uses.add(n);
        return this.face(n);
      },
      optional: (n) => {
        entry.uses.add(n);
        return this.faces.get(n) as Faces[typeof n] | undefined;
      },
    });
    entry.capability = capability;
    entry.absent = null;
    const held = entry.holding;
    entry.holding = null;
    const listener = capability.listener;
    if (listener) {
      // What arrived while it restarted first, in order; then the bus's batches as they come.
      for (const b of held?.batches ?? []) listener.batch(b);
      entry.off ??= this.shared.bus.onBatch((b) => this.deliver(entry, b), listener.name);
    }
    for (const name of Object.keys(capability.handlers ?? {})) this.route(name, entry);
    if (capability.face !== undefined) this.faces.set(entry.name, capability.face);
    else this.faces.delete(entry.name);
  }

  private deliver(entry: Running, b: SampleBatch): void {
    const h = entry.holding;
    if (h) {
      if (h.samples + b.length > RESTART_HOLD_SAMPLES) h.lost += b.length;
      else {
        h.batches.push(copyBatch(b));
        h.samples += b.length;
      }
      return;
    }
    entry.capability?.listener?.batch(b);
  }

  /** Register a request once; it is answered by whichever instance of its capability runs now. */
  private route(name: string, entry: Running): void {
    this.servedBy.set(name, entry);
    if (this.routed.has(name)) return;
    this.routed.add(name);
    const handler = (args: unknown, ctx: unknown) => {
      const e = this.servedBy.get(name);
      const h = e?.capability?.handlers?.[name as keyof Handlers] as ((a: unknown, c: unknown) => unknown) | undefined;
      if (h) return h(args, ctx);
      throw new ApiFailure('unavailable', `"${name}" cannot be answered now: ${e?.absent ?? 'its capability is not running'}`);
    };
    this.registry.register({ [name]: handler } as Partial<Handlers>);
  }

  /** Stop an entry's instance: its listener holds what arrives (when it will start again), its face and requests wait. */
  private async halt(entry: Running, why: string, hold: boolean): Promise<void> {
    const c = entry.capability;
    if (!c) return;
    entry.holding = hold && entry.off ? { batches: [], samples: 0, lost: 0 } : null;
    entry.absent = why;
    entry.capability = null;
    this.faces.delete(entry.name);
    await c.stop();
  }

  /**
   * Hand a running capability its changed section (live configuration). What it cannot apply in
   * place ('restart-needed') is applied by restarting it alone, with the new section, and after it
   * every capability that uses its face (in the list's order, on their own sections): its listener's
   * batches are held meanwhile and replayed (none is lost to it), its requests answer "unavailable,
   * restarting" and then go to the new instance. A section that appears opens the capability (`open`);
   * one that goes (null) stops it. Null when this site runs it neither before nor after.
   */
  async reconfigure(
    name: string,
    next: unknown,
    open?: OpenCapability<unknown>,
  ): Promise<{ result: 'applied' | 'restart-needed' | 'unchanged'; detail: string } | null> {
    const entry = this.opened.find((o) => o.name === name);
    if (!entry?.capability) {
      if (next === null) return entry ? { result: 'unchanged', detail: 'not configured on this site' } : null;
      const target =
        entry ??
        ({
          name,
          open: open as OpenCapability<unknown>,
          config: next,
          capability: null,
          uses: new Set(),
          off: null,
          holding: null,
          absent: null,
        } satisfies Running);
      if (!target.open)
        return { result: 'restart-needed', detail: 'it is not running and cannot be opened here; it opens at the next start' };
      target.config = next;
      try {
        await this.start(target);
      } catch (err) {
        target.absent = `opening it failed: ${describeError(err)}`;
        if (!entry) this.opened.push(target);
        return { result: 'restart-needed', detail: `opening it with the new section failed: ${describeError(err)}` };
      }
      if (!entry) this.opened.push(target);
      const again = await this.restartUsers(name);
      return { result: 'applied', detail: `opened with its new section${again}` };
    }
    if (next === null) {
      await this.halt(entry, `the ${name} capability is not configured on this site`, false);
      const again = await this.restartUsers(name);
      return { result: 'applied', detail: `stopped: its section was removed${again}` };
    }
    const answer = await entry.capability.reconfigure(next);
    const { result, detail } = typeof answer === 'string' ? { result: answer, detail: 'applied in place' } : answer;
    if (result === 'applied') {
      entry.config = next;
      return { result, detail };
    }
    return this.restart(entry, next);
  }

  /**
   * Restart a running capability on its own section (live configuration: the site facts it read
   * when it opened — the site's name, time zone or machines — changed), with those using its face.
   */
  async restartAlone(name: string): Promise<{ result: 'applied' | 'restart-needed'; detail: string } | null> {
    const entry = this.opened.find((o) => o.name === name);
    return entry?.capability ? this.restart(entry, entry.config) : null;
  }

  /** Restart one entry with its next section, then those that use its face; back on the previous section if the new one fails to open. */
  private async restart(entry: Running, next: unknown): Promise<{ result: 'applied' | 'restart-needed'; detail: string }> {
    const users = this.usersOf(entry.name);
    for (const u of [...users].reverse()) await this.halt(u, `the ${u.name} capability restarts (it uses ${entry.name})`, true);
    await this.halt(entry, `the ${entry.name} capability restarts with its new configuration`, true);
    const previous = entry.config;
    entry.config = next;
    let outcome: { result: 'applied' | 'restart-needed'; detail: string };
    try {
      await this.start(entry);
      outcome = { result: 'applied', detail: 'restarted alone with its new section' };
    } catch (err) {
      entry.config = previous;
      const why = describeError(err);
      try {
        await this.start(entry);
        outcome = {
          result: 'restart-needed',
          detail: `restarting it with the new section failed (${why}); it runs on its previous section`,
        };
      } catch (again) {
        entry.absent = `it could not be opened (${describeError(again)})`;
        outcome = { result: 'restart-needed', detail: `restarting it failed (${why}); it is stopped until the next start` };
      }
    }
    const names: string[] = [];
    for (const u of users) {
      try {
        await this.start(u);
        names.push(u.name);
      } catch (err) {
        u.absent = `it could not be opened again (${describeError(err)})`;
        outcome.detail += `; ${u.name} (which uses it) could not be opened again: ${describeError(err)}`;
      }
    }
    if (names.length > 0) outcome.detail += ` and ${names.join(', ')}, which use${names.length === 1 ? 's' : ''} it`;
    const lost = [entry, ...users].reduce((n, e) => n + (e.holding?.lost ?? 0), 0);
    if (lost > 0) outcome.detail += `; ${lost} samples arrived beyond what a restart holds and did not reach them`;
    return outcome;
  }

  /** Every running entry that uses this face, directly or through another, in the list's order. */
  private usersOf(name: string): Running[] {
    const hit = new Set([name]);
    const out: Running[] = [];
    for (const e of this.opened) {
      if (hit.has(e.name) || !e.capability) continue;
      if ([...e.uses].some((u) => hit.has(u))) {
        hit.add(e.name);
        out.push(e);
      }
    }
    return out;
  }

  private async restartUsers(name: string): Promise<string> {
    const users = this.usersOf(name);
    if (users.length === 0) return '';
    for (const u of [...users].reverse()) await this.halt(u, `the ${u.name} capability restarts (it uses ${name})`, true);
    for (const u of users) {
      try {
        await this.start(u);
      } catch (err) {
        u.absent = `it could not be opened again (${describeError(err)})`;
      }
    }
    return `; restarted ${users.map((u) => u.name).join(', ')}, which use${users.length === 1 ? 's' : ''} it`;
  }

  /** Every capability's figures, by group. */
  metrics(): Record<string, Record<string, number>> {
    return Object.assign({}, ...this.opened.map(({ capability }) => capability?.metrics?.() ?? {}));
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
    for (const entry of this.opened.splice(0).reverse()) {
      entry.off?.();
      entry.off = null;
      entry.holding = null;
      const c = entry.capability;
      entry.capability = null;
      await c?.stop();
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
