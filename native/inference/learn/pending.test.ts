// Candidates awaiting approval side by side, on a real historian (SQLite file, writer worker) and the
// real inference worker, through the handler registry, permission gate and audit trail: an engineer's
// candidate survives a relearn after maintenance (which used to replace it), each is approved or
// discarded on its own by its id, both are read back after a restart, and a machine keeps at most
// LEARN_LIMITS.candidates (the oldest discarded first, said with its origin and period).
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallContext } from '../../api/contract.js';
import { LEARN_LIMITS, type LearnApproval, type LearnJob, type MachineModels } from '../../api/prediction-requests.js';
import type { ApiResult } from '../../api/types.js';
import type { AuditLog } from '../../auth/audit.js';
import { type Historian, openHistorian } from '../../historian/index.js';
import { batch } from '../../historian/test-kit.js';
import type { Inference } from '../service.js';
import { FIXTURE_TAGS, runningPump } from '../testing.js';
import { Learning, learnedName } from './jobs.js';
import { RELEARN_WINDOW_MS } from './maintenance.js';
import { stateAt } from './state.js';
import { auditedRequests, bearingReplaced, learningParts, relearnAfterMaintenance } from './test-kit.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'aurum-learn-pending-'));
process.env.HOME = tmp; // onnxruntime writes a device id under ~/.cache

const M = 'S/A/P1';
const T0 = Date.parse('2025-03-01T00:00:00Z');
const MIN = 60_000;
/** Stored history: an hour of the pump running, the bearing replaced at half past. */
const HOUR = 60 * MIN;
const REPAIR = T0 + 30 * MIN;

const { tags, machine } = runningPump(M);

/** Pump-like values (a slow swing of the flow the others follow, with noise); the running state is stored once. */
function valueAt(k: number, t: number): number {
  const i = t / 1000;
  const noise = (j: number) => ((Math.sin(i * 12.9898 + j * 78.233) * 43758.5453) % 1) - 0.5;
  const flow = 140 + 8 * Math.sin(i / 37) + noise(1);
  return [flow, 0.12 * flow + 4 + noise(2) * 0.3, 0.35 * flow + noise(3) * 0.6, 2.1 + noise(4) * 0.1, 55 + noise(5) * 0.2][k] as number;
}

const eve: CallContext = { user: 'eve', role: 'engineer', origin: 'http' };
let clock = T0 + HOUR + MIN;
let historian: Historian;
let svc: Inference;
let audit: AuditLog;
const said: string[] = [];
const kept = path.join(tmp, 'learn-candidates');
const learnedDir = path.join(tmp, 'data', 'models');

/** A Learning over the real historian, with candidates kept in `kept` (a new instance = a restart). */
const open = () =>
  new Learning({
    machines: [machine],
    tags,
    read: (names, from, to, periodMs) => {
      const series = historian.rangeRead({ tags: [...names], from, to, stepMs: periodMs });
      return { ts: series[0]?.ts ?? new Float64Array(0), columns: series.map((s) => s.values) };
    },
    stateAt: (tag, t) => stateAt(historian, tag, t),
    learnedDir,
    candidatesDir: kept,
    say: (m) => said.push(m),
    audit,
    roots: () => [path.join(tmp, 'shipped'), learnedDir],
    bindings: [],
    activate: (m, name, version) => svc.activate(m, name, version),
    active: (m) => svc.latest([m])[0]?.model ?? null,
    now: () => clock,
  });

function gateway(learning: Learning) {
  const call = auditedRequests(svc, learning, audit);
  return async <T>(name: string, args: unknown): Promise<T> => {
    const r: ApiResult<unknown> = await call(name, args, eve);
    if (r.error) throw new Error(`${name}: ${r.error.type}: ${r.error.message}`);
    return r.data as T;
  };
}

beforeAll(async () => {
  historian = await openHistorian({ dir: path.join(tmp, 'historian'), tags, now: () => clock, retentionIntervalMs: 0 });
  const rows: [number, number, number][] = [[FIXTURE_TAGS.length, T0, 1]];
  for (let t = T0; t <= T0 + HOUR; t += 1000) for (let k = 0; k < FIXTURE_TAGS.length; k++) rows.push([k, t, valueAt(k, t)]);
  historian.ingest(batch(rows));
  await historian.flush();
  ({ svc, audit } = await learningParts(tmp, tags, () => clock));
}, 60_000);

afterAll(async () => {
  await svc.stop();
  await historian.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('learning candidates awaiting approval side by side', () => {
  it("keeps an engineer's candidate through a relearn after maintenance; each is approved or discarded on its own", async () => {
    const learning = open();
    const call = gateway(learning);
    const mine = await call<LearnJob>('models.learn', { machine: M, from: T0, to: REPAIR });
    expect(mine).toMatchObject({ origin: 'engineer', startedBy: 'eve' });
    expect(await learning.settled(M)).toMatchObject({ id: mine.id, state: 'candidate' });

    // The bearing is replaced; the ten minutes after it are past on the clock, so the relearn starts at once.
    const after = relearnAfterMaintenance({ machines: [M], learning, reset: () => undefined, now: () => clock, said });
    after.onEvent(bearingReplaced(M, REPAIR, clock));
    const relearned = await after.relearned(M, mine.id);
    after.stop();
    expect(relearned).toMatchObject({
      origin: 'maintenance',
      startedBy: 'maintenance event 7',
      state: 'candidate',
      from: REPAIR,
      to: REPAIR + RELEARN_WINDOW_MS,
    });
    expect(relearned.report?.windows.heldBack).toBeGreaterThan(0);

    // Both wait: the engineer's was not replaced. Newest first on the machine's list; each kept in its own folder.
    const listed = await call<MachineModels>('models.versions', { machine: M });
    expect(listed.candidates.map((c) => [c.id, c.origin, c.state])).toEqual([
      [relearned.id, 'maintenance', 'candidate'],
      [mine.id, 'engineer', 'candidate'],
    ]);
    expect(readdirSync(path.join(kept, learnedName(M))).sort()).toEqual([mine.id, relearned.id].sort());

    // A restart reads both back (checked against their schema and SHA-256), reports included.
    await learning.stop();
    const restarted = open();
    const again = gateway(restarted);
    expect((await again<MachineModels>('models.versions', { machine: M })).candidates).toEqual(
      JSON.parse(JSON.stringify(listed.candidates)),
    );

    // The engineer's is approved while the maintenance one still waits …
    clock += MIN;
    const approved = await again<LearnApproval>('models.learn.approve', { machine: M, job: mine.id });
    expect(approved).toMatchObject({ job: mine.id, model: `${learnedName(M)}@1`, approvedBy: 'eve' });
    expect(svc.latest([M])[0]?.model).toBe(`${learnedName(M)}@1`);
    const waiting = await again<MachineModels>('models.versions', { machine: M });
    expect(waiting.candidates.map((c) => c.id)).toEqual([relearned.id]);
    expect(readdirSync(path.join(kept, learnedName(M)))).toEqual([relearned.id]);
    // … and then discarded on its own: nothing written, the approved version stays active.
    const discarded = await again<LearnJob>('models.learn.discard', { machine: M, job: relearned.id });
    expect(discarded).toMatchObject({ id: relearned.id, origin: 'maintenance', state: 'discarded', message: 'discarded by eve' });
    expect((await again<MachineModels>('models.versions', { machine: M })).candidates).toEqual([]);
    expect(readdirSync(path.join(kept, learnedName(M)))).toEqual([]);
    expect(svc.latest([M])[0]?.model).toBe(`${learnedName(M)}@1`);
    // Each act audited with its own job.
    expect(audit.query({ action: 'models.learn.approve' })[0]).toMatchObject({
      actor: 'eve',
      result: 'ok',
      details: { args: { job: mine.id } },
    });
    expect(audit.query({ action: 'models.learn.discard' })[0]).toMatchObject({
      actor: 'eve',
      result: 'ok',
      details: { args: { job: relearned.id } },
    });
    // Neither can be decided twice.
    await expect(again('models.learn.approve', { machine: M, job: mine.id })).rejects.toThrow('approved, not a candidate');
    await expect(again('models.learn.approve', { machine: M, job: relearned.id })).rejects.toThrow('discarded, not a candidate');
    await restarted.stop();
  });

  it(`keeps at most ${LEARN_LIMITS.candidates} per machine: the oldest is discarded first, said with its origin and period`, async () => {
    const learning = open();
    const call = gateway(learning);
    const jobs: LearnJob[] = [];
    for (let i = 0; i <= LEARN_LIMITS.candidates; i++) {
      clock += 1000;
      const from = T0 + i * 10 * MIN;
      jobs.push(await call<LearnJob>('models.learn', { machine: M, from, to: from + 10 * MIN }));
      expect(await learning.settled(M)).toMatchObject({ state: 'candidate' });
    }
    const [oldest, ...rest] = jobs as [LearnJob, ...LearnJob[]];
    const listed = await call<MachineModels>('models.versions', { machine: M });
    expect(listed.candidates.map((c) => c.id)).toEqual(rest.map((j) => j.id).reverse());
    expect(existsSync(path.join(kept, learnedName(M), oldest.id))).toBe(false);
    expect(readdirSync(path.join(kept, learnedName(M))).sort()).toEqual(rest.map((j) => j.id).sort());
    expect(said).toContain(
      `${M}: learning candidate ${oldest.id} (learned by eve, ${new Date(T0).toISOString()} – ${new Date(T0 + 10 * MIN).toISOString()}) ` +
        `discarded: ${M} keeps at most ${LEARN_LIMITS.candidates} candidates awaiting approval and this was the oldest`,
    );
    await expect(call('models.learn.approve', { machine: M, job: oldest.id })).rejects.toThrow('discarded, not a candidate');
    // The trail has the discard no one asked for, as models.learn.discard with the console as the
    // actor, why, and the candidate's origin and period; the chain still verifies.
    const system = audit.query({ action: 'models.learn.discard', actor: 'system' });
    expect(system).toHaveLength(1);
    expect(system[0]).toMatchObject({
      origin: 'internal',
      target: M,
      result: 'ok',
      ts: clock,
      details: {
        reason: `more than ${LEARN_LIMITS.candidates} candidates for ${M}`,
        candidate: { origin: 'learned by eve', from: new Date(T0).toISOString(), to: new Date(T0 + 10 * MIN).toISOString() },
        args: { machine: M, job: oldest.id },
        result: {
          id: oldest.id,
          state: 'discarded',
          message: `discarded: ${M} keeps at most ${LEARN_LIMITS.candidates} candidates awaiting approval and this was the oldest`,
        },
      },
    });
    expect(audit.verify()).toMatchObject({ ok: true });
    for (const j of rest) await call('models.learn.discard', { machine: M, job: j.id });
    // The engineer's own discards stay theirs: no more written as the console's.
    expect(audit.query({ action: 'models.learn.discard', actor: 'system' })).toHaveLength(1);
    expect(
      audit
        .query({ action: 'models.learn.discard', actor: 'eve' })
        .slice(0, rest.length)
        .map((r) => r.details.args),
    ).toEqual(rest.map((j) => ({ machine: M, job: j.id })).reverse());
    await learning.stop();
  });
});
