// Learning as a job through the real handler registry, permission gate and audit trail: start →
// progress → candidate with its report → approve / discard, cancel between slices, one job per
// machine, the deadline, versions and roll back — each engineering act an audit row naming who.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallContext } from '../../api/contract.js';
import type { LearnApproval, LearnJob, LearnSpans, MachineModels, MachinePredictionState } from '../../api/prediction-requests.js';
import type { ApiResult } from '../../api/types.js';
import type { AuditLog } from '../../auth/audit.js';
import type { Manifest } from '../manifest.js';
import type { Inference } from '../service.js';
import { FIXTURE_TAGS, runningPump } from '../testing.js';
import { type AlarmJournalEntry, Learning, type LearningOptions, learnedName } from './jobs.js';
import { RELEARN_WINDOW_MS } from './maintenance.js';
import { auditedRequests, bearingReplaced, learningParts, relearnAfterMaintenance } from './test-kit.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'aurum-learn-jobs-'));
process.env.HOME = tmp; // onnxruntime writes a device id under ~/.cache

const M = 'S/A/P1';
const T0 = Date.parse('2025-03-01T00:00:00Z');
const H = 3_600_000;
/** The machine is stopped for ten minutes, and one alarm stands for five, in the first hour. */
const STOP = { from: T0 + 20 * 60_000, to: T0 + 30 * 60_000 };
const ALARM = { from: T0 + 40 * 60_000, to: T0 + 45 * 60_000 };

const { tags, machine } = runningPump(M);

/** Pump-like values at any grid time (so any period reads without being stored); stopped: all zero. */
function valueAt(tag: string, t: number): number {
  const stopped = t >= STOP.from && t < STOP.to;
  if (tag.endsWith('/Running')) return stopped ? 0 : 1;
  if (stopped) return 0;
  const i = t / 1000;
  const noise = (k: number) => ((Math.sin(i * 12.9898 + k * 78.233) * 43758.5453) % 1) - 0.5;
  const flow = 140 + 8 * Math.sin(i / 37) + noise(1);
  const k = FIXTURE_TAGS.indexOf(tag.split('/').pop() as string);
  return [flow, 0.12 * flow + 4 + noise(2) * 0.3, 0.35 * flow + noise(3) * 0.6, 2.1 + noise(4) * 0.1, 55 + noise(5) * 0.2][k] as number;
}

const journal: AlarmJournalEntry[] = [
  {
    seq: 1,
    ts: new Date(ALARM.from).toISOString(),
    alarmId: 'P1_HighTemp',
    tag: `${M}/BearingTemp`,
    kind: 'activate',
    message: 'Bearing temperature high',
  },
  { seq: 2, ts: new Date(ALARM.to).toISOString(), alarmId: 'P1_HighTemp', tag: `${M}/BearingTemp`, kind: 'clear', message: '' },
];

let svc: Inference;
let learning: Learning;
let audit: AuditLog;
let call: (name: string, args: unknown, ctx: CallContext) => Promise<ApiResult<unknown>>;
let clock = T0 + 2 * H;
let reads = 0;

const eve: CallContext = { user: 'eve', role: 'engineer', origin: 'http' };
const olga: CallContext = { user: 'olga', role: 'operator', origin: 'http' };
const vic: CallContext = { user: 'vic', role: 'viewer', origin: 'http' };

async function ok<T>(name: string, args: unknown, ctx = eve): Promise<T> {
  const r = await call(name, args, ctx);
  if (r.error) throw new Error(`${name}: ${r.error.type}: ${r.error.message}`);
  return r.data as T;
}

/** Rows of `names` on the grid of [from, to], both ends included, each value as `value` gives it. */
function gridRows(names: readonly string[], from: number, to: number, periodMs: number, value = valueAt) {
  const n = Math.floor((to - from) / periodMs) + 1;
  const ts = Float64Array.from({ length: n }, (_, i) => from + i * periodMs);
  return { ts, columns: names.map((name) => ts.map((t) => value(name, t))) };
}

/** A Learning of the pump reading valueAt on the grid, approving into data/models on `svc`; `over` replaces what a test varies. */
function gridLearning(over: Partial<LearningOptions> = {}): Learning {
  return new Learning({
    machines: [machine],
    tags,
    read: (names, from, to, periodMs) => gridRows(names, from, to, periodMs),
    learnedDir: path.join(tmp, 'data', 'models'),
    roots: () => [path.join(tmp, 'shipped'), path.join(tmp, 'data', 'models')],
    bindings: [],
    activate: (m, name, version) => svc.activate(m, name, version),
    active: (m) => svc.latest([m])[0]?.model ?? null,
    now: () => clock,
    audit,
    ...over,
  });
}

/** Options of a Learning that keeps its models in `dir` alone and never activates one. */
const apart = (dir: string): Partial<LearningOptions> => ({
  learnedDir: path.join(tmp, dir),
  roots: () => [path.join(tmp, dir)],
  activate: () => Promise.reject(new Error('not used')),
  active: () => null,
});

beforeAll(async () => {
  ({ svc, audit } = await learningParts(tmp, tags, () => clock));
  learning = gridLearning({
    read: (names, from, to, periodMs) => {
      reads++;
      return gridRows(names, from, to, periodMs);
    },
    alarmJournal: (_machine, from, to) => journal.filter((e) => Date.parse(e.ts) >= from && Date.parse(e.ts) <= to),
  });
  call = auditedRequests(svc, learning, audit);
});

afterAll(async () => {
  await learning.stop();
  await svc.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const period = { machine: M, from: T0, to: T0 + 2 * H };

describe('learning from the console, as a job', () => {
  it('shows the stopped and alarm spans of a period before learning', async () => {
    const spans = await ok<LearnSpans>('models.learn.spans', period, vic);
    expect(spans.spans).toEqual([
      { from: STOP.from, to: STOP.to, reason: 'stopped', detail: 'Running off' },
      { from: ALARM.from, to: ALARM.to, reason: 'alarm', detail: 'Bearing temperature high' },
    ]);
    expect(spans.stoppedRows).toBe(600);
    expect(spans.alarmRows).toBe(300);
    expect(spans.subsampled).toBe(false);
    // The tags learning reads by default: the measurements, not the running state.
    expect(spans.tags).toEqual(FIXTURE_TAGS);
  });

  it('runs to a candidate with a report, then approval activates it, audited with who, when and which version', async () => {
    const started = await ok<LearnJob>('models.learn', period);
    expect(started).toMatchObject({ machine: M, state: 'running', startedBy: 'eve', tags: ['Running', ...FIXTURE_TAGS] });
    const done = (await learning.settled(M)) as LearnJob;
    expect(done.message).toBeNull();
    expect(done.state).toBe('candidate');
    const polled = await ok<LearnJob>('models.learn.status', { machine: M }, vic);
    expect(polled).toMatchObject({ id: started.id, state: 'candidate', phase: 'done', fraction: 1 });
    const r = polled.report;
    if (!r) throw new Error('no report');
    // Stopped and alarm spans were left out and are listed; everything else was used.
    expect(r.excluded.map((s) => [s.reason, s.from, s.to])).toEqual([
      ['stopped', STOP.from, STOP.to],
      ['alarm', ALARM.from, ALARM.to],
    ]);
    expect(r.rows.excluded).toBe(900);
    expect(r.rows.train + r.rows.heldBack + r.rows.excluded).toBe(r.rows.read);
    expect(r.rows.read).toBe(2 * 3600 + 1);
    expect(r.windows.heldBack).toBeGreaterThan(0);
    expect(r.histogram.reduce((n, b) => n + b.count, 0)).toBe(r.windows.heldBack);
    expect(r.falseAlarmRate).toBeGreaterThanOrEqual(0);
    expect(r.falseAlarmRate).toBeLessThan(0.05);
    expect(r.contributors.map((c) => c.tag).sort()).toEqual(['Running', ...FIXTURE_TAGS].sort());
    expect(r.contributors.reduce((s, c) => s + c.share, 0)).toBeCloseTo(1, 6);
    // Nothing is active before approval.
    expect(svc.latest([M])).toEqual([]);

    clock += 60_000;
    const approved = await ok<LearnApproval>('models.learn.approve', { machine: M, job: started.id });
    const key = `${learnedName(M)}@1`;
    expect(approved).toMatchObject({ job: started.id, machine: M, model: key, approvedBy: 'eve', approvedAt: clock });
    expect(learning.status(M)).toMatchObject({ state: 'approved', model: key, approvedBy: 'eve', approvedAt: clock });
    expect(approved.state.model).toBe(key);
    const [row] = audit.query({ action: 'models.learn.approve' });
    expect(row).toMatchObject({ actor: 'eve', result: 'ok', ts: clock });
    expect(row?.details).toMatchObject({
      args: { machine: M, job: started.id },
      result: { model: key, approvedBy: 'eve', approvedAt: clock },
    });

    // The manifest alarms as the report says: the threshold calibrated on held-back windows, the
    // k-of-n rule the false alarm rate was computed with, health 100 = the calibration's 99.9th percentile.
    const manifest = JSON.parse(readFileSync(path.join(tmp, 'data', 'models', learnedName(M), '1', 'manifest.json'), 'utf8')) as Manifest;
    expect(r.alarm).toMatchObject({ k: 10, n: 20, quantile: 0.999, margin: 3 });
    expect(manifest.threshold).toBe(r.alarm.threshold);
    expect(manifest.alarm).toEqual({
      k: 10,
      n: 20,
      calibration: { heldBackWindows: r.windows.calibration, quantile: 0.999, margin: 3, heldBack: expect.stringContaining('first half') },
    });
    expect(manifest.health?.normal).toBe(r.healthNormal);
    if (!r.alarm.floored) expect(r.healthNormal).toBeCloseTo(1 / 3, 9);
    expect(r.windows.calibration).toBeGreaterThan(0);
    // Calibration and scored windows are apart: the rate is on windows the threshold never saw.
    expect(r.windowsAboveRate).toBeGreaterThanOrEqual(r.falseAlarmRate);

    const versions = await ok<MachineModels>('models.versions', { machine: M }, vic);
    expect(versions.active).toBe(key);
    expect(versions.versions[0]).toMatchObject({
      key,
      source: 'learned',
      active: true,
      approvedBy: 'eve',
      falseAlarmRate: r.falseAlarmRate,
    });
    // A second approval of the same candidate is refused.
    const again = await call('models.learn.approve', { machine: M, job: started.id }, eve);
    expect(again.error).toMatchObject({ type: 'conflict' });
    expect(again.error?.message).toContain('approved, not a candidate');
  });

  it('cancels between slices: nothing is kept, the cancel is audited', async () => {
    const before = reads;
    const job = await ok<LearnJob>('models.learn', period);
    const cancelled = await ok<LearnJob>('models.learn.cancel', { machine: M });
    expect(cancelled.id).toBe(job.id);
    const end = (await learning.settled(M)) as LearnJob;
    expect(end).toMatchObject({ state: 'cancelled', message: 'cancelled by eve', report: null });
    // It stopped at a slice boundary soon after the cancel, within its first pass (12 stretch reads
    // of the 36 a whole job makes), not at the end.
    expect(reads - before).toBeGreaterThan(0);
    expect(reads - before).toBeLessThan(12);
    expect(audit.query({ action: 'models.learn.cancel' })[0]).toMatchObject({ actor: 'eve', result: 'ok' });
    const late = await call('models.learn.approve', { machine: M, job: job.id }, eve);
    expect(late.error?.message).toContain('cancelled, not a candidate');
  });

  it('runs one job per machine at a time', async () => {
    const job = await ok<LearnJob>('models.learn', period);
    const second = await call('models.learn', period, eve);
    expect(second.error).toMatchObject({ type: 'conflict' });
    expect(second.error?.message).toContain(`is learning already (job ${job.id})`);
    await learning.settled(M);
  });

  it('discards a candidate: it never becomes a version; the discard is audited', async () => {
    const job = await ok<LearnJob>('models.learn', period);
    await learning.settled(M);
    const discarded = await ok<LearnJob>('models.learn.discard', { machine: M, job: job.id });
    expect(discarded).toMatchObject({ state: 'discarded', message: 'discarded by eve' });
    expect(audit.query({ action: 'models.learn.discard' })[0]).toMatchObject({
      actor: 'eve',
      result: 'ok',
      details: { args: { job: job.id } },
    });
    const versions = await ok<MachineModels>('models.versions', { machine: M });
    expect(versions.versions.map((v) => v.key)).toEqual([`${learnedName(M)}@1`]);
  });

  it('rolls back to the previous version and to a chosen one, each an audited activation', async () => {
    const job = await ok<LearnJob>('models.learn', { ...period, include: { stopped: true, alarms: true } });
    const done = (await learning.settled(M)) as LearnJob;
    // Included on request: no running gate, nothing left out for stops or alarms.
    expect(done.tags).toEqual(FIXTURE_TAGS);
    expect(done.report?.rows.excluded).toBe(0);
    await ok<LearnApproval>('models.learn.approve', { machine: M, job: job.id });
    const v1 = `${learnedName(M)}@1`;
    const v2 = `${learnedName(M)}@2`;
    expect((await ok<MachineModels>('models.versions', { machine: M })).active).toBe(v2);

    const back = await ok<MachinePredictionState>('models.rollback', { machine: M });
    expect(back.model).toBe(v1);
    const chosen = await ok<MachinePredictionState>('models.rollback', { machine: M, model: learnedName(M), version: 2 });
    expect(chosen.model).toBe(v2);
    const rows = audit.query({ action: 'models.rollback' });
    expect(rows.map((r) => [r.actor, r.result, (r.details.result as { model: string }).model])).toEqual([
      ['eve', 'ok', v2],
      ['eve', 'ok', v1],
    ]);
    const unknown = await call('models.rollback', { machine: M, model: 'other', version: 1 }, eve);
    expect(unknown.error?.message).toContain('is not one of the model versions of S/A/P1');
  });

  it('refuses operators and viewers every engineering act, and audits the refusals', async () => {
    for (const who of [olga, vic]) {
      for (const [name, args] of [
        ['models.learn', period],
        ['models.learn.cancel', { machine: M }],
        ['models.learn.approve', { machine: M, job: 'x' }],
        ['models.learn.discard', { machine: M, job: 'x' }],
        ['models.rollback', { machine: M }],
      ] as const) {
        const r = await call(name, args, who);
        expect(r.error, `${who.role} ${name}`).toMatchObject({ type: 'forbidden' });
      }
    }
    const denied = audit.query({ result: 'denied' });
    expect(denied.filter((r) => r.actor === 'olga')).toHaveLength(5);
    expect(denied.filter((r) => r.actor === 'vic')).toHaveLength(5);
  });

  it('holds the running state over rows where the running tag has no good value (stored once, then a Bad sample)', async () => {
    const held = gridLearning({
      ...apart('held'),
      // The running tag has a good value only in the period's first second.
      read: (names, from, to, periodMs) =>
        gridRows(names, from, to, periodMs, (name, t) => (name.endsWith('/Running') && t > T0 ? Number.NaN : valueAt(name, t))),
    });
    const quiet = { machine: M, from: T0, to: T0 + 15 * 60_000 };
    expect(held.spans(quiet.machine, quiet.from, quiet.to)).toMatchObject({ spans: [], noDataRows: 0 });
    held.start(quiet, 'eve');
    const end = (await held.settled(M)) as LearnJob;
    expect(end.state).toBe('candidate');
    expect(end.report?.rows.excluded).toBe(0);
  });

  it('starts each stretch from the running state in force at its start (stored once, long before the period)', async () => {
    // The demo's case: the running tag's one good sample is older than the grid read's hold and a
    // Bad one follows it, so every row of the period reads "no good value" for it.
    const options = (stateAt?: (tag: string, t: number) => number) =>
      gridLearning({
        ...apart('state-at'),
        read: (names, from, to, periodMs) =>
          gridRows(names, from, to, periodMs, (name, t) => (name.endsWith('/Running') ? Number.NaN : valueAt(name, t))),
        ...(stateAt ? { stateAt } : {}),
      });
    const quiet = { machine: M, from: T0 + H, to: T0 + H + 15 * 60_000 };
    const rows = 15 * 60 + 1;
    // Before: the whole period left out, the job fails with no usable row.
    const blind = options();
    expect(blind.spans(quiet.machine, quiet.from, quiet.to)).toMatchObject({ noDataRows: rows });
    blind.start(quiet, 'eve');
    expect(await blind.settled(M)).toMatchObject({ state: 'failed', message: expect.stringContaining('0 usable rows') });
    // With the state at each stretch's start from the historian: every row is usable, the running gate kept.
    const asked: [string, number][] = [];
    const seeing = options((tag, t) => {
      asked.push([tag, t]);
      return 1;
    });
    expect(seeing.spans(quiet.machine, quiet.from, quiet.to)).toMatchObject({ spans: [], noDataRows: 0, stoppedRows: 0, rows });
    // Asked once per pass at the period's start: its two stretches join.
    expect(asked).toEqual([[`${M}/Running`, quiet.from]]);
    const job = seeing.start(quiet, 'eve');
    expect(job.tags[0]).toBe('Running');
    const end = (await seeing.settled(M)) as LearnJob;
    expect(end.state).toBe('candidate');
    expect(end.report?.rows.excluded).toBe(0);
  });

  it('keeps each candidate and its report across a restart until it is approved or discarded', async () => {
    const kept = path.join(tmp, 'kept');
    const said: string[] = [];
    const restartable = () => gridLearning({ candidatesDir: kept, say: (m) => said.push(m) });
    const quiet = { machine: M, from: T0 + H, to: T0 + H + 20 * 60_000 };
    const first = restartable();
    const one = first.start(quiet, 'eve');
    const earlier = (await first.settled(M)) as LearnJob;
    clock += 1000;
    // A second job on the machine keeps the first one's candidate: each in its own folder.
    const second = first.start({ ...quiet, to: quiet.to + 5 * 60_000 }, 'eve');
    const candidate = (await first.settled(M)) as LearnJob;
    expect(candidate.state).toBe('candidate');
    expect(earlier.state).toBe('candidate');
    expect(readdirSync(kept)).toEqual([learnedName(M)]);
    expect(readdirSync(path.join(kept, learnedName(M))).sort()).toEqual([one.id, second.id].sort());

    // The restart: both await approval again, with their reports; the status is the newest.
    const after = restartable();
    expect(after.status(M)).toEqual(JSON.parse(JSON.stringify(candidate)));
    expect(after.versions(M).candidates).toEqual(JSON.parse(JSON.stringify([candidate, earlier])));
    const approved = await after.approve(M, second.id, 'eve');
    expect(approved.state.model).toBe(approved.model);
    expect(svc.latest([M])[0]?.model).toBe(approved.model);
    expect(readdirSync(path.join(kept, learnedName(M)))).toEqual([one.id]);
    expect(restartable().status(M)).toMatchObject({ id: one.id, state: 'candidate' });
    restartable().discard(M, one.id, 'eve');
    expect(readdirSync(path.join(kept, learnedName(M)))).toEqual([]);
    expect(restartable().status(M)).toBeNull();

    // A kept file that is not a candidate is named and left out; nothing else is refused.
    mkdirSync(path.join(kept, 'broken'));
    writeFileSync(path.join(kept, 'broken', 'candidate.json'), '{"format":1}');
    said.length = 0;
    expect(restartable().status(M)).toBeNull();
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/^learning candidate kept\/broken left out: it is not a learning candidate/);
    rmSync(path.join(kept, 'broken'), { recursive: true });
  });

  it('after maintenance that resets the baseline: the model starts afresh, and the model learned after it waits for approval', async () => {
    const said: string[] = [];
    const before = svc.latest([M])[0]?.model;
    expect(before).toBeTruthy();
    const relearning = gridLearning();
    const after = relearnAfterMaintenance({
      machines: [M],
      learning: relearning,
      reset: (m, why) => svc.reset(m, why),
      now: () => clock,
      said,
    });
    const event = bearingReplaced(M, T0 + H, clock, { downtimeMin: 30, resetsBaseline: false });
    // Neither an event that keeps the baseline nor one of a machine without a model starts anything.
    after.onEvent(event);
    after.onEvent({ ...event, machine: 'S/A/Other', resetsBaseline: true });
    expect(relearning.status(M)).toBeNull();
    expect(svc.latest([M])[0]?.reason).not.toMatch(/^reset/);

    after.onEvent({ ...event, resetsBaseline: true });
    // At once: the same model, started afresh (no prediction from before the repair).
    expect(svc.latest([M])[0]).toMatchObject({ model: before, prediction: null, reason: 'reset: maintenance event 7 (bearing replaced)' });
    // The ten minutes after the event are past on the clock: the relearn starts on the next turn.
    await after.relearned(M, null);
    await new Promise((r) => setImmediate(r));
    expect(said).toEqual([expect.stringMatching(/^S\/A\/P1: a model learned after maintenance event 7 awaits approval \(job learn-/)]);
    expect(relearning.status(M)).toMatchObject({
      state: 'candidate',
      startedBy: 'maintenance event 7',
      from: T0 + H,
      to: T0 + H + RELEARN_WINDOW_MS,
    });
    // Not activated: the machine keeps its model until an engineer approves the candidate.
    expect(svc.latest([M])[0]?.model).toBe(before);
    after.stop();
  });

  it('abandons a job past its deadline, naming it', async () => {
    const slow = gridLearning({
      ...apart('slow'),
      read: (names, from, to, periodMs) => {
        clock += 10_000; // each stretch "takes" ten seconds on the test's clock
        return gridRows(names, from, to, periodMs);
      },
      deadlineMs: 30_000,
    });
    slow.start({ ...period }, 'eve');
    const end = (await slow.settled(M)) as LearnJob;
    expect(end.state).toBe('failed');
    expect(end.message).toContain('learning S/A/P1 did not finish within its deadline');
  });
});
