// API handlers for the requests declared in native/api/sync-requests.ts.
import type { z } from 'zod';
import type { CallContext } from '../api/contract.js';
import type { SyncResults, syncRequests } from '../api/sync-requests.js';
import type { SyncService } from './service.js';

type SyncRequestName = keyof typeof syncRequests;
export type SyncHandlers = {
  [N in SyncRequestName]: (args: z.output<(typeof syncRequests)[N]>, ctx: CallContext) => SyncResults[N];
};

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
  };
}
