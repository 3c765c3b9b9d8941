// The uplink: one MQTT session at a time to the configured broker, draining the outbox in
// priority order with at most maxInflight unacknowledged batches, under a byte-rate cap.
// A lost session is replaced by a new one after an exponential backoff (a new client each time,
// so each Sparkplug session has its own bdSeq and death certificate). Nothing here is awaited by
// callers: enqueue() is synchronous and memory-only, the rest runs on timers and callbacks.
// An https:// URL replaces the MQTT session with one POST per batch (http-link.ts), one at a time.
import fs from 'node:fs';
import path from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { SyncStatus, SyncSystemMessage } from '../api/sync-requests.js';
import type { Logger } from '../util/log.js';
import { SYNC_STREAMS, type SyncConfig, type SyncStream } from './config.js';
import { ModelDownlink } from './downlink.js';
import { createHttpPoster, type HttpPoster } from './http-link.js';
import { type OutboxBatch, SyncOutbox } from './outbox.js';
import {
  downlinkTopics,
  encodeJsonBatch,
  isRebirthRequest,
  jsonTopic,
  sparkplugBirth,
  sparkplugData,
  sparkplugDeath,
  sparkplugTopic,
} from './payload.js';
import { streamSelected } from './select.js';

export interface SyncOptions {
  config: SyncConfig;
  dataDir: string;
  siteName: string;
  now?: () => number;
  onSystemMessage?: (m: SyncSystemMessage) => void;
  log?: Logger;
  /** Opens sealed `enc:v1:` password references (the auth capability's Secrets). */
  secrets?: { decrypt(sealed: string): string };
  /** The inference model root approved downlink packages are moved into. */
  modelsDir?: string;
  /** A package was approved and installed at `dir`: the inference capability can now list it. */
  onModelApproved?: (key: string, dir: string) => void;
}

export interface SyncService {
  /** Queue one message; false when the site file does not let this stream leave the site. Never blocks. */
  enqueue(stream: SyncStream, payload: unknown, priority?: number): boolean;
  status(): SyncStatus;
  pause(): void;
  resume(): void;
  /** Write what is buffered to sync.db (done on every loop turn anyway). */
  flush(): void;
  /**
   * Drop the session and open a new one now (the containment boundary's restart after a fault in
   * the uplink): unacknowledged batches are sent again from the outbox, in order.
   */
  restart(): void;
  stop(): Promise<void>;
  /** A feed's progress mark kept in sync.db (e.g. the last hour of aggregates queued), so a restart resumes it. */
  mark(name: string): number | null;
  setMark(name: string, value: number): void;
  /** Set a mark in the same sync.db transaction as the messages queued before it (exactly-once resume). */
  setMarkWithQueued(name: string, value: number): void;
  /** The model downlink, null when off in the site file. */
  readonly models: ModelDownlink | null;
}

const RATE_WINDOW_MS = 10_000;

function resolveSecret(ref: string, secrets: SyncOptions['secrets']): string {
  if (ref.startsWith('env:')) {
    const v = process.env[ref.slice(4)];
    if (v === undefined) throw new Error(`sync password: environment variable ${ref.slice(4)} is not set`);
    return v;
  }
  if (!secrets) throw new Error('sync password: a sealed value needs the console secrets, none were given');
  return secrets.decrypt(ref);
}

export function openSync(opts: SyncOptions): SyncService {
  const cfg = opts.config;
  const now = opts.now ?? Date.now;
  const log: Logger = opts.log ?? (() => {});
  const site = opts.siteName;
  const system = (level: SyncSystemMessage['level'], code: SyncSystemMessage['code'], message: string) => {
    log(level === 'info' ? 'info' : 'warn', message);
    opts.onSystemMessage?.({ level, source: 'sync', code, message, timestamp: new Date(now()).toISOString() });
  };

  fs.mkdirSync(opts.dataDir, { recursive: true });
  const outbox = new SyncOutbox({
    file: path.join(opts.dataDir, 'sync.db'),
    maxBacklog: cfg.maxBacklog,
    now,
    onBound: (dropped, backlog) =>
      system(
        // An error: the core turns it into a system alarm, data is being lost upstream.
        'error',
        'sync.backlog_bound',
        `Sync backlog reached its bound of ${cfg.maxBacklog} messages: ${dropped} of the oldest aggregates/raw samples were thinned (alarms and events are kept); ${backlog} waiting`,
      ),
    onWriteError: (err) => noteError(`sync outbox write failed (kept in memory, retried): ${err.message}`),
  });

  const models = cfg.downlink.enabled
    ? new ModelDownlink({
        db: outbox.db,
        pendingDir: path.join(opts.dataDir, 'sync-models'),
        ...(opts.modelsDir ? { modelsDir: opts.modelsDir } : {}),
        pinned: cfg.downlink.pinnedSha256,
        maxBytes: cfg.downlink.maxBytes,
        now,
        onRejected: (message) => {
          noteError(message);
          system('warning', 'sync.model_rejected', message);
        },
        ...(opts.onModelApproved ? { onApproved: opts.onModelApproved } : {}),
      })
    : null;

  let link: SyncStatus['link'] = cfg.enabled ? 'connecting' : 'disabled';
  let paused = false;
  let stopped = false;
  let client: MqttClient | null = null;
  /** Set instead of `client` when the back end is an https:// URL. */
  let poster: HttpPoster | null = null;
  const overHttp = /^https?:/.test(cfg.url);
  // Concurrent POSTs could land out of order: one at a time over HTTP.
  const maxInflight = overHttp ? 1 : cfg.maxInflight;
  let session = 0;
  let attempt = 0;
  let retryTimer: NodeJS.Timeout | null = null;
  let nextRetryAt: number | null = null;
  let inflight = 0;
  let pumping = false;
  let pumpScheduled = false;
  let seq = 0;
  /** A Sparkplug NBIRTH is owed: after connecting, or when a host asked for a rebirth (NCMD). */
  let birthDue = false;
  let birthBdSeq = 0;
  let reconnects = 0;
  let lastDelivery: number | null = null;
  let lastError: { at: number; message: string } | null = null;
  let errors = 0;
  const delivered = { messages: 0, bytes: 0 };
  const recent: { at: number; messages: number; bytes: number }[] = [];
  /** Last row id handed to the current session, per stream: rows after it are still to send. */
  const sent = new Map<SyncStream, number>();
  let tokens = cfg.maxBytesPerSecond;
  let tokensAt = Date.now();

  function noteError(message: string) {
    errors++;
    lastError = { at: now(), message };
    log('warn', message);
  }

  function clientOptions(bdSeq: number): IClientOptions {
    const t = cfg.tls;
    const o: IClientOptions = {
      clientId: cfg.clientId ?? `aurum-sync-${site.replace(/[^A-Za-z0-9_-]/g, '_')}`.slice(0, 128),
      protocolVersion: cfg.protocolVersion,
      keepalive: cfg.keepaliveS,
      connectTimeout: cfg.connectTimeoutMs,
      reconnectPeriod: 0,
      clean: true,
      ...(cfg.username !== undefined ? { username: cfg.username } : {}),
      ...(cfg.password !== undefined ? { password: resolveSecret(cfg.password, opts.secrets) } : {}),
    };
    if (t) {
      if (t.ca) o.ca = fs.readFileSync(t.ca);
      if (t.cert) o.cert = fs.readFileSync(t.cert);
      if (t.key) o.key = fs.readFileSync(t.key);
      o.rejectUnauthorized = t.rejectUnauthorized;
      if (t.servername) o.servername = t.servername;
    }
    if (cfg.format === 'sparkplug') {
      o.will = { topic: sparkplugTopic(cfg.namespace, 'NDEATH', site), payload: sparkplugDeath(bdSeq, now()), qos: 1, retain: false };
    }
    return o;
  }

  function connect() {
    retryTimer = null;
    nextRetryAt = null;
    if (stopped) return;
    const mine = ++session;
    const bdSeq = (Number(outbox.state('bdSeq') ?? -1) + 1) % 256;
    outbox.setState('bdSeq', String(bdSeq));
    link = 'connecting';
    if (overHttp) {
      try {
        poster = createHttpPoster(cfg, { ...httpAuthorization() });
      } catch (err) {
        noteError(`sync: cannot use ${cfg.url}: ${(err as Error).message}`);
        scheduleRetry();
        return;
      }
      // No session to open: the first POST tells whether the back end is there.
      link = 'connected';
      inflight = 0;
      sent.clear();
      void pump();
      return;
    }
    let c: MqttClient;
    try {
      c = mqtt.connect(cfg.url, clientOptions(bdSeq));
    } catch (err) {
      noteError(`sync: cannot connect to ${cfg.url}: ${(err as Error).message}`);
      scheduleRetry();
      return;
    }
    client = c;
    c.on('connect', () => {
      if (mine !== session) return;
      link = 'connected';
      attempt = 0;
      inflight = 0;
      sent.clear();
      seq = 0;
      log('info', `sync connected to ${cfg.url}`);
      const ncmd = sparkplugTopic(cfg.namespace, 'NCMD', site);
      if (models) c.subscribe(downlinkTopics(cfg.namespace, site), { qos: 1 });
      if (cfg.format === 'sparkplug') {
        c.subscribe(ncmd, { qos: 0 });
        birthBdSeq = bdSeq;
        birthDue = true;
      }
      c.on('message', (topic, body) => {
        if (topic === ncmd) {
          if (isRebirthRequest(body)) {
            birthDue = true;
            void pump();
          }
          return;
        }
        const m = models?.receive(body);
        if (m?.state === 'pending')
          system('info', 'sync.model_received', `Model package ${m.key} received and verified; it waits for an engineer's approval`);
      });
      void pump();
    });
    c.on('error', (err) => {
      if (mine === session) noteError(`sync: ${err.message}`);
    });
    c.on('close', () => {
      if (mine !== session) return;
      lost();
    });
  }

  function httpAuthorization(): { authorization?: string } {
    if (cfg.token) return { authorization: `Bearer ${resolveSecret(cfg.token, opts.secrets)}` };
    if (cfg.username !== undefined) {
      const pw = cfg.password === undefined ? '' : resolveSecret(cfg.password, opts.secrets);
      return { authorization: `Basic ${Buffer.from(`${cfg.username}:${pw}`).toString('base64')}` };
    }
    return {};
  }

  /** Drops the current session at once (a forced end: no clean disconnect); what it had in flight is sent again from the outbox. */
  function dropSession() {
    const c = client;
    client = null;
    poster?.close();
    poster = null;
    session++;
    inflight = 0;
    c?.end(true);
  }

  function lost() {
    dropSession();
    if (stopped) return;
    reconnects++;
    scheduleRetry();
  }

  function scheduleRetry() {
    link = 'backoff';
    const base = Math.min(cfg.backoff.maxMs, cfg.backoff.initialMs * 2 ** Math.min(attempt, 30));
    attempt++;
    // ±20 % jitter: a fleet of sites coming back after a broker outage should not reconnect in step.
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    nextRetryAt = now() + delay;
    retryTimer = setTimeout(connect, delay);
  }

  /** Wait until the byte-rate cap lets `bytes` more go out. */
  async function throttle(bytes: number): Promise<void> {
    const rate = cfg.maxBytesPerSecond;
    if (rate === 0) return;
    const t = Date.now();
    tokens = Math.min(Math.max(rate, bytes), tokens + ((t - tokensAt) / 1000) * rate);
    tokensAt = t;
    tokens -= bytes;
    if (tokens < 0) await new Promise((r) => setTimeout(r, (-tokens / rate) * 1000));
  }

  async function encode(batch: OutboxBatch): Promise<{ topic: string; body: Buffer }> {
    if (cfg.format === 'sparkplug') {
      const body = sparkplugData(outbox.epoch, batch.stream, batch.rows, seq, now());
      seq = (seq + 1) % 256;
      return { topic: sparkplugTopic(cfg.namespace, 'NDATA', site), body };
    }
    return {
      topic: jsonTopic(cfg.namespace, site, batch.stream),
      body: await encodeJsonBatch(site, outbox.epoch, batch.stream, batch.rows, cfg.compress),
    };
  }

  /** Publish an owed NBIRTH between batches (never between a batch's seq and its publish); seq restarts at 0. Sent even while paused, so hosts see the node online. */
  function birth() {
    if (!birthDue || !client || link !== 'connected') return;
    birthDue = false;
    client.publish(sparkplugTopic(cfg.namespace, 'NBIRTH', site), sparkplugBirth(SYNC_STREAMS, birthBdSeq, now()), { qos: 1 });
    seq = 1;
  }

  /** One drain loop at a time: batches of a stream must be published in order. */
  async function pump(): Promise<void> {
    if (pumping) return;
    pumping = true;
    try {
      birth();
      while (!stopped && !paused && (client || poster) && link === 'connected' && inflight < maxInflight) {
        const c = client;
        const p = poster;
        const mine = session;
        birth();
        const batch = outbox.next(sent, cfg.batch.maxMessages, cfg.batch.maxBytes);
        if (!batch) break;
        const ids = batch.rows.map((r) => r.id);
        sent.set(batch.stream, ids[ids.length - 1] ?? 0);
        const { topic, body } = await encode(batch);
        await throttle(body.length);
        if (mine !== session) break;
        inflight++;
        const sendDone = (err?: Error | null) => {
          if (mine !== session) return;
          inflight--;
          if (err) {
            // The rows after this batch may already be out: only a new session (which resends from
            // the first unacknowledged row) keeps the stream in order.
            noteError(`sync publish failed: ${err.message}`);
            lost();
            return;
          }
          outbox.ack(batch.stream, ids);
          const t = now();
          lastDelivery = t;
          delivered.messages += ids.length;
          delivered.bytes += body.length;
          recent.push({ at: t, messages: ids.length, bytes: body.length });
          attempt = 0;
          void pump();
        };
        if (p) {
          p.post(
            body,
            {
              'content-type': 'application/json',
              ...(cfg.compress ? { 'content-encoding': 'gzip' } : {}),
              'x-aurum-site': encodeURIComponent(site),
              'x-aurum-stream': batch.stream,
              'idempotency-key': `${outbox.epoch}-${ids[0]}-${ids[ids.length - 1]}`,
            },
            sendDone,
          );
        } else c?.publish(topic, body, { qos: 1 }, sendDone);
        // Let the loop breathe between batches: draining days of backlog must not starve the console.
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      pumping = false;
    }
  }

  function rates() {
    const t = now();
    while (recent.length > 0 && (recent[0]?.at ?? t) < t - RATE_WINDOW_MS) recent.shift();
    const m = recent.reduce((s, r) => s + r.messages, 0);
    const b = recent.reduce((s, r) => s + r.bytes, 0);
    return { messagesPerSecond: (m * 1000) / RATE_WINDOW_MS, bytesPerSecond: (b * 1000) / RATE_WINDOW_MS };
  }

  if (cfg.enabled) connect();

  return {
    models,
    mark(name) {
      const v = outbox.state(`mark:${name}`);
      return v === undefined ? null : Number(v);
    },
    setMark(name, value) {
      outbox.setState(`mark:${name}`, String(value));
    },
    setMarkWithQueued(name, value) {
      outbox.setStateWithQueued(`mark:${name}`, String(value));
    },
    enqueue(stream, payload, priority) {
      if (!cfg.enabled || stopped || !streamSelected(cfg, stream)) return false;
      outbox.enqueue(stream, payload, priority ?? cfg.priority[stream]);
      if (!pumpScheduled) {
        pumpScheduled = true;
        // After the outbox's own flush (queued first on the same turn), so the rows are readable.
        setImmediate(() => {
          pumpScheduled = false;
          void pump();
        });
      }
      return true;
    },
    status() {
      const backlog = outbox.backlog();
      return {
        enabled: cfg.enabled,
        link,
        paused,
        broker: cfg.url,
        format: cfg.format,
        backlog,
        backlogTotal: Object.values(backlog).reduce((a, b) => a + b, 0),
        maxBacklog: cfg.maxBacklog,
        dropped: outbox.dropped,
        inflight,
        lastDelivery,
        lastError,
        errors,
        reconnects,
        nextRetryAt,
        delivered: { ...delivered },
        throughput: rates(),
        pendingModels: models ? models.list().filter((m) => m.state === 'pending').length : 0,
      };
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      void pump();
    },
    flush() {
      outbox.flush();
    },
    restart() {
      if (stopped || !cfg.enabled) return;
      if (retryTimer) clearTimeout(retryTimer);
      dropSession();
      connect();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      poster?.close();
      poster = null;
      const c = client;
      client = null;
      session++;
      link = cfg.enabled ? 'stopped' : 'disabled';
      if (c) {
        // A clean disconnect does not fire the will: a Sparkplug host must still see the node die.
        if (cfg.format === 'sparkplug' && c.connected) {
          await new Promise<void>((r) =>
            c.publish(sparkplugTopic(cfg.namespace, 'NDEATH', site), sparkplugDeath(birthBdSeq, now()), { qos: 1 }, () => r()),
          );
        }
        await new Promise<void>((r) => c.end(false, {}, () => r()));
      }
      outbox.close();
    },
  };
}
