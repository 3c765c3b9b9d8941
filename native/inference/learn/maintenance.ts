// After maintenance that resets a machine's baseline (a repair, a new bearing): the machine's model
// starts afresh at once (its window and alarm rule: the old episode's scores say nothing about the
// new part), and after the first ten minutes of operation a new model is learned from them as a
// candidate with its report, activated only when an engineer approves it (models.learn.approve,
// audited), like one learned from the console. Until then the machine keeps the model it had.
import type { OperationalEvent } from '../../api/alarm-requests.js';
import { describeError } from '../../util/errors.js';
import type { Learning } from './jobs.js';

/** Operation after the event from which the new model is learned. */
export const RELEARN_WINDOW_MS = 10 * 60_000;

export interface AfterMaintenanceDeps {
  /** Machines with a model (others are left alone). */
  machines: ReadonlySet<string>;
  learning: Learning;
  /** Start the machine's model afresh (service.ts `reset`). */
  reset(machine: string, why: string): void;
  now: () => number;
  say(level: 'info' | 'warning', message: string): void;
}

/** The maintenance listener and a stop() that drops the relearns still waiting. */
export function afterMaintenance(deps: AfterMaintenanceDeps): { onEvent: (e: OperationalEvent) => void; stop: () => void } {
  const timers = new Set<NodeJS.Timeout>();
  const relearn = (e: OperationalEvent, at: number) => {
    const machine = e.machine;
    try {
      const job = deps.learning.start({ machine, from: at, to: at + RELEARN_WINDOW_MS }, `maintenance event ${e.id}`, 'maintenance');
      void deps.learning.settled(machine).then((end) => {
        if (end?.id !== job.id) return;
        if (end.state === 'candidate')
          deps.say('info', `${machine}: a model learned after maintenance event ${e.id} awaits approval (job ${job.id}, machine screen)`);
        else
          deps.say(
            'warning',
            `${machine}: learning after maintenance event ${e.id} ended ${end.state}: ${end.message ?? 'no reason given'}`,
          );
      });
    } catch (err) {
      deps.say('warning', `${machine}: learning after maintenance event ${e.id} was not started: ${describeError(err)}`);
    }
  };
  return {
    onEvent(e) {
      if (!e.resetsBaseline || !deps.machines.has(e.machine)) return;
      const at = Date.parse(e.at);
      deps.reset(e.machine, `maintenance event ${e.id} (${e.what})`);
      const timer = setTimeout(
        () => {
          timers.delete(timer);
          relearn(e, at);
        },
        Math.max(0, at + RELEARN_WINDOW_MS - deps.now()),
      );
      timer.unref();
      timers.add(timer);
    },
    stop() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
