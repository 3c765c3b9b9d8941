// ESG costs on the hot path and behind the ESG screen.
// 1. Ingest: samples/s through EsgService.ingest (integration into 15-minute slots, periodic flush
//    to SQLite with emission records), against a same-run baseline: a bare loop over the same
//    batches doing only the trapezoid arithmetic (what any integration must cost at least).
// 2. Summary: a month summary by machine over the hourly records, against a same-run baseline:
//    one bare SQL SUM over the same activity rows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TagInfo } from '../native/api/types.js';
import { esgConfigSchema, openEsg } from '../native/esg/index.js';
import type { SampleBatch } from '../native/tags/bus.js';
import { testTag } from '../native/tags/test-tag.js';
import { openSqlite } from '../native/util/sqlite.js';
import type { Bench, BenchResult } from './types.js';

function tags(n: number): TagInfo[] {
  return Array.from({ length: n }, (_, id) => testTag(id, `Site/Area${id % 5}/M${id}/Power`, { unit: 'kW' }));
}

/** One batch per second of simulated time: every meter once. */
function* batches(meters: number, seconds: number, start: number): Generator<SampleBatch> {
  const b: SampleBatch = {
    length: meters,
    ids: Uint32Array.from({ length: meters }, (_, i) => i),
    ts: new Float64Array(meters),
    values: new Float64Array(meters),
    quality: new Uint8Array(meters),
  };
  for (let s = 0; s < seconds; s++) {
    for (let i = 0; i < meters; i++) {
      b.ts[i] = start + s * 1000;
      b.values[i] = 10 + ((i + s) % 17);
    }
    yield b;
  }
}

const bench: Bench = async ({ quick }) => {
  const meters = 500;
  const seconds = quick ? 600 : 3600;
  const start = Date.parse('2024-03-01T00:00:00Z');
  const dir = mkdtempSync(path.join(tmpdir(), 'aurum-esg-bench-'));
  const results: BenchResult[] = [];
  try {
    // Baseline: trapezoid arithmetic only.
    let t = performance.now();
    const lastV = new Float64Array(meters);
    const lastT = new Float64Array(meters);
    let sum = 0;
    for (const b of batches(meters, seconds, start)) {
      for (let i = 0; i < b.length; i++) {
        const id = b.ids[i] as number;
        if (lastT[id]) sum += ((lastV[id]! + b.values[i]!) / 2) * (b.ts[i]! - lastT[id]!);
        lastV[id] = b.values[i]!;
        lastT[id] = b.ts[i]!;
      }
    }
    const baseRate = (meters * seconds) / ((performance.now() - t) / 1000);
    if (!(sum > 0)) throw new Error('baseline computed nothing');

    const db = openSqlite(path.join(dir, 'esg.db'));
    const config = esgConfigSchema.parse({
      sources: [{ id: 'e', scope: 2, category: 'electricity', locationFactor: 'grid.GB' }],
      meters: tags(meters).map((x) => ({ tag: x.name, kind: 'power', source: 'e' })),
    });
    let clock = start;
    const svc = openEsg({ db, tags: tags(meters), config, now: () => clock, timeZone: 'Europe/London', flushEveryMs: 60_000 });
    t = performance.now();
    for (const b of batches(meters, seconds, start)) {
      clock = b.ts[0] as number;
      svc.ingest(b);
    }
    svc.flush();
    const rate = (meters * seconds) / ((performance.now() - t) / 1000);
    results.push({
      bench: 'esg',
      metric: `ingest, ${meters} power meters at 1 Hz`,
      value: Math.round(rate),
      unit: 'samples/s',
      baseline: 'bare trapezoid loop over the same batches',
      baselineValue: Math.round(baseRate),
      target: '> 100k samples/s (10k tags at 10 Hz)',
    });

    // A month of hourly rows for the summary: write them directly (as the flush would) and time the query.
    const month = 31 * 24;
    const insert = db.prepare(
      `INSERT OR REPLACE INTO activity_hour (meter, hour_start, kind, site, area, machine, fuel, unit, quantity, idle_qty, covered_ms, uncertain_ms, estimated_ms)
       VALUES (?, ?, 'power', 'Site', ?, ?, NULL, 'kWh', ?, 0, 3600000, 0, 0)`,
    );
    db.transaction(() => {
      for (const x of tags(meters).slice(0, quick ? 50 : 200)) {
        for (let h = 0; h < month; h++) insert.run(x.name, start + h * 3_600_000, x.area, x.machine, 20);
      }
    })();
    const from = start;
    const to = start + month * 3_600_000;
    t = performance.now();
    const bare = db
      .prepare('SELECT machine, SUM(quantity) AS q FROM activity_hour WHERE hour_start >= ? AND hour_start < ? GROUP BY machine')
      .all(from, to);
    const bareMs = performance.now() - t;
    t = performance.now();
    const s = svc.summary({ from, to, groupBy: 'machine' });
    const summaryMs = performance.now() - t;
    if (s.groups.length < bare.length) throw new Error('summary lost groups');
    results.push({
      bench: 'esg',
      metric: `month summary by machine (${quick ? 50 : 200} machines × ${month} h)`,
      value: Math.round(summaryMs),
      unit: 'ms',
      baseline: 'bare SQL SUM … GROUP BY machine over the same rows',
      baselineValue: Math.round(bareMs),
      target: '< 1000 ms',
    });
    svc.close();
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
};

export default bench;
