// Writing form edits into the site file's text: each change is set at its path in the YAML document
// (comments and layout elsewhere kept, as the core's editor does), and the validator's issues are
// grouped by field path for the form to show beside each field. Template-aware tag edits: which
// machines a template reaches, and the fields a tag edit changes, for the template or as a
// machine's override.
import { isMap, isScalar, parseDocument } from 'yaml';
import type { ConfigIssueInfo } from '../../../../native/api/config-requests';
import type { FormPath } from '../../ui/schema-form';

export type Change = readonly [FormPath, unknown];

/** The text with each change made (undefined: the field or list entry removed). */
export function applyChanges(text: string, changes: readonly Change[]): string {
  const doc = parseDocument(text);
  for (const [path, value] of changes) {
    if (value === undefined) {
      if (doc.hasIn(path)) doc.deleteIn(path);
      continue;
    }
    const isScalarValue = value === null || typeof value !== 'object';
    // A scalar set on a scalar node keeps the node (its comment); a structure becomes a node.
    const existing = doc.getIn(path, true);
    if (isScalarValue && isScalar(existing)) {
      // An empty string a new entry started with is written quoted (""): let what is typed take the plain style.
      if (existing.value === '') existing.type = undefined;
      existing.value = value;
    } else doc.setIn(path, isScalarValue ? value : doc.createNode(value));
  }
  // An overrides map left empty by a revert goes, so the file does not keep `overrides: {}`.
  for (const [path] of changes) {
    const i = path.indexOf('overrides');
    if (i < 0) continue;
    const at = path.slice(0, i + 1);
    const node = doc.getIn(at, true);
    if (isMap(node) && node.items.length === 0) doc.deleteIn(at);
  }
  return doc.toString({ lineWidth: 0 });
}

/** The validator's messages by field path (areas[0].machines[1].connection). */
export function issuesByField(issues: readonly ConfigIssueInfo[] | null): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const i of issues ?? []) {
    const list = out.get(i.field) ?? [];
    list.push(`${i.message} (line ${i.line})`);
    out.set(i.field, list);
  }
  return out;
}

/** The parsed value of the text, or the YAML problem that keeps the form from showing it. */
export function parsed(text: string): { value: Record<string, unknown> } | { problem: string } {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return { problem: (doc.errors[0]?.message ?? 'YAML error').split('\n')[0] ?? 'YAML error' };
  const v: unknown = doc.toJS();
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { problem: 'the site file is not a mapping' };
  return { value: v as Record<string, unknown> };
}

interface MachineLike {
  name?: unknown;
  template?: unknown;
  overrides?: unknown;
}

/** The machines (by name, in file order) made from a template. */
export function machinesOfTemplate(site: Record<string, unknown>, template: string): string[] {
  const out: string[] = [];
  for (const a of Array.isArray(site.areas) ? site.areas : [])
    for (const m of Array.isArray((a as { machines?: unknown }).machines) ? (a as { machines: MachineLike[] }).machines : [])
      if (m.template === template && typeof m.name === 'string') out.push(m.name);
  return out;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The changes that give a machine's template tag the edited fields: for the template (its tag at
 * templates.<T>.tags[i]) or as the machine's override (machines[].overrides.<tag>, only the fields
 * that differ from the template's; a field edited back to the template's value leaves the override).
 */
export function tagEditChanges(opts: {
  scope: 'template' | 'override';
  template: string;
  tagIndex: number;
  templateTag: Record<string, unknown>;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  machineAt: FormPath;
}): Change[] {
  const { scope, template, tagIndex, templateTag, before, after, machineAt } = opts;
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => k !== 'name' && !same(before[k], after[k]));
  if (scope === 'template') return fields.map((k) => [['templates', template, 'tags', tagIndex, k], after[k]] as const);
  const name = String(templateTag.name);
  return fields.map((k) => [[...machineAt, 'overrides', name, k], same(after[k], templateTag[k]) ? undefined : after[k]] as const);
}

/** Old tag path -> new tag path (config.apply's `renames`): tags that keep their id and history. */
export type TagRenames = Readonly<Record<string, string>>;

const listOf = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? (v as Record<string, unknown>[]) : []);
const siteName = (site: Record<string, unknown>) => String((site.site as { name?: unknown } | undefined)?.name ?? '');
const templatesOf = (site: Record<string, unknown>) => (site.templates ?? {}) as Record<string, { tags?: unknown } | undefined>;
/** A machine's path, under which its tags are named: site/area/machine. */
const machinePath = (site: Record<string, unknown>, area: unknown, machine: unknown) =>
  `${siteName(site)}/${String(area)}/${String(machine)}`;

/** The names of a machine's tags: its template's and its own. */
function machineTagNames(site: Record<string, unknown>, m: Record<string, unknown>): string[] {
  const fromTemplate = typeof m.template === 'string' ? listOf(templatesOf(site)[m.template]?.tags) : [];
  return [...fromTemplate, ...listOf(m.tags)].map((t) => String(t.name));
}

/** Every tag path the text asks for: each machine's own tags and the tags of its template. */
function tagPaths(site: Record<string, unknown>): Set<string> {
  const out = new Set<string>();
  for (const a of listOf(site.areas))
    for (const m of listOf(a.machines)) {
      const at = machinePath(site, a.name, m.name);
      for (const t of machineTagNames(site, m)) out.add(`${at}/${t}`);
    }
  return out;
}

/** Every tag of these machines moved from one machine path to another (a machine or an area renamed). */
function movedTags(
  site: Record<string, unknown>,
  area: string,
  machines: Record<string, unknown>[],
  toArea: string,
  toMachine?: string,
): [string, string][] {
  return machines.flatMap((m) =>
    machineTagNames(site, m).map((t): [string, string] => [
      `${machinePath(site, area, m.name)}/${t}`,
      `${machinePath(site, toArea, toMachine ?? m.name)}/${t}`,
    ]),
  );
}

/**
 * The renames a form's edit of a name makes: a tag's (path: areas[a].machines[m].tags[t].name, or
 * templates.<T>.tags[t].name, which renames the tag on every machine made from the template), and a
 * machine's or an area's (areas[a].machines[m].name, areas[a].name), which renames every tag under
 * it: the tags keep their ids and history. None for any other edit. `site` is the text before the edit.
 */
export function renamesOfEdit(site: Record<string, unknown>, path: FormPath, value: unknown): [string, string][] {
  if (typeof value !== 'string' || path[path.length - 1] !== 'name') return [];
  const areas = listOf(site.areas);
  if (path.length === 3 && path[0] === 'areas') {
    const a = areas[Number(path[1])];
    if (!a || a.name === value) return [];
    return movedTags(site, String(a.name), listOf(a.machines), value);
  }
  if (path.length === 5 && path[0] === 'areas' && path[2] === 'machines') {
    const a = areas[Number(path[1])];
    const m = listOf(a?.machines)[Number(path[3])];
    if (!a || !m || m.name === value) return [];
    return movedTags(site, String(a.name), [m], String(a.name), value);
  }
  if (path.length === 7 && path[0] === 'areas' && path[2] === 'machines' && path[4] === 'tags') {
    const a = areas[Number(path[1])];
    const m = listOf(a?.machines)[Number(path[3])];
    const t = listOf(m?.tags)[Number(path[5])];
    if (!a || !m || !t || t.name === value) return [];
    const at = machinePath(site, a.name, m.name);
    return [[`${at}/${String(t.name)}`, `${at}/${value}`]];
  }
  if (path.length === 5 && path[0] === 'templates' && path[2] === 'tags') {
    const template = String(path[1]);
    const t = listOf(templatesOf(site)[template]?.tags)[Number(path[3])];
    if (!t || t.name === value) return [];
    return areas.flatMap((a) =>
      listOf(a.machines)
        .filter((m) => m.template === template)
        .map((m): [string, string] => {
          const at = machinePath(site, a.name, m.name);
          return [`${at}/${String(t.name)}`, `${at}/${value}`];
        }),
    );
  }
  return [];
}

/** The renames so far with one more: a tag renamed again keeps its first name as the source; renamed back, it is no rename. */
export function foldRename(renames: TagRenames, from: string, to: string): TagRenames {
  const first = Object.entries(renames).find(([, now]) => now === from)?.[0] ?? from;
  const { [first]: _was, ...rest } = renames;
  return first === to ? rest : { ...rest, [first]: to };
}

/**
 * The renames that hold between the version in force and the edited text: the source a tag of the
 * version in force that the text no longer has, the target a tag of the text that was not one. A
 * tag added in this edit and then renamed, or a name edited in the Text view since, is no rename.
 */
export function renamesFor(renames: TagRenames, inForce: Record<string, unknown>, edited: Record<string, unknown>): TagRenames {
  const was = tagPaths(inForce);
  const now = tagPaths(edited);
  return Object.fromEntries(Object.entries(renames).filter(([from, to]) => was.has(from) && !now.has(from) && now.has(to) && !was.has(to)));
}

/**
 * What the forms offer for a field, from the text itself: a machine's template, the site's
 * templates; a machine's connection, the site's connections. None for any other field.
 */
export function offeredValues(site: Record<string, unknown>, path: FormPath): string[] | undefined {
  if (path.length !== 5 || path[0] !== 'areas' || path[2] !== 'machines') return undefined;
  if (path[4] === 'template') return Object.keys(templatesOf(site));
  if (path[4] === 'connection') return listOf(site.connections).map((c) => String(c.name));
  return undefined;
}
