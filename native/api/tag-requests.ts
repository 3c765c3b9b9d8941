import { z } from 'zod';
import type { ConfigApplyResult, ConfigDiff, ConfigVersionInfo } from './config-requests.js';
import type { HttpForms } from './http.js';
import { overLimit } from './limits.js';
import type { ConnectionDiagnostics, ExportFile, MachineInfo, TagInfo, TagSnapshot, WriteResult } from './types.js';

/**
 * A tag path as a request names it. Bounded where it enters, so an absurd name is refused with a
 * sentence instead of travelling on into lookups, error messages and the audit trail.
 */
export const MAX_TAG_PATH = 1024;
const tagPath = z.string().min(1).max(MAX_TAG_PATH, `a tag path has at most ${MAX_TAG_PATH} characters`);

/** Timestamp precisions of POST /api/write (`?precision=`, InfluxDB 1.x names; ns when absent). */
export const PRECISIONS = ['ns', 'n', 'u', 'us', 'ms', 's', 'm', 'h'] as const;
export type Precision = (typeof PRECISIONS)[number];

/**
 * What one push may hold, in each form, checked before any of it is looked at (docs/api.md
 * "Limits"). The body itself is bounded first by the server (4 MB with a session).
 */
export const INGEST_LIMITS = {
  /** JSON items of one POST /api/ingest. */
  items: 10_000,
  /** Samples of one columnar push (POST /api/ingest/series), all series together. */
  seriesSamples: 10_000,
  /** Lines of one line-protocol push (POST /api/write), blank and comment lines included. */
  lines: 10_000,
  /** Characters of one line-protocol body, after a gzip Content-Encoding is undone. */
  lineChars: 4 * 1024 * 1024,
  /**
   * Fields of one line-protocol line (each is a sample). Checked per line as the line is read, not
   * before: a line with more is refused by its number, the other lines are stored.
   */
  fieldsPerLine: 1_000,
} as const;

const QUALITY_NAMES_IN = ['Good', 'Uncertain', 'Bad'] as const;

/** One tag's samples in the columnar form: `t[k]`, `v[k]` (and `q[k]`, or one `q` for all) are sample k. */
export interface IngestSeries {
  tag: string;
  t: unknown[];
  v: unknown[];
  q?: string | unknown[];
}

/** An array taken as it is (its items are checked one by one by the ingest driver, with their position). */
const anyArray = (what: string) => z.custom<unknown[]>((x) => Array.isArray(x), { message: `${what} must be an array` });

/** Lines in a text (a last line without its newline counts), stopping once past `max`. */
function countLines(text: string, max: number): number {
  let n = 0;
  for (let at = text.indexOf('\n'); at !== -1 && n <= max; at = text.indexOf('\n', at + 1)) n++;
  return n > max || text.endsWith('\n') ? n : n + 1;
}

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
  /**
   * Edit a tag's engineering metadata, applied through config.apply like any edit: validated, a new
   * version by the caller (`comment`, by default one naming the tag and the fields), made on
   * `baseVersion` (by default the version in force; a stale one is refused), written back to the
   * site file and put in force live. A tag made from a template needs `scope`: `template` changes
   * the template's tag (every machine made from it), `machine` this machine's override only;
   * without it the edit is refused.
   */
  'config.updateTag': z
    .object({
      tag: tagPath,
      scope: z.enum(['template', 'machine']).optional(),
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
      baseVersion: z.number().int().min(1).optional(),
      comment: z.string().trim().min(1, 'say in a comment what the edit is for').max(2000).optional(),
    })
    .strict(),
  /** A tag list as Kepware-style CSV or as JSON site-file entries, for one machine or the whole site. */
  'config.exportTags': z.object({ machine: z.string().min(1).optional(), format: z.enum(['csv', 'json']).default('csv') }).strict(),
  /**
   * Import a tag list into a machine's own tags: every row validated and reported with its line,
   * then the whole site file with the one validator, and the diff against the version in force
   * shown; with `apply` and no errors it goes through config.apply: a new version (author,
   * `comment`, made on `baseVersion`, by default the version in force), applied live.
   */
  'config.importTags': z
    .object({
      machine: z.string().min(1),
      format: z.enum(['csv', 'json']),
      text: z.string().max(20_000_000),
      apply: z.boolean().default(false),
      baseVersion: z.number().int().min(1).optional(),
      comment: z.string().trim().min(1, 'say in a comment what the import is for').max(2000).optional(),
    })
    .strict(),
  /** Values pushed by sensors and gateways (serve mode: POST /api/ingest); items are validated one by one. */
  'tags.ingest': z.object({ items: z.array(z.unknown()).min(1).max(INGEST_LIMITS.items) }).strict(),
  /**
   * The columnar form of tags.ingest: per tag, its times and values side by side (and qualities,
   * one for all or one per sample); each sample is checked as an item is.
   */
  'tags.ingestSeries': z
    .object({
      series: z
        .array(
          z
            .object({
              tag: tagPath,
              t: anyArray('t'),
              v: anyArray('v'),
              q: z.union([z.enum(QUALITY_NAMES_IN), anyArray('q')]).optional(),
            })
            .strict(),
        )
        .min(1)
        .max(INGEST_LIMITS.seriesSamples),
    })
    .strict()
    .superRefine((a, ctx) => {
      let samples = 0;
      a.series.forEach((s, i) => {
        samples += s.v.length;
        if (s.t.length !== s.v.length)
          ctx.addIssue({
            code: 'custom',
            path: ['series', i, 't'],
            message: `series ${i} (${s.tag}) has ${s.t.length} times and ${s.v.length} values; give one time per value`,
          });
        else if (Array.isArray(s.q) && s.q.length !== s.v.length)
          ctx.addIssue({
            code: 'custom',
            path: ['series', i, 'q'],
            message: `series ${i} (${s.tag}) has ${s.q.length} qualities and ${s.v.length} values; give one quality per value, or one for all`,
          });
        else if (s.v.length === 0)
          ctx.addIssue({ code: 'custom', path: ['series', i, 'v'], message: `series ${i} (${s.tag}) has no samples` });
      });
      if (samples > INGEST_LIMITS.seriesSamples)
        ctx.addIssue({
          code: 'custom',
          path: ['series'],
          message: overLimit('tags.ingestSeries', 'samples', samples, INGEST_LIMITS.seriesSamples, 'send them in several pushes'),
        });
    }),
  /**
   * InfluxDB 1.x line protocol (serve mode: POST /api/write), stored as the tags its connection's
   * `lineProtocol` rule names; lines are checked one by one and refused by line number.
   */
  'tags.ingestLines': z
    .object({
      text: z
        .string()
        .min(1, 'the body holds no lines')
        .max(INGEST_LIMITS.lineChars, `a line-protocol body has at most ${INGEST_LIMITS.lineChars.toLocaleString('en-US')} characters`)
        .superRefine((text, ctx) => {
          const lines = countLines(text, INGEST_LIMITS.lines);
          if (lines > INGEST_LIMITS.lines)
            ctx.addIssue({
              code: 'custom',
              message: overLimit('tags.ingestLines', 'lines', lines, INGEST_LIMITS.lines, 'send them in several pushes'),
            });
        }),
      precision: z.enum(PRECISIONS).default('ns'),
      /** The ingest connection whose rule names the tags (`?db=`); may be left out when one connection takes line protocol. */
      connection: z.string().min(1).max(256).optional(),
    })
    .strict(),
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
  'tags.ingestSeries': {
    method: 'POST',
    path: '/api/ingest/series',
    status: 202,
    retryAfter: { field: 'retryAfterS', message: 'ingest queue full, retry later' },
  },
  // Its HTTP route is POST /api/write (native/server/influx.ts): a text body and InfluxDB's answers, not a JSON request.
  'tags.ingestLines': 'call',
} as const satisfies HttpForms<typeof tagRequests>;

export interface TagResults {
  'tags.list': { tags: TagInfo[]; machines: MachineInfo[] };
  'tags.snapshot': TagSnapshot[];
  'tags.write': WriteResult;
  'connections.list': ConnectionDiagnostics[];
  'tags.ingest': IngestOutcome;
  'tags.ingestSeries': IngestOutcome;
  'tags.ingestLines': IngestLinesOutcome;
  /** `version`: the version the edit made (null when the edit changed nothing in the file). */
  'config.updateTag': { changed: TagInfo[]; file: string; backup: string; version: ConfigVersionInfo | null };
  'config.exportTags': ExportFile;
  'config.importTags': {
    tags: number;
    /** Per row (line of the list); issues of the whole site file have line 0 and the field as column. */
    issues: { line: number; column: string; message: string }[];
    applied: boolean;
    added: string[];
    /** The version the import was checked against (config.validate's baseVersion). */
    baseVersion: number;
    /** What the import changes against the version in force; null when the list has errors. */
    diff: ConfigDiff | null;
    /** With `apply`: config.apply's answer (the new version, its diff, what each service did). */
    outcome: ConfigApplyResult | null;
  };
}

export interface IngestOutcome {
  accepted: number;
  /** Items refused, by index in the request, with the reason. */
  rejected: { index: number; ok: boolean; error?: string }[];
  /** Set when the ingest queue is full: nothing of this push was taken; retry after this many seconds. */
  retryAfterS?: number;
}

export interface IngestLinesOutcome {
  /** Samples (fields) stored. */
  accepted: number;
  /** Lines refused, by line number (1 = the body's first line), with the cause; nothing of them is stored. */
  rejected: { line: number; error: string }[];
  /** Set when the ingest queue is full: nothing of this push was taken; retry after this many seconds. */
  retryAfterS?: number;
}
