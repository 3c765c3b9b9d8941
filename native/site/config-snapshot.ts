// A configuration version's display snapshot: every process display's file text by id, and every
// display template's (displays/templates/<id>.json) under the key `templates/<id>`; recorded with
// each version (versions.ts `displays`), compared by config.diff, put back by config.rollback. Below
// both live configuration (apply.ts, which records the templates with every site-file version) and
// the display requests (display-versions.ts).
import path from 'node:path';
import type { ConfigDiff } from '../api/config-requests.js';
import { type DisplaySnapshot, diffSnapshots, readSnapshot, restoreSnapshot } from '../displays/save.js';
import type { VersionStore } from './versions.js';

// A version's snapshot: display id -> file text, and display template id -> file text under the
// key `templates/<id>` (a display id holds no '/', so the two never meet). The key `templates/`
// itself (empty text) says the templates were recorded with the version: a version recorded before
// templates were versioned has no such key, and its templates are taken as they are on disk.
const TEMPLATE_KEY = 'templates/';

export interface SnapshotParts {
  displays: DisplaySnapshot;
  /** null: not recorded with this version. */
  templates: DisplaySnapshot | null;
}

export function splitSnapshot(s: Readonly<DisplaySnapshot>): SnapshotParts {
  const displays: DisplaySnapshot = {};
  const templates: DisplaySnapshot = {};
  for (const [k, t] of Object.entries(s)) {
    if (!k.startsWith(TEMPLATE_KEY)) displays[k] = t;
    else if (k !== TEMPLATE_KEY) templates[k.slice(TEMPLATE_KEY.length)] = t;
  }
  return { displays, templates: TEMPLATE_KEY in s ? templates : null };
}

export function joinSnapshot(displays: Readonly<DisplaySnapshot>, templates: Readonly<DisplaySnapshot>): DisplaySnapshot {
  const out: DisplaySnapshot = { ...displays, [TEMPLATE_KEY]: '' };
  for (const [id, t] of Object.entries(templates)) out[`${TEMPLATE_KEY}${id}`] = t;
  return out;
}

/** The displays and display templates as the files in `dir` (displays/) hold them now. */
export const configSnapshot = (dir: string): DisplaySnapshot => joinSnapshot(readSnapshot(dir), readSnapshot(path.join(dir, 'templates')));

/** `target` with the templates of `fallback` when it recorded none (a version from before templates were versioned). */
export const withTemplates = (target: Readonly<DisplaySnapshot>, fallback: Readonly<DisplaySnapshot>): DisplaySnapshot => {
  const t = splitSnapshot(target);
  return t.templates ? { ...target } : joinSnapshot(t.displays, splitSnapshot(fallback).templates ?? {});
};

/** What changed between two snapshots: displays by id, then templates (when both recorded them) as `templates/<id>`. */
export function diffConfigSnapshots(a: Readonly<DisplaySnapshot>, b: Readonly<DisplaySnapshot>): ConfigDiff {
  const sa = splitSnapshot(a);
  const sb = splitSnapshot(b);
  const d = diffSnapshots(sa.displays, sb.displays);
  if (!sa.templates || !sb.templates) return d;
  const t = diffSnapshots(sa.templates, sb.templates);
  return {
    entries: [...d.entries, ...t.entries.map((e) => ({ ...e, name: `${TEMPLATE_KEY}${e.name}` }))],
    summary: [...d.summary, ...t.summary.map((s) => s.replace(/^display /, 'display template '))],
  };
}

/** Make displays/ (and displays/templates/, when `target` recorded its templates) hold what `target` says. */
export function restoreConfigSnapshot(dir: string, target: Readonly<DisplaySnapshot>): { written: string[]; removed: string[] } {
  const s = splitSnapshot(target);
  const done = restoreSnapshot(dir, s.displays);
  if (!s.templates) return done;
  const t = restoreSnapshot(path.join(dir, 'templates'), s.templates);
  return {
    written: [...done.written, ...t.written.map((id) => `${TEMPLATE_KEY}${id}`)],
    removed: [...done.removed, ...t.removed.map((id) => `${TEMPLATE_KEY}${id}`)],
  };
}

export const sameSnapshot = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>) =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/**
 * The snapshot of `version`; recorded from disk on every version when none were yet (the first
 * save), and the templates as they are on disk on every version that recorded none.
 */
export function recordedSnapshot(versions: VersionStore, version: number, dir: string): DisplaySnapshot {
  const had = versions.displaysOf(version);
  if (had && splitSnapshot(had).templates) return had;
  const now = configSnapshot(dir);
  if (!had) {
    versions.fillDisplays(now);
    return now;
  }
  for (let v = 1; v <= version; v++) {
    const d = versions.displaysOf(v);
    if (d && !splitSnapshot(d).templates) versions.setDisplays(v, withTemplates(d, now));
  }
  return withTemplates(had, now);
}

/**
 * Record with `version` (a site-file version, made with the displays of the one before it) the
 * display templates as the files hold them, so that a template edited on disk is in the version
 * whichever request made it (config.apply, config.updateTag, config.importTags). Nothing is recorded
 * while no version recorded displays and there are no templates. Answers what it changed.
 */
export function recordTemplatesOnDisk(versions: VersionStore, version: number, dir: string): ConfigDiff {
  const onDisk = splitSnapshot(configSnapshot(dir)).templates ?? {};
  if (!versions.displaysOf(version) && Object.keys(onDisk).length === 0) return { entries: [], summary: [] };
  const had = recordedSnapshot(versions, version, dir);
  const next = joinSnapshot(splitSnapshot(had).displays, onDisk);
  if (sameSnapshot(had, next)) return { entries: [], summary: [] };
  versions.setDisplays(version, next);
  return diffConfigSnapshots(had, next);
}
