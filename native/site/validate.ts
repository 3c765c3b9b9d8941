// The one validator for site files. check-config, serve start, the desktop start (all through
// startCore → loadSiteFile) and every edit from the console (tags/config-editor.ts) go through
// validateSiteText, so they refuse exactly the same files with exactly the same messages.
//
// Order: YAML → schema → model (templates expanded, cross-references) → protocol rules per
// connection (native/drivers/<protocol>/config.ts) → alarm and ESG tag references. Every problem of
// every stage is collected and reported at once; a part that fails the schema is left out of the
// later stages (and references to it are not reported again), the rest is still checked.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { type Document, isMap, isNode, isScalar, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { AlarmConfigError, compileDefinitions } from '../alarms/definition.js';
import type { TagInfo } from '../api/types.js';
import { type ConnectionConfig, connectionSchema } from '../drivers/connection-schema.js';
import { ingestSiteRules } from '../drivers/ingest/config.js';
import { modbusSiteRules } from '../drivers/modbus/config.js';
import { mqttSiteRules } from '../drivers/mqtt/config.js';
import { opcuaSiteRules } from '../drivers/opcua/config.js';
import type { ConnectionRules, SitePath, SiteRuleContext, SiteTagRef } from '../drivers/site-rules.js';
import { checkEsgConfig } from '../esg/service.js';
import { derivedTags } from '../inference/derived-tags.js';
import { areaSchema, machineSchema, templateSchema } from '../tags/config-schema.js';
import { describeZodIssue } from '../util/describe.js';
import { describeError } from '../util/errors.js';
import { type ConfigIssue, fieldOf } from './issues.js';
import { type BrokenNames, buildModel, type SiteModel } from './model.js';
import { type SiteFile, siteFileSchema } from './schema.js';

export interface SiteValidation {
  /** The model, when the file has no problem at all; else null. */
  model: SiteModel | null;
  /** Every problem, in file order. */
  issues: ConfigIssue[];
}

/** A problem with the file as a whole (no field): at its first line. */
const wholeFile = (file: string, message: string): SiteValidation => ({
  model: null,
  issues: [{ file, line: 1, column: 1, field: '', message }],
});

type AnyRules = ConnectionRules<ConnectionConfig>;

/** Each protocol's rules, beside its driver: the validator applies exactly what the driver enforces. */
const PROTOCOL_RULES: { [P in ConnectionConfig['protocol']]: ConnectionRules<Extract<ConnectionConfig, { protocol: P }>> } = {
  modbus: modbusSiteRules,
  opcua: opcuaSiteRules,
  mqtt: mqttSiteRules,
  ingest: ingestSiteRules,
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Line and column of a field; a missing field points at the nearest part of its path that exists. */
function positionOf(doc: Document, lines: LineCounter, at: SitePath, key: boolean): { line: number; column: number } {
  if (key && at.length > 0) {
    const parent = at.length === 1 ? doc.contents : doc.getIn(at.slice(0, -1), true);
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(at[at.length - 1]));
      if (pair && isNode(pair.key) && pair.key.range) {
        const pos = lines.linePos(pair.key.range[0]);
        return { line: pos.line, column: pos.col };
      }
    }
  }
  for (let n = at.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(at.slice(0, n), true);
    if (isNode(node) && node.range) {
      const pos = lines.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return { line: 1, column: 1 };
}

/**
 * Keep the parts of a file that failed the schema out of the later stages: each connection,
 * template and machine is validated on its own, and only the valid ones go on.
 */
function salvage(raw: unknown): { cfg: SiteFile; broken: BrokenNames } | null {
  if (!isRecord(raw)) return null;
  const shape = siteFileSchema.shape;
  const site = shape.site.safeParse(raw.site);
  const nameOf = (v: unknown) => (isRecord(v) && typeof v.name === 'string' ? v.name : undefined);
  const brokenConnections = new Set<string>();
  const brokenTemplates = new Set<string>();
  const connections: ConnectionConfig[] = [];
  (Array.isArray(raw.connections) ? raw.connections : []).forEach((c, i) => {
    const r = connectionSchema.safeParse(c);
    if (r.success) connections[i] = r.data;
    else if (nameOf(c)) brokenConnections.add(nameOf(c) as string);
  });
  const templates: SiteFile['templates'] = {};
  for (const [name, t] of Object.entries(isRecord(raw.templates) ? raw.templates : {})) {
    const r = templateSchema.safeParse(t);
    if (r.success) templates[name] = r.data;
    else brokenTemplates.add(name);
  }
  const brokenMachines = new Set<string>();
  const siteName = site.success ? site.data.name : (nameOf(raw.site) ?? 'Site');
  const areas: SiteFile['areas'] = [];
  (Array.isArray(raw.areas) ? raw.areas : []).forEach((a, ai) => {
    if (!isRecord(a)) return;
    const head = areaSchema.shape.name.safeParse(a.name);
    const machines: SiteFile['areas'][number]['machines'] = [];
    (Array.isArray(a.machines) ? a.machines : []).forEach((m, mi) => {
      const r = machineSchema.safeParse(m);
      if (r.success && !(r.data.template !== undefined && brokenTemplates.has(r.data.template))) machines[mi] = r.data;
      if (!r.success || machines[mi] === undefined) brokenMachines.add(`${siteName}/${nameOf(a) ?? ''}/${nameOf(m) ?? ''}`);
    });
    areas[ai] = { name: head.success ? head.data : `areas[${ai}]`, description: '', machines };
  });
  const rest = siteFileSchema
    .partial()
    .safeParse({ ...raw, site: undefined, connections: undefined, templates: undefined, areas: undefined });
  return {
    cfg: {
      ...(rest.success ? rest.data : siteFileSchema.partial().parse({})),
      version: 1,
      site: site.success ? site.data : { name: siteName, description: '', timeZone: 'UTC' },
      demoPlant: rest.success ? (rest.data.demoPlant ?? false) : false,
      connections,
      templates,
      areas,
      alarms: rest.success ? (rest.data.alarms ?? []) : [],
      historian: rest.success ? (rest.data.historian ?? {}) : {},
    } as SiteFile,
    broken: { connections: brokenConnections, templates: brokenTemplates, machines: brokenMachines },
  };
}

/** A context for protocol rules: `report` records problems, `resolveFile` checks a referenced file. */
export function siteRuleContext(
  siteDir: string,
  report: (at: SitePath, message: string) => void,
  onResolved: (at: SitePath, absolute: string) => void = () => undefined,
): SiteRuleContext {
  return {
    siteDir,
    report,
    resolveFile(at, name) {
      const absolute = path.resolve(siteDir, name);
      try {
        if (!statSync(absolute).isFile()) {
          report(at, `"${name}" is not a file (${absolute})`);
          return undefined;
        }
      } catch {
        report(
          at,
          path.isAbsolute(name)
            ? `file "${name}" does not exist`
            : `file "${name}" does not exist: relative names are read from the site file's folder, so it would be ${absolute}`,
        );
        return undefined;
      }
      onResolved(at, absolute);
      return absolute;
    },
  };
}

/** The tags of each connection as its protocol rules see them: paths where they are defined, addresses expanded. */
function tagsByConnection(model: SiteModel, skip: ReadonlySet<number>): Map<string, SiteTagRef[]> {
  const out = new Map<string, SiteTagRef[]>();
  for (const [conn, tags] of model.driverTags) {
    out.set(
      conn,
      tags
        .filter((t) => !skip.has(t.id))
        .map((t) => {
          const info = model.tags[t.id] as TagInfo;
          return {
            path: model.definedAt[t.id] ?? [],
            name: t.name,
            address: t.address,
            dataType: t.dataType,
            writable: info.writable,
            options: t.options,
          };
        }),
    );
  }
  return out;
}

function setAt(root: unknown, at: SitePath, value: unknown): void {
  let cur = root;
  for (const p of at.slice(0, -1)) cur = isRecord(cur) || Array.isArray(cur) ? (cur as Record<string | number, unknown>)[p] : undefined;
  if (isRecord(cur) || Array.isArray(cur)) (cur as Record<string | number, unknown>)[at[at.length - 1] as string | number] = value;
}

/** The tags alarms may name: the site's, plus the derived tags of bound models. */
function alarmableTags(model: SiteModel): TagInfo[] {
  const bindings = model.raw.models?.bindings ?? [];
  const derived = derivedTags(bindings, [], model.tags.length, 1000);
  // Which derived tags a binding has depends on its model's kind (anomaly or RUL), known only once
  // the model is installed: accept the names of both kinds.
  const rul = derived
    .filter((t) => t.name.endsWith('/Health'))
    .map((t, i) => ({ ...t, id: model.tags.length + derived.length + i, name: t.name.replace(/Health$/, 'RUL') }));
  return [...model.tags, ...derived, ...rul];
}

/** Whether a reference may point into a machine whose tags are not all known (it failed the schema). */
function intoBroken(name: string, broken: ReadonlySet<string>): boolean {
  if (broken.size === 0) return false;
  if (name.includes('*')) return true;
  for (const m of broken) if (name.startsWith(`${m}/`)) return true;
  return false;
}

function checkAlarms(model: SiteModel, broken: ReadonlySet<string>, report: (at: SitePath, message: string) => void): void {
  const tags = alarmableTags(model);
  const defs = model.raw.alarms;
  let each = true;
  defs.forEach((d, i) => {
    if (intoBroken(d.tag, broken) || [d.setpointTag, d.suppressWhen?.tag].some((t) => t !== undefined && intoBroken(t, broken))) {
      each = false;
      return;
    }
    try {
      compileDefinitions([d], tags);
    } catch (err) {
      if (!(err instanceof AlarmConfigError)) throw err;
      each = false;
      // The message starts with where the definition is ("alarms[0] (tag type): "); the field says that.
      const message = err.message.replace(/^alarms\[\d+\] \([^)]*\): /, '');
      const ref = /^(suppressWhen\.tag|setpointTag) "(.*)" is not a tag$/.exec(message);
      if (ref)
        report(
          ['alarms', i, ...(ref[1] as string).split('.')],
          `no tag named "${ref[2]}" (a name without "/" is looked up in the alarmed tag's machine)`,
        );
      else report(['alarms', i, 'tag'], message);
    }
  });
  if (!each) return;
  try {
    compileDefinitions(defs, tags);
  } catch (err) {
    if (!(err instanceof AlarmConfigError)) throw err;
    const index = Number(/^alarms\[(\d+)\]/.exec(err.message)?.[1] ?? Number.NaN);
    report(Number.isNaN(index) ? ['alarms'] : ['alarms', index], err.message.replace(/^alarms\[\d+\] \([^)]*\): /, ''));
  }
}

function checkEsg(model: SiteModel, broken: ReadonlySet<string>, report: (at: SitePath, message: string) => void): void {
  const names = new Set(model.tags.map((t) => t.name));
  model.raw.esg?.meters.forEach((m, i) => {
    if (!names.has(m.tag) && !intoBroken(m.tag, broken))
      report(['esg', 'meters', i, 'tag'], `no tag named "${m.tag}" (write Site/Area/Machine/Tag)`);
  });
  // Units and emission factors: the same rules the ESG service applies when the console starts.
  if (model.sections.esg) {
    try {
      for (const p of checkEsgConfig(model.sections.esg, model.tags)) report(['esg', 'meters', p.meter], p.message);
    } catch (err) {
      report(['esg'], `the emission factor files cannot be read: ${describeError(err)}`);
    }
  }
}

/** The mapping key written at an offset (for the duplicate-key message). */
function keyAt(text: string, offset: number): string {
  const m = /^("[^"\n]*"|'[^'\n]*'|[^:\n{},]+)/.exec(text.slice(offset));
  return (m?.[1] ?? '').trim().replace(/^["']|["']$/g, '');
}

/** Validate site-file text: every problem at once, each with file:line:column, field and a sentence. */
export function validateSiteText(text: string, file: string): SiteValidation {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      model: null,
      issues: doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        const first = (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '');
        const message =
          e.code === 'DUPLICATE_KEY'
            ? `YAML syntax error: the key "${keyAt(text, e.pos[0])}" is given twice in the same mapping`
            : `YAML syntax error: ${first}`;
        return { file, line: pos.line, column: pos.col, field: '', message };
      }),
    };
  }
  const issues: (ConfigIssue & { order: number })[] = [];
  const add = (at: SitePath, message: string, key = false) => {
    const pos = positionOf(doc, lines, at, key);
    issues.push({ file, ...pos, field: fieldOf(at), message, order: issues.length });
  };
  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (err) {
    // yaml refuses to expand aliases (*name) beyond a count, as an alias bomb would exhaust memory.
    const message = /alias count/i.test(describeError(err))
      ? 'YAML: the file repeats aliases (*name) too often to be expanded safely; write the repeated parts out'
      : `YAML: the file cannot be read: ${describeError(err)}`;
    return wholeFile(file, message);
  }

  // Said of the file, with what a site file holds at least (the schema would say "a mapping of fields").
  if (raw === null || raw === undefined)
    return wholeFile(file, 'the file is empty: a site file needs at least version, site, connections and areas');
  const parsed = siteFileSchema.safeParse(raw);
  let cfg: SiteFile;
  let broken: BrokenNames | undefined;
  if (parsed.success) cfg = parsed.data;
  else {
    const described = parsed.error.issues.flatMap((issue) => describeZodIssue(issue, siteFileSchema as unknown as z.ZodType, raw));
    // "unknown field rawHigh: did you mean rawHi?" already says that rawHi is missing.
    const meant = new Set(described.filter((d) => d.suggests).map((d) => fieldOf([...d.path.slice(0, -1), d.suggests as string])));
    for (const d of described) if (!(d.missing && meant.has(fieldOf(d.path)))) add(d.path, d.message, d.key);
    const s = salvage(raw);
    if (!s) return { model: null, issues: sorted(issues) };
    cfg = s.cfg;
    broken = s.broken;
  }

  const unexpanded = new Set<number>();
  const model = buildModel(cfg, file, (at, message) => add(at, message), broken, unexpanded);
  const siteDir = path.dirname(path.resolve(file));
  const resolved: { at: SitePath; absolute: string }[] = [];
  const ctx = siteRuleContext(
    siteDir,
    (at, message) => add(at, message),
    (at, absolute) => resolved.push({ at, absolute }),
  );
  // A tag whose parameters are missing is reported once (there), not again by its protocol's rules.
  const tagRefs = tagsByConnection(model, unexpanded);
  cfg.connections.forEach((conn, i) => {
    const rules = PROTOCOL_RULES[conn.protocol] as AnyRules;
    try {
      rules(conn, ['connections', i], tagRefs.get(conn.name) ?? [], ctx);
    } catch (err) {
      // A rule that throws is a bug in the rule; the file is still refused, with the cause.
      add(['connections', i], `the ${conn.protocol} rules could not check this connection: ${describeError(err)}`);
    }
  });
  // Files named outside the connections (the sync uplink's TLS files); connections' own files are
  // their protocol rules' (they call ctx.resolveFile the same way).
  const tls = cfg.sync?.tls;
  if (tls) for (const k of ['ca', 'cert', 'key'] as const) if (tls[k] !== undefined) ctx.resolveFile(['sync', 'tls', k], tls[k]);
  const brokenMachines = broken?.machines ?? new Set<string>();
  checkAlarms(model, brokenMachines, (at, message) => add(at, message));
  checkEsg(model, brokenMachines, (at, message) => add(at, message));

  if (issues.length > 0) return { model: null, issues: sorted(issues) };
  // The driver opens the file the validator checked, whatever the working directory.
  for (const r of resolved) setAt(cfg, r.at, r.absolute);
  return { model, issues: [] };
}

function sorted(issues: (ConfigIssue & { order: number })[]): ConfigIssue[] {
  return issues.sort((a, b) => a.line - b.line || a.column - b.column || a.order - b.order).map(({ order: _, ...i }) => i);
}

/** Site files are text written by people: a 10,000-tag site is a few MB. Larger is not a site file. */
const MAX_SITE_FILE_BYTES = 32 * 1024 * 1024;

/** Read and validate a site file; a file that cannot be read is one issue, not an exception. */
export function checkSiteFile(file: string): SiteValidation {
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_SITE_FILE_BYTES)
      return wholeFile(file, `the site file is ${(size / 1024 / 1024).toFixed(0)} MB; a site file is at most 32 MB`);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return wholeFile(file, `the site file cannot be read: ${describeError(err)}`);
  }
  return validateSiteText(text, file);
}
