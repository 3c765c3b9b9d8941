// Live, versioned configuration: the site file in force and its numbered versions, validating a
// proposed text (the one validator's issues and the diff against the version in force), applying it
// live, comparing any two versions, and rolling back (itself a new version). An apply names the
// version it was made on (baseVersion); when another apply came first it is refused, never merged.
import { z } from 'zod';
import type { HttpForms } from './http.js';
import type { ExportFile } from './types.js';

export const CONFIG_LIMITS = {
  /** Characters of site-file text a request may carry (with its JSON escapes it stays inside the 4 MB body limit). */
  textChars: 2_000_000,
  /** Versions one config.versions page lists. */
  versionsPage: 500,
  /** Renames one apply may name. */
  renames: 10_000,
  /** Characters of a whole-configuration file (config.import): the site file and the displays, as JSON. */
  bundleChars: 2_000_000,
} as const;

const siteText = z
  .string()
  .min(1, 'the site-file text is empty')
  .max(CONFIG_LIMITS.textChars, `the site-file text exceeds the limit of ${CONFIG_LIMITS.textChars.toLocaleString('en-US')} characters`);
const tagPath = z.string().min(1).max(512);
/**
 * Tags that keep their identity under a new name: old path -> new path (Site/Area/Machine/Tag). The
 * tag keeps its id on the bus, its current value and its history; without an entry here a changed
 * name is a removed tag and an added one.
 */
const renames = z
  .record(tagPath, tagPath)
  .refine((r) => Object.keys(r).length <= CONFIG_LIMITS.renames, { message: `at most ${CONFIG_LIMITS.renames} renames in one apply` })
  .default({});
const version = z.number().int().min(1);
const comment = z.string().trim().min(1, 'say in a comment what the change is for').max(2000);

export const configRequests = {
  /** The site file's text in force and its version. */
  'config.current': z.object({}).strict().default({}),
  /** Check a proposed text with the site-file validator; the diff is against the version in force. */
  'config.validate': z.object({ text: siteText, renames }).strict(),
  'config.apply': z.object({ text: siteText, baseVersion: version, comment, renames }).strict(),
  /** Newest first, a page at a time: `before` is the lowest version of the previous page. */
  'config.versions': z
    .object({ limit: z.number().int().min(1).max(CONFIG_LIMITS.versionsPage).default(50), before: version.optional() })
    .strict()
    .default({ limit: 50 }),
  /** One version's full text and what it says of itself. */
  'config.version': z.object({ version }).strict(),
  /** What changed from one version to another (either order). */
  'config.diff': z.object({ from: version, to: version }).strict(),
  /** Put an earlier version's text in force again: a new version, applied live like any apply. */
  'config.rollback': z.object({ version, baseVersion: version, comment }).strict(),
  /** The site file's schema as JSON Schema (the forms' field description, native/site/form-schema.ts). */
  'config.schema': z.object({}).strict().default({}),
  /**
   * The whole configuration as one file, for moving it to another console: the site file (with its
   * model bindings and ESG mapping) and every process display, of the version in force or of `version`.
   */
  'config.export': z.object({ version: version.optional() }).strict().default({}),
  /**
   * A file config.export wrote, checked with the one site-file validator and the display schema and
   * compared with the version in force (diff); with `apply` and no issues it is put in force as a new
   * version made on `baseVersion` (live, like config.apply; its displays written beside the site file).
   */
  'config.import': z
    .object({
      bundle: z
        .string()
        .min(1, 'the configuration file is empty')
        .max(
          CONFIG_LIMITS.bundleChars,
          `the configuration file exceeds the limit of ${CONFIG_LIMITS.bundleChars.toLocaleString('en-US')} characters`,
        ),
      baseVersion: version,
      comment,
      apply: z.boolean().default(false),
    })
    .strict(),
};

/** How serve mode offers each request over HTTP (native/api/http.ts). */
export const configHttp = {
  'config.current': { method: 'GET', path: '/api/config/current' },
  'config.validate': { method: 'POST', path: '/api/config/validate' },
  'config.apply': { method: 'POST', path: '/api/config/apply' },
  'config.versions': { method: 'GET', path: '/api/config/versions' },
  'config.version': { method: 'GET', path: '/api/config/versions/:version' },
  'config.diff': { method: 'GET', path: '/api/config/diff' },
  'config.rollback': { method: 'POST', path: '/api/config/rollback' },
  'config.schema': { method: 'GET', path: '/api/config/schema' },
  'config.export': { method: 'GET', path: '/api/config/export', file: true },
  'config.import': { method: 'POST', path: '/api/config/import' },
} as const satisfies HttpForms<typeof configRequests>;

export interface ConfigVersionInfo {
  version: number;
  /** Who applied it; null for the file as first loaded or changed outside the console. */
  author: string | null;
  /** ms since epoch. */
  at: number;
  comment: string;
  /** initial: the file as first loaded; outside: the file changed outside config.apply. */
  kind: 'initial' | 'apply' | 'rollback' | 'outside';
  /** Tags this version renamed (old path -> new path). */
  renames: Record<string, string>;
}

/** What the site-file diff (native/site/diff.ts) compares, by kind; declared here, below the site floor, so both may use it. */
export type SiteDiffKind =
  | 'site'
  | 'connection'
  | 'template'
  | 'machine'
  | 'tag'
  | 'alarm'
  | 'historian'
  | 'esg'
  | 'models'
  | 'sync'
  | 'maintenance';

export type DiffChange = 'added' | 'removed' | 'changed' | 'renamed';

export interface ConfigDiffEntry {
  /** display: a process display's file (displays/<id>.json), versioned with the site file. */
  kind: SiteDiffKind | 'display';
  name: string;
  change: DiffChange;
  fields?: string[];
  from?: string;
}

export interface ConfigDiff {
  entries: ConfigDiffEntry[];
  /** One sentence per entry. */
  summary: string[];
}

export interface ConfigIssueInfo {
  line: number;
  column: number;
  /** Dotted path of the field (areas[0].machines[1].connection); empty for the file itself. */
  field: string;
  message: string;
  /** "line:col field: message", as check-config prints it. */
  text: string;
}

/** What one capability did with the change. */
export interface ConfigApplied {
  capability: string;
  /** unchanged: its section did not change; restart-needed: it runs on the previous section until it restarts. */
  result: 'unchanged' | 'applied' | 'restart-needed';
  detail: string;
}

export interface ConfigApplyResult {
  version: ConfigVersionInfo;
  diff: ConfigDiff;
  applied: ConfigApplied[];
}

export interface ConfigResults {
  'config.current': { version: ConfigVersionInfo; text: string };
  'config.validate': { valid: boolean; issues: ConfigIssueInfo[]; baseVersion: number; diff: ConfigDiff | null };
  'config.apply': ConfigApplyResult;
  'config.versions': { versions: ConfigVersionInfo[]; total: number };
  'config.version': { version: ConfigVersionInfo; text: string };
  'config.diff': { from: number; to: number; diff: ConfigDiff };
  'config.rollback': ConfigApplyResult;
  'config.schema': FormSchema;
  'config.export': ExportFile;
  'config.import': ConfigImportResult;
}

/** What a whole-configuration file holds, for the preview (counted from its site file and displays). */
export interface ConfigBundleContents {
  /** The site's name in the file, and the version it was exported from on its console. */
  site: string;
  exportedVersion: number;
  exportedAt: string;
  connections: number;
  machines: number;
  tags: number;
  /** Machines with a model bound (models.bindings). */
  modelBindings: number;
  /** ESG meters (esg.meters). */
  esgMeters: number;
  displays: number;
}

export interface ConfigImportResult {
  /** True when the file, its site file and every display are valid. */
  valid: boolean;
  /** The site file's issues as config.validate gives them; the file's and the displays' with field `bundle` / `displays.<id>`. */
  issues: ConfigIssueInfo[];
  /** The version in force it was compared with. */
  baseVersion: number;
  /** What importing it changes (site file and displays); null when it is not valid. */
  diff: ConfigDiff | null;
  contents: ConfigBundleContents | null;
  /** With `apply`: the new version and what each service did (as config.apply answers). */
  outcome: ConfigApplyResult | null;
}

export type FormSchemaType = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';

/** A JSON Schema node as zod writes it (z.toJSONSchema): the parts the console's forms read. */
export interface FormSchema {
  /** One type, or several (z.union of plain types: ["number", "boolean"]). */
  type?: FormSchemaType | FormSchemaType[];
  properties?: Record<string, FormSchema>;
  required?: string[];
  additionalProperties?: boolean | FormSchema;
  items?: FormSchema;
  prefixItems?: FormSchema[];
  oneOf?: FormSchema[];
  anyOf?: FormSchema[];
  const?: string | number | boolean | null;
  enum?: (string | number | boolean | null)[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
}
