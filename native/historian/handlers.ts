// API handlers for the requests declared in native/api/history-requests.ts. Spans, rows and points
// are bounded by the schemas (HISTORY_LIMITS); exports also by per-user quotas and disk headroom.
import type { z } from 'zod';
import type { CallContext } from '../api/contract.js';
import type { HistoryResults, historyRequests } from '../api/history-requests.js';
import { ApiFailure } from '../api/registry.js';
import { EXPORT_QUOTAS, type ExportQuotaLimits, ExportQuotas, ExportRefused } from './export.js';
import type { Historian } from './historian.js';

type HistoryRequestName = keyof typeof historyRequests;
export type HistoryHandlers = {
  [N in HistoryRequestName]: (args: z.output<(typeof historyRequests)[N]>, ctx: CallContext) => HistoryResults[N];
};

/** Unknown tags and export ids are the caller's mistake, not the core's; a refused export says why. */
function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RangeError) throw new ApiFailure('not_found', err.message);
    if (err instanceof ExportRefused) throw new ApiFailure(err.kind, err.message);
    throw err;
  }
}

/** Quotas are per signed-in user; a console without sign-in shares one budget per shell. */
const owner = (ctx: CallContext) => ctx.user ?? `anonymous (${ctx.origin})`;

export function historyHandlers(
  h: Historian,
  quotas: ExportQuotas = new ExportQuotas(h.exportDir, EXPORT_QUOTAS as ExportQuotaLimits),
): HistoryHandlers {
  h.onExport((p) => {
    const user = quotas.ownerOf(p.id);
    if (user !== null) quotas.update(user, p);
  });
  return {
    'history.query': (a) => guarded(() => h.query(a)),
    'history.valueAt': (a) => guarded(() => h.valueAt(a)),
    'history.lastValues': (a) => guarded(() => h.lastValues(a)),
    'history.aggregate': (a) => guarded(() => h.aggregate(a)),
    'history.export': (a, ctx) =>
      guarded(() => {
        const user = owner(ctx);
        quotas.admit(user);
        const p = h.startExport(a);
        quotas.update(user, p);
        return p;
      }),
    'history.exportCancel': (a) => guarded(() => h.cancelExport(a.id)),
    'history.metrics': () => h.metrics(),
  };
}
