// API handlers for the ESG requests declared in native/api/esg-requests.ts.
import type { z } from 'zod';
import type { CallContext } from '../api/contract.js';
import { ESG_LIMITS, type EsgResults, type esgRequests } from '../api/esg-requests.js';
import { ApiFailure } from '../api/registry.js';
import { DeadlineExceeded, runSliced } from '../util/sliced.js';
import { FactorError } from './factors.js';
import type { EsgService } from './service.js';
import { UnitError } from './units.js';

type EsgRequestName = keyof typeof esgRequests;
export type EsgHandlers = {
  [N in EsgRequestName]: (args: z.output<(typeof esgRequests)[N]>, ctx: CallContext) => EsgResults[N] | Promise<EsgResults[N]>;
};

/** The service's own errors (a refused factor correction is worded there, naming each field) as API errors with a kind the transports map to a status. */
function translate(err: unknown): unknown {
  if (err instanceof FactorError || err instanceof UnitError || err instanceof RangeError) return new ApiFailure('validation', err.message);
  if (err instanceof DeadlineExceeded) return new ApiFailure('unavailable', err.message);
  return err;
}

function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw translate(err);
  }
}

/** Long ESG work a week of records at a time, the event loop given back between weeks. */
async function sliced<T>(what: string, steps: () => Generator<void, T>): Promise<T> {
  try {
    return await runSliced(steps(), { what, deadlineMs: ESG_LIMITS.deadlineMs });
  } catch (err) {
    throw translate(err);
  }
}

const span = (a: { from: number; to: number }) => `${new Date(a.from).toISOString()} … ${new Date(a.to).toISOString()}`;

export function esgHandlers(svc: EsgService): EsgHandlers {
  return {
    'esg.summary': (a) => sliced(`the ESG summary over ${span(a)}`, () => svc.summarySteps(a)),
    'esg.series': (a) => sliced(`the ESG series over ${span(a)}`, () => svc.seriesSteps(a)),
    'esg.report': (a) => sliced(`the ESG ${a.period} report from ${a.start}`, () => svc.reportSteps(a)),
    'esg.factors.list': () => svc.factors(),
    // The service checks the correction, with its new version number, against the factor schema.
    'esg.factors.correct': ({ reason, ...factor }, ctx) => guarded(() => svc.correctFactor(factor, reason, ctx.user)),
    'esg.factors.changes': () => svc.factorChanges(),
    'esg.gaps': (a) => svc.gaps(a),
  };
}
