// Alarm evaluation on the hot path: 50,000 definitions (12,500 tags × HiHi/Hi/Lo/LoLo) fed
// 100,000 value changes per second through a real TagBus, paced in real time. Measured: CPU time
// per change and event-loop lag (p99), against a same-run baseline of the bare bus (the same
// updates, a no-op listener). 10 % of the tags swing across their limits once a minute, so the
// journal and state table are written as in a busy plant; the rest hover in their normal band.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { alarmDefinitionSchema, openAlarmService } from '../native/alarms/index.js';
import type { TagInfo } from '../native/api/types.js';
import { type SampleBatch, TagBus } from '../native/tags/bus.js';
import { testTag } from '../native/tags/test-tag.js';
import { openSqlite } from '../native/util/sqlite.js';
import type { Bench, BenchResult } from './types.js';

const TAGS = 12_500;
const RATE = 100_000;
const TICK_MS = 10;

function tags(): TagInfo[] {
  return Array.from({ length: TAGS }, (_, id) => testTag(id, `Site/Area${id % 10}/M${Math.floor(id / 10)}/T${id % 10}`, { unit: 'bar' }));
}

function definitions() {
  const defs = [];
  for (const [type, limit] of [
    ['hihi', 90],
    ['hi', 80],
    ['lo', 20],
    ['lolo', 10],
  ] as const) {
    defs.push(
      alarmDefinitionSchema.parse({ tag: 'Site/*/*/*', type, limit, deadband: 1, priority: type.length === 4 ? 'High' : 'Medium' }),
    );
  }
  return defs;
}

/** A value for tag `id` at time `t`: swinging tags cross every limit once a minute, the rest stay near 50. */
function sampleValue(id: number, t: number, n: number): number {
  if (id % 10 === 0) return 50 + 48 * Math.sin((2 * Math.PI * t) / 60_000 + id);
  return 50 + 5 * Math.sin(n * 0.7 + id);
}

interface RunFigures {
  changes: number;
  cpuUsPerChange: number;
  lagP99Ms: number;
  lagMaxMs: number;
  transitions: number;
}

/** Push RATE changes/s into `bus` for `seconds`, catching up each tick so the rate holds under load. */
async function drive(bus: TagBus, seconds: number): Promise<Omit<RunFigures, 'transitions'>> {
  const lag = monitorEventLoopDelay({ resolution: 1 });
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  lag.enable();
  let sent = 0;
  let next = 0;
  while (true) {
    const elapsed = performance.now() - start;
    if (elapsed >= seconds * 1000) break;
    const due = Math.floor((elapsed / 1000) * RATE);
    const t = Date.now();
    for (; sent < due; sent++) {
      const id = next;
      next = next + 1 === TAGS ? 0 : next + 1;
      bus.update(id, sampleValue(id, t, sent), 0, t);
    }
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
  await new Promise((r) => setImmediate(r));
  lag.disable();
  const cpu = process.cpuUsage(cpu0);
  return {
    changes: sent,
    cpuUsPerChange: (cpu.user + cpu.system) / sent,
    lagP99Ms: lag.percentile(99) / 1e6,
    lagMaxMs: lag.max / 1e6,
  };
}

const bench: Bench = async ({ quick }) => {
  const seconds = quick ? 2 : 6;
  const tagList = tags();
  const dir = mkdtempSync(path.join(tmpdir(), 'aurum-alarms-bench-'));
  try {
    const bareBus = new TagBus(tagList);
    bareBus.onBatch((_b: SampleBatch) => {});
    const bare = await drive(bareBus, seconds);

    const db = openSqlite(path.join(dir, 'events.db'));
    let transitions = 0;
    const svc = openAlarmService({
      db,
      tags: tagList,
      definitions: definitions(),
      onChange: (u) => {
        transitions += u.changed.length;
      },
    });
    const bus = new TagBus(tagList);
    bus.onBatch((b) => svc.evaluate(b));
    const ticker = setInterval(() => svc.tick(), 1000);
    const withAlarms = await drive(bus, seconds);
    clearInterval(ticker);
    db.close();

    const notes = `${svc.ids().length} definitions, ${withAlarms.changes} changes in ${seconds} s, ${transitions} alarm-list changes (journalled)`;
    const results: BenchResult[] = [
      {
        bench: 'alarms',
        metric: 'CPU per value change (bus + 50k-definition evaluation + journal)',
        value: withAlarms.cpuUsPerChange,
        unit: 'µs',
        baseline: 'bare TagBus update, same changes, no-op listener',
        baselineValue: bare.cpuUsPerChange,
        target: `< ${(1e6 / RATE).toFixed(0)} µs (one core at 100k changes/s)`,
        notes,
      },
      {
        bench: 'alarms',
        metric: 'event-loop lag p99 at 100k changes/s',
        value: withAlarms.lagP99Ms,
        unit: 'ms',
        baseline: 'bare TagBus at the same rate',
        baselineValue: bare.lagP99Ms,
        target: '< 50 ms',
        notes: `max ${withAlarms.lagMaxMs.toFixed(1)} ms (bare bus ${bare.lagMaxMs.toFixed(1)} ms)`,
      },
    ];
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

export default bench;
