// The source adapters apply the site file's selection before anything is queued.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { Prediction } from '../api/prediction-requests.js';
import { batch, makeTags } from '../historian/test-kit.js';
import { freePort } from '../util/net.js';
import { syncFeeds } from './feeds.js';
import { openSync, syncConfigSchema } from './index.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const prediction = (p: Partial<Prediction>): Prediction => ({
  machine: 'S/A/M1',
  anomalyScore: 0.5,
  threshold: 1,
  health: 90,
  contributors: [],
  model: 'pump-ae@1',
  timestamp: 0,
  ...p,
});

it('queues selected predictions and raw samples of listed tags only', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aurum-sync-feeds-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const tags = makeTags(4);
  // Broker unreachable: everything stays in the outbox where it can be counted.
  const config = syncConfigSchema.parse({
    enabled: true,
    url: `mqtt://127.0.0.1:${await freePort()}`,
    backoff: { initialMs: 5000, maxMs: 5000 },
    select: { rawTags: [tags[2]?.name ?? ''], predictions: { minScoreRatio: 0.8, maxHealth: 40 } },
  });
  const sync = openSync({ config, dataDir: dir, siteName: 'S' });
  cleanups.push(() => sync.stop());
  const feeds = syncFeeds(sync, config, tags);

  feeds.prediction(prediction({})); // normal: stays local
  feeds.prediction(prediction({ anomalyScore: 0.85 })); // near the threshold
  feeds.prediction(prediction({ health: 30 })); // unhealthy
  feeds.prediction(prediction({ anomalyScore: null, threshold: null, health: 41 })); // RUL-only, healthy enough
  feeds.samples(
    batch([
      [0, 1, 1],
      [2, 1, 2],
      [3, 1, 3],
      [2, 2, Number.NaN, 1],
    ]),
  );
  sync.flush();
  expect(sync.status().backlog).toEqual({ alarms: 0, events: 0, aggregates: 0, esg: 0, predictions: 2, raw: 2 });
});
