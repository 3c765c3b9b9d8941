// The whole configuration as one file (config.export / config.import, issue 18 point 6): the site
// file — with its model bindings (models.bindings) and ESG mapping (esg:) — and every process
// display and display template, for moving a configuration between consoles. An import is checked with the one site-file
// validator and the display schema, compared with the version in force (diff), and put in force
// through config.apply: a new version (author, comment, base version), applied live, audited.
import path from 'node:path';
import { z } from 'zod';
import type { ConfigBundleContents, ConfigImportResult, ConfigIssueInfo } from '../api/config-requests.js';
import type { Handlers } from '../api/contract.js';
import { ApiFailure } from '../api/registry.js';
import type { ExportFile } from '../api/types.js';
import type { DisplaySnapshot } from '../displays/save.js';
import { DISPLAY_LIMITS, parseDisplay, parseTemplate } from '../displays/schema.js';
import { describeValue, describeZodIssue, fieldPath } from '../util/describe.js';
import { describeError } from '../util/errors.js';
import type { LiveConfig } from './apply.js';
import {
  configSnapshot,
  diffConfigSnapshots,
  joinSnapshot,
  restoreConfigSnapshot,
  splitSnapshot,
  withTemplates,
} from './config-snapshot.js';
import type { SiteModel } from './model.js';

export const BUNDLE_FORMAT = 'aurum-configuration';
export const BUNDLE_FORMAT_VERSION = 1;

const bundleSchema = z
  .object({
    format: z.literal(BUNDLE_FORMAT, { message: `not a configuration file of the console (format must be "${BUNDLE_FORMAT}")` }),
    formatVersion: z.literal(BUNDLE_FORMAT_VERSION, { message: `format version ${BUNDLE_FORMAT_VERSION} is the one this console reads` }),
    exportedAt: z.string().max(64),
    /** The version it was exported from on its console (informative: versions are per console). */
    exportedVersion: z.number().int().min(1),
    site: z.object({ name: z.string().max(256), text: z.string().min(1, 'the site file in it is empty') }).strict(),
    displays: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a display id: lower-case letters, digits and dashes'), z.string())
      .refine((d) => Object.keys(d).length <= DISPLAY_LIMITS.displays, { message: `at most ${DISPLAY_LIMITS.displays} displays` }),
    /** The display templates (displays/templates/<id>.json) by id; absent in a file exported before they were carried: the templates are left as they are. */
    templates: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a display template id: lower-case letters, digits and dashes'), z.string())
      .refine((d) => Object.keys(d).length <= DISPLAY_LIMITS.templates, {
        message: `at most ${DISPLAY_LIMITS.templates} display templates`,
      })
      .optional(),
  })
  .strict();

type Bundle = z.output<typeof bundleSchema>;

const fileIssue = (field: string, message: string): ConfigIssueInfo => ({
  line: 1,
  column: 1,
  field,
  message,
  text: `${field}: ${message}`,
});

/**
 * A file that fails the bundle's schema: each problem a sentence naming the file and the field,
 * never zod's wording. The format's own sentence ("not a configuration file of the console") is kept
 * as it is: it says more than the value the field must hold.
 */
function bundleIssues(error: z.ZodError, raw: unknown): ConfigIssueInfo[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'invalid_value' && issue.values.length === 1 && !issue.message.startsWith('Invalid'))
      return [fileIssue(['bundle', ...issue.path.map(String)].join('.'), issue.message)];
    return describeZodIssue(issue, bundleSchema, raw).map((d) => {
      const field = fieldPath(d.path);
      const at = field === '' ? 'bundle' : `bundle.${field}`;
      if (d.key) {
        const parent = fieldPath(d.path.slice(0, -1));
        return fileIssue(at, `in the configuration file${parent === '' ? '' : `'s "${parent}"`}, ${d.message}`);
      }
      return fileIssue(at, `the configuration file's "${field}" ${d.own ? `is refused: ${d.message}` : d.message}`);
    });
  });
}

function contentsOf(b: Bundle, m: SiteModel | null): ConfigBundleContents {
  return {
    site: m?.site.name ?? b.site.name,
    exportedVersion: b.exportedVersion,
    exportedAt: b.exportedAt,
    connections: m?.connections.length ?? 0,
    machines: m?.machines.length ?? 0,
    tags: m?.tags.length ?? 0,
    modelBindings: m?.raw.models?.bindings.length ?? 0,
    esgMeters: m?.raw.esg?.meters.length ?? 0,
    displays: Object.keys(b.displays).length,
  };
}

export function bundleHandlers(live: LiveConfig): Pick<Handlers, 'config.export' | 'config.import'> {
  const dir = () => live.displaysDir;
  /** The displays and templates of a version as recorded with it, or (never recorded yet) as the files are. */
  const displaysAt = (version: number, inForce: number): DisplaySnapshot => {
    const had = live.versions.displaysOf(version);
    if (version === inForce) return had ? withTemplates(had, configSnapshot(dir())) : configSnapshot(dir());
    return had ?? {};
  };

  const exportBundle: Handlers['config.export'] = ({ version }): ExportFile => {
    const inForce = live.current();
    const v = version === undefined ? inForce : live.version(version);
    const bundle: Bundle = {
      format: BUNDLE_FORMAT,
      formatVersion: BUNDLE_FORMAT_VERSION,
      exportedAt: new Date().toISOString(),
      exportedVersion: v.version,
      site: { name: path.basename(live.model.file), text: v.text },
      ...(() => {
        const s = splitSnapshot(displaysAt(v.version, inForce.version));
        return s.templates ? { displays: s.displays, templates: s.templates } : { displays: s.displays };
      })(),
    };
    const base = live.model.site.name.replace(/[^A-Za-z0-9._-]+/g, '_');
    return {
      filename: `${base}-configuration-v${v.version}.json`,
      contentType: 'application/json',
      body: `${JSON.stringify(bundle, null, 2)}\n`,
    };
  };

  const importBundle: Handlers['config.import'] = async (
    { bundle: text, baseVersion, comment, apply },
    ctx,
  ): Promise<ConfigImportResult> => {
    const inForce = live.current();
    const refused = (issues: ConfigIssueInfo[], contents: ConfigBundleContents | null = null): ConfigImportResult => ({
      valid: false,
      issues,
      baseVersion: inForce.version,
      diff: null,
      contents,
      outcome: null,
    });
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      return refused([fileIssue('bundle', `the configuration file is not JSON (${describeError(err)})`)]);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      return refused([
        fileIssue(
          'bundle',
          `the configuration file must be a JSON object with format, formatVersion, site and displays, but it is ${describeValue(raw)}`,
        ),
      ]);
    const parsed = bundleSchema.safeParse(raw);
    if (!parsed.success) return refused(bundleIssues(parsed.error, raw));
    const b = parsed.data;
    const issues: ConfigIssueInfo[] = [];
    for (const [id, t] of Object.entries(b.displays)) {
      if (Buffer.byteLength(t) > DISPLAY_LIMITS.fileBytes) {
        issues.push(fileIssue(`displays.${id}`, `larger than ${DISPLAY_LIMITS.fileBytes} bytes`));
        continue;
      }
      const d = parseDisplay(t, `displays/${id}.json`);
      if (!d.ok) for (const p of d.problems) issues.push(fileIssue(`displays.${id}`, p));
      else if (d.display.id !== id) issues.push(fileIssue(`displays.${id}`, `the display inside says id "${d.display.id}"`));
    }
    for (const [id, t] of Object.entries(b.templates ?? {})) {
      const shownFile = `displays/templates/${id}.json`;
      const d = parseTemplate(t, shownFile);
      if (!d.ok) for (const p of d.problems) issues.push(fileIssue(`templates.${id}`, p));
      else if (d.template.id !== id)
        issues.push(fileIssue(`templates.${id}`, `${shownFile}: id: the display template inside says id "${d.template.id}"`));
    }
    const { answer: site, model: checked } = live.check(b.site.text, {});
    issues.push(...site.issues);
    const model = site.valid ? checked : null;
    const contents = contentsOf(b, model);
    if (issues.length > 0 || !site.diff) return refused(issues, contents);
    const have = displaysAt(inForce.version, inForce.version);
    // Without templates in the file (exported before they were carried) the templates are kept as
    // the files hold them (one edited on disk since the last version is recorded as it is, not undone).
    const next = joinSnapshot(b.displays, b.templates ?? splitSnapshot(configSnapshot(dir())).templates ?? {});
    const shown = diffConfigSnapshots(have, next);
    const diff = { entries: [...site.diff.entries, ...shown.entries], summary: [...site.diff.summary, ...shown.summary] };
    const answer: ConfigImportResult = { valid: true, issues: [], baseVersion: inForce.version, diff, contents, outcome: null };
    if (!apply) return answer;
    if (diff.entries.length === 0 && b.site.text === inForce.text)
      throw new ApiFailure('validation', `the file holds version ${inForce.version}, the version in force: nothing to import`);
    const outcome = await live.apply({
      text: b.site.text,
      baseVersion,
      comment,
      renames: {},
      author: ctx.user,
      displays: next,
      ...(model ? { checked: model } : {}),
    });
    const done = restoreConfigSnapshot(dir(), next);
    const wrote = [
      done.written.length > 0 ? `wrote ${done.written.join(', ')}` : '',
      done.removed.length > 0 ? `removed ${done.removed.join(', ')}` : '',
    ].filter(Boolean);
    outcome.diff = { entries: [...outcome.diff.entries, ...shown.entries], summary: [...outcome.diff.summary, ...shown.summary] };
    outcome.applied.push({
      capability: 'displays',
      result: 'applied',
      detail: `${wrote.join('; ') || 'the display files were as the file says'}; shown when next opened`,
    });
    return { ...answer, outcome };
  };

  return { 'config.export': exportBundle, 'config.import': importBundle };
}
