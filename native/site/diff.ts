// The structural difference between two validated site files, by name: what an apply changes, what
// a version changed, and what a conflicting apply would have overwritten. Tags are compared as the
// console runs them (templates expanded), so a template edit shows as a change of every machine's
// tag it reaches. A rename is never guessed from the text: the apply names it (`renames`), and the
// tag then keeps its identity (its id on the bus and its history).
import type { DiffChange, SiteDiffKind } from '../api/config-requests.js';
import type { SiteModel } from './model.js';

export interface DiffEntry {
  kind: SiteDiffKind;
  /** The connection, template, machine (Site/Area/Machine), tag path, alarm id or section name. */
  name: string;
  change: DiffChange;
  /** The fields that differ (changed; renamed when the tag changed beside its name). */
  fields?: string[];
  /** A renamed tag's previous path. */
  from?: string;
}

export interface SiteDiff {
  entries: DiffEntry[];
  /** One sentence per entry, for people ("connection plc2 changed (host, pollMs)"). */
  summary: string[];
}

/** Old tag path -> new tag path: the tags that keep their identity under a new name. */
export type Renames = Readonly<Record<string, string>>;

const json = (v: unknown) => JSON.stringify(v ?? null);

/** The top-level fields of two records that differ, in a stable order. */
function changedFields(a: object, b: object): string[] {
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return [...new Set([...Object.keys(ra), ...Object.keys(rb)])].filter((k) => json(ra[k]) !== json(rb[k])).sort();
}

/** Added, removed and changed entries of two keyed collections. */
function byName<T extends object>(kind: SiteDiffKind, before: Map<string, T>, after: Map<string, T>, out: DiffEntry[]): void {
  for (const [name, a] of before) {
    const b = after.get(name);
    if (!b) out.push({ kind, name, change: 'removed' });
    else {
      const fields = changedFields(a, b);
      if (fields.length > 0) out.push({ kind, name, change: 'changed', fields });
    }
  }
  for (const name of after.keys()) if (!before.has(name)) out.push({ kind, name, change: 'added' });
}

function section(kind: SiteDiffKind, a: unknown, b: unknown, out: DiffEntry[]): void {
  if (json(a) === json(b)) return;
  if (a === undefined) out.push({ kind, name: kind, change: 'added' });
  else if (b === undefined) out.push({ kind, name: kind, change: 'removed' });
  else if (typeof a === 'object' && typeof b === 'object' && a && b && !Array.isArray(a))
    out.push({ kind, name: kind, change: 'changed', fields: changedFields(a, b) });
  else out.push({ kind, name: kind, change: 'changed' });
}

/** A tag as the console runs it: its table entry and its driver's view, without the id. */
function tagsOf(m: SiteModel): Map<string, object> {
  const driver = new Map([...m.driverTags.values()].flat().map((d) => [d.id, d]));
  return new Map(
    m.tags.map((t) => {
      const d = driver.get(t.id);
      const { id: _id, ...info } = t;
      return [t.name, { ...info, ...(d ? { scaling: d.scaling, periodMs: d.periodMs, options: d.options } : {}) }];
    }),
  );
}

export const alarmKey = (a: { id?: string | undefined; tag: string; type: string }) => a.id ?? `${a.tag.replaceAll('/', '.')}.${a.type}`;

export function diffSites(before: SiteModel, after: SiteModel, renames: Renames = {}): SiteDiff {
  const out: DiffEntry[] = [];
  section('site', before.raw.site, after.raw.site, out);
  if (before.raw.demoPlant !== after.raw.demoPlant) out.push({ kind: 'site', name: 'demoPlant', change: 'changed' });
  byName(
    'connection',
    new Map(before.raw.connections.map((c) => [c.name, c])),
    new Map(after.raw.connections.map((c) => [c.name, c])),
    out,
  );
  byName('template', new Map(Object.entries(before.raw.templates)), new Map(Object.entries(after.raw.templates)), out);
  const machines = (m: SiteModel) =>
    new Map(m.raw.areas.flatMap((a) => a.machines.map((x) => [`${m.site.name}/${a.name}/${x.name}`, { ...x, area: a.name }] as const)));
  byName('machine', machines(before), machines(after), out);

  const tagsBefore = tagsOf(before);
  const tagsAfter = tagsOf(after);
  for (const [from, to] of Object.entries(renames)) {
    const a = tagsBefore.get(from);
    const b = tagsAfter.get(to);
    if (!a || !b) continue;
    tagsBefore.delete(from);
    tagsAfter.delete(to);
    const fields = changedFields({ ...a, name: to }, b);
    out.push({ kind: 'tag', name: to, change: 'renamed', from, ...(fields.length > 0 ? { fields } : {}) });
  }
  byName('tag', tagsBefore, tagsAfter, out);

  byName('alarm', new Map(before.raw.alarms.map((a) => [alarmKey(a), a])), new Map(after.raw.alarms.map((a) => [alarmKey(a), a])), out);
  section('historian', before.raw.historian, after.raw.historian, out);
  section('esg', before.raw.esg, after.raw.esg, out);
  section('models', before.raw.models, after.raw.models, out);
  section('sync', before.raw.sync, after.raw.sync, out);
  section('maintenance', before.raw.maintenance, after.raw.maintenance, out);
  return { entries: out, summary: out.map(describeEntry) };
}

export function describeEntry(e: DiffEntry): string {
  const what = e.kind === e.name ? `the ${e.kind} section` : `${e.kind} ${e.name}`;
  if (e.change === 'renamed') return `tag ${e.from} renamed to ${e.name}${e.fields ? ` (and changed: ${e.fields.join(', ')})` : ''}`;
  return `${what} ${e.change}${e.fields && e.fields.length > 0 ? ` (${e.fields.join(', ')})` : ''}`;
}
