// API handlers for the requests declared in native/api/sync-requests.ts.
import type { z } from 'zod';
import type { CallContext } from '../api/contract.js';
import { ApiFailure } from '../api/registry.js';
import type { SyncResults, syncRequests } from '../api/sync-requests.js';
import { DownlinkError, type ModelDownlink } from './downlink.js';
import type { SyncService } from './service.js';

type SyncRequestName = keyof typeof syncRequests;
export type SyncHandlers = {
  [N in SyncRequestName]: (args: z.output<(typeof syncRequests)[N]>, ctx: CallContext) => SyncResults[N];
};

const who = (ctx: CallContext) => ctx.user ?? `anonymous (${ctx.origin})`;

function downlink(svc: SyncService): ModelDownlink {
  if (!svc.models) throw new ApiFailure('conflict', 'the model downlink is off (sync.downlink.enabled in the site file)');
  return svc.models;
}

function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof DownlinkError) throw new ApiFailure(err.kind, err.message);
    throw err;
  }
}

export function syncHandlers(svc: SyncService): SyncHandlers {
  return {
    'sync.status': () => svc.status(),
    'sync.pause': () => {
      svc.pause();
      return svc.status();
    },
    'sync.resume': () => {
      svc.resume();
      return svc.status();
    },
    'sync.models.list': () => svc.models?.list() ?? [],
    'sync.models.approve': (a, ctx) => guarded(() => downlink(svc).approve(a.name, a.version, who(ctx))),
    'sync.models.reject': (a, ctx) => guarded(() => downlink(svc).reject(a.name, a.version, who(ctx), a.reason)),
  };
}
