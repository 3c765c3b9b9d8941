// EEMUA 191 KPIs against hand-built activation sequences, and end to end from the service's journal.
import { describe, expect, it } from 'vitest';
import type { Priority } from '../api/alarm-requests.js';
import { runSliced, runToEnd } from '../util/sliced.js';
import { alarmDefinitionSchema } from './definition.js';
import { ACTIVATIONS_PER_SLICE, computeKpis, kpiSteps, maxInWindow } from './kpis.js';
import { sql as initSql } from './migrations/001_init.js';
import { AlarmService } from './service.js';
import type { Activation } from './store.js';
import { batchOf, Clock, makeTags, tempDb } from './test-kit.js';

const T0 = Date.parse('2025-03-01T00:00:00Z');
const MIN = 60_000;
const act = (ts: number, alarmId = 'a', area = 'PS', priority: Priority = 'High'): Activation => ({
  ts,
  alarmId,
  tag: `tag-${alarmId}`,
  area,
  priority,
});

describe('alarm rate and floods', () => {
  it('counts per 10-minute period and merges consecutive flood periods', () => {
    const acts: Activation[] = [];
    // Period 0: 3 alarms; periods 1 and 2: 11 and 12 (a flood of two periods); period 3: 10 (not a flood); period 4: 11.
    const perPeriod = [3, 11, 12, 10, 11, 0];
    perPeriod.forEach((count, p) => {
      for (let i = 0; i < count; i++) acts.push(act(T0 + p * 10 * MIN + i * 1000, `x${p}-${i}`));
    });
    const k = computeKpis(acts, [], T0, T0 + 60 * MIN, T0 + 60 * MIN);
    expect(k.activations).toBe(47);
    expect(k.averagePer10Min).toBeCloseTo(47 / 6);
    expect(k.peakPer10Min).toBe(12);
    expect(k.floods).toEqual([
      { start: new Date(T0 + 10 * MIN).toISOString(), end: new Date(T0 + 30 * MIN).toISOString(), activations: 23, peakPer10Min: 12 },
      { start: new Date(T0 + 40 * MIN).toISOString(), end: new Date(T0 + 50 * MIN).toISOString(), activations: 11, peakPer10Min: 11 },
    ]);
    expect(k.floodShare).toBeCloseTo(3 / 6);
  });

  it('reports the rate per operator position (area)', () => {
    const acts = [act(T0, 'a', 'PS'), act(T0 + MIN, 'b', 'PS'), act(T0 + 2 * MIN, 'c', 'Utilities')];
    const k = computeKpis(acts, [], T0, T0 + 20 * MIN, T0);
    expect(k.byArea).toEqual([
      { area: 'PS', activations: 2, averagePer10Min: 1, peakPer10Min: 2 },
      { area: 'Utilities', activations: 1, averagePer10Min: 0.5, peakPer10Min: 1 },
    ]);
  });
});

describe('chattering', () => {
  it('needs three activations within 60 s', () => {
    expect(maxInWindow([0, 30_000, 59_999])).toBe(3);
    expect(maxInWindow([0, 30_000, 60_000])).toBe(2);
    expect(maxInWindow([0, 100_000, 120_000, 150_000, 159_000])).toBe(4);
    expect(maxInWindow([])).toBe(0);
  });

  it('lists chattering alarms only', () => {
    const acts = [
      act(T0, 'chatty'),
      act(T0 + 20_000, 'chatty'),
      act(T0 + 40_000, 'chatty'),
      act(T0, 'slow'),
      act(T0 + 61_000, 'slow'),
      act(T0 + 122_000, 'slow'),
    ];
    const k = computeKpis(acts, [], T0, T0 + 10 * MIN, T0);
    expect(k.chattering).toEqual([{ id: 'chatty', tag: 'tag-chatty', activations: 3, maxIn60s: 3 }]);
  });
});

describe('top ten, stale and counts', () => {
  it('ranks the most frequent alarms with their share', () => {
    const acts: Activation[] = [];
    for (let a = 0; a < 12; a++) for (let i = 0; i <= a; i++) acts.push(act(T0 + i * 5 * MIN, `al${String(a).padStart(2, '0')}`));
    const k = computeKpis(acts, [], T0, T0 + 120 * MIN, T0);
    expect(k.topTen).toHaveLength(10);
    expect(k.topTen[0]).toMatchObject({ id: 'al11', activations: 12, share: 12 / 78 });
    expect(k.topTen.at(-1)).toMatchObject({ id: 'al02', activations: 3 });
  });

  it('finds alarms active for more than 24 h and counts masked ones', () => {
    const now = T0 + 30 * 3_600_000;
    const k = computeKpis(
      [],
      [
        { id: 'old', tag: 't1', state: 'ack_active', activeSince: T0 },
        { id: 'new', tag: 't2', state: 'unack_active', activeSince: now - 3_600_000 },
        { id: 'rtn', tag: 't3', state: 'unack_rtn', activeSince: T0 },
        { id: 's', tag: 't4', state: 'shelved', activeSince: null },
        { id: 'o', tag: 't5', state: 'out_of_service', activeSince: null },
        { id: 'd', tag: 't6', state: 'suppressed', activeSince: null },
      ],
      T0,
      now,
      now,
    );
    expect(k.stale).toEqual([{ id: 'old', tag: 't1', activeSince: new Date(T0).toISOString(), hours: 30 }]);
    expect([k.shelved, k.outOfService, k.suppressed, k.unacknowledged]).toEqual([1, 1, 1, 2]);
  });
});

describe('KPIs from the service journal', () => {
  it('detects a chattering alarm that the deadband would have stopped', async () => {
    const tmp = tempDb();
    try {
      const clock = new Clock(T0);
      const tags = makeTags(['Demo/PS/P1/Pressure']);
      const definitions = [alarmDefinitionSchema.parse({ tag: 'Demo/PS/P1/Pressure', type: 'hi', limit: 10, priority: 'High' })];
      const svc = new AlarmService({ db: tmp.open(), tags, definitions, now: clock.now });
      for (const v of [10.1, 9.9, 10.1, 9.9, 10.1, 9.9]) {
        svc.evaluate(batchOf([{ id: 0, v }], clock.t));
        clock.advance(5000);
      }
      const k = await svc.kpis(T0, T0 + 10 * MIN);
      expect(k.activations).toBe(3);
      expect(k.chattering).toEqual([{ id: 'Demo.PS.P1.Pressure.hi', tag: 'Demo/PS/P1/Pressure', activations: 3, maxIn60s: 3 }]);
      expect(k.byPriority.High).toBe(3);
      expect(k.unacknowledged).toBe(1);
    } finally {
      tmp.cleanup();
    }
  });
});

describe('KPIs over a long period, a day at a time', () => {
  const DAY = 86_400_000;
  // 40 days of a pseudo-random journal: floods that straddle midnight, chattering across days, three areas.
  const acts: Activation[] = [];
  let seed = 7;
  const rand = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  for (let t = T0; t < T0 + 40 * DAY; t += Math.floor(rand() * 20 * MIN)) {
    const burst = rand() < 0.05 ? 15 : 1;
    for (let b = 0; b < burst; b++) {
      const id = `a${Math.floor(rand() * 30)}`;
      acts.push(act(t + b * 1000, id, ['PS', 'Utilities', 'Boiler'][Math.floor(rand() * 3)], rand() < 0.2 ? 'Critical' : 'Low'));
    }
  }
  acts.sort((a, b) => a.ts - b.ts);
  // Periods do not start at midnight, so slices and 10-minute periods do not line up.
  const from = T0 - 7 * MIN;
  const to = T0 + 40 * DAY;
  const read = (a: number, z: number) => acts.filter((x) => x.ts >= a && x.ts < z);

  it('gives exactly the one-shot figures', () => {
    const oneShot = computeKpis(acts, [], from, to, to);
    expect(oneShot.floods.length).toBeGreaterThan(0);
    expect(runToEnd(kpiSteps(read, () => [], from, to, to))).toEqual(oneShot);
    // Slices shorter than the chatter window and not aligned to 10 minutes change nothing either.
    expect(runToEnd(kpiSteps(read, () => [], from, to, to, 7 * 3_600_000 + 13_000))).toEqual(oneShot);
  });

  it('gives the event loop back once per day of the period', async () => {
    let slices = 0;
    let turns = 0;
    // A timer-free witness: each setImmediate turn between slices lets this counter run.
    const tick = () => {
      turns++;
      if (turns < 1000) setImmediate(tick);
    };
    setImmediate(tick);
    const k = await runSliced(
      kpiSteps(read, () => [], from, to, to),
      { what: 'alarm KPIs', deadlineMs: 3_600_000, onSlice: (n) => (slices = n) },
    );
    expect(k).toEqual(computeKpis(acts, [], from, to, to));
    expect(slices).toBe(Math.ceil((to - from) / DAY));
    expect(turns).toBeGreaterThanOrEqual(slices - 1);
  });

  it('reads a flood in shorter slices, with the same figures', () => {
    // 40 days at a few alarms an hour, then a day with a flood of 30,000 activations.
    const flood: Activation[] = [...acts];
    for (let i = 0; i < 30_000; i++) flood.push(act(to - DAY + i * 2000, `f${i % 50}`, 'PS', 'Critical'));
    flood.sort((a, b) => a.ts - b.ts);
    const sizes: number[] = [];
    const readFlood = (a: number, z: number) => {
      const s = flood.filter((x) => x.ts >= a && x.ts < z);
      sizes.push(s.length);
      return s;
    };
    const k = runToEnd(kpiSteps(readFlood, () => [], from, to, to));
    expect(k).toEqual(computeKpis(flood, [], from, to, to));
    // One slice may find the flood; after it the slices shrink until each holds at most the bound.
    expect(sizes.filter((n) => n > ACTIVATIONS_PER_SLICE).length).toBeLessThanOrEqual(2);
  });

  it('is abandoned past its deadline, with a sentence naming the work', async () => {
    let t = 0;
    const now = () => (t += 1000);
    await expect(
      runSliced(
        kpiSteps(read, () => [], from, to, to),
        { what: 'alarm KPIs over 40 days', deadlineMs: 5000, now },
      ),
    ).rejects.toThrow('alarm KPIs over 40 days did not finish within its deadline of 5 seconds; ask for a shorter period');
  });
});

// Issue 16: the KPI page read "Average 0.05 per 10 min" over 24 h for a console that had run 12
// minutes with 7 activations: the rate was divided by the span asked for, not the time watched.
describe('KPIs over the time actually observed', () => {
  const DAY = 86_400_000;
  const defs = [alarmDefinitionSchema.parse({ tag: 'Demo/PS/P1/Pressure', type: 'hi', limit: 10, priority: 'High' })];
  const tags = makeTags(['Demo/PS/P1/Pressure']);

  /** `count` activations spread over `minutes` of the service's clock, starting now. */
  function run(svc: AlarmService, clock: Clock, minutes: number, count: number): void {
    const end = clock.t + minutes * MIN;
    const step = Math.floor((minutes * MIN) / (2 * count));
    for (let i = 0; i < count; i++) {
      svc.evaluate(batchOf([{ id: 0, v: 12 }], clock.t));
      clock.advance(step);
      svc.evaluate(batchOf([{ id: 0, v: 8 }], clock.t));
      clock.advance(step);
      svc.tick();
    }
    clock.t = end;
  }

  it('a console that ran 12 minutes of the last 24 h with 7 activations: 5.83 per 10 min, over 12 min observed', async () => {
    const tmp = tempDb();
    try {
      const clock = new Clock(T0);
      const svc = new AlarmService({ db: tmp.open(), tags, definitions: defs, now: clock.now });
      run(svc, clock, 12, 7);
      const k = await svc.kpis(clock.t - DAY, clock.t);
      expect(k.activations).toBe(7);
      expect(k.requestedMs).toBe(DAY);
      expect(k.observedMs).toBe(12 * MIN);
      expect(k.observed).toEqual([{ start: new Date(T0).toISOString(), end: new Date(T0 + 12 * MIN).toISOString() }]);
      expect(k.averagePer10Min).toBeCloseTo(7 / 1.2);
      expect(k.byArea[0]?.averagePer10Min).toBeCloseTo(7 / 1.2);
    } finally {
      tmp.cleanup();
    }
  });

  it('adds up the runs a restart leaves (a stopped run, a crashed run up to its last record), not the gaps between them', async () => {
    const tmp = tempDb();
    try {
      const clock = new Clock(T0);
      const first = new AlarmService({ db: tmp.open(), tags, definitions: defs, now: clock.now });
      run(first, clock, 10, 2);
      first.stop();
      clock.advance(60 * MIN);
      // A run that crashes: recorded up to its last touch, every RUN_TOUCH_MS (30 s) of ticks.
      const second = new AlarmService({ db: tmp.open(), tags, definitions: defs, now: clock.now });
      const secondStart = clock.t;
      run(second, clock, 5, 5);
      const crashedAt = clock.t;
      clock.advance(120 * MIN);
      const third = new AlarmService({ db: tmp.open(), tags, definitions: defs, now: clock.now });
      run(third, clock, 8, 1);
      const k = await third.kpis(clock.t - DAY, clock.t);
      const secondRecorded = k.observed[1];
      expect(k.observed).toHaveLength(3);
      expect(Date.parse(secondRecorded?.start ?? '')).toBe(secondStart);
      const secondEnd = Date.parse(secondRecorded?.end ?? '');
      expect(secondEnd).toBeLessThanOrEqual(crashedAt);
      expect(crashedAt - secondEnd).toBeLessThan(30_000);
      expect(k.observedMs).toBe(10 * MIN + (secondEnd - secondStart) + 8 * MIN);
      expect(k.activations).toBe(8);
      expect(k.averagePer10Min).toBeCloseTo(8 / (k.observedMs / (10 * MIN)));
    } finally {
      tmp.cleanup();
    }
  });

  it('with nothing observed in the span the rate is 0, not a division by zero', () => {
    const k = computeKpis([], [], T0, T0 + DAY, T0 + DAY, [{ start: T0 - 2 * DAY, end: T0 - DAY }]);
    expect([k.observedMs, k.averagePer10Min, k.floodShare, k.observed]).toEqual([0, 0, 0, []]);
  });
});

describe('KPI coverage of a journal written before run records existed', () => {
  it('counts it as observed from its first entry to its last', async () => {
    const tmp = tempDb();
    try {
      const db = tmp.open();
      // events.db as the previous version left it: schema at 001_init, a journal, no alarm_runs.
      db.exec(`CREATE TABLE alarm_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`);
      db.exec(initSql);
      db.prepare('INSERT INTO alarm_migrations VALUES (?, ?)').run('001_init', '2025-01-01T00:00:00Z');
      const insert = db.prepare(
        "INSERT INTO alarm_journal (ts, alarm_id, tag, area, kind, state, priority) VALUES (?, 'a', 't', 'PS', 'activate', 'unack_active', 'High')",
      );
      for (const ts of [T0, T0 + 30 * MIN, T0 + 60 * MIN]) insert.run(ts);
      const clock = new Clock(T0 + 120 * MIN);
      const svc = new AlarmService({ db, tags: makeTags(['Demo/PS/P1/Pressure']), definitions: [], now: clock.now });
      clock.advance(10 * MIN);
      const k = await svc.kpis(T0 - MIN, clock.t);
      expect(k.observed.map((o) => [Date.parse(o.start) - T0, Date.parse(o.end) - T0])).toEqual([
        [0, 60 * MIN],
        [120 * MIN, 130 * MIN],
      ]);
      expect(k.observedMs).toBe(70 * MIN);
      expect(k.averagePer10Min).toBeCloseTo(3 / 7);
    } finally {
      tmp.cleanup();
    }
  });
});
