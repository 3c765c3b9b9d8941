// The requests that read and edit the site file's tag entries: above the capabilities, beside the
// loader and the editor (native/site/editor.ts), so that the tag capability never imports them.
import type { Handlers } from '../api/contract.js';
import { ApiFailure } from '../api/registry.js';
import type { TagInfo } from '../api/types.js';
import { exportTagsCsv, importTagsCsv, importTagsJson } from '../tags/tag-list.js';
import type { LiveConfig } from './apply.js';
import { machineTagsText, TagEditError, TagScopeError, tagEditText } from './editor.js';
import type { SiteModel } from './model.js';

export interface SiteServices {
  model: SiteModel;
  /** Live configuration: an import is validated and applied through it like any edit. */
  live: LiveConfig;
  /** Called after tag metadata changed (the UI refreshes, the audit trail records). */
  onConfigChange?: (changed: TagInfo[]) => void;
}

export function siteHandlers(s: SiteServices): Pick<Handlers, 'config.updateTag' | 'config.exportTags' | 'config.importTags'> {
  return {
    'config.exportTags': ({ machine, format }) => {
      const tags = s.model.tags.filter((t) => !machine || `${t.site}/${t.area}/${t.machine}` === machine);
      if (machine && tags.length === 0) throw new ApiFailure('not_found', `no machine named "${machine}"`);
      const base = (machine ?? s.model.site.name).replaceAll('/', '_');
      if (format === 'csv') {
        const byId = new Map([...s.model.driverTags.values()].flat().map((d) => [d.id, d]));
        return { filename: `${base}-tags.csv`, contentType: 'text/csv; charset=utf-8', body: exportTagsCsv(tags, byId) };
      }
      const entries = tags.map((t) => ({
        ...(s.model.definedAt[t.id] ? tagEntryAt(s.model, t.id) : {}),
        name: t.name.split('/').pop(),
        address: t.address,
      }));
      return { filename: `${base}-tags.json`, contentType: 'application/json', body: `${JSON.stringify(entries, null, 2)}\n` };
    },
    // Rows first (each with its line), then the whole file with the one validator and the diff;
    // applied through config.apply like any edit (the text checked here is not validated again):
    // a version, live, audited.
    'config.importTags': async ({ machine, format, text, apply, baseVersion, comment }, ctx) => {
      const result = format === 'csv' ? importTagsCsv(text) : importTagsJson(text);
      const tags = result.tags.length;
      const inForce = s.live.current();
      const none = { tags, applied: false, added: [], baseVersion: inForce.version, diff: null, outcome: null };
      if (result.issues.length > 0) return { ...none, issues: result.issues };
      let next: { text: string; added: string[] };
      try {
        next = machineTagsText(s.model, inForce.text, machine, result.tags);
      } catch (err) {
        if (err instanceof TagEditError) throw new ApiFailure('validation', err.message);
        throw err;
      }
      const { answer: checked, model } = s.live.check(next.text, {});
      const issues = checked.issues.map((i) => ({ line: 0, column: i.field, message: `site file: ${i.text}` }));
      if (!apply || !checked.valid || !model)
        return { ...none, issues, added: next.added, baseVersion: checked.baseVersion, diff: checked.diff };
      const outcome = await s.live.apply({
        text: next.text,
        baseVersion: baseVersion ?? checked.baseVersion,
        comment: comment ?? `imported ${tags} tag${tags === 1 ? '' : 's'} into ${machine} from a ${format.toUpperCase()} list`,
        renames: {},
        author: ctx.user,
        checked: model,
      });
      return { tags, issues: [], applied: true, added: next.added, baseVersion: checked.baseVersion, diff: outcome.diff, outcome };
    },
    // Through config.apply like an import: a version by the caller, live, audited, rolled back like any.
    'config.updateTag': async ({ tag, scope, changes, baseVersion, comment }, ctx) => {
      const inForce = s.live.current();
      let text: string;
      try {
        text = tagEditText(s.model, inForce.text, tag, changes, scope);
      } catch (err) {
        // A missing scope is named as the `scope` field's problem, so that a screen can ask for it.
        if (err instanceof TagScopeError) throw new ApiFailure('validation', err.message, [{ path: 'scope', message: err.message }]);
        if (err instanceof TagEditError) throw new ApiFailure('validation', err.message);
        throw err;
      }
      const file = s.model.file;
      const backup = `${file}.bak`;
      // The same values again: nothing to version (config.apply would refuse an unchanged text).
      if (text === inForce.text && (baseVersion ?? inForce.version) === inForce.version)
        return { changed: [], file, backup, version: null };
      const fields = Object.keys(changes).sort().join(', ');
      const where =
        scope === 'template' ? ' (its template, every machine made from it)' : scope === 'machine' ? ' (this machine only)' : '';
      const outcome = await s.live.apply({
        text,
        baseVersion: baseVersion ?? inForce.version,
        comment: comment ?? `edited tag ${tag}: ${fields}${where}`,
        renames: {},
        author: ctx.user,
      });
      // The tags the edit reached: a template's edit reaches every machine made from it.
      const reached = new Set(outcome.diff.entries.filter((e) => e.kind === 'tag' && e.change === 'changed').map((e) => e.name));
      reached.add(tag);
      const changed = s.model.tags.filter((t) => reached.has(t.name));
      s.onConfigChange?.(changed);
      return { changed, file, backup, version: outcome.version };
    },
  };
}

/** A tag's entry as written in the site file (template entries carry their parameters unexpanded). */
function tagEntryAt(model: SiteModel, id: number): Record<string, unknown> {
  let node: unknown = model.raw;
  for (const key of model.definedAt[id] ?? []) node = (node as Record<string | number, unknown> | undefined)?.[key];
  return typeof node === 'object' && node !== null ? { ...(node as Record<string, unknown>) } : {};
}
