// API handlers of the inference capability, keyed by request name (see native/api/prediction-requests.ts).
import type { z } from 'zod';
import type { CallContext } from '../api/contract.js';
import { type PredictionResults, predictionRequests } from '../api/prediction-requests.js';
import { ApiFailure } from '../api/registry.js';
import { describeError } from '../util/errors.js';
import { DeadlineExceeded } from '../util/sliced.js';
import type { Inference } from './service.js';

type Schemas = typeof predictionRequests;
type Name = keyof Schemas;
type PredictionHandlers = {
  [N in Name]: (args: z.output<Schemas[N]>, ctx: CallContext) => PredictionResults[N] | Promise<PredictionResults[N]>;
};

/**
 * Registry refusals and unknown machines are the caller's problem (409 / 404), not internal errors;
 * learning past its deadline was abandoned (503: the period or the machine is too large for now).
 */
async function asApi<T>(work: () => Promise<T>, type: 'conflict' | 'not_found'): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof DeadlineExceeded) throw new ApiFailure('unavailable', err.message);
    throw new ApiFailure(type, describeError(err));
  }
}

export function predictionHandlers(svc: Inference): PredictionHandlers {
  return {
    'predictions.latest': (args) => svc.latest(args.machines),
    'models.list': () => svc.models(),
    'models.activate': (args) => asApi(() => svc.activate(args.machine, args.model, args.version), 'conflict'),
    'models.rollback': (args) => asApi(() => svc.rollback(args.machine), 'conflict'),
    'models.learn': (args) => asApi(() => svc.learn({ machine: args.machine, tags: args.tags, from: args.from, to: args.to }), 'conflict'),
    'inference.diagnostics': () => svc.diagnostics(),
  };
}

export { predictionRequests };
