import { z } from 'zod';
import type { CoreInfo } from './types.js';

export const coreRequests = {
  'core.info': z.object({}).strict().default({}),
};

export interface CoreResults {
  'core.info': CoreInfo;
}
