import { z } from 'zod';
import type { ConnectionDiagnostics, MachineInfo, TagInfo, TagSnapshot, WriteResult } from './types.js';

export const tagRequests = {
  'tags.list': z.object({}).strict().default({}),
  'tags.snapshot': z
    .object({ names: z.array(z.string()).optional() })
    .strict()
    .default({}),
  /** A setpoint write. `confirmed` records that the operator confirmed it; the core refuses unconfirmed writes. */
  'tags.write': z
    .object({
      tag: z.string().min(1),
      value: z.union([z.number().finite(), z.boolean()]),
      confirmed: z.literal(true, { message: 'a write must be confirmed by the operator' }),
    })
    .strict(),
  'connections.list': z.object({}).strict().default({}),
};

export interface TagResults {
  'tags.list': { tags: TagInfo[]; machines: MachineInfo[] };
  'tags.snapshot': TagSnapshot[];
  'tags.write': WriteResult;
  'connections.list': ConnectionDiagnostics[];
}
