// API handlers of the inference capability, keyed by request name (see native/api/prediction-requests.ts).
import type { z } from 'zod';
import type { CallContext } from '../api/contract.js';
import { type PredictionResults, predictionRequests } from '../api/prediction-requests.js';
import { ApiFailure } from '../api/registry.js';
import { describeError } from '../util/errors.js';
import { DeadlineExceeded } from '../util/sliced.js';
import type { Learning } from './learn/jobs.js';
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
async function asApi<T>(work: () => T | Promise<T>, type: 'conflict' | 'not_found'): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof DeadlineExceeded) throw new ApiFailure('unavailable', err.message);
    const message = describeError(err);
    // An unknown machine is not there, whatever the request (404), not a conflict.
    throw new ApiFailure(message.startsWith('no machine named') ? 'not_found' : type, message);
  }
}

export function predictionHandlers(svc: Inference, learning: Learning): PredictionHandlers {
  return {
    'predictions.latest': (args) => svc.latest(args.machines),
    'models.list': () => svc.models(),
    'models.activate': (args) => asApi(() => svc.activate(args.machine, args.model, args.version), 'conflict'),
    'models.rollback': (args) =>
      asApi(() => {
        if (args.model === undefined || args.version === undefined) return svc.rollback(args.machine);
        const key = `${args.model}@${args.version}`;
        const known = learning.versions(args.machine).versions.find((v) => v.key === key);
        if (!known) throw new Error(`${key} is not one of the model versions of ${args.machine} (models.versions lists them)`);
        return svc.activate(args.machine, args.model, args.version);
      }, 'conflict'),
    'models.learn': (args, ctx) => asApi(() => learning.start(args, ctx.user), 'conflict'),
    'models.learn.spans': (args) => asApi(() => learning.spans(args.machine, args.from, args.to), 'conflict'),
    'models.learn.status': (args) => asApi(() => learning.status(args.machine), 'not_found'),
    'models.learn.cancel': (args, ctx) => asApi(() => learning.cancel(args.machine, ctx.user), 'conflict'),
    'models.learn.approve': (args, ctx) => asApi(() => learning.approve(args.machine, args.job, ctx.user), 'conflict'),
    'models.learn.discard': (args, ctx) => asApi(() => learning.discard(args.machine, args.job, ctx.user), 'conflict'),
    'models.versions': (args) => asApi(() => learning.versions(args.machine), 'not_found'),
    'inference.diagnostics': () => svc.diagnostics(),
  };
}

export { predictionRequests };
