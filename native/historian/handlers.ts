// API handlers for the requests declared in native/api/history-requests.ts.
import type { z } from 'zod';
import type { CallContext } from '../api/contract.js';
import type { HistoryResults, historyRequests } from '../api/history-requests.js';
import { ApiFailure } from '../api/registry.js';
import type { Historian } from './historian.js';

type HistoryRequestName = keyof typeof historyRequests;
export type HistoryHandlers = {
  [N in HistoryRequestName]: (args: z.output<(typeof historyRequests)[N]>, ctx: CallContext) => HistoryResults[N];
};

/** Unknown tags and export ids are the caller's mistake, not the core's. */
function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RangeError) throw new ApiFailure('not_found', err.message);
    throw err;
  }
}

export function historyHandlers(h: Historian): HistoryHandlers {
  return {
    'history.query': (a) => guarded(() => h.query(a)),
    'history.valueAt': (a) => guarded(() => h.valueAt(a)),
    'history.aggregate': (a) => guarded(() => h.aggregate(a)),
    'history.export': (a) => guarded(() => h.startExport(a)),
    'history.exportCancel': (a) => guarded(() => h.cancelExport(a.id)),
    'history.metrics': () => h.metrics(),
  };
}
