// The one connection life cycle every protocol driver runs: states, backoff, diagnostics, error
// classes and throttled fault logging are defined here, once. A protocol plugs in a thin adapter
// (open / run / close) and words its own faults; it keeps no state of the link itself.
//
// States and transitions (docs/architecture.md, "Driver life cycle", draws them):
//
//   idle ──start──▶ connecting ──open ok──▶ connected ◀──recover── degraded
//                     ▲   │                  │   └────degrade───────▶ │
//                     │   │open failed       │lost                    │lost
//                     │   ▼                  ▼                        │
//                     │ backoff ◀──close── lost ◀─────────────────────┘
//                     └─timer─┘
//   connecting ──open failed with a config fault──▶ failed   (retrying cannot cure it)
//   any state ──stop──▶ stopped ──start──▶ connecting
//
// - connecting: the adapter's open() runs (socket, session, subscriptions). It resolves: connected;
//   it throws: the fault is recorded, close() releases what it opened, then backoff — or failed when
//   the fault is of class 'config' (an unreadable TLS file, a URL that does not parse).
// - connected: the adapter's run() (a poll loop) runs, if it has one; events of the protocol library
//   call link.lost() when the link goes away.
// - degraded: the link is up but the peer does not answer (a silent Modbus unit): no reconnect,
//   which would not cure it; the next answer recovers it.
// - lost: the link went away; close() releases it, then backoff.
// - backoff: the next connecting waits backoffMs(attempts) from the connection's `reconnect`
//   settings (initial, doubling, capped); a successful open resets the attempts.
// - stopped: stop() ends run(), closes the link and cancels the backoff timer; start() begins again.
//
// Diagnostics speak the API's four states (ConnectionState): idle and stopped are "disconnected",
// connected and degraded "connected", lost, backoff and failed "error". `reconnects` counts the
// successful opens that followed a failed attempt or a loss.
import { z } from 'zod';
import type { ConnectionDiagnostics, ConnectionProtocol, ConnectionState } from '../api/types.js';
import { describeError } from '../util/errors.js';
import { type Logger, RepeatedFault } from '../util/log.js';

export type LinkState = 'idle' | 'connecting' | 'connected' | 'degraded' | 'lost' | 'backoff' | 'failed' | 'stopped';

/** What kind of fault it is, whatever the protocol: what a person would do about it differs by class. */
export type ErrorClass =
  /** No answer in time (a silent peer, a missing CONNACK). */
  | 'timeout'
  /** The peer cannot be reached: connection refused, host or network unreachable, name unknown. */
  | 'refused'
  /** A link that was up went away (reset, closed, keep-alive missed). */
  | 'lost'
  /** The peer answered, with a refusal or an exception of its protocol (Modbus exception, Bad status). */
  | 'protocol'
  /** Data the peer sent that cannot be taken (malformed JSON, a value of the wrong type). */
  | 'payload'
  /** The peer refused the credentials. */
  | 'auth'
  /** A certificate was not trusted (either way) or TLS failed. */
  | 'certificate'
  /** The console's own configuration is wrong: retrying cannot cure it. */
  | 'config'
  | 'other';

/** The site file's `reconnect:` block of every connection. */
export const reconnectSchema = z
  .object({ initialDelayMs: z.number().int().min(50).default(500), maxDelayMs: z.number().int().min(100).default(10_000) })
  .strict()
  .default({ initialDelayMs: 500, maxDelayMs: 10_000 });
export type ReconnectConfig = z.output<typeof reconnectSchema>;

/** Exponential backoff with a cap: initial, 2×, 4× … up to max. */
export function backoffMs(attempt: number, initialMs = 500, maxMs = 10_000): number {
  return Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 10));
}

/** Time and timers, injectable so that tests drive the life cycle without waiting. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Events per second over windows of at least a second, for connection diagnostics. */
export class RateMeter {
  private count = 0;
  private windowStart: number;
  private rate = 0;

  constructor(private readonly now: () => number = Date.now) {
    this.windowStart = now();
  }

  add(n = 1): void {
    this.count += n;
  }

  /** The rate of the last complete window, rounded to 0.1/s. */
  perSecond(now = this.now()): number {
    if (now - this.windowStart >= 1000) {
      this.rate = (this.count * 1000) / (now - this.windowStart);
      this.count = 0;
      this.windowStart = now;
    }
    return Math.round(this.rate * 10) / 10;
  }
}

const REFUSED_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL']);
const LOST_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/** The class of whatever a protocol library threw, from its code and its words. */
export function classifyError(err: unknown): ErrorClass {
  if (err instanceof LinkError) return err.cls;
  const o = (typeof err === 'object' && err !== null ? err : {}) as { code?: unknown; errno?: unknown };
  const code = typeof o.code === 'string' ? o.code : typeof o.errno === 'string' ? o.errno : '';
  // The whole message: node-opcua puts the socket's error code on a later line.
  const text = err instanceof Error ? err.message : describeError(err);
  if (/certificate|self[- ]signed|\bCERT_|\bTLS\b|\bSSL\b|BadSecurityChecksFailed/i.test(`${code} ${text}`)) return 'certificate';
  if (/not authori[sz]ed|bad user ?name or password|login|access denied|identity ?token|BadUserAccessDenied/i.test(text)) return 'auth';
  if (code === 'ETIMEDOUT' || /timed? ?out|timeout/i.test(text)) return 'timeout';
  if (REFUSED_CODES.has(code) || /ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ENOTFOUND/.test(text)) return 'refused';
  if (LOST_CODES.has(code) || /ECONNRESET|EPIPE|socket hang up|connection (lost|closed|reset)/i.test(text)) return 'lost';
  return 'other';
}

/** One fault of a connection, as its driver words it. */
export interface Fault {
  /** The counter it adds to in diagnostics.errors; null: not counted there (counted already, or not at all). */
  kind: string | null;
  /** A sentence naming the thing and the cause: diagnostics' lastError, and the log line. */
  message: string;
  /** Its RepeatedFault key (logged when it starts, counted, logged when it clears); null: not logged. Default: kind. */
  key?: string | null;
  /** The log line when it differs from `message` (the connection's label is put before it). */
  log?: string;
  /** Default: classifyError of the message. */
  cls?: ErrorClass;
  /** When the fault takes the link down: why the connection's tags turn Bad (default "comm failure: <message>"); null leaves them as they are. */
  bad?: string | null;
}

/** A fault an adapter's open() throws with its words and class chosen (a config fault stops the retries). */
export class LinkError extends Error {
  override name = 'LinkError';
  constructor(readonly fault: Fault & { cls: ErrorClass }) {
    super(fault.message);
  }
  get cls(): ErrorClass {
    return this.fault.cls;
  }
}

/** What one open() of the adapter sees: stale once the link it opened is lost or the connection stopped. */
export interface LinkHandle {
  /** Whether this is still the current link (connecting, connected or degraded). */
  readonly current: boolean;
  /** The link went away: record it, release it (close()), reconnect after the backoff. Ignored when stale. */
  lost(fault: Fault): void;
  /** Wait `ms`, or less when the link ends (lost, stopped). */
  sleep(ms: number): Promise<void>;
}

export interface LinkAdapter {
  /** Open the link (socket, session, subscriptions); throw what failed. */
  open(link: LinkHandle): Promise<void>;
  /** The work while the link is up (a poll loop); returns once `link.current` is false. */
  run?(link: LinkHandle): Promise<void>;
  /** Release whatever open() made, opened fully or not; never throws. */
  close(): Promise<void>;
  /** A failed open in words (default: "<kind>: <describeError>" counted as "connect"). */
  openFailed?(err: unknown): Fault;
  /** Every tag of the connection turns Bad with `reason` (not connected yet, link down, stopped). */
  markBad(reason: string): void;
}

export interface ConnectionOptions {
  name: string;
  protocol: ConnectionProtocol;
  /** Where it connects to, as diagnostics show it (no credentials). */
  endpoint: string;
  tagCount: number;
  reconnect: ReconnectConfig;
  log: Logger;
  /** Put before every log line of the connection: "[modbus:plc1]". */
  label: string;
  clock?: Clock;
  /** How often a repeated fault is summarised in the log (RepeatedFault's default: 5 min). */
  summaryMs?: number;
}

export interface StateChange {
  from: LinkState;
  to: LinkState;
  at: number;
  /** The fault that caused it, where one did. */
  reason: string | null;
}

/** Everything the life cycle knows, beyond the API's diagnostics. */
export interface ConnectionSnapshot {
  state: LinkState;
  /** When the connection entered its state (ms since 1970). */
  since: number;
  /** Failed attempts since the last successful open (the backoff exponent). */
  attempts: number;
  reconnects: number;
  errors: Record<string, number>;
  byClass: Partial<Record<ErrorClass, number>>;
  lastError: string | null;
  lastErrorAt: string | null;
  lastErrorClass: ErrorClass | null;
  rate: number;
  latencyMs: number | null;
}

export function publicState(s: LinkState): ConnectionState {
  switch (s) {
    case 'idle':
    case 'stopped':
      return 'disconnected';
    case 'connecting':
      return 'connecting';
    case 'connected':
    case 'degraded':
      return 'connected';
    default:
      return 'error';
  }
}

const LINK_KEY = 'link';

export class Connection {
  readonly faults: RepeatedFault;
  readonly rate: RateMeter;
  private st: LinkState = 'idle';
  private since: number;
  private attempts = 0;
  private reconnects = 0;
  /** Bumped by every open and by stop: a handle of an older one is stale. */
  private generation = 0;
  private timer: unknown = null;
  private running: Promise<void> | null = null;
  private readonly wakers = new Set<() => void>();
  private readonly listeners = new Set<(change: StateChange) => void>();
  private readonly errors: Record<string, number> = {};
  private readonly byClass: Partial<Record<ErrorClass, number>> = {};
  private lastError: string | null = null;
  private lastErrorAt: string | null = null;
  private lastErrorClass: ErrorClass | null = null;
  private latency: number | null = null;
  private readonly clock: Clock;

  constructor(
    private readonly options: ConnectionOptions,
    private readonly adapter: LinkAdapter,
  ) {
    this.clock = options.clock ?? systemClock;
    this.since = this.clock.now();
    this.rate = new RateMeter(() => this.clock.now());
    this.faults = new RepeatedFault(
      (level, message) => options.log(level, `${options.label} ${message}`),
      options.summaryMs,
      () => this.clock.now(),
    );
  }

  get state(): LinkState {
    return this.st;
  }

  /** The link is up (connected or degraded): requests may go out. */
  get up(): boolean {
    return this.st === 'connected' || this.st === 'degraded';
  }

  /** The state as the API names it (diagnostics, "connection X is error"). */
  get publicState(): ConnectionState {
    return publicState(this.st);
  }

  on(listener: (change: StateChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Begin connecting; resolves once the first attempt is over, whatever its outcome. */
  async start(): Promise<void> {
    if (this.st !== 'idle' && this.st !== 'stopped') return;
    this.adapter.markBad('comm failure: not connected yet');
    await this.attempt();
  }

  /** End run(), close the link, cancel any backoff; every tag turns Bad. */
  async stop(): Promise<void> {
    this.generation++;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.to('stopped', null);
    this.wake();
    await this.running;
    this.running = null;
    await this.adapter.close();
    this.adapter.markBad('comm failure: driver stopped');
  }

  /** Record a fault that does not change the state: counted, lastError, logged as a repeated fault. */
  fault(f: Fault): void {
    const cls = f.cls ?? classifyError(f.message);
    if (f.kind) this.errors[f.kind] = (this.errors[f.kind] ?? 0) + 1;
    this.byClass[cls] = (this.byClass[cls] ?? 0) + 1;
    this.lastError = f.message;
    this.lastErrorAt = new Date(this.clock.now()).toISOString();
    this.lastErrorClass = cls;
    const key = f.key === undefined ? (f.kind ?? LINK_KEY) : f.key;
    if (key !== null) this.faults.report(key, f.log ?? f.message);
  }

  /** Count an event under `kind` in diagnostics.errors (a retry, a request without reply) without a message. */
  count(kind: string, cls?: ErrorClass): void {
    this.errors[kind] = (this.errors[kind] ?? 0) + 1;
    if (cls) this.byClass[cls] = (this.byClass[cls] ?? 0) + 1;
  }

  /** The fault `key` is over: logged once, with how long it lasted. */
  clear(key: string, message?: string): void {
    this.faults.clear(key, message);
  }

  /** The round trip of the last request, for diagnostics. */
  measured(latencyMs: number): void {
    this.latency = latencyMs;
  }

  /** The link is up but the peer does not answer: no reconnect (it would not cure it). */
  degrade(f: Fault): void {
    this.fault(f);
    if (this.st === 'connected') this.to('degraded', f.message);
  }

  /** The peer answers again; `key` names the fault that degraded it. */
  recover(key: string, message: string): void {
    if (this.faults.isActive(key)) this.faults.clear(key, message);
    if (this.st === 'degraded') this.to('connected', null);
  }

  snapshot(): ConnectionSnapshot {
    return {
      state: this.st,
      since: this.since,
      attempts: this.attempts,
      reconnects: this.reconnects,
      errors: { ...this.errors },
      byClass: { ...this.byClass },
      lastError: this.lastError,
      lastErrorAt: this.lastErrorAt,
      lastErrorClass: this.lastErrorClass,
      rate: this.rate.perSecond(),
      latencyMs: this.latency,
    };
  }

  diagnostics(extraErrors?: Record<string, number>): ConnectionDiagnostics {
    const o = this.options;
    return {
      name: o.name,
      protocol: o.protocol,
      endpoint: o.endpoint,
      state: this.publicState,
      lastError: this.lastError,
      lastErrorAt: this.lastErrorAt,
      reconnects: this.reconnects,
      tagCount: o.tagCount,
      rate: this.rate.perSecond(),
      latencyMs: this.latency,
      errors: { ...this.errors, ...extraErrors },
    };
  }

  /** What a Driver answers through its life cycle: name, protocol, start, stop, diagnostics (spread into the driver). */
  face(): {
    name: string;
    protocol: ConnectionProtocol;
    connection: Connection;
    start(): Promise<void>;
    stop(): Promise<void>;
    diagnostics(): ConnectionDiagnostics;
  } {
    return {
      name: this.options.name,
      protocol: this.options.protocol,
      connection: this,
      start: () => this.start(),
      stop: () => this.stop(),
      diagnostics: () => this.diagnostics(),
    };
  }

  private handle(generation: number): LinkHandle {
    const self = this;
    return {
      get current() {
        return generation === self.generation && (self.st === 'connecting' || self.up);
      },
      lost(f) {
        if (generation === self.generation && self.up) self.lose(f);
      },
      sleep(ms) {
        if (generation !== self.generation || !(self.st === 'connecting' || self.up)) return Promise.resolve();
        return new Promise<void>((resolve) => {
          const done = () => {
            self.clock.clearTimeout(timer);
            self.wakers.delete(done);
            resolve();
          };
          const timer = self.clock.setTimeout(done, ms);
          self.wakers.add(done);
        });
      },
    };
  }

  private async attempt(): Promise<void> {
    const generation = ++this.generation;
    this.to('connecting', null);
    const link = this.handle(generation);
    try {
      await this.adapter.open(link);
    } catch (err) {
      if (generation !== this.generation) return void (await this.adapter.close());
      const f = err instanceof LinkError ? err.fault : (this.adapter.openFailed?.(err) ?? this.openFault(err));
      const cls = f.cls ?? classifyError(err);
      this.fault({ ...f, key: f.key === undefined ? LINK_KEY : f.key, cls });
      await this.adapter.close();
      if (generation !== this.generation) return;
      if (f.bad !== null) this.adapter.markBad(f.bad ?? `comm failure: ${f.message}`);
      if (cls === 'config') this.to('failed', f.message);
      else this.backoff(f.message);
      return;
    }
    if (generation !== this.generation) {
      // Stopped while opening: stop() closed what existed then; close what the open made since.
      await this.adapter.close();
      return;
    }
    if (this.attempts > 0) this.reconnects++;
    this.attempts = 0;
    this.to('connected', null);
    this.faults.clear(LINK_KEY, `connected to ${this.options.endpoint}`);
    if (this.adapter.run) {
      this.running = this.adapter
        .run(link)
        .catch((err: unknown) => link.lost({ kind: 'lost', message: `the ${this.options.protocol} link failed: ${describeError(err)}` }));
    }
  }

  private openFault(err: unknown): Fault {
    return { kind: 'connect', message: `connect: ${describeError(err)}` };
  }

  private lose(f: Fault): void {
    const generation = ++this.generation;
    this.fault({ ...f, key: f.key === undefined ? LINK_KEY : f.key, cls: f.cls ?? 'lost' });
    if (f.bad !== null) this.adapter.markBad(f.bad ?? `comm failure: ${f.message}`);
    this.to('lost', f.message);
    this.wake();
    void (async () => {
      await this.running;
      this.running = null;
      await this.adapter.close();
      if (generation === this.generation) this.backoff(f.message);
    })();
  }

  private backoff(reason: string): void {
    const generation = this.generation;
    const delay = backoffMs(this.attempts++, this.options.reconnect.initialDelayMs, this.options.reconnect.maxDelayMs);
    this.to('backoff', reason);
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      if (generation === this.generation && this.st === 'backoff') void this.attempt();
    }, delay);
  }

  private wake(): void {
    for (const w of [...this.wakers]) w();
  }

  private to(next: LinkState, reason: string | null): void {
    const from = this.st;
    if (from === next) return;
    this.st = next;
    this.since = this.clock.now();
    const { log, label } = this.options;
    const a = publicState(from);
    const b = publicState(next);
    // The API's states in "state a → b" (what diagnostics show); the life cycle's own in "link a → b".
    if (a !== b) log('debug', `${label} state ${a} → ${b}`);
    // Without the reason: the fault is logged once, by RepeatedFault, not again at every retry.
    log('debug', `${label} link ${from} → ${next}`);
    const change: StateChange = { from, to: next, at: this.since, reason };
    for (const l of this.listeners) l(change);
  }
}
