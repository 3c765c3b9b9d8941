// The requests that read and edit the site file's tag entries: above the capabilities, beside the
// loader and the editor (native/site/editor.ts), so that the tag capability never imports them.
import type { Handlers } from '../api/contract.js';
import { ApiFailure } from '../api/registry.js';
import type { TagInfo } from '../api/types.js';
import { exportTagsCsv, importTagsCsv, importTagsJson } from '../tags/tag-list.js';
import { addMachineTags, editTag, TagEditError } from './editor.js';
import type { SiteModel } from './model.js';

export interface SiteServices {
  model: SiteModel;
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
    'config.importTags': ({ machine, format, text, apply }) => {
      const result = format === 'csv' ? importTagsCsv(text) : importTagsJson(text);
      if (!apply || result.issues.length > 0) return { tags: result.tags.length, issues: result.issues, applied: false, added: [] };
      try {
        const written = addMachineTags(s.model, machine, result.tags);
        return { tags: result.tags.length, issues: [], applied: true, added: written.added };
      } catch (err) {
        if (err instanceof TagEditError) throw new ApiFailure('validation', err.message);
        throw err;
      }
    },
    'config.updateTag': ({ tag, changes }) => {
      try {
        const result = editTag(s.model, tag, changes);
        s.onConfigChange?.(result.changed);
        return result;
      } catch (err) {
        if (err instanceof TagEditError) throw new ApiFailure('validation', err.message);
        throw err;
      }
    },
  };
}

/** A tag's entry as written in the site file (template entries carry their parameters unexpanded). */
function tagEntryAt(model: SiteModel, id: number): Record<string, unknown> {
  let node: unknown = model.raw;
  for (const key of model.definedAt[id] ?? []) node = (node as Record<string | number, unknown> | undefined)?.[key];
  return typeof node === 'object' && node !== null ? { ...(node as Record<string, unknown>) } : {};
}
