// Long requests in slices (issue 13, bounded work): how long the event loop is held at most by one
// step of alarm KPIs over a year of journal, of a model fit on a day of samples (what learning on
// any period reads), and of an ESG summary over 400 days of hourly records — each beside the same
// work done in one go, which is what a request held the loop for before.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { kpiSteps } from '../native/alarms/kpis.js';
import { AlarmStore } from '../native/alarms/store.js';
import { esgConfigSchema, openEsg } from '../native/esg/index.js';
import { fitPcaSteps } from '../native/inference/learn/pca.js';
import { normalRows } from '../native/inference/testing.js';
import { testTag } from '../native/tags/test-tag.js';
import { runToEnd } from '../native/util/sliced.js';
import { openSqlite } from '../native/util/sqlite.js';
import type { Bench, BenchResult } from './types.js';

const DAY = 86_400_000;

/** The longest single step and the one-shot time of the same work, in ms. */
function measure<T>(make: () => Generator<void, T>): { longest: number; steps: number; oneShot: number } {
  let t = performance.now();
  runToEnd(make());
  const oneShot = performance.now() - t;
  const gen = make();
  let longest = 0;
  let steps = 0;
  for (;;) {
    t = performance.now();
    const r = gen.next();
    longest = Math.max(longest, performance.now() - t);
    if (r.done) break;
    steps++;
  }
  return { longest, steps, oneShot };
}

const bench: Bench = async ({ quick }) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'aurum-bounds-bench-'));
  const results: BenchResult[] = [];
  try {
    // 1. Alarm KPIs over a year of journal in a real SQLite file.
    const db = openSqlite(path.join(dir, 'events.db'));
    const store = new AlarmStore(db);
    const from = Date.parse('2025-01-01T00:00:00Z');
    const to = from + 365 * DAY;
    const perDay = quick ? 200 : 1000;
    const insert = db.prepare(
      `INSERT INTO alarm_journal (ts, alarm_id, tag, area, kind, state, value, alarm_limit, priority, user, comment, message, until, one_shot)
       VALUES (?, ?, ?, ?, 'activate', 'unack_active', 1, 0, 'High', NULL, '', '', NULL, 0)`,
    );
    db.transaction(() => {
      for (let d = 0; d < 365; d++)
        for (let i = 0; i < perDay; i++) {
          const id = `a${(d * 7 + i) % 300}`;
          insert.run(from + d * DAY + Math.floor((i * DAY) / perDay), id, `T/${id}`, `Area${i % 6}`);
        }
    })();
    const k = measure(() =>
      kpiSteps(
        (a, z) => store.activations(a, z),
        () => [],
        from,
        to,
        to,
      ),
    );
    results.push({
      bench: 'bounds',
      metric: `alarm KPIs over 365 days (${(perDay * 365).toLocaleString('en-US')} activations): longest step of ${k.steps}`,
      value: k.longest,
      unit: 'ms',
      baseline: 'the same KPIs in one go',
      baselineValue: k.oneShot,
      target: '< 50 ms',
    });
    db.close();

    // 2. Model fit on the most any learning period reads (86,400 rows of 5 tags).
    const rows = normalRows(quick ? 20_000 : 86_400, 3);
    const f = measure(() => fitPcaSteps([rows]));
    results.push({
      bench: 'bounds',
      metric: `PCA fit on ${rows.length.toLocaleString('en-US')} rows × 5 tags: longest step of ${f.steps}`,
      value: f.longest,
      unit: 'ms',
      baseline: 'the same fit in one go',
      baselineValue: f.oneShot,
      target: '< 50 ms',
    });

    // 3. ESG summary by machine over 400 days of hourly records.
    const meters = quick ? 20 : 100;
    const tags = Array.from({ length: meters }, (_, id) => testTag(id, `Site/Area${id % 5}/M${id}/Power`, { unit: 'kW' }));
    const edb = openSqlite(path.join(dir, 'esg.db'));
    const config = esgConfigSchema.parse({
      sources: [{ id: 'e', scope: 2, category: 'electricity', locationFactor: 'grid.GB' }],
      meters: tags.map((x) => ({ tag: x.name, kind: 'power', source: 'e' })),
    });
    const esgTo = from + 400 * DAY;
    const svc = openEsg({ db: edb, tags, config, now: () => esgTo, timeZone: 'Europe/London' });
    const put = edb.prepare(
      `INSERT OR REPLACE INTO activity_hour (meter, hour_start, kind, site, area, machine, fuel, unit, quantity, idle_qty, covered_ms, uncertain_ms, estimated_ms)
       VALUES (?, ?, 'power', 'Site', ?, ?, NULL, 'kWh', ?, 0, 3600000, 0, 0)`,
    );
    edb.transaction(() => {
      for (const x of tags) for (let h = 0; h < 400 * 24; h++) put.run(x.name, from + h * 3_600_000, x.area, x.machine, 20);
    })();
    const e = measure(() => svc.summarySteps({ from, to: esgTo, groupBy: 'machine' }));
    results.push({
      bench: 'bounds',
      metric: `ESG summary over 400 days (${meters} meters × ${400 * 24} h): longest step of ${e.steps}`,
      value: e.longest,
      unit: 'ms',
      baseline: 'the same summary in one go',
      baselineValue: e.oneShot,
      target: '< 50 ms',
    });
    svc.close();
    edb.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
};

export default bench;
