// Aggregates from a real historian: each completed hour queued once per selected tag, the day at
// midnight, nothing before the feed started, and the hours missed while stopped queued on restart.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startEmbeddedBroker } from '../drivers/mqtt/broker.js';
import { openHistorian } from '../historian/index.js';
import { batch, makeTags, tempDir } from '../historian/test-kit.js';
import { type AggregateRecord, startAggregateFeed } from './aggregate-feed.js';
import { openSync, syncConfigSchema } from './index.js';
import { collect, decodeJson, until } from './test-kit.js';

const HOUR = 3_600_000;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

it('queues completed hours and days of the selected groups, resuming after a stop', async () => {
  const dir = tempDir('aurum-sync-agg-');
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const t0 = Date.parse('2026-01-05T00:00:00Z');
  let clock = t0 + 10 * 60_000;
  const tags = makeTags(3);
  const historian = await openHistorian({ dir: path.join(dir, 'hist'), tags, now: () => clock, retentionIntervalMs: 0 });
  cleanups.push(() => historian.close());
  // One sample a minute for 30 h; the value is the hour's index (tag 0) or ten times it (tag 1, 2).
  const rows: [number, number, number][] = [];
  for (let m = 0; m < 30 * 60; m++) for (const t of tags) rows.push([t.id, t0 + m * 60_000, Math.floor(m / 60) * (t.id === 0 ? 1 : 10)]);
  historian.ingest(batch(rows));
  await historian.flush();

  const broker = await startEmbeddedBroker();
  cleanups.push(() => broker.close());
  const sub = await collect(broker.url, 'aurum/#');
  cleanups.push(() => sub.close());
  const config = syncConfigSchema.parse({ enabled: true, url: broker.url, select: { aggregates: { groups: ['hot', 'warm'] } } });
  const sync = openSync({ config, dataDir: path.join(dir, 'sync'), siteName: 'S', now: () => clock });
  cleanups.push(() => sync.stop());
  const groups = [
    { name: tags[0]?.name ?? '', group: 'hot' },
    { name: tags[1]?.name ?? '', group: 'warm' },
    { name: tags[2]?.name ?? '', group: 'cold' },
  ];
  const feed = () => startAggregateFeed({ sync, config, historian, tags: groups, now: () => clock, checkEveryMs: 0 });

  let f = feed();
  expect(f.tick()).toBe(0); // nothing before the feed started
  clock = t0 + 25 * HOUR + 10 * 60_000; // hours 0…24 complete, and day 0
  expect(f.tick()).toBe(25 * 2 + 2);
  expect(f.tick()).toBe(0);
  f.stop();
  clock += 3 * HOUR; // stopped for three hours
  f = feed();
  expect(f.tick()).toBe(3 * 2);

  const received = () => sub.raw.flatMap((r) => decodeJson(r.payload).messages.map((m) => m.data as AggregateRecord));
  // The broker acknowledges the uplink before it forwards to subscribers: wait for the subscriber.
  await until(() => received().length >= 58, 10_000, 'delivery');
  expect(sync.status().delivered.messages).toBe(58);
  const recs = received();
  expect(recs).toHaveLength(58);
  expect(new Set(recs.map((r) => r.group))).toEqual(new Set(['hot', 'warm']));
  const h5 = recs.find((r) => r.period === 'hour' && r.tag === tags[1]?.name && r.start === t0 + 5 * HOUR);
  expect(h5).toMatchObject({ avg: 50, min: 50, max: 50, group: 'warm' });
  const day = recs.find((r) => r.period === 'day' && r.tag === tags[0]?.name);
  expect(day?.start).toBe(t0);
  expect(day?.avg).toBeCloseTo(11.5, 6);
  const hours = recs.filter((r) => r.period === 'hour' && r.tag === tags[0]?.name).map((r) => r.start);
  expect(hours).toEqual(Array.from({ length: 28 }, (_, h) => t0 + h * HOUR));
});
