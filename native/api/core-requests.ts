import { z } from 'zod';
import type { HttpForms } from './http.js';
import type { CoreInfo } from './types.js';

export const coreRequests = {
  'core.info': z.object({}).strict().default({}),
};

/** How serve mode offers each request over HTTP (native/api/http.ts). */
export const coreHttp = {
  'core.info': { method: 'GET', path: '/api/info' },
} as const satisfies HttpForms<typeof coreRequests>;

export interface CoreResults {
  'core.info': CoreInfo;
}
