// Hourly and daily aggregates per tag, queued for the uplink once each hour is complete (plus a
// grace period for late data), from the historian's rollups. The last hour queued is kept in
// sync.db (in the same transaction as its records, so a crash neither skips nor repeats one), so hours that passed while the console was stopped are queued on the next start (up to
// a catch-up limit). Daily aggregates are UTC days. Hourly rows are queued one priority step less
// urgent than daily ones, so the backlog bound thins them first.
import type { HistoryAggregate, HistoryAggregateRow } from '../api/history-requests.js';
import type { SyncConfig } from './config.js';
import { aggregateSelected } from './select.js';
import type { SyncService } from './service.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MARK = 'aggregates.nextHour';

export interface AggregateSource {
  aggregate(args: { tags: readonly string[]; from: number; to: number; intervalMs: number }): HistoryAggregate[];
}

export interface AggregateFeedOptions {
  sync: SyncService;
  config: SyncConfig;
  historian: AggregateSource;
  /** Every tag with its historian retention group (the group names the site file's `sync.select.aggregates.groups` lists). */
  tags: readonly { name: string; group: string }[];
  now?: () => number;
  /** Wait this long after an hour ends before aggregating it (late samples). */
  graceMs?: number;
  /** After a long stop, queue at most this many past hours (older ones stay in the historian). */
  maxCatchUpHours?: number;
  /** How often to look for completed hours; 0 = no timer (call tick()). */
  checkEveryMs?: number;
}

export interface AggregateRecord extends Omit<HistoryAggregateRow, 't' | 'duration'> {
  tag: string;
  group: string;
  period: 'hour' | 'day';
  /** Start of the period, ms since epoch. */
  start: number;
}

export interface AggregateFeed {
  /** Queue every completed hour (and day) not queued yet; returns how many records were queued. */
  tick(): number;
  stop(): void;
}

export function startAggregateFeed(opts: AggregateFeedOptions): AggregateFeed {
  const now = opts.now ?? Date.now;
  const grace = opts.graceMs ?? 5 * 60_000;
  const maxCatchUp = (opts.maxCatchUpHours ?? 7 * 24) * HOUR;
  const cfg = opts.config;
  const groupOf = new Map(opts.tags.map((t) => [t.name, t.group]));
  const hourly = opts.tags.filter((t) => aggregateSelected(cfg, 'hour', t.group)).map((t) => t.name);
  const daily = opts.tags.filter((t) => aggregateSelected(cfg, 'day', t.group)).map((t) => t.name);
  const dailyPriority = cfg.priority.aggregates;
  const hourlyPriority = Math.min(9, dailyPriority + 1);

  function queue(tags: string[], period: 'hour' | 'day', from: number, priority: number): number {
    if (tags.length === 0) return 0;
    let n = 0;
    const span = period === 'hour' ? HOUR : DAY;
    for (const a of opts.historian.aggregate({ tags, from, to: from + span, intervalMs: span })) {
      const row = a.rows[0];
      // A period without a single sample tells the fleet nothing the gap does not.
      if (!row || row.count === 0) continue;
      const { t: _t, duration: _d, ...figures } = row;
      const rec: AggregateRecord = { tag: a.tag, group: groupOf.get(a.tag) ?? '', period, start: from, ...figures };
      if (opts.sync.enqueue('aggregates', rec, priority)) n++;
    }
    return n;
  }

  function tick(): number {
    const complete = Math.floor((now() - grace) / HOUR) * HOUR;
    let next = opts.sync.mark(MARK) ?? complete;
    if (complete - next > maxCatchUp) next = complete - maxCatchUp;
    let n = 0;
    for (; next < complete; next += HOUR) {
      n += queue(hourly, 'hour', next, hourlyPriority);
      if ((next + HOUR) % DAY === 0) n += queue(daily, 'day', next + HOUR - DAY, dailyPriority);
      opts.sync.setMarkWithQueued(MARK, next + HOUR);
    }
    if (opts.sync.mark(MARK) === null) opts.sync.setMark(MARK, complete);
    return n;
  }

  const every = opts.checkEveryMs ?? 60_000;
  const timer = every > 0 ? setInterval(tick, every) : null;
  timer?.unref();
  return {
    tick,
    stop: () => {
      if (timer) clearInterval(timer);
    },
  };
}
