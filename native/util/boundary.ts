// The containment boundary: the one place where an exception or rejection inside a service (a bus
// listener, a timer callback, a driver event handler, a promise chain) ends. It is logged once when
// it starts (RepeatedFault: counted while it repeats, logged when it clears), counted per service,
// raised as a system alarm through the core's system-alarm path, and never rethrown, so a fault in
// one service never ends the process. A service with a restart function is restarted with backoff.
// Worker threads are restarted by the supervisor in ./worker.ts.
//
// Code a service runs is entered into the service's async context (`enter`): every callback it
// schedules (timers, socket events, promise reactions) inherits it, so a throw that no code of the
// service caught still reaches this boundary by way of the shell's process handlers
// (`installLastResort`), attributed to the service it came from. Only what runs outside every
// service reaches the last resort itself.
import { AsyncLocalStorage } from 'node:async_hooks';
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { describeError } from './errors.js';
import { type Logger, logger, RepeatedFault } from './log.js';

interface Context {
  /** null: the boundary of the core running in this process (see inShellContext). */
  boundary: Boundary | null;
  service: string;
}
const context = new AsyncLocalStorage<Context>();

export interface BoundaryOptions {
  log?: Logger;
  /**
   * The core's system-alarm path: called once when a fault starts (not on every repeat), with the
   * alarm's source (`<service>.fault`) and a sentence naming the service, what it was doing and why.
   */
  raise?: (source: string, message: string) => void;
  /** The fault is over (the same work succeeded again): the system alarm's condition clears. */
  clear?: (source: string) => void;
  /** RepeatedFault's summary period. */
  summaryMs?: number;
  now?: () => number;
}

/** One service's view of the boundary: every call names the work, the service is implied. */
export interface ServiceBoundary {
  readonly service: string;
  /** Record a fault caught by the caller. Never throws. */
  fault(context: string, err: unknown): void;
  /** The work named `context` succeeded: clears its fault, if one was active (cheap otherwise). */
  ok(context: string): void;
  /** Run `fn`; a throw is contained and `undefined` returned instead. */
  run<T>(context: string, fn: () => T): T | undefined;
  /** A callback (listener, timer, event handler) whose throw or rejected promise is contained. */
  wrap<A extends unknown[]>(context: string, fn: (...args: A) => unknown): (...args: A) => void;
  /** Contain a promise's rejection (a chain nothing else awaits). */
  watch(context: string, p: PromiseLike<unknown>): void;
  /** Run `fn` in this service's async context: what it schedules is attributed to the service. */
  enter<T>(fn: () => T): T;
}

export interface ServiceOptions {
  /** Called after a fault, with backoff (doubling from 1 s to maxMs; reset after maxMs without a fault). */
  restart?: () => Promise<void> | void;
  maxRestartMs?: number;
}

interface Restartable {
  restart: () => Promise<void> | void;
  maxMs: number;
  failures: number;
  lastFault: number;
  timer: NodeJS.Timeout | null;
  restarts: number;
}

export class Boundary {
  private readonly log: Logger;
  private readonly repeated: RepeatedFault;
  private readonly faults = new Map<string, number>();
  private readonly active = new Map<string, number>();
  private readonly restartable = new Map<string, Restartable>();
  private readonly now: () => number;
  /** @internal read by the last resort: a stopped core's boundary no longer contains. */
  closed = false;
  /** Set once the alarm service runs (faults before that are logged and counted only). */
  raise: BoundaryOptions['raise'];
  clear: BoundaryOptions['clear'];

  constructor(opts: BoundaryOptions = {}) {
    this.log = opts.log ?? logger('boundary');
    this.repeated = new RepeatedFault(this.log, opts.summaryMs, opts.now);
    this.raise = opts.raise;
    this.clear = opts.clear;
    this.now = opts.now ?? Date.now;
  }

  fault(service: string, context: string, err: unknown): void {
    try {
      this.faults.set(service, (this.faults.get(service) ?? 0) + 1);
      const key = `${service}\u0000${context}`;
      const message = `${service}: ${context} failed: ${describeError(err)}`;
      const starting = !this.repeated.isActive(key);
      this.repeated.report(key, message, 'error');
      this.scheduleRestart(service);
      if (!starting) return;
      this.active.set(service, (this.active.get(service) ?? 0) + 1);
      this.raise?.(`${service}.fault`, message);
    } catch (raiseErr) {
      // The alarm path itself failed (events.db on a full disk…): the log line is what remains.
      this.log('error', `${service}: could not raise the system alarm for "${context}": ${describeError(raiseErr)}`);
    }
  }

  ok(service: string, context: string): void {
    if (!this.active.has(service)) return;
    const key = `${service}\u0000${context}`;
    if (!this.repeated.isActive(key)) return;
    this.repeated.clear(key, `${service}: ${context} works again`);
    const left = (this.active.get(service) ?? 1) - 1;
    if (left > 0) {
      this.active.set(service, left);
      return;
    }
    this.active.delete(service);
    try {
      this.clear?.(`${service}.fault`);
    } catch (err) {
      this.log('error', `${service}: could not clear the system alarm: ${describeError(err)}`);
    }
  }

  /** A restart worked: every fault of the service is over (one log line each, the alarm clears). */
  private recovered(service: string, message: string): void {
    this.log('info', message);
    this.repeated.clearAll(`${service}\u0000`);
    if (!this.active.delete(service)) return;
    try {
      this.clear?.(`${service}.fault`);
    } catch (err) {
      this.log('error', `${service}: could not clear the system alarm: ${describeError(err)}`);
    }
  }

  private scheduleRestart(service: string): void {
    const r = this.restartable.get(service);
    if (!r || this.closed) return;
    const t = this.now();
    const quietBefore = t - r.lastFault >= r.maxMs;
    r.lastFault = t;
    if (r.timer) return;
    if (quietBefore) r.failures = 0;
    const delay = Math.min(r.maxMs, 1000 * 2 ** Math.min(r.failures, 20));
    r.failures++;
    this.log('warn', `${service}: restarting in ${delay / 1000} s`);
    r.timer = setTimeout(() => {
      r.timer = null;
      if (this.closed) return;
      r.restarts++;
      const view = this.for(service);
      view.enter(() => {
        const restarted = () => this.recovered(service, `${service}: restarted (restart ${r.restarts})`);
        try {
          const p = r.restart();
          if (p instanceof Promise) p.then(restarted, (err: unknown) => this.fault(service, 'restarting', err));
          else restarted();
        } catch (err) {
          this.fault(service, 'restarting', err);
        }
      });
    }, delay);
    r.timer.unref();
  }

  /** A view for one service; `options.restart` makes the boundary restart it after a fault. */
  for(service: string, options: ServiceOptions = {}): ServiceBoundary {
    const b = this;
    if (options.restart)
      this.restartable.set(service, {
        restart: options.restart,
        maxMs: options.maxRestartMs ?? 60_000,
        failures: 0,
        lastFault: 0,
        timer: null,
        restarts: 0,
      });
    const ctx: Context = { boundary: this, service };
    return {
      service,
      enter: (fn) => context.run(ctx, fn),
      fault: (context, err) => b.fault(service, context, err),
      ok: (context) => b.ok(service, context),
      run(context, fn) {
        try {
          const r = fn();
          b.ok(service, context);
          return r;
        } catch (err) {
          b.fault(service, context, err);
          return undefined;
        }
      },
      wrap(context, fn) {
        return (...args) => {
          try {
            const r = fn(...args);
            if (r instanceof Promise)
              r.then(
                () => b.ok(service, context),
                (err: unknown) => b.fault(service, context, err),
              );
            else b.ok(service, context);
          } catch (err) {
            b.fault(service, context, err);
          }
        };
      },
      watch(context, p) {
        p.then(
          () => b.ok(service, context),
          (err: unknown) => b.fault(service, context, err),
        );
      },
    };
  }

  /** Faults caught and restarts made per service since start, for diagnostics and /metrics. */
  metrics(): Record<string, number> {
    const out: Record<string, number> = {};
    const name = (s: string) => s.replace(/[^A-Za-z0-9]+/g, '_');
    for (const [service, n] of this.faults) out[`${name(service)}_faults_total`] = n;
    for (const [service, r] of this.restartable) out[`${name(service)}_restarts_total`] = r.restarts;
    return out;
  }

  restartsOf(service: string): number {
    return this.restartable.get(service)?.restarts ?? 0;
  }

  /** The core is stopping: no more restarts. */
  close(): void {
    this.closed = true;
    for (const r of this.restartable.values()) if (r.timer) clearTimeout(r.timer);
  }

  faultsOf(service: string): number {
    return this.faults.get(service) ?? 0;
  }
}

/** The running core's crash file and boundary, for the shell's last resort (one core per process). */
let processRecord: { file: string; boundary: Boundary } | null = null;

/** The core tells the last resort where to write crash records and whom to tell about escaped rejections. */
export function recordCrashesIn(file: string, boundary: Boundary): void {
  processRecord = { file, boundary };
}

export interface LastResortOptions {
  /** Which shell: "serve", "desktop core", "electron main". */
  shell: string;
  log?: Logger;
  /** Where crash records go; by default `<data dir>/crash.log` of the running core, else log only. */
  crashFile?: () => string | null;
  /** An exception that escaped every service: exit for a supervisor (true) or keep running. */
  exitOnUncaught: boolean;
}

/** What the last resort does with one escape: exported for tests; installLastResort routes to it. */
export function handleEscape(kind: 'exception' | 'rejection', err: unknown, opts: LastResortOptions): 'contained' | 'recorded' | 'exit' {
  const ctx = context.getStore();
  const owner = ctx ? (ctx.boundary ?? processRecord?.boundary) : undefined;
  if (ctx && owner && !owner.closed) {
    owner.fault(ctx.service, kind === 'exception' ? 'a callback' : 'a promise', err);
    return 'contained';
  }
  const log = opts.log ?? logger(opts.shell);
  const where = ctx ? ` from ${ctx.service} (stopped)` : '';
  const message = `unhandled ${kind}${where} in the ${opts.shell} process: ${describeError(err)}`;
  log('error', message);
  try {
    const file = opts.crashFile ? opts.crashFile() : (processRecord?.file ?? null);
    if (file) {
      mkdirSync(path.dirname(file), { recursive: true });
      // The stack goes to the crash file (for whoever investigates), never to an operator's screen.
      const stack = err instanceof Error && err.stack ? err.stack : String(err);
      appendFileSync(file, `${new Date().toISOString()} ${message}\n${stack}\n\n`, { mode: 0o600 });
    }
  } catch (writeErr) {
    log('error', `could not write the crash record: ${describeError(writeErr)}`);
  }
  if (kind === 'exception') return opts.exitOnUncaught ? 'exit' : 'recorded';
  // A rejection unwound no stack half-way: record it, raise it, keep running.
  const b = processRecord?.boundary;
  if (b && !b.closed) b.fault('console', 'a promise outside every service', err);
  return 'recorded';
}

/**
 * Run a shell's own code (serve mode's HTTP server, the desktop core host's message loop) as the
 * service `service` of whichever core runs in this process: its escapes are contained there too.
 */
export function inShellContext<T>(service: string, fn: () => T): T {
  return context.run({ boundary: null, service }, fn);
}

/**
 * The shell's process handlers: an escape from a service's async context is contained at that
 * service's boundary; anything else is recorded (log line, crash file). Then an uncaught exception
 * ends the process with code 70 when `exitOnUncaught` (its state is unknown: a supervisor restarts
 * it); a rejection never does (and raises a system alarm).
 */
export function installLastResort(opts: LastResortOptions): void {
  process.on('uncaughtException', (err) => {
    if (handleEscape('exception', err, opts) === 'exit') process.exit(70);
  });
  process.on('unhandledRejection', (reason) => {
    handleEscape('rejection', reason, opts);
  });
}
