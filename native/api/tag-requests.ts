import { z } from 'zod';
import type { HttpForms } from './http.js';
import type { ConnectionDiagnostics, ExportFile, MachineInfo, TagInfo, TagSnapshot, WriteResult } from './types.js';

/**
 * A tag path as a request names it. Bounded where it enters, so an absurd name is refused with a
 * sentence instead of travelling on into lookups, error messages and the audit trail.
 */
export const MAX_TAG_PATH = 1024;
const tagPath = z.string().min(1).max(MAX_TAG_PATH, `a tag path has at most ${MAX_TAG_PATH} characters`);

export const tagRequests = {
  'tags.list': z.object({}).strict().default({}),
  'tags.snapshot': z
    .object({ names: z.array(z.string()).optional() })
    .strict()
    .default({}),
  /** A setpoint write. `confirmed` records that the operator confirmed it; the core refuses unconfirmed writes. */
  'tags.write': z
    .object({
      tag: tagPath,
      /**
       * Any JSON value is let through here on purpose: the tag's declared type decides what it takes
       * (native/tags/write-check.ts), and only there can a refusal name the tag and its type.
       */
      value: z.unknown().refine((v) => v !== undefined, { message: 'value is required' }),
      confirmed: z.literal(true, { message: 'a write must be confirmed by the operator' }),
    })
    .strict(),
  'connections.list': z.object({}).strict().default({}),
  /** Edit a tag's engineering metadata; written back to the site file (validated, atomic, with a backup). */
  'config.updateTag': z
    .object({
      tag: tagPath,
      changes: z
        .object({
          description: z.string().max(256).optional(),
          unit: z.string().max(32).optional(),
          range: z.tuple([z.number().finite(), z.number().finite()]).nullable().optional(),
          writable: z.boolean().optional(),
          writeLimits: z.tuple([z.number().finite(), z.number().finite()]).nullable().optional(),
        })
        .strict()
        .refine((c) => Object.keys(c).length > 0, { message: 'nothing to change' })
        .refine((c) => !c.range || c.range[0] < c.range[1], { message: 'range must be [low, high] with low < high', path: ['range'] }),
    })
    .strict(),
  /** A tag list as Kepware-style CSV or as JSON site-file entries, for one machine or the whole site. */
  'config.exportTags': z.object({ machine: z.string().min(1).optional(), format: z.enum(['csv', 'json']).default('csv') }).strict(),
  /**
   * Import a tag list into a machine's own tags: every row validated and reported with its line;
   * with `apply` and no errors it is written to the site file (effective at the next start).
   */
  'config.importTags': z
    .object({
      machine: z.string().min(1),
      format: z.enum(['csv', 'json']),
      text: z.string().max(20_000_000),
      apply: z.boolean().default(false),
    })
    .strict(),
  /** Values pushed by sensors and gateways (serve mode: POST /api/ingest); items are validated one by one. */
  'tags.ingest': z.object({ items: z.array(z.unknown()).min(1).max(10_000) }).strict(),
};

/** How serve mode offers each request over HTTP (native/api/http.ts). */
export const tagHttp = {
  'tags.list': { method: 'GET', path: '/api/tags/meta' },
  'tags.snapshot': { method: 'GET', path: '/api/tags' },
  'tags.write': { method: 'POST', path: '/api/tags/write' },
  'connections.list': { method: 'GET', path: '/api/connections' },
  'config.updateTag': { method: 'POST', path: '/api/config/tag' },
  'config.exportTags': { method: 'GET', path: '/api/config/tags.:format(csv|json)', file: true },
  'config.importTags': { method: 'POST', path: '/api/config/tags/import' },
  // Answered once the accepted samples are committed; a full queue takes nothing and says when to retry.
  'tags.ingest': {
    method: 'POST',
    path: '/api/ingest',
    status: 202,
    arrayBody: 'items',
    retryAfter: { field: 'retryAfterS', message: 'ingest queue full, retry later' },
  },
} as const satisfies HttpForms<typeof tagRequests>;

export interface TagResults {
  'tags.list': { tags: TagInfo[]; machines: MachineInfo[] };
  'tags.snapshot': TagSnapshot[];
  'tags.write': WriteResult;
  'connections.list': ConnectionDiagnostics[];
  'tags.ingest': IngestOutcome;
  'config.updateTag': { changed: TagInfo[]; file: string; backup: string };
  'config.exportTags': ExportFile;
  'config.importTags': { tags: number; issues: { line: number; column: string; message: string }[]; applied: boolean; added: string[] };
}

export interface IngestOutcome {
  accepted: number;
  /** Items refused, by index in the request, with the reason. */
  rejected: { index: number; ok: boolean; error?: string }[];
  /** Set when the ingest queue is full: nothing of this push was taken; retry after this many seconds. */
  retryAfterS?: number;
}
