// The site file as forms (engineers): one section at a time — connections with every protocol's
// options, templates, areas and machines, alarms, historian, ESG, models… — each built by the one
// form mechanism (ui/SchemaForm) from the site file's schema (config.schema), never a form written
// per section. Every change is written into the text the Configuration screen holds (the Text view
// shows the same text), so Check, the diff and Apply are the screen's one workflow, and the
// validator's issues appear beside the field they name. Added here: Test connection beside each
// connection (the form's unsaved settings), Test read beside a machine's own tag whose connection
// runs, and a machine's template tags with the choice of changing the template or overriding the
// machine only, overrides listed with Revert.
import { useEffect, useMemo, useState } from 'react';
import type { ConfigIssueInfo, FormSchema } from '../../../../native/api/config-requests';
import type { TagValue } from '../../../../native/api/types';
import { api, errorText } from '../../platform/client';
import { useApp } from '../../platform/store';
import { SchemaForm } from '../../ui/SchemaForm';
import { machineCount, ScopeQuestion } from '../../ui/ScopeQuestion';
import { type FormPath, labelOf, setAt, valueAt } from '../../ui/schema-form';
import {
  applyChanges,
  type Change,
  issuesByField,
  machinesOfTemplate,
  offeredValues,
  parsed,
  renamesOfEdit,
  tagEditChanges,
} from './site-edit';

let schemaCache: Promise<FormSchema> | null = null;
function loadSchema(): Promise<FormSchema> {
  schemaCache ??= api.call('config.schema', {}).catch((err: unknown) => {
    schemaCache = null;
    throw err;
  });
  return schemaCache;
}

type Site = Record<string, unknown>;
type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});

function TestConnection({ settings }: { settings: unknown }) {
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const name = String(asObj(settings).name ?? '');
  return (
    <div className="toolbar form-test">
      <button
        type="button"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setResult(null);
          try {
            const r = await api.call('connections.test', { connection: asObj(settings), timeoutS: 10 });
            setResult({ ok: r.ok, text: r.sentence });
          } catch (err) {
            setResult({ ok: false, text: errorText(err) });
          } finally {
            setBusy(false);
          }
        }}
      >
        {busy ? 'Testing…' : `Test connection${name ? ` ${name}` : ''}`}
      </button>
      <TestResult result={result} />
    </div>
  );
}

/** The outcome of a test (connection or read), announced as a status. */
function TestResult({ result }: { result: { ok: boolean; text: string } | null }) {
  if (!result) return null;
  return (
    <span role="status" className={result.ok ? 'write-ok' : 'write-error'}>
      {result.text}
    </span>
  );
}

function TagTestRead({ connection, tag }: { connection: string; tag: Obj }) {
  const running = useApp((s) => s.connections.some((c) => c.name === connection));
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const address = typeof tag.address === 'string' ? tag.address : '';
  if (!running) return <p className="form-hint">Test read: once connection {connection || '(none)'} is applied.</p>;
  return (
    <div className="toolbar form-test">
      <button
        type="button"
        disabled={address === ''}
        onClick={async () => {
          setResult(null);
          try {
            const r = await api.call('connections.testRead', { connection, address, options: asObj(tag.options) });
            setResult({ ok: true, text: `${r.address} = ${String(r.value as TagValue)}` });
          } catch (err) {
            setResult({ ok: false, text: errorText(err) });
          }
        }}
      >
        Test read {String(tag.name ?? '')}
      </button>
      <TestResult result={result} />
    </div>
  );
}

/** A machine's tags that come from its template: edit asks where the change goes; overrides revert. */
function TemplateTags({
  site,
  machineAt,
  machine,
  tagSchema,
  onChanges,
}: {
  site: Site;
  machineAt: FormPath;
  machine: Obj;
  tagSchema: FormSchema;
  onChanges: (c: Change[]) => void;
}) {
  const template = typeof machine.template === 'string' ? machine.template : '';
  const tags = (asObj(asObj(site.templates)[template]).tags ?? []) as Obj[];
  const overrides = asObj(machine.overrides);
  const users = machinesOfTemplate(site, template);
  const [editing, setEditing] = useState<{ index: number; before: Obj; draft: Obj } | null>(null);
  const [asking, setAsking] = useState(false);
  const draftSchema = useMemo<FormSchema>(() => {
    const { name: _name, ...properties } = tagSchema.properties ?? {};
    return { ...tagSchema, properties, required: (tagSchema.required ?? []).filter((r) => r !== 'name') };
  }, [tagSchema]);
  if (!template || !Array.isArray(tags) || tags.length === 0) return null;
  const machineName = String(machine.name ?? '');
  const editedTag = editing ? tags[editing.index] : undefined;
  const finish = (scope: 'template' | 'override') => {
    if (!editing || !editedTag) return;
    onChanges(
      tagEditChanges({
        scope,
        template,
        tagIndex: editing.index,
        templateTag: editedTag,
        before: editing.before,
        after: editing.draft,
        machineAt,
      }),
    );
    setEditing(null);
    setAsking(false);
  };
  return (
    <section className="template-tags" aria-label={`Template tags of ${machineName}`}>
      <h4>
        Tags from template {template} ({machineCount(users)}: {users.join(', ')})
      </h4>
      <table className="data-table">
        <thead>
          <tr>
            <th>Tag</th>
            <th>Address</th>
            <th>Unit</th>
            <th>This machine</th>
            <th>
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {tags.map((t, i) => {
            const name = String(t.name);
            const o = Object.hasOwn(overrides, name) ? asObj(overrides[name]) : null;
            const effective = { ...t, ...(o ?? {}) };
            return (
              <tr key={name} data-tag={name} data-overridden={o ? 'true' : 'false'}>
                <td>{name}</td>
                <td className="mono">{String(effective.address ?? '')}</td>
                <td>{String(effective.unit ?? '')}</td>
                <td>{o ? `overridden here: ${Object.keys(o).join(', ')}` : `as template ${template}`}</td>
                <td>
                  <button
                    type="button"
                    aria-label={`Edit ${machineName}/${name}`}
                    onClick={() => setEditing({ index: i, before: effective, draft: effective })}
                  >
                    Edit
                  </button>{' '}
                  {o ? (
                    <button
                      type="button"
                      aria-label={`Revert the override of ${machineName}/${name}`}
                      onClick={() => onChanges([[[...machineAt, 'overrides', name], undefined]])}
                    >
                      Revert to template
                    </button>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {editing && editedTag ? (
        <div className="template-tag-edit" role="dialog" aria-label={`Edit ${machineName}/${String(editedTag.name)}`}>
          <SchemaForm
            schema={draftSchema}
            value={editing.draft}
            path={[]}
            label={`${machineName}/${String(editedTag.name)}`}
            errors={new Map()}
            onSet={(p, v) => setEditing((e) => (e ? { ...e, draft: setAt(e.draft, p, v) as Obj } : e))}
          />
          {asking ? (
            <ScopeQuestion
              question={`${String(editedTag.name)} comes from template ${template}. Change it for every machine made from the template, or for ${machineName} only?`}
              machines={users}
              onChoose={(scope) => finish(scope === 'machine' ? 'override' : 'template')}
              onBack={() => setAsking(false)}
            />
          ) : (
            <div className="toolbar">
              <button
                type="button"
                onClick={() => setAsking(true)}
                disabled={JSON.stringify(editing.draft) === JSON.stringify(editing.before)}
              >
                Save tag
              </button>
              <button type="button" onClick={() => setEditing(null)}>
                Cancel
              </button>
            </div>
          )}
        </div>
      ) : null}
    </section>
  );
}

/** The tag schema of a template's tags (the same as a machine's own). */
function tagSchemaOf(schema: FormSchema): FormSchema | null {
  const t = schema.properties?.templates?.additionalProperties;
  return (typeof t === 'object' ? t.properties?.tags?.items : undefined) ?? null;
}

export function SiteForms({
  text,
  onText,
  onRename,
  issues,
}: {
  text: string;
  onText: (t: string) => void;
  /** A tag's name edited (its own, or a template's on every machine made from it): old path -> new path. */
  onRename?: (renames: [string, string][]) => void;
  issues: ConfigIssueInfo[] | null;
}) {
  const [schema, setSchema] = useState<FormSchema | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [section, setSection] = useState('connections');
  useEffect(() => {
    loadSchema().then(setSchema, (err: unknown) => setError(`The site file's schema could not be loaded: ${errorText(err)}`));
  }, []);
  const site = useMemo(() => parsed(text), [text]);
  const errors = useMemo(() => issuesByField(issues), [issues]);
  if (error) return <p className="config-error">{error}</p>;
  if (!schema) return <p role="status">Loading the site file’s schema…</p>;
  if ('problem' in site)
    return (
      <p className="config-error" role="status">
        The forms cannot show this text: {site.problem}. Fix it in the Text view.
      </p>
    );
  const sections = Object.keys(schema.properties ?? {}).filter((k) => k !== 'version');
  const required = new Set(schema.required ?? []);
  const value = site.value;
  const tagSchema = tagSchemaOf(schema);
  const change = (changes: readonly Change[]) => onText(applyChanges(text, changes));
  const extra = (path: FormPath, v: unknown) => {
    if (path.length === 2 && path[0] === 'connections') return <TestConnection settings={v} />;
    if (path.length === 4 && path[0] === 'areas' && path[2] === 'machines' && tagSchema)
      return <TemplateTags site={value} machineAt={path} machine={asObj(v)} tagSchema={tagSchema} onChanges={change} />;
    if (path.length === 6 && path[0] === 'areas' && path[2] === 'machines' && path[4] === 'tags')
      return <TagTestRead connection={String(asObj(valueAt(value, path.slice(0, 4))).connection ?? '')} tag={asObj(v)} />;
    return null;
  };
  const count = (k: string) => {
    let n = 0;
    for (const [f, list] of errors) if (f === k || f.startsWith(`${k}.`) || f.startsWith(`${k}[`)) n += list.length;
    return n;
  };
  const shown = sections.includes(section) ? section : (sections[0] ?? '');
  const sectionSchema = schema.properties?.[shown];
  return (
    <section className="site-forms" aria-label="Site file forms">
      <fieldset className="toolbar site-sections" aria-label="Sections">
        {sections.map((k) => (
          <button key={k} type="button" aria-pressed={k === shown} onClick={() => setSection(k)}>
            {labelOf(k)}
            {count(k) > 0 ? ` (${count(k)} ⚠)` : ''}
          </button>
        ))}
      </fieldset>
      {sectionSchema ? (
        <SchemaForm
          key={shown}
          schema={sectionSchema}
          value={value[shown]}
          path={[shown]}
          label={labelOf(shown)}
          required={required.has(shown)}
          errors={errors}
          extra={extra}
          suggest={(p) => offeredValues(value, p)}
          onSet={(p, v) => {
            // A tag's new name is a rename (it keeps its id and history), not a removal and an addition.
            const renames = renamesOfEdit(value, p, v);
            if (renames.length > 0) onRename?.(renames);
            change([[p, v]]);
          }}
        />
      ) : null}
    </section>
  );
}
