// The uplink against a real in-process broker (aedes): store-and-forward over a simulated day
// offline and a restart, priority, exactly-once after de-duplication, order per stream, the
// backlog bound, and a Sparkplug B host decoding what was published.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type EmbeddedBroker, startEmbeddedBroker } from '../drivers/mqtt/broker.js';
import { sparkplugCodec } from '../drivers/mqtt/sparkplug.js';
import { freePort } from '../util/net.js';
import { openSync, type SyncConfigInput, type SyncService, syncConfigSchema, syncHandlers } from './index.js';
import { collect, decodeJson, until } from './test-kit.js';

const HOUR = 3_600_000;
const dirs: string[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'aurum-sync-'));
  dirs.push(d);
  return d;
}

function open(dataDir: string, cfg: SyncConfigInput, now: () => number, onSystemMessage?: (m: unknown) => void): SyncService {
  const svc = openSync({
    config: syncConfigSchema.parse(cfg),
    dataDir,
    siteName: 'Plant 1',
    now,
    ...(onSystemMessage ? { onSystemMessage } : {}),
  });
  cleanups.push(() => svc.stop());
  return svc;
}

async function broker(port: number): Promise<EmbeddedBroker> {
  const b = await startEmbeddedBroker({ port });
  cleanups.push(() => b.close());
  return b;
}

describe('sync uplink (aedes)', () => {
  it('delivers a day of backlog exactly once, in order per stream, alarms first, across a restart', async () => {
    const dir = tmp();
    const port = await freePort();
    let clock = Date.parse('2026-01-05T00:00:00Z');
    const cfg: SyncConfigInput = {
      enabled: true,
      url: `mqtt://127.0.0.1:${port}`,
      backoff: { initialMs: 20, maxMs: 150 },
      batch: { maxMessages: 50, maxBytes: 64 * 1024 },
    };
    const expected = new Map<string, number>();
    const enqueue = (svc: SyncService, stream: 'alarms' | 'aggregates', n: number) => {
      expect(svc.enqueue(stream, { n, at: clock })).toBe(true);
      expected.set(stream, (expected.get(stream) ?? 0) + 1);
    };
    // Broker down: 12 simulated hours of hourly aggregates for 40 tags and a few alarms…
    let svc = open(dir, cfg, () => clock);
    let n = 0;
    for (let h = 0; h < 12; h++, clock += HOUR) {
      for (let t = 0; t < 40; t++) enqueue(svc, 'aggregates', n++);
      enqueue(svc, 'alarms', n++);
    }
    await until(() => svc.status().reconnects >= 2, 5000, 'failed connection attempts');
    expect(svc.status().link).not.toBe('connected');
    await svc.stop();
    // …the console restarts, and the other half of the day passes offline.
    svc = open(dir, cfg, () => clock);
    expect(svc.status().backlog.aggregates).toBe(480);
    for (let h = 12; h < 24; h++, clock += HOUR) {
      for (let t = 0; t < 40; t++) enqueue(svc, 'aggregates', n++);
      enqueue(svc, 'alarms', n++);
    }
    svc.flush();
    expect(svc.status().backlogTotal).toBe(n);

    const b = await broker(port);
    const sub = await collect(b.url, 'aurum/#');
    cleanups.push(() => sub.close());
    await until(() => svc.status().backlogTotal === 0 && svc.status().inflight === 0, 15_000, 'the backlog to drain');
    await until(() => sub.raw.reduce((s, r) => s + decodeJson(r.payload).messages.length, 0) >= n, 5000, 'the subscriber to receive all');

    const batches = sub.raw.map((r) => ({ topic: r.topic, batch: decodeJson(r.payload) }));
    expect(batches[0]?.topic).toBe('aurum/Plant_1/alarms');
    const seen = new Map<string, { stream: string; n: number }>();
    for (const { topic, batch } of batches) {
      expect(topic).toBe(`aurum/Plant_1/${batch.stream}`);
      for (const m of batch.messages) seen.set(m.id, { stream: batch.stream, n: (m.data as { n: number }).n });
    }
    expect(seen.size).toBe(n);
    for (const [stream, count] of expected) {
      const ns = [...seen.values()].filter((s) => s.stream === stream).map((s) => s.n);
      expect(ns.length).toBe(count);
      expect(ns).toEqual([...ns].sort((a, b) => a - b));
    }
    expect(svc.status().delivered.messages).toBe(n);
    expect(svc.status().lastDelivery).toBe(clock);
  });

  it('thins the oldest droppable rows at the bound, never alarms, and says so once', async () => {
    const dir = tmp();
    const messages: unknown[] = [];
    const svc = open(
      dir,
      {
        enabled: true,
        url: `mqtt://127.0.0.1:${await freePort()}`,
        maxBacklog: 100,
        backoff: { initialMs: 1000, maxMs: 1000 },
        select: { rawTags: ['T1'] },
      },
      Date.now,
      (m) => messages.push(m),
    );
    for (let i = 0; i < 150; i++) svc.enqueue('alarms', { i });
    for (let i = 0; i < 200; i++) svc.enqueue('aggregates', { i });
    svc.enqueue('raw', { i: 0 });
    svc.flush();
    const s = svc.status();
    expect(s.backlog.alarms).toBe(150);
    expect(s.backlog.aggregates).toBe(0);
    expect(s.backlog.raw).toBe(0);
    expect(s.dropped).toBe(201);
    for (let i = 0; i < 10; i++) svc.enqueue('aggregates', { i });
    svc.flush();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ code: 'sync.backlog_bound', level: 'error', source: 'sync' });
  });

  it('refuses streams the site file keeps local, and queues nothing when disabled', async () => {
    const on = open(tmp(), { enabled: true, url: `mqtt://127.0.0.1:${await freePort()}`, select: { esg: false } }, Date.now);
    expect(on.enqueue('esg', {})).toBe(false);
    expect(on.enqueue('raw', {})).toBe(false);
    expect(on.enqueue('alarms', {})).toBe(true);
    const off = open(tmp(), {}, Date.now);
    expect(off.enqueue('alarms', {})).toBe(false);
    expect(off.status().link).toBe('disabled');
  });

  it('holds messages while paused and sends them on resume (the handlers)', async () => {
    const b = await broker(0);
    const svc = open(tmp(), { enabled: true, url: b.url }, Date.now);
    const h = syncHandlers(svc);
    const ctx = { user: 'eve', role: 'engineer', origin: 'http' as const };
    await until(() => h['sync.status']({}, ctx).link === 'connected', 5000, 'the link');
    expect(h['sync.pause']({}, ctx).paused).toBe(true);
    for (let i = 0; i < 5; i++) svc.enqueue('events', { i });
    await new Promise((r) => setTimeout(r, 200));
    expect(svc.status()).toMatchObject({ delivered: { messages: 0 }, backlogTotal: 5 });
    expect(h['sync.resume']({}, ctx).paused).toBe(false);
    await until(() => svc.status().delivered.messages === 5, 5000, 'delivery after resume');
    expect(svc.status().backlog.events).toBe(0);
  });

  it('publishes Sparkplug B a host can decode: NBIRTH with bdSeq, NDATA with seq and message ids, NDEATH', async () => {
    const b = await broker(0);
    const sub = await collect(b.url, 'spBv1.0/#');
    cleanups.push(() => sub.close());
    const svc = open(
      tmp(),
      { enabled: true, url: b.url, format: 'sparkplug', namespace: 'fleet', batch: { maxMessages: 3, maxBytes: 65536 } },
      Date.now,
    );
    for (let i = 0; i < 7; i++) svc.enqueue('predictions', { machine: 'M1', health: i });
    await until(() => svc.status().delivered.messages === 7, 5000, 'delivery');
    // A host asks for a rebirth: a new NBIRTH (seq 0, same bdSeq), then data continues at seq 1.
    await sub.client.publishAsync(
      'spBv1.0/fleet/NCMD/Plant_1',
      Buffer.from(
        sparkplugCodec.encodePayload({ timestamp: Date.now(), metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }] }),
      ),
    );
    await until(() => sub.raw.filter((r) => r.topic.includes('/NBIRTH/')).length === 2, 5000, 'the rebirth');
    svc.enqueue('predictions', { machine: 'M1', health: 7 });
    await until(() => svc.status().delivered.messages === 8, 5000, 'delivery after the rebirth');
    await svc.stop();
    await until(() => sub.raw.some((r) => r.topic.includes('/NDEATH/')), 5000, 'the death certificate');

    const decoded = sub.raw.map((r) => ({ topic: r.topic, p: sparkplugCodec.decodePayload(new Uint8Array(r.payload)) }));
    expect(decoded.map((d) => d.topic)).toEqual([
      'spBv1.0/fleet/NBIRTH/Plant_1',
      'spBv1.0/fleet/NDATA/Plant_1',
      'spBv1.0/fleet/NDATA/Plant_1',
      'spBv1.0/fleet/NDATA/Plant_1',
      'spBv1.0/fleet/NCMD/Plant_1',
      'spBv1.0/fleet/NBIRTH/Plant_1',
      'spBv1.0/fleet/NDATA/Plant_1',
      'spBv1.0/fleet/NDEATH/Plant_1',
    ]);
    const bdSeq = (p: (typeof decoded)[number]['p']) => Number(p.metrics?.find((m) => m.name === 'bdSeq')?.value?.toString());
    const first = decoded[0];
    const last = decoded[7];
    if (!first || !last) throw new Error('missing births');
    expect(bdSeq(first.p)).toBe(bdSeq(last.p));
    expect(bdSeq(decoded[5]?.p ?? {})).toBe(bdSeq(first.p));
    expect([0, 1, 2, 3, 5, 6].map((i) => Number(decoded[i]?.p.seq?.toString()))).toEqual([0, 1, 2, 3, 0, 1]);
    const metrics = decoded.slice(1, 4).flatMap((d) => d.p.metrics ?? []);
    expect(metrics.map((m) => JSON.parse(String(m.value)).health)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(new Set(metrics.map((m) => m.properties?.msgId?.value)).size).toBe(7);
    expect(metrics.every((m) => m.name === 'predictions')).toBe(true);
  });
});
