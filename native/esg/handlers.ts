// API handlers for the ESG requests declared in native/api/esg-requests.ts.
import { ZodError, type z } from 'zod';
import type { CallContext } from '../api/contract.js';
import type { EsgResults, esgRequests } from '../api/esg-requests.js';
import { ApiFailure } from '../api/registry.js';
import { FactorError } from './factors.js';
import type { EsgService } from './service.js';
import { UnitError } from './units.js';

type EsgRequestName = keyof typeof esgRequests;
export type EsgHandlers = {
  [N in EsgRequestName]: (args: z.output<(typeof esgRequests)[N]>, ctx: CallContext) => EsgResults[N];
};

/** Turn the service's own errors into API errors with a kind the transports map to a status. */
function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof FactorError || err instanceof UnitError || err instanceof RangeError)
      throw new ApiFailure('validation', err.message);
    if (err instanceof ZodError) throw new ApiFailure('validation', err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    throw err;
  }
}

export function esgHandlers(svc: EsgService): EsgHandlers {
  return {
    'esg.summary': (a) => svc.summary(a),
    'esg.series': (a) => svc.series(a),
    'esg.report': (a) => guarded(() => svc.report(a)),
    'esg.factors.list': () => svc.factors(),
    'esg.factors.correct': ({ reason, ...factor }, ctx) => guarded(() => svc.correctFactor(factor, reason, ctx.user)),
    'esg.factors.changes': () => svc.factorChanges(),
    'esg.gaps': (a) => svc.gaps(a),
  };
}
