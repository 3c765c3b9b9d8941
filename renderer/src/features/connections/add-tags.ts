// Adding tags found at the source (MQTT discovery, the OPC UA browser, a Modbus decode) to a
// machine: the site file's text in force (config.current) with the tags put in the machine's own
// tag list, applied live as a new version (config.apply on the version it was read from, so an
// apply that came first is refused, never overwritten). Comments and layout of the file are kept
// (yaml's document model, as the core's own editor).
import { isMap, isSeq, parseDocument, type YAMLMap } from 'yaml';
import type { TagDataType } from '../../../../native/api/types';
import { api } from '../../platform/client';

/** A tag as the site file writes it (native/tags/config-schema.ts tagSchema); empty fields are left out. */
export interface NewTag {
  name: string;
  address: string;
  type: TagDataType;
  unit?: string;
  description?: string;
  range?: [number, number];
  writable?: boolean;
  options?: Record<string, unknown>;
}

/** A machine of the site file: its full name (Site/Area/Machine) and the connection its tags use. */
export interface SiteMachine {
  name: string;
  connection: string;
}

export function machinesIn(text: string): SiteMachine[] {
  const doc = parseDocument(text);
  const site = String(doc.getIn(['site', 'name']) ?? '');
  const out: SiteMachine[] = [];
  const areas = doc.get('areas');
  if (!isSeq(areas)) return out;
  for (const a of areas.items) {
    if (!isMap(a)) continue;
    const machines = a.get('machines');
    if (!isSeq(machines)) continue;
    for (const m of machines.items)
      if (isMap(m))
        out.push({ name: `${site}/${String(a.get('name'))}/${String(m.get('name'))}`, connection: String(m.get('connection') ?? '') });
  }
  return out;
}

/** The machines whose tags come from this connection (a new tag reads through its machine's connection). */
export async function machinesOn(connection: string): Promise<SiteMachine[]> {
  const { text } = await api.call('config.current', {});
  return machinesIn(text).filter((m) => m.connection === connection);
}

function clean(t: NewTag): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(t).filter(([k, v]) => v !== undefined && v !== '' && !(k === 'options' && Object.keys(v as object).length === 0)),
  );
}

/**
 * The site file's text with the tags added to the machine's own list (a list made for a machine that
 * has none, e.g. one made from a template); comments and layout kept.
 */
export function withTags(text: string, machine: string, tags: readonly NewTag[]): string {
  const doc = parseDocument(text);
  const [site, area, name] = machine.split('/');
  if (String(doc.getIn(['site', 'name'])) !== site) throw new Error(`machine ${machine} is not in this site`);
  const areas = doc.get('areas');
  const a = isSeq(areas) ? areas.items.find((x) => isMap(x) && String(x.get('name')) === area) : undefined;
  const machines = isMap(a) ? a.get('machines') : undefined;
  const m = isSeq(machines) ? (machines.items.find((x) => isMap(x) && String(x.get('name')) === name) as YAMLMap | undefined) : undefined;
  if (!m) throw new Error(`machine ${machine} is not in the site file`);
  let list = m.get('tags');
  if (!isSeq(list)) {
    m.set('tags', doc.createNode([]));
    list = m.get('tags');
  }
  if (!isSeq(list)) throw new Error(`machine ${machine}: its tags are not a list`);
  // Adding never replaces: a name the machine has already (or twice in one add) is refused, naming it.
  const have = new Set(list.items.filter(isMap).map((x) => String(x.get('name'))));
  const taken = tags.filter((t, i) => have.has(t.name) || tags.findIndex((u) => u.name === t.name) !== i).map((t) => t.name);
  if (taken.length > 0)
    throw new Error(`machine ${machine} already has a tag named ${[...new Set(taken)].join(', ')}: rename before adding`);
  for (const t of tags) list.items.push(doc.createNode(clean(t)));
  return doc.toString({ lineWidth: 0 });
}

/** Add the tags to the machine's own list and apply them live as a new version; its number. */
export async function addTags(machine: string, tags: readonly NewTag[], comment: string): Promise<number> {
  const { text, version } = await api.call('config.current', {});
  const r = await api.call('config.apply', { text: withTags(text, machine, tags), baseVersion: version.version, comment });
  return r.version.version;
}
