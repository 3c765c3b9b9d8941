// Changes made from the console, as site-file text: the edit is applied to the YAML document
// (comments and layout kept); live configuration (apply.ts) validates the whole text once and only a
// valid result replaces the file (writeSiteText) — atomically (write to a temporary file, then
// rename), keeping the previous version as <file>.bak. An invalid edit changes nothing and says
// why, with the position.
import { copyFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { TagInfo } from '../api/types.js';
import type { TagConfig } from '../tags/config-schema.js';
import type { SiteModel } from './index.js';

/** The fields an engineer may edit on a running console; addresses and connections need a restart. */
export interface TagEdit {
  description?: string;
  unit?: string;
  range?: [number, number] | null;
  writable?: boolean;
  writeLimits?: [number, number] | null;
}

export class TagEditError extends Error {}

/** An edit of a template's tag that does not say whether it goes to the template or the machine. */
export class TagScopeError extends TagEditError {}

/** Replace the site file with this text, as given, atomically; the previous text is kept as <file>.bak. */
export function writeSiteText(file: string, text: string): string {
  const tmp = `${file}.tmp-${process.pid}`;
  const backup = `${file}.bak`;
  writeFileSync(tmp, text);
  copyFileSync(file, backup);
  renameSync(tmp, file);
  return backup;
}

/**
 * `text` (the site file's text) with tags added to (or replaced, by name, in) a machine's own tag list;
 * the rest of the file, comments and layout, as it is. Not validated or written here: the caller
 * puts it in force (config.importTags, through config.apply).
 */
export function machineTagsText(
  model: SiteModel,
  text: string,
  machine: string,
  tags: readonly TagConfig[],
): { text: string; added: string[] } {
  const m = model.machines.find((x) => x.name === machine);
  if (!m) throw new TagEditError(`no machine named "${machine}"`);
  const doc = parseDocument(text);
  const areas = model.raw.areas;
  const ai = areas.findIndex((a) => a.name === m.area);
  const mi = areas[ai]?.machines.findIndex((x) => `${model.site.name}/${m.area}/${x.name}` === machine) ?? -1;
  if (ai < 0 || mi < 0) throw new TagEditError(`machine ${machine} is not in ${model.file}`);
  const at = ['areas', ai, 'machines', mi, 'tags'];
  const own = areas[ai]?.machines[mi]?.tags ?? [];
  const entryOf = (t: TagConfig) =>
    Object.fromEntries(
      Object.entries(t).filter(([k, v]) => v !== undefined && !(k === 'options' && Object.keys(v as object).length === 0)),
    );
  // Entry by entry, so that the other entries keep their comments and layout.
  if (own.length === 0) doc.setIn(at, doc.createNode(tags.map(entryOf)));
  else
    for (const t of tags) {
      const i = own.findIndex((o) => o.name === t.name);
      if (i >= 0) doc.setIn([...at, i], doc.createNode(entryOf(t)));
      else doc.addIn(at, doc.createNode(entryOf(t)));
    }
  return { text: doc.toString({ lineWidth: 0 }), added: tags.map((t) => `${machine}/${t.name}`) };
}

/** Where an edit of a template's tag goes: the template (every machine made from it) or this machine's override. */
export type TagEditScope = 'template' | 'machine';

/**
 * The path an edit of this tag writes to. A machine's own tag: its entry. A tag made from a
 * template: the scope must be given (else refused, naming the template and the machines it would
 * change): `template` is the template's tag, `machine` the machine's `overrides.<tag>`.
 */
function editPath(model: SiteModel, tag: TagInfo, at: readonly (string | number)[], scope: TagEditScope | undefined): (string | number)[] {
  const areas = model.raw.areas;
  const ai = areas.findIndex((a) => a.name === tag.area);
  const mi = areas[ai]?.machines.findIndex((m) => m.name === tag.machine) ?? -1;
  const entry = areas[ai]?.machines[mi];
  const template = entry?.template;
  if (!entry || template === undefined) return [...at];
  const short = tag.name.split('/').pop() ?? tag.name;
  const ti = model.raw.templates[template]?.tags.findIndex((t) => t.name === short) ?? -1;
  if (ti < 0) return [...at]; // not one of the template's tags
  const machine = `${tag.site}/${tag.area}/${tag.machine}`;
  if (scope === undefined) {
    const users = areas.flatMap((a) =>
      a.machines.filter((m) => m.template === template).map((m) => `${model.site.name}/${a.name}/${m.name}`),
    );
    throw new TagScopeError(
      `${tag.name} comes from template ${template} (${users.length === 1 ? '1 machine' : `${users.length} machines`}: ${users.join(', ')}): say whether to change the template or override ${machine} only`,
    );
  }
  return scope === 'template' ? ['templates', template, 'tags', ti] : ['areas', ai, 'machines', mi, 'overrides', short];
}

/** An override replaces the template's fields; it cannot take one away (the template's would show through). */
function checkOverrideEdit(model: SiteModel, tag: TagInfo, at: readonly (string | number)[], edit: TagEdit): void {
  if (at[4] !== 'overrides') return;
  const template = model.raw.areas[at[1] as number]?.machines[at[3] as number]?.template ?? '';
  const own = model.raw.templates[template]?.tags.find((t) => t.name === at[5]) as Record<string, unknown> | undefined;
  for (const [field, value] of Object.entries(edit))
    if (value === null && own?.[field] !== undefined)
      throw new TagEditError(
        `${tag.name}: an override cannot remove the ${field} that template ${template} gives; change the template, or give this machine its own ${field}`,
      );
}

/**
 * `text` (the site file's text in force) with a tag's edit written where it goes (its entry, the
 * template's tag or the machine's override, by `scope`), the rest of the file, comments and layout,
 * as it is. Not validated or written here: the console puts it in force through config.apply
 * (native/site/handlers.ts), which validates the whole text once, a version like any edit.
 */
export function tagEditText(model: SiteModel, text: string, tagName: string, edit: TagEdit, scope?: TagEditScope): string {
  const tag = model.tags.find((t) => t.name === tagName);
  if (!tag) throw new TagEditError(`no tag named "${tagName}"`);
  const defined = model.definedAt[tag.id];
  if (!defined) throw new TagEditError(`${tagName} has no definition in ${model.file}`);
  const at = editPath(model, tag, defined, scope);
  checkOverrideEdit(model, tag, at, edit);
  const doc = parseDocument(text);
  for (const [field, value] of Object.entries(edit)) {
    if (value === undefined) continue;
    if (value === null) doc.deleteIn([...at, field]);
    else doc.setIn([...at, field], doc.createNode(value, { flow: Array.isArray(value) }));
  }
  return doc.toString({ lineWidth: 0 });
}
