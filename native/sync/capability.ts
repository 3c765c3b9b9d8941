// Cloud sync as a capability: a durable outbox in sync.db, drained when (and if) the link is up. It
// listens to the other capabilities' faces: raw samples, the alarm journal, operational events,
// predictions, hourly aggregates from the historian and each day's ESG figures.
import path from 'node:path';
import { type Capability, type CapabilityContext, restartUnlessSame } from '../capability.js';
import { startAggregateFeed } from './aggregate-feed.js';
import { startAlarmFeed } from './alarm-feed.js';
import type { SyncConfig } from './config.js';
import { syncFeeds } from './feeds.js';
import { syncHandlers } from './handlers.js';
import { openSync } from './service.js';

const DAY_MS = 86_400_000;

/** The site file's `sync:` section (its defaults when absent). */
export function open(ctx: CapabilityContext<SyncConfig>): Capability {
  const config = ctx.config;
  const boundary = ctx.boundary.for('sync', { restart: () => sync.restart() });
  const sync = boundary.enter(() =>
    openSync({
      config,
      dataDir: ctx.dataDir,
      siteName: ctx.site.name,
      onSystemMessage: (m) => ctx.system.message(m),
      log: ctx.logger('sync'),
      secrets: ctx.face('auth').secrets,
      modelsDir: path.join(ctx.dataDir, 'models'),
    }),
  );
  const stops: (() => void)[] = [];
  const toCloud = syncFeeds(sync, config, ctx.bus.tags);
  stops.push(ctx.face('maintenance').onEvent((e) => toCloud.event(e)));
  stops.push(ctx.face('inference').onPrediction((p) => toCloud.prediction(p)));
  if (config.enabled) {
    // Every journaled transition goes up once, in journal order (the UI stream's rows are coalesced).
    if (config.select.alarms) {
      const alarms = ctx.face('alarms');
      const feed = boundary.enter(() =>
        startAlarmFeed({ sync, journal: alarms.service, onError: (err) => boundary.fault('queueing alarm transitions', err) }),
      );
      stops.push(
        alarms.onChange(() => feed.changed()),
        () => feed.stop(),
      );
    }
    const historian = ctx.face('historian').store;
    const aggregates = startAggregateFeed({ sync, config, historian, tags: ctx.bus.tags.map((t) => ({ name: t.name, group: t.area })) });
    stops.push(() => aggregates.stop());
    const esg = ctx.optional('esg');
    if (esg) {
      // Each completed UTC day's figures per machine go up once, while the console runs.
      let sentDay = Math.floor(ctx.clock() / DAY_MS);
      const daily = setInterval(
        ctx.boundary.for('esg').wrap('queueing the daily summary for sync', () => {
          const day = Math.floor(ctx.clock() / DAY_MS);
          if (day === sentDay) return;
          sentDay = day;
          const from = (day - 1) * DAY_MS;
          toCloud.esg({
            kind: 'daily-summary',
            day: new Date(from).toISOString().slice(0, 10),
            summary: esg.summary({ from, to: from + DAY_MS, groupBy: 'machine' }),
          });
        }),
        60_000,
      );
      daily.unref();
      stops.push(() => clearInterval(daily));
    }
  }
  return {
    handlers: syncHandlers(sync),
    listener: config.enabled ? { name: 'sync', batch: toCloud.samples } : undefined,
    // The link, the selection and the outbox limits are read when the service opens: a changed
    // section is applied by the core restarting this capability alone (capability.ts).
    reconfigure: (next) => restartUnlessSame(config, next),
    async stop() {
      for (const stop of stops.splice(0).reverse()) stop();
      await sync.stop();
    },
  };
}
