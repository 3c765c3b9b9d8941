// Learning a normal baseline with bounded memory: the plan reads a day whole and a year as evenly
// spread stretches of the same total size, and the fit runs in steps with the event loop given back.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LEARN_LIMITS } from '../../api/prediction-requests.js';
import { openAuditLog } from '../../auth/audit.js';
import { runToEnd } from '../../util/sliced.js';
import { openSqlite } from '../../util/sqlite.js';
import { FIXTURE_TAGS, normalRows, tagTable } from '../testing.js';
import { Learning } from './jobs.js';
import { DEFAULT_PCA_OPTIONS, fitPca, fitPcaSteps } from './pca.js';
import { learnPlan } from './plan.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'aurum-learn-'));
// onnxruntime writes a device id under ~/.cache.
process.env.HOME = tmp;
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const DAY = 86_400_000;
const T0 = Date.parse('2025-01-01T00:00:00Z');
/** Grid times a read of [from, to] on a 1 s grid returns, both ends included. */
const gridOf = (from: number, to: number) => Array.from({ length: Math.floor((to - from) / 1000) + 1 }, (_, i) => from + i * 1000);

describe('learnPlan', () => {
  it('reads a period of up to a day whole, in reads that join to exactly one read of it', () => {
    const from = T0;
    const to = T0 + DAY / 2 + 7000;
    const plan = learnPlan(from, to, 1000);
    expect(plan.whole).toBe(true);
    expect(plan.segments.flatMap((s) => gridOf(s.from, s.to))).toEqual(gridOf(from, to));
    expect(Math.max(...plan.segments.map((s) => gridOf(s.from, s.to).length))).toBeLessThanOrEqual(LEARN_LIMITS.segmentMs / 1000 + 1);
  });

  it('subsamples a year into stretches holding no more rows than a day', () => {
    const rows = (from: number, to: number) => learnPlan(from, to, 1000).segments.reduce((n, s) => n + gridOf(s.from, s.to).length, 0);
    const day = rows(T0, T0 + DAY);
    const year = rows(T0, T0 + 365 * DAY);
    const plan = learnPlan(T0, T0 + 365 * DAY, 1000);
    expect(plan.whole).toBe(false);
    expect(year).toBeLessThanOrEqual(LEARN_LIMITS.samples);
    expect(year).toBeLessThanOrEqual(day);
    // Spread over the whole year, in order, on the grid.
    expect(plan.segments[0]?.from).toBe(T0);
    const stride = (365 * DAY) / plan.segments.length;
    expect(plan.segments.at(-1)?.from).toBeGreaterThan(T0 + 365 * DAY - stride - 1000);
    for (const s of plan.segments) expect((s.from - T0) % 1000).toBe(0);
  });
});

describe('fitPcaSteps', () => {
  it('gives the one-shot fit, in several steps for a day of rows', () => {
    const rows = normalRows(20_000, 3);
    let steps = 0;
    const gen = fitPcaSteps([rows], DEFAULT_PCA_OPTIONS);
    let r = gen.next();
    while (!r.done) {
      steps++;
      r = gen.next();
    }
    expect(r.value).toEqual(fitPca(rows));
    expect(steps).toBeGreaterThan(5);
  });

  it('never forms a window across two stretches', () => {
    const a = normalRows(400, 1);
    const b = normalRows(400, 2).map((r) => r.map((v) => v + 1000));
    // Joined, the windows that straddle the jump would be outliers and change the fit.
    expect(runToEnd(fitPcaSteps([a, b]))).not.toEqual(fitPca([...a, ...b]));
    expect(runToEnd(fitPcaSteps([a, b])).trainScores).toHaveLength(2 * (400 - DEFAULT_PCA_OPTIONS.window + 1));
  });
});

describe('learning on a machine', () => {
  /** Pump-like rows for any grid time, so any period can be read without storing it. */
  const synthetic = (t: number) => {
    const i = t / 1000;
    const noise = (k: number) => ((Math.sin(i * 12.9898 + k * 78.233) * 43758.5453) % 1) - 0.5;
    const flow = 140 + 8 * Math.sin(i / 37) + noise(1);
    return [flow, 0.12 * flow + 4 + noise(2) * 0.3, 0.35 * flow + noise(3) * 0.6, 2.1 + noise(4) * 0.1, 55 + noise(5) * 0.2];
  };

  it('reads a year in no more rows than a day, each read bounded, and ends in a candidate for each', async () => {
    const machine = 'S/A/P1';
    const reads: number[] = [];
    let yields = 0;
    const tags = tagTable([machine]);
    const learning = new Learning({
      machines: [{ name: machine, site: 'S', area: 'A', kind: 'pump', description: '', roles: {}, keyTags: [] }],
      tags,
      read: (_names, from, to, periodMs) => {
        expect(periodMs).toBe(1000);
        const ts = Float64Array.from(gridOf(from, to));
        reads.push(ts.length);
        const rows = [...ts].map((t) => synthetic(t));
        return { ts, columns: FIXTURE_TAGS.map((_, j) => Float64Array.from(rows, (r) => r[j] as number)) };
      },
      learnedDir: path.join(tmp, 'data', 'models'),
      roots: () => [path.join(tmp, 'data', 'models')],
      bindings: [],
      activate: () => Promise.reject(new Error('not used')),
      active: () => null,
      audit: openAuditLog(openSqlite(path.join(tmp, 'audit.db'))),
    });
    const learn = async (days: number) => {
      reads.length = 0;
      // Counts the event loop's turns while the job runs: it gives them back, not once at the end.
      let running = true;
      const count = () => {
        if (!running) return;
        yields++;
        setImmediate(count);
      };
      yields = 0;
      setImmediate(count);
      learning.start({ machine, tags: FIXTURE_TAGS, from: T0, to: T0 + days * DAY }, 'test');
      const job = await learning.settled(machine);
      running = false;
      return { job, rows: reads.reduce((a, b) => a + b, 0), largestRead: Math.max(...reads), yields };
    };
    const day = await learn(1);
    const year = await learn(365);
    expect(day.job?.state).toBe('candidate');
    expect(year.job?.state).toBe('candidate');
    expect(year.job?.report?.subsampled).toBe(true);
    expect(year.rows).toBeLessThanOrEqual(day.rows);
    expect(Math.max(day.largestRead, year.largestRead)).toBeLessThanOrEqual(LEARN_LIMITS.segmentMs / 1000 + 1);
    // The fit of ~86,400 rows gives the event loop back many times, not once at the end.
    expect(day.yields).toBeGreaterThan(20);
    expect(year.yields).toBeGreaterThan(20);
  }, 60_000);
});
