// Sync backlog drain: one day of hourly aggregates for 5,000 tags (120,000 messages) queued while
// the broker was away, then drained to an in-process aedes broker on loopback. Measured: messages/s
// and bytes/s reaching the broker, and the event-loop lag (p99) of the process while it drains —
// beside a same-run baseline of mqtt.js publishing the same messages directly (one QoS 1 publish
// per message, 64 in flight at most, no outbox). The broker runs in the same process, so both lag
// figures include its work; the sync figure also includes reading sync.db and gzip.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import mqtt from 'mqtt';
import { startEmbeddedBroker } from '../native/drivers/mqtt/broker.js';
import { openSync, syncConfigSchema } from '../native/sync/index.js';
import { freePort } from '../native/util/net.js';
import type { Bench, BenchResult } from './types.js';

const HOUR = 3_600_000;

function aggregates(tags: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const day = Date.parse('2026-01-05T00:00:00Z');
  for (let h = 0; h < 24; h++) {
    for (let t = 0; t < tags; t++) {
      const avg = 50 + Math.sin(t + h) * 10;
      out.push({
        tag: `Site/Area${t % 10}/M${Math.floor(t / 10)}/T${t % 10}`,
        period: 'hour',
        start: day + h * HOUR,
        avg,
        min: avg - 3,
        max: avg + 3,
        count: 3600,
        good: 1,
      });
    }
  }
  return out;
}

async function counter(url: string, filter: string) {
  const c = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  const s = { messages: 0, bytes: 0 };
  c.on('message', (_t, p) => {
    s.messages++;
    s.bytes += p.length;
  });
  await c.subscribeAsync(filter, { qos: 0 });
  return { s, close: () => c.endAsync() };
}

function lagMonitor() {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  return () => {
    h.disable();
    return { p99: h.percentile(99) / 1e6, max: h.max / 1e6 };
  };
}

async function drainWithSync(msgs: Record<string, unknown>[], url: string, dir: string) {
  const base = { enabled: true, namespace: 'bench' };
  // Queue while the broker is unreachable (a closed port), as after a day offline.
  const offline = openSync({
    config: syncConfigSchema.parse({ ...base, url: `mqtt://127.0.0.1:${await freePort()}`, maxBacklog: 1_000_000 }),
    dataDir: dir,
    siteName: 'S',
  });
  const q0 = performance.now();
  for (const m of msgs) offline.enqueue('aggregates', m);
  offline.flush();
  const enqueueMs = performance.now() - q0;
  await offline.stop();

  const sink = await counter(url, 'bench/#');
  const lag = lagMonitor();
  const t0 = performance.now();
  const svc = openSync({ config: syncConfigSchema.parse({ ...base, url, maxBacklog: 1_000_000 }), dataDir: dir, siteName: 'S' });
  const end = Date.now() + 600_000;
  while (svc.status().delivered.messages < msgs.length && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  const ms = performance.now() - t0;
  const l = lag();
  const delivered = svc.status().delivered;
  await svc.stop();
  await sink.close();
  return { ms, enqueueMs, messages: delivered.messages, bytes: delivered.bytes, lag: l };
}

async function drainDirect(msgs: Record<string, unknown>[], url: string) {
  const sink = await counter(url, 'direct/#');
  const c = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  const lag = lagMonitor();
  const t0 = performance.now();
  let bytes = 0;
  let next = 0;
  let acked = 0;
  await new Promise<void>((resolve, reject) => {
    const send = () => {
      while (next < msgs.length && next - acked < 64) {
        const body = Buffer.from(JSON.stringify(msgs[next++]));
        bytes += body.length;
        c.publish('direct/S/aggregates', body, { qos: 1 }, (err) => {
          if (err) return reject(err);
          if (++acked === msgs.length) resolve();
          else send();
        });
      }
    };
    send();
  });
  const ms = performance.now() - t0;
  const l = lag();
  await c.endAsync();
  await sink.close();
  return { ms, messages: msgs.length, bytes, lag: l };
}

const bench: Bench = async ({ quick }) => {
  const tags = quick ? 500 : 5000;
  const msgs = aggregates(tags);
  const broker = await startEmbeddedBroker();
  const dir = mkdtempSync(path.join(tmpdir(), 'aurum-sync-bench-'));
  try {
    const direct = await drainDirect(msgs, broker.url);
    const sync = await drainWithSync(msgs, broker.url, dir);
    const what = `${msgs.length} hourly aggregates (${tags} tags × 24 h)`;
    const baseline = 'mqtt.js publishing the same messages directly (QoS 1, 64 in flight)';
    return [
      {
        bench: 'sync',
        metric: 'drain rate',
        value: (sync.messages / sync.ms) * 1000,
        unit: 'messages/s',
        baseline,
        baselineValue: (direct.messages / direct.ms) * 1000,
        notes: what,
      },
      {
        bench: 'sync',
        metric: 'bytes to broker',
        value: (sync.bytes / sync.ms) * 1000,
        unit: 'bytes/s',
        baseline,
        baselineValue: (direct.bytes / direct.ms) * 1000,
        notes: `gzip JSON batches of 500: ${sync.bytes} bytes in all vs ${direct.bytes} uncompressed`,
      },
      {
        bench: 'sync',
        metric: 'event-loop lag p99 while draining',
        value: sync.lag.p99,
        unit: 'ms',
        baseline,
        baselineValue: direct.lag.p99,
        notes: `max ${sync.lag.max.toFixed(1)} ms vs ${direct.lag.max.toFixed(1)} ms`,
      },
      {
        bench: 'sync',
        metric: 'enqueue into sync.db',
        value: (msgs.length / sync.enqueueMs) * 1000,
        unit: 'messages/s',
        baseline: 'drain rate',
        baselineValue: (sync.messages / sync.ms) * 1000,
      },
    ] satisfies BenchResult[];
  } finally {
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  }
};

export default bench;
