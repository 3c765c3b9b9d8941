// Writing display files, and the displays of a configuration version: a snapshot is every display
// file's text by id (what `displays/` held at that version), so a version can be compared with
// another and put back byte for byte. Writes are atomic (a temporary file renamed over the old one).
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DISPLAY_LIMITS, type DisplayDocument } from './schema.js';

/** Display id -> the text of its file. */
export type DisplaySnapshot = Record<string, string>;

/** The text a saved display is written as: two-space JSON, one field a line (diffable), ending in a newline. */
export const displayText = (d: DisplayDocument): string => `${JSON.stringify(d, null, 2)}\n`;

/** Every display file's text in `dir`, by id (the first DISPLAY_LIMITS.displays by name, as displays.list reads them). */
export function readSnapshot(dir: string): DisplaySnapshot {
  if (!existsSync(dir)) return {};
  const out: DisplaySnapshot = {};
  const names = readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()
    .slice(0, DISPLAY_LIMITS.displays);
  for (const n of names) out[n.slice(0, -'.json'.length)] = readFileSync(path.join(dir, n), 'utf8');
  return out;
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** Write one display's file (`<dir>/<id>.json`). */
export function writeDisplay(dir: string, id: string, text: string): void {
  mkdirSync(dir, { recursive: true });
  writeAtomic(path.join(dir, `${id}.json`), text);
}

/**
 * Make `dir` hold what `target` says: files whose text differs are written, displays the target
 * does not have are removed. Returns the ids written and removed.
 */
export function restoreSnapshot(dir: string, target: DisplaySnapshot): { written: string[]; removed: string[] } {
  const now = readSnapshot(dir);
  const written: string[] = [];
  const removed: string[] = [];
  for (const [id, text] of Object.entries(target)) {
    if (now[id] === text) continue;
    writeDisplay(dir, id, text);
    written.push(id);
  }
  for (const id of Object.keys(now)) {
    if (id in target) continue;
    rmSync(path.join(dir, `${id}.json`), { force: true });
    removed.push(id);
  }
  return { written, removed };
}

export interface DisplayDiffEntry {
  kind: 'display';
  name: string;
  change: 'added' | 'removed' | 'changed';
  fields?: string[];
}

const parsedOrNull = (text: string): Record<string, unknown> | null => {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
};

const json = (v: unknown) => JSON.stringify(v ?? null);

/** What changed between two snapshots, one entry per display, with a sentence each (elements by id). */
export function diffSnapshots(before: DisplaySnapshot, after: DisplaySnapshot): { entries: DisplayDiffEntry[]; summary: string[] } {
  const entries: DisplayDiffEntry[] = [];
  const summary: string[] = [];
  for (const id of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const a = before[id];
    const b = after[id];
    if (a === b) continue;
    if (a === undefined) {
      entries.push({ kind: 'display', name: id, change: 'added' });
      summary.push(`display ${id} added`);
      continue;
    }
    if (b === undefined) {
      entries.push({ kind: 'display', name: id, change: 'removed' });
      summary.push(`display ${id} removed`);
      continue;
    }
    const da = parsedOrNull(a);
    const db = parsedOrNull(b);
    if (!da || !db) {
      entries.push({ kind: 'display', name: id, change: 'changed' });
      summary.push(`display ${id} changed (its file is not a JSON object in one of the versions)`);
      continue;
    }
    const fields = [...new Set([...Object.keys(da), ...Object.keys(db)])].filter((k) => json(da[k]) !== json(db[k])).sort();
    entries.push({ kind: 'display', name: id, change: 'changed', fields });
    summary.push(
      `display ${id} changed (${fields.map((f) => (f === 'elements' ? elementChanges(da.elements, db.elements) : f)).join(', ')})`,
    );
  }
  return { entries, summary };
}

/** "elements: p2 added; p1 changed (x, y)" from two element arrays (by id; order changes said as z-order). */
function elementChanges(a: unknown, b: unknown): string {
  const byId = (v: unknown) =>
    new Map(
      (Array.isArray(v) ? v : [])
        .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null && typeof (e as { id?: unknown }).id === 'string')
        .map((e) => [e.id as string, e]),
    );
  const ea = byId(a);
  const eb = byId(b);
  const parts: string[] = [];
  const added = [...eb.keys()].filter((k) => !ea.has(k));
  const removed = [...ea.keys()].filter((k) => !eb.has(k));
  const changed: string[] = [];
  for (const [k, x] of ea) {
    const y = eb.get(k);
    if (!y) continue;
    const f = [...new Set([...Object.keys(x), ...Object.keys(y)])].filter((n) => json(x[n]) !== json(y[n])).sort();
    if (f.length > 0) changed.push(`${k} (${f.join(', ')})`);
  }
  const list = (ids: string[]) => (ids.length > 8 ? `${ids.slice(0, 8).join(', ')} and ${ids.length - 8} more` : ids.join(', '));
  if (added.length > 0) parts.push(`${list(added)} added`);
  if (removed.length > 0) parts.push(`${list(removed)} removed`);
  if (changed.length > 0) parts.push(`${list(changed)} changed`);
  const orderA = [...ea.keys()].filter((k) => eb.has(k)).join();
  const orderB = [...eb.keys()].filter((k) => ea.has(k)).join();
  if (orderA !== orderB) parts.push('drawing order changed');
  return `elements: ${parts.length > 0 ? parts.join('; ') : 'reordered'}`;
}
