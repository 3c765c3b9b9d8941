// The site model: the validated site file with its machine templates expanded into tags, and the
// cross-references between its parts checked (connection, template and role names, duplicates).
// Built by the validator (./validate.ts) once the schema holds; problems go to `report`.
import type { MachineInfo, TagInfo } from '../api/types.js';
import type { ConnectionConfig } from '../drivers/connection-schema.js';
import type { DriverTag } from '../drivers/driver.js';
import { mqttExpectedPeriodMs } from '../drivers/mqtt/config.js';
import type { SitePath } from '../drivers/site-rules.js';
import { type TagConfig, type TagOverride, tagSchema } from '../tags/config-schema.js';
import { displayDecimals } from '../tags/decimals.js';
import { tagStates } from '../tags/write-check.js';
import { closest, describeZodIssue, fieldPath } from '../util/describe.js';
import type { SiteFile } from './schema.js';

export type Path = SitePath;

/** Key tags a machine card shows when the site file names none. */
const DEFAULT_KEY_TAGS = 5;

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

const PARAM = /\{(\w+)(?:\+(\d+))?\}/g;

function expand(text: string, params: Record<string, string | number>, machine: string, report: (message: string) => void): string {
  return text.replace(PARAM, (whole, key: string, add: string | undefined) => {
    const v = params[key];
    if (v === undefined) {
      const near = closest(key, Object.keys(params));
      report(
        `template parameter "${key}" is not given by machine ${machine} (used in "${text}")${near ? `; it gives "${near}": did you mean ${key}?` : ''}`,
      );
      return whole;
    }
    if (add === undefined) return String(v);
    const n = Number(v);
    if (!Number.isFinite(n)) {
      report(`template parameter "${key}" of machine ${machine} must be a number to add ${add} to (it is "${v}")`);
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

/**
 * Names present in the file whose entries failed the schema: references to them are not reported
 * again as unknown (the entry's own problem is), so one mistake gives one message.
 */
export interface BrokenNames {
  connections: ReadonlySet<string>;
  templates: ReadonlySet<string>;
  /** Machines (Site/Area/Machine) whose entry or template failed: their tags are not all known. */
  machines: ReadonlySet<string>;
}

/** "no connection named "plx": did you mean plc?" or the list of known names. */
function unknownName(what: string, name: string, known: readonly string[]): string {
  const near = closest(name, known);
  if (near) return `no ${what} named "${name}": did you mean ${near}?`;
  return known.length > 0
    ? `no ${what} named "${name}"; the ${what}s are ${known.join(', ')}`
    : `no ${what} named "${name}"; the file defines none`;
}

/**
 * A template tag as this machine has it: the machine's override merged over the template's, defined
 * at the override (so an edit of the template's tag leaves this machine's overridden fields alone).
 * The merged tag is checked with the tag schema: an override cannot make an invalid tag.
 */
function overridden(
  tag: TagConfig,
  templatePath: Path,
  overrides: Record<string, TagOverride>,
  machineAt: Path,
  report: (path: Path, message: string) => void,
): { tag: TagConfig; path: Path } {
  const o = Object.hasOwn(overrides, tag.name) ? overrides[tag.name] : undefined;
  if (!o) return { tag, path: templatePath };
  const path: Path = [...machineAt, 'overrides', tag.name];
  const candidate = { ...tag, ...o };
  const merged = tagSchema.safeParse(candidate);
  if (merged.success) return { tag: merged.data, path };
  // Each problem in a sentence naming the field (a refinement's own sentence as it is), never zod's wording.
  for (const d of merged.error.issues.flatMap((issue) => describeZodIssue(issue, tagSchema, candidate))) {
    const field = fieldPath(d.path);
    const said = d.own || d.key || field === '' ? d.message : `its field "${field}" ${d.message}`;
    report([...path, ...d.path], `with this override the tag is not valid: ${said}`);
  }
  return { tag, path };
}

/** Overrides name tags of the machine's template; a machine without a template has nothing to override. */
function checkOverrides(
  m: SiteFile['areas'][number]['machines'][number],
  template: SiteFile['templates'][string] | undefined,
  at: Path,
  machinePath: string,
  report: (path: Path, message: string) => void,
): void {
  const names = Object.keys(m.overrides);
  if (names.length === 0) return;
  if (m.template === undefined) {
    report([...at, 'overrides'], `machine ${machinePath} has no template: overrides change a template's tags; edit its own tags instead`);
    return;
  }
  if (!template) return; // the unknown or broken template is reported once, where it is named
  const known = template.tags.map((t) => t.name);
  for (const n of names) {
    if (known.includes(n)) continue;
    const near = closest(n, known);
    report(
      [...at, 'overrides', n],
      `machine ${machinePath} overrides tag "${n}", which its template ${m.template} does not have${near ? `: did you mean ${near}?` : `; its tags are ${known.join(', ')}`}`,
    );
  }
}

const NONE: BrokenNames = { connections: new Set(), templates: new Set(), machines: new Set() };

export function buildModel(
  cfg: SiteFile,
  file: string,
  report: (path: Path, message: string) => void,
  broken: BrokenNames = NONE,
  /** Filled with the ids of tags whose address or options name a parameter the machine does not give. */
  unexpanded: Set<number> = new Set(),
): SiteModel {
  const tags: TagInfo[] = [];
  const definedAt: Path[] = [];
  const machines: MachineInfo[] = [];
  const driverTags = new Map<string, DriverTag[]>();
  const connByName = new Map<string, ConnectionConfig>();
  cfg.connections.forEach((c, i) => {
    if (connByName.has(c.name)) report(['connections', i, 'name'], `connection "${c.name}" is defined twice`);
    // Passwords are sealed ("enc:v1:…", aurum secret seal): each protocol's rules check their own fields.
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
      if (!conn && !broken.connections.has(m.connection))
        report([...at, 'connection'], unknownName('connection', m.connection, [...connByName.keys(), ...broken.connections]));
      const template = m.template !== undefined ? cfg.templates[m.template] : undefined;
      if (m.template !== undefined && !template && !broken.templates.has(m.template)) {
        report([...at, 'template'], unknownName('template', m.template, [...Object.keys(cfg.templates), ...broken.templates]));
      }
      const own: { tag: TagConfig; path: Path }[] = [
        ...(template?.tags ?? []).map((tag, ti) =>
          overridden(tag, ['templates', m.template as string, 'tags', ti], m.overrides, at, report),
        ),
        ...m.tags.map((tag, ti) => ({ tag, path: [...at, 'tags', ti] as Path })),
      ];
      checkOverrides(m, template, at, machinePath, report);
      const names = new Set<string>();
      for (const { tag, path } of own) {
        if (names.has(tag.name)) {
          report([...path, 'name'], `tag "${tag.name}" is defined twice in machine ${machinePath}`);
          continue;
        }
        names.add(tag.name);
        const id = tags.length;
        const address = expand(tag.address, m.params, machinePath, (msg) => {
          unexpanded.add(id);
          report([...path, 'address'], msg);
        });
        // Text options may use the template's parameters like the address (an MQTT writeTopic per machine).
        const options = Object.fromEntries(
          Object.entries(tag.options).map(([k, v]) => [
            k,
            typeof v === 'string'
              ? expand(v, m.params, machinePath, (msg) => {
                  unexpanded.add(id);
                  report([...path, 'options', k], msg);
                })
              : v,
          ]),
        );
        definedAt.push(path);
        const periodMs = tag.periodMs ?? (conn ? defaultPeriod(conn) : 1000);
        const states = tagStates(tag.type, tag.states);
        const decimals = displayDecimals(tag);
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
          // MQTT publishes when it publishes: without a declared period a source is event-driven (0).
          expectedPeriodMs: conn?.protocol === 'mqtt' ? mqttExpectedPeriodMs(conn, options) : periodMs,
          ...(states ? { states } : {}),
          ...(decimals !== undefined ? { decimals } : {}),
        });
        driverTags.get(m.connection)?.push({
          id,
          name: `${machinePath}/${tag.name}`,
          address,
          dataType: tag.type,
          scaling: tag.scaling ?? null,
          periodMs,
          options,
        });
      }
      const roles = { ...(template?.roles ?? {}), ...m.roles };
      for (const [role, tagName] of Object.entries(roles)) {
        if (!names.has(tagName))
          report([...at, 'roles'], `role "${role}" names tag "${tagName}", which machine ${machinePath} does not have`);
      }
      const keyTags = m.keyTags ?? template?.keyTags;
      const keyAt: Path = m.keyTags ? [...at, 'keyTags'] : ['templates', m.template as string, 'keyTags'];
      keyTags?.forEach((tagName, ki) => {
        if (!names.has(tagName)) report([...keyAt, ki], `key tag "${tagName}" is not a tag of machine ${machinePath}`);
      });
      const defaultKeys = own.filter(({ tag }) => (tag.type === 'float' || tag.type === 'int') && tag.range).slice(0, DEFAULT_KEY_TAGS);
      machines.push({
        name: machinePath,
        site: cfg.site.name,
        area: area.name,
        kind: m.kind ?? template?.kind ?? 'generic',
        description: m.description || template?.description || '',
        roles: Object.fromEntries(Object.entries(roles).map(([r, t]) => [r, `${machinePath}/${t}`])),
        keyTags: (keyTags ?? defaultKeys.map(({ tag }) => tag.name)).map((t) => `${machinePath}/${t}`),
      });
    });
  });

  const machineNames = new Set(machines.map((m) => m.name));
  cfg.models?.bindings.forEach((b, i) => {
    if (!machineNames.has(b.machine) && !broken.machines.has(b.machine))
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
