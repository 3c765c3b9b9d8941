// API handlers for the alarm and maintenance-log requests declared in native/api/alarm-requests.ts.
import type { z } from 'zod';
import { ALARM_LIMITS, type AlarmResults, type alarmRequests, EVENT_LIMITS } from '../api/alarm-requests.js';
import type { CallContext } from '../api/contract.js';
import { describeCount } from '../api/limits.js';
import { ApiFailure } from '../api/registry.js';
import { MaintenanceError, type MaintenanceLog } from '../maintenance/log.js';
import { DeadlineExceeded, runSliced } from '../util/sliced.js';
import { AlarmNotFoundError, type AlarmService, AlarmStateError } from './service.js';

type AlarmRequestName = keyof typeof alarmRequests;
export type AlarmHandlers = {
  [N in AlarmRequestName]: (args: z.output<(typeof alarmRequests)[N]>, ctx: CallContext) => AlarmResults[N] | Promise<AlarmResults[N]>;
};

/** Turn the services' own errors into API errors with a kind the transports map to a status. */
async function guarded<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AlarmNotFoundError) throw new ApiFailure('not_found', err.message);
    if (err instanceof AlarmStateError) throw new ApiFailure('conflict', err.message);
    if (err instanceof MaintenanceError) throw new ApiFailure('validation', err.message);
    if (err instanceof DeadlineExceeded) throw new ApiFailure('unavailable', err.message);
    throw err;
  }
}

/** ISA-18.2 wants every action attributed; a console without sign-in records the shell it came from. */
const who = (ctx: CallContext) => ctx.user ?? `anonymous (${ctx.origin})`;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function alarmHandlers(svc: AlarmService, maintenance: MaintenanceLog): AlarmHandlers {
  return {
    'alarms.list': (a) => svc.list(a.states),
    'alarms.ack': (a, ctx) => guarded(() => svc.ack(a.ids, who(ctx), a.comment)),
    'alarms.shelve': (a, ctx) => guarded(() => svc.shelve(a.id, a.minutes, a.reason, who(ctx), a.oneShot)),
    'alarms.unshelve': (a, ctx) => guarded(() => svc.unshelve(a.id, who(ctx))),
    'alarms.outOfService': (a, ctx) => guarded(() => svc.outOfService(a.id, who(ctx), a.reason, a.wholeTag)),
    'alarms.returnToService': (a, ctx) => guarded(() => svc.returnToService(a.id, who(ctx), a.wholeTag)),
    'alarms.journal': (a) => svc.journal(a),
    'alarms.export': (a) => {
      // A probe before the export: is there an entry past the limit? SQLite skips the rows before it
      // without handing them over, so a journal too large for one file is refused unread.
      if (svc.journal({ ...a, limit: 1, offset: ALARM_LIMITS.exportRows }).length > 0)
        throw new ApiFailure(
          'validation',
          `the journal holds more than ${describeCount(ALARM_LIMITS.exportRows, 'entries')} in this range, the limit of rows for alarms.export; narrow the range or filter`,
        );
      return guarded(async () => ({
        filename: `alarm-journal-${day(a.from ?? Date.now())}.csv`,
        contentType: 'text/csv; charset=utf-8',
        body: await runSliced(svc.exportJournalCsvSteps(a), {
          what: 'the alarm journal export',
          deadlineMs: ALARM_LIMITS.exportDeadlineMs,
        }),
      }));
    },
    'alarms.kpis': (a) => guarded(() => svc.kpis(a.from, a.to)),
    'events.list': (a) => maintenance.list(a),
    'events.record': (a, ctx) => guarded(() => maintenance.record(a, who(ctx))),
    'events.export': (a) =>
      guarded(async () => ({
        filename: a.of === 'requests' ? 'maintenance-requests.csv' : `operational-events-${day(a.from ?? Date.now())}.csv`,
        contentType: 'text/csv; charset=utf-8',
        body:
          a.of === 'requests'
            ? maintenance.exportRequestsCsv(a.machine)
            : await runSliced(maintenance.exportCsvSteps(a), {
                what: 'the maintenance log export',
                deadlineMs: EVENT_LIMITS.exportDeadlineMs,
              }),
      })),
    'maintenance.request': (a, ctx) => guarded(() => maintenance.request(a, who(ctx))),
    'maintenance.requests': (a) => maintenance.requests(a),
  };
}
