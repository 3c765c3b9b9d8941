// The containment boundary: the one place where an exception or rejection inside a service (a bus
// listener, a timer callback, a driver event handler, a promise chain, a worker) ends. It is logged
// once when it starts (RepeatedFault: counted while it repeats, logged when it clears), counted per
// service, and raised as a system alarm through the core's system-alarm path — and nothing is
// rethrown, so a fault in one service never ends the process. Services that run in a worker are
// restarted with backoff by the supervisor in ./worker.ts, which reports through here too.
import { describeError } from './errors.js';
import { type Logger, logger, RepeatedFault } from './log.js';

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
}

export class Boundary {
  private readonly log: Logger;
  private readonly repeated: RepeatedFault;
  private readonly faults = new Map<string, number>();
  private readonly active = new Map<string, number>();
  /** Set once the alarm service runs (faults before that are logged and counted only). */
  raise: BoundaryOptions['raise'];
  clear: BoundaryOptions['clear'];

  constructor(opts: BoundaryOptions = {}) {
    this.log = opts.log ?? logger('boundary');
    this.repeated = new RepeatedFault(this.log, opts.summaryMs, opts.now);
    this.raise = opts.raise;
    this.clear = opts.clear;
  }

  fault(service: string, context: string, err: unknown): void {
    try {
      this.faults.set(service, (this.faults.get(service) ?? 0) + 1);
      const key = `${service}\u0000${context}`;
      const message = `${service}: ${context} failed: ${describeError(err)}`;
      const starting = !this.repeated.isActive(key);
      this.repeated.report(key, message, 'error');
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

  for(service: string): ServiceBoundary {
    const b = this;
    return {
      service,
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

  /** Faults caught per service since start, for diagnostics and /metrics. */
  metrics(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [service, n] of this.faults) out[`${service.replace(/[^A-Za-z0-9_]/g, '_')}_faults_total`] = n;
    return out;
  }

  faultsOf(service: string): number {
    return this.faults.get(service) ?? 0;
  }
}
