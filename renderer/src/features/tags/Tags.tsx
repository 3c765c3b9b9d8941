// Tags & configuration: every tag of the site with its configuration and live value, searchable;
// engineers edit a tag's description, unit, normal range and write limits (validated by the core,
// written to the site file with a backup), and export or import a machine's tag list.
import { useId, useMemo, useState } from 'react';
import type { TagInfo } from '../../../../native/api/types';
import { download } from '../../lib/download';
import { searchTags } from '../../lib/search';
import { ApiCallError, api, errorText, sentence } from '../../platform/client';
import { useCan } from '../../platform/permissions';
import { actions, useApp } from '../../platform/store';
import { LiveValue } from '../../ui/LiveValue';
import { ScopeQuestion } from '../../ui/ScopeQuestion';
import { changesOf, draftOf, type TagDraft } from './tagEdit';

/** Rows rendered at once; a search narrows thousands of tags to what the engineer looks for. */
const SHOWN = 200;

const range = (lo: number | null, hi: number | null) => (lo === null && hi === null ? '—' : `${lo ?? '−∞'} … ${hi ?? '∞'}`);

function TagEditor({ tag, onClose }: { tag: TagInfo; onClose: () => void }) {
  const [draft, setDraft] = useState<TagDraft>(() => draftOf(tag));
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const id = useId();
  const field = (key: keyof TagDraft, label: string, size = 8) => (
    <label htmlFor={`${id}-${key}`}>
      {label}
      <input
        id={`${id}-${key}`}
        value={String(draft[key])}
        size={size}
        onChange={(e) => setDraft({ ...draft, [key]: e.target.value })}
        inputMode={key === 'description' || key === 'unit' ? undefined : 'decimal'}
      />
    </label>
  );
  // A tag made from a template: the core refuses an edit without a scope, naming the template and
  // the machines it would change; that sentence is the question, and the answer is sent with the edit.
  const [asking, setAsking] = useState<string | null>(null);
  const send = async (scope?: 'template' | 'machine') => {
    setAsking(null);
    const c = changesOf(tag, draft);
    if ('error' in c) {
      setOutcome({ ok: false, text: c.error });
      return;
    }
    try {
      const r = await api.call('config.updateTag', { tag: tag.name, changes: c.changes, ...(scope ? { scope } : {}) });
      actions.updateTags(r.changed);
      setOutcome({
        ok: true,
        text: r.version
          ? `Saved to ${r.file} as version ${r.version.version} ("${r.version.comment}"); roll back from the Configuration screen's history`
          : 'Nothing to save: these values are already in force',
      });
    } catch (err) {
      const needsScope = err instanceof ApiCallError ? err.error.fields?.find((f) => f.path === 'scope') : undefined;
      if (needsScope && !scope) {
        setOutcome(null);
        setAsking(needsScope.message);
      } else setOutcome({ ok: false, text: `Refused: ${errorText(err)}` });
    }
  };
  const save = (e: React.FormEvent) => {
    e.preventDefault();
    void send();
  };
  return (
    <form className="tag-editor" onSubmit={save} aria-label={`Edit ${tag.name}`}>
      {field('description', 'Description', 32)}
      {field('unit', 'Unit', 6)}
      <fieldset>
        <legend>Normal range</legend>
        {field('rangeLo', 'Low')}
        {field('rangeHi', 'High')}
      </fieldset>
      <label htmlFor={`${id}-writable`}>
        <input
          id={`${id}-writable`}
          type="checkbox"
          checked={draft.writable}
          onChange={(e) => setDraft({ ...draft, writable: e.target.checked })}
        />
        Writable
      </label>
      <fieldset>
        <legend>Write limits</legend>
        {field('writeMin', 'Min')}
        {field('writeMax', 'Max')}
      </fieldset>
      <button type="submit">Save</button>
      <button type="button" onClick={onClose}>
        Close
      </button>
      {asking ? <ScopeQuestion question={sentence(asking)} onChoose={(scope) => void send(scope)} onBack={() => setAsking(null)} /> : null}
      {outcome ? (
        <p className={outcome.ok ? 'write-ok' : 'write-error'} role={outcome.ok ? 'status' : 'alert'}>
          {outcome.text}
        </p>
      ) : null}
    </form>
  );
}

function ImportExport({ machine }: { machine: string }) {
  const [file, setFile] = useState<File | null>(null);
  const [report, setReport] = useState<string | null>(null);
  const id = useId();
  const run = async (apply: boolean) => {
    if (!file || !machine) return;
    try {
      const format = file.name.toLowerCase().endsWith('.json') ? 'json' : 'csv';
      const r = await api.call('config.importTags', { machine, format, text: await file.text(), apply });
      setReport(
        r.issues.length > 0
          ? `${r.issues.length} problem${r.issues.length > 1 ? 's' : ''}: ${r.issues
              .slice(0, 5)
              .map((i) => `line ${i.line} ${i.column}: ${i.message}`)
              .join('; ')}`
          : r.applied
            ? `Imported ${r.added.length} tag(s) into ${machine} as version ${r.outcome?.version.version ?? '?'}; applied live`
            : `${r.tags} tag(s) valid — ${r.diff?.summary.length ?? 0} change(s) against version ${r.baseVersion}; apply to put them in force`,
      );
    } catch (err) {
      setReport(`Refused: ${errorText(err)}`);
    }
  };
  const exportList = async () => {
    try {
      const r = await api.call('config.exportTags', { format: 'csv', ...(machine ? { machine } : {}) });
      download(r.filename, new Blob([r.body], { type: r.contentType }));
    } catch (err) {
      setReport(`Export refused: ${errorText(err)}`);
    }
  };
  return (
    <fieldset className="import-export">
      <legend>Tag list</legend>
      <button type="button" onClick={exportList}>
        Export CSV{machine ? ` of ${machine.split('/').pop()}` : ''}
      </button>
      <label htmlFor={id}>Import into the selected machine</label>
      <input id={id} type="file" accept=".csv,.json" disabled={!machine} onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
      <button type="button" disabled={!file || !machine} onClick={() => run(false)}>
        Check
      </button>
      <button type="button" disabled={!file || !machine} onClick={() => run(true)}>
        Apply
      </button>
      {report ? <span role="status">{report}</span> : null}
    </fieldset>
  );
}

export function Tags() {
  const tags = useApp((s) => s.tags);
  const machines = useApp((s) => s.machines);
  // From the core's permission table (auth.me): the gate is the control; this only hides what it would refuse.
  const canConfigure = useCan('config.updateTag');
  const canImportExport = useCan('config.importTags');
  const [query, setQuery] = useState('');
  const [machine, setMachine] = useState('');
  const [editing, setEditing] = useState<number | null>(null);
  const searchId = useId();
  const machineId = useId();
  const matches = useMemo(
    () => searchTags(tags, query).filter((t) => !machine || `${t.site}/${t.area}/${t.machine}` === machine),
    [tags, query, machine],
  );
  return (
    <div className="tags-screen">
      <div className="toolbar">
        <label htmlFor={searchId}>Search</label>
        <input id={searchId} type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="name, unit, address…" />
        <label htmlFor={machineId}>Machine</label>
        <select id={machineId} value={machine} onChange={(e) => setMachine(e.target.value)}>
          <option value="">All machines</option>
          {machines.map((m) => (
            <option key={m.name} value={m.name}>
              {m.name}
            </option>
          ))}
        </select>
        <span className="muted" role="status">
          {matches.length} of {tags.length} tags{matches.length > SHOWN ? ` (first ${SHOWN} shown)` : ''}
        </span>
      </div>
      {canImportExport ? <ImportExport machine={machine} /> : null}
      <div className="table-scroll">
        <table className="grid" aria-label="Tags">
          <thead>
            <tr>
              <th scope="col">Tag</th>
              <th scope="col">Value</th>
              <th scope="col">Description</th>
              <th scope="col">Type</th>
              <th scope="col">Normal range</th>
              <th scope="col">Write limits</th>
              <th scope="col">Connection</th>
              <th scope="col">Address</th>
              <th scope="col">Period ms</th>
              {canConfigure ? <th scope="col">Edit</th> : null}
            </tr>
          </thead>
          <tbody>
            {matches.slice(0, SHOWN).flatMap((t) => [
              <tr key={t.id} data-tag-row={t.name}>
                <th scope="row" className="mono">
                  {t.name}
                </th>
                <td>
                  <LiveValue tag={t} />
                </td>
                <td>{t.description}</td>
                <td>{t.dataType}</td>
                <td className="num">{range(t.rangeLo, t.rangeHi)}</td>
                <td className="num">{t.writable ? range(t.writeMin, t.writeMax) : 'read-only'}</td>
                <td>{t.connection}</td>
                <td className="mono">{t.address}</td>
                <td className="num">{t.expectedPeriodMs}</td>
                {canConfigure ? (
                  <td>
                    <button
                      type="button"
                      aria-expanded={editing === t.id}
                      aria-label={`Edit ${t.name}`}
                      onClick={() => setEditing(editing === t.id ? null : t.id)}
                    >
                      Edit
                    </button>
                  </td>
                ) : null}
              </tr>,
              editing === t.id ? (
                <tr key={`${t.id}-edit`} className="edit-row">
                  <td colSpan={10}>
                    <TagEditor tag={t} onClose={() => setEditing(null)} />
                  </td>
                </tr>
              ) : null,
            ])}
          </tbody>
        </table>
      </div>
    </div>
  );
}
