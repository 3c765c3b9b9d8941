// Loading a site file: parse YAML keeping positions, validate against the schema, expand machine
// templates and check cross-references. Every problem is collected and reported at once with
// file, line, column, field and what was expected; nothing is applied unless all of it is valid.
import { readFileSync } from 'node:fs';
import { type Document, isNode, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import type { MachineInfo, TagInfo } from '../api/types.js';
import { isSealed } from '../auth/secrets.js';
import type { ConnectionConfig } from '../drivers/connection-schema.js';
import type { DriverTag } from '../drivers/driver.js';
import { type SiteFile, siteFileSchema, type TagConfig } from './config-schema.js';

export interface ConfigIssue {
  file: string;
  line: number;
  column: number;
  /** Dotted path of the field, e.g. areas[0].machines[1].connection. */
  field: string;
  message: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly issues: ConfigIssue[]) {
    super(issues.map(formatIssue).join('\n'));
  }
}

export function formatIssue(i: ConfigIssue): string {
  return `${i.file}:${i.line}:${i.column}: ${i.field || '(file)'}: ${i.message}`;
}

export interface SiteModel {
  file: string;
  site: SiteFile['site'];
  demoPlant: boolean;
  tags: TagInfo[];
  machines: MachineInfo[];
  connections: ConnectionConfig[];
  /** Driver view of the tags, per connection name. */
  driverTags: Map<string, DriverTag[]>;
  /** Where each tag is defined in the file (by tag id): a machine's own list or its template's. */
  definedAt: Path[];
  /** Sections validated by their own capabilities. */
  sections: Pick<SiteFile, 'alarms' | 'historian' | 'esg' | 'models' | 'sync'>;
  raw: SiteFile;
}

export type Path = (string | number)[];

function fieldOf(path: Path): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

function positionOf(doc: Document, lines: LineCounter, path: Path): { line: number; column: number } {
  // Walk down as far as the path exists, so a missing field points at its parent.
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) {
      const pos = lines.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return { line: 1, column: 1 };
}

/** Parse and validate site-file text. Throws ConfigError listing every problem. */
export function parseSiteFile(text: string, file: string): SiteModel {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        return { file, line: pos.line, column: pos.col, field: '', message: `YAML: ${e.message.split('\n')[0]}` };
      }),
    );
  }
  const issue = (path: Path, message: string): ConfigIssue => ({ file, ...positionOf(doc, lines, path), field: fieldOf(path), message });

  const parsed = siteFileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i: z.core.$ZodIssue) => issue(i.path as Path, describeZodIssue(i))));
  }
  const issues: ConfigIssue[] = [];
  const model = buildModel(parsed.data, file, (path, message) => issues.push(issue(path, message)));
  if (issues.length > 0) throw new ConfigError(issues);
  return model;
}

export function loadSiteFile(file: string): SiteModel {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ file, line: 1, column: 1, field: '', message: `cannot read: ${(err as Error).message}` }]);
  }
  return parseSiteFile(text, file);
}

function describeZodIssue(i: z.core.$ZodIssue): string {
  if (i.code === 'invalid_type') return `expected ${i.expected}${i.message.includes('received') ? `, ${i.message.split(', ').pop()}` : ''}`;
  if (i.code === 'unrecognized_keys') return `unknown field(s) ${i.keys.map((k) => `"${k}"`).join(', ')}`;
  if (i.code === 'invalid_value') return `expected one of ${i.values.map((v) => JSON.stringify(v)).join(', ')}`;
  return i.message;
}

const PARAM = /\{(\w+)(?:\+(\d+))?\}/g;

function expand(text: string, params: Record<string, string | number>, report: (message: string) => void): string {
  return text.replace(PARAM, (whole, key: string, add: string | undefined) => {
    const v = params[key];
    if (v === undefined) {
      report(`template parameter "${key}" is not given (used in "${text}")`);
      return whole;
    }
    if (add === undefined) return String(v);
    const n = Number(v);
    if (!Number.isFinite(n)) {
      report(`template parameter "${key}" must be a number to add ${add} (it is "${v}")`);
      return whole;
    }
    return String(n + Number(add));
  });
}

function defaultPeriod(conn: ConnectionConfig): number {
  if (conn.protocol === 'opcua') return Math.max(conn.samplingIntervalMs, conn.publishingIntervalMs);
  if (conn.protocol === 'modbus') return conn.pollMs;
  return 1000;
}

function buildModel(cfg: SiteFile, file: string, report: (path: Path, message: string) => void): SiteModel {
  const tags: TagInfo[] = [];
  const definedAt: Path[] = [];
  const machines: MachineInfo[] = [];
  const driverTags = new Map<string, DriverTag[]>();
  const connByName = new Map<string, ConnectionConfig>();
  cfg.connections.forEach((c, i) => {
    if (connByName.has(c.name)) report(['connections', i, 'name'], `connection "${c.name}" is defined twice`);
    // Passwords never stand in a site file in plain text: only sealed ("enc:v1:…", aurum secret seal).
    if (c.protocol === 'mqtt' && c.password !== undefined && !isSealed(c.password)) {
      report(['connections', i, 'password'], 'a password must be sealed: paste the output of "aurum secret seal" (enc:v1:…)');
    }
    if (c.protocol === 'opcua' && c.user && !isSealed(c.user.passwordSecret)) {
      report(['connections', i, 'user', 'passwordSecret'], 'a password must be sealed: paste the output of "aurum secret seal" (enc:v1:…)');
    }
    connByName.set(c.name, c);
    driverTags.set(c.name, []);
  });
  const seenMachines = new Set<string>();

  cfg.areas.forEach((area, ai) => {
    area.machines.forEach((m, mi) => {
      const at: Path = ['areas', ai, 'machines', mi];
      const machinePath = `${cfg.site.name}/${area.name}/${m.name}`;
      if (seenMachines.has(machinePath)) report([...at, 'name'], `machine "${machinePath}" is defined twice`);
      seenMachines.add(machinePath);
      const conn = connByName.get(m.connection);
      if (!conn) report([...at, 'connection'], `no connection named "${m.connection}" (known: ${[...connByName.keys()].join(', ')})`);
      const template = m.template !== undefined ? cfg.templates[m.template] : undefined;
      if (m.template !== undefined && !template) {
        report([...at, 'template'], `no template named "${m.template}" (known: ${Object.keys(cfg.templates).join(', ') || 'none'})`);
      }
      const own: { tag: TagConfig; path: Path }[] = [
        ...(template?.tags ?? []).map((tag, ti) => ({ tag, path: ['templates', m.template as string, 'tags', ti] as Path })),
        ...m.tags.map((tag, ti) => ({ tag, path: [...at, 'tags', ti] as Path })),
      ];
      const names = new Set<string>();
      for (const { tag, path } of own) {
        if (names.has(tag.name)) {
          report([...path, 'name'], `tag "${tag.name}" is defined twice in machine ${machinePath}`);
          continue;
        }
        names.add(tag.name);
        const address = expand(tag.address, m.params, (msg) => report([...path, 'address'], `${msg} for machine ${machinePath}`));
        const id = tags.length;
        definedAt.push(path);
        const periodMs = tag.periodMs ?? (conn ? defaultPeriod(conn) : 1000);
        tags.push({
          id,
          name: `${machinePath}/${tag.name}`,
          site: cfg.site.name,
          area: area.name,
          machine: m.name,
          unit: tag.unit,
          description: tag.description,
          dataType: tag.type,
          connection: m.connection,
          address,
          rangeLo: tag.range?.[0] ?? null,
          rangeHi: tag.range?.[1] ?? null,
          writable: tag.writable,
          writeMin: tag.writeLimits?.[0] ?? null,
          writeMax: tag.writeLimits?.[1] ?? null,
          expectedPeriodMs: periodMs,
        });
        driverTags.get(m.connection)?.push({
          id,
          name: `${machinePath}/${tag.name}`,
          address,
          dataType: tag.type,
          scaling: tag.scaling ?? null,
          periodMs,
          options: tag.options,
        });
      }
      const roles = { ...(template?.roles ?? {}), ...m.roles };
      for (const [role, tagName] of Object.entries(roles)) {
        if (!names.has(tagName))
          report([...at, 'roles'], `role "${role}" names tag "${tagName}", which machine ${machinePath} does not have`);
      }
      machines.push({
        name: machinePath,
        site: cfg.site.name,
        area: area.name,
        kind: m.kind ?? template?.kind ?? 'generic',
        description: m.description || template?.description || '',
        roles: Object.fromEntries(Object.entries(roles).map(([r, t]) => [r, `${machinePath}/${t}`])),
      });
    });
  });

  const machineNames = new Set(machines.map((m) => m.name));
  cfg.models?.bindings.forEach((b, i) => {
    if (!machineNames.has(b.machine))
      report(['models', 'bindings', i, 'machine'], `no machine named "${b.machine}" (write Site/Area/Machine)`);
  });

  return {
    file,
    site: cfg.site,
    demoPlant: cfg.demoPlant,
    tags,
    machines,
    connections: cfg.connections,
    driverTags,
    definedAt,
    sections: { alarms: cfg.alarms, historian: cfg.historian, esg: cfg.esg, models: cfg.models, sync: cfg.sync },
    raw: cfg,
  };
}
