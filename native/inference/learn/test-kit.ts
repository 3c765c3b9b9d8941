// What the learning tests (jobs.test, pending.test) set up alike: the inference service and audit
// trail a Learning approves into, its requests through the permission gate and the recorder, and the relearn after maintenance — the maintenance event that
// resets a machine's baseline, the listener of learn/maintenance.ts over a Learning, and a bounded
// wait for the relearn it starts to end.
import path from 'node:path';
import type { OperationalEvent } from '../../api/alarm-requests.js';
import type { LearnJob } from '../../api/prediction-requests.js';
import { HandlerRegistry } from '../../api/registry.js';
import type { TagInfo } from '../../api/types.js';
import { type AuditLog, openAuditLog } from '../../auth/audit.js';
import { authGate } from '../../auth/permissions.js';
import { auditedCall, type Call } from '../../auth/recorder.js';
import { TagBus } from '../../tags/bus.js';
import { openSqlite } from '../../util/sqlite.js';
import { predictionHandlers } from '../handlers.js';
import { type Inference, openInference } from '../service.js';
import type { Learning } from './jobs.js';
import { afterMaintenance } from './maintenance.js';

/**
 * The inference service on no machine (models are activated by approving learned ones), shipped
 * models from <dir>/shipped and learned ones in <dir>/data/models, and an audit trail in <dir>, on the test's clock.
 */
export async function learningParts(
  dir: string,
  tags: readonly TagInfo[],
  now: () => number,
): Promise<{ svc: Inference; audit: AuditLog }> {
  const svc = await openInference({
    modelsDir: path.join(dir, 'shipped'),
    dataDir: path.join(dir, 'data'),
    bus: new TagBus([...tags]),
    machines: [],
    onPrediction: () => undefined,
    onSystemMessage: () => undefined,
  });
  return { svc, audit: openAuditLog(openSqlite(path.join(dir, 'audit.db')), { now }) };
}

/** The model requests of `svc` and `learning` as a transport calls them: through the permission gate, state changes recorded in `audit`. */
export function auditedRequests(svc: Inference, learning: Learning, audit: AuditLog): Call {
  const registry = new HandlerRegistry();
  registry.setGate(authGate);
  registry.register(predictionHandlers(svc, learning));
  return auditedCall(registry.call.bind(registry), audit);
}

/** Maintenance event 7: olga replaced the bearing of `machine` at `at`; `over` sets what a test varies (downtime, whether it resets the baseline). */
export function bearingReplaced(machine: string, at: number, recordedAt: number, over: Partial<OperationalEvent> = {}): OperationalEvent {
  return {
    id: 7,
    machine,
    kind: 'repair',
    at: new Date(at).toISOString(),
    recordedAt: new Date(recordedAt).toISOString(),
    user: 'olga',
    what: 'bearing replaced',
    parts: [],
    downtimeMin: 0,
    resetsBaseline: true,
    alarmId: null,
    ...over,
  };
}

export interface Relearning {
  onEvent(e: OperationalEvent): void;
  stop(): void;
  /**
   * The machine's job once the relearn has started (its latest job is no longer `before`, the id it
   * had, or null) and ended; refused when it has not started within 1,000 turns of 1 ms.
   */
  relearned(machine: string, before: string | null): Promise<LearnJob>;
}

/** The maintenance listener over `learning` for `machines`, on the test's clock; what it says is pushed to `said`. */
export function relearnAfterMaintenance(opts: {
  machines: readonly string[];
  learning: Learning;
  reset: (machine: string, why: string) => void;
  now: () => number;
  said: string[];
}): Relearning {
  const after = afterMaintenance({
    machines: new Set(opts.machines),
    learning: opts.learning,
    reset: opts.reset,
    now: opts.now,
    say: (_level, m) => opts.said.push(m),
  });
  return {
    onEvent: after.onEvent,
    stop: after.stop,
    async relearned(machine, before) {
      const latest = () => opts.learning.status(machine)?.id ?? null;
      // The relearn starts on a timer of 0 ms once the ten minutes after the event are past on the clock.
      for (let i = 0; i < 1000 && latest() === before; i++) await new Promise((r) => setTimeout(r, 1));
      if (latest() === before) throw new Error(`no relearn of ${machine} started after the maintenance event`);
      return (await opts.learning.settled(machine)) as LearnJob;
    },
  };
}
