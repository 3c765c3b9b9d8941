// The one form mechanism: a form for any part of the site file, built from its JSON Schema (the
// site file's zod schema, config.schema) — objects as fieldsets, lists with Add and Remove, a union
// (a connection's protocol) as a choice that switches its fields, enumerations as selects, numbers
// with their bounds, text, switches, and JSON for what the schema leaves open (a tag's options).
// It edits nothing itself: each change goes to onSet(path, value) (undefined removes the field), and
// the screen writes it into the site file's text. The validator's messages are shown beside the
// field they name (errors: field path → sentences), the path being the site file's own.
import { createContext, type ReactNode, useContext, useEffect, useId, useRef, useState } from 'react';
import type { FormSchema } from '../../../native/api/config-requests';
import './schema-form.css';
import { entryTitle, errorsAt, errorsUnder, type FormPath, fieldPath, initialValue, kindOf, labelOf, scalarOf } from './schema-form';

interface FormContext {
  onSet(path: FormPath, value: unknown): void;
  errors: ReadonlyMap<string, string[]>;
  /** Parts a screen adds after an object's fields (Test connection beside a connection). */
  extra?: (path: FormPath, value: unknown) => ReactNode;
  /** Values a screen offers for a text field (a machine's template: the site's templates); any text is still taken. */
  suggest?: (path: FormPath) => readonly string[] | undefined;
  idPrefix: string;
}

const Ctx = createContext<FormContext | null>(null);
function useForm(): FormContext {
  const c = useContext(Ctx);
  if (!c) throw new Error('SchemaForm fields are used inside a SchemaForm');
  return c;
}

const idOf = (prefix: string, path: FormPath) => `${prefix}-${fieldPath(path).replace(/[^A-Za-z0-9_-]/g, '_') || 'root'}`;

function FieldErrors({ id, messages }: { id: string; messages: string[] }) {
  if (messages.length === 0) return null;
  return (
    <ul className="field-errors" id={id}>
      {messages.map((m) => (
        <li key={m}>{m}</li>
      ))}
    </ul>
  );
}

function describe(schema: FormSchema): string | undefined {
  const bits: string[] = [];
  if (schema.minimum !== undefined && schema.maximum !== undefined && schema.maximum < Number.MAX_SAFE_INTEGER)
    bits.push(`${schema.minimum} … ${schema.maximum}`);
  else if (schema.minimum !== undefined) bits.push(`at least ${schema.minimum}`);
  if (schema.default !== undefined && schema.default !== '' && typeof schema.default !== 'object')
    bits.push(`default ${String(schema.default)}`);
  return bits.length > 0 ? bits.join(', ') : undefined;
}

interface FieldProps {
  schema: FormSchema;
  value: unknown;
  path: FormPath;
  label: string;
  required: boolean;
}

/** A leaf: one labelled input with its errors below. */
function Leaf({ schema, value, path, label, required }: FieldProps) {
  const { onSet, errors, idPrefix, suggest } = useForm();
  const id = idOf(idPrefix, path);
  const messages = errorsAt(errors, path);
  const errId = `${id}-err`;
  const kind = kindOf(schema);
  const hint = describe(schema);
  const aria = {
    'aria-invalid': messages.length > 0 || undefined,
    'aria-describedby': messages.length > 0 ? errId : undefined,
    'aria-required': required || undefined,
  };
  let input: ReactNode;
  switch (kind.kind) {
    case 'number':
      input = (
        <input
          id={id}
          type="number"
          step={kind.integer ? 1 : 'any'}
          min={schema.minimum}
          max={schema.maximum !== undefined && schema.maximum < Number.MAX_SAFE_INTEGER ? schema.maximum : undefined}
          value={typeof value === 'number' ? value : ''}
          placeholder={schema.default !== undefined ? String(schema.default) : undefined}
          onChange={(e) => {
            const raw = e.target.value;
            if (raw === '') onSet(path, undefined);
            else if (Number.isFinite(e.target.valueAsNumber)) onSet(path, e.target.valueAsNumber);
          }}
          {...aria}
        />
      );
      break;
    case 'boolean':
      input = (
        <input
          id={id}
          type="checkbox"
          checked={typeof value === 'boolean' ? value : schema.default === true}
          onChange={(e) => onSet(path, e.target.checked)}
          {...aria}
        />
      );
      break;
    case 'choice': {
      const at = kind.values.indexOf(value as string | number | boolean | null);
      input = (
        <select
          id={id}
          value={at < 0 ? '' : String(at)}
          onChange={(e) => onSet(path, e.target.value === '' ? undefined : kind.values[Number(e.target.value)])}
          {...aria}
        >
          {!required || at < 0 ? (
            <option value="">{schema.default !== undefined ? `default (${String(schema.default)})` : 'not set'}</option>
          ) : null}
          {kind.values.map((v, i) => (
            <option key={String(v)} value={String(i)}>
              {String(v)}
            </option>
          ))}
        </select>
      );
      break;
    }
    case 'scalar':
      input = (
        <input
          id={id}
          type="text"
          value={value === undefined ? '' : String(value)}
          placeholder={kind.types.join(' or ')}
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => onSet(path, e.target.value === '' && !required ? undefined : scalarOf(e.target.value, kind.types))}
          {...aria}
        />
      );
      break;
    case 'constant':
      input = (
        <output id={id} className="mono">
          {String(kind.value)}
        </output>
      );
      break;
    default: {
      const offered = suggest?.(path) ?? [];
      input = (
        <>
          <input
            id={id}
            list={offered.length > 0 ? `${id}-offered` : undefined}
            type={/password|secret/i.test(String(path[path.length - 1])) ? 'password' : 'text'}
            value={typeof value === 'string' ? value : value === undefined ? '' : String(value)}
            placeholder={schema.default !== undefined ? String(schema.default) : undefined}
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => onSet(path, e.target.value === '' && !required ? undefined : e.target.value)}
            {...aria}
          />
          {offered.length > 0 ? (
            <datalist id={`${id}-offered`}>
              {offered.map((v) => (
                <option key={v} value={v} />
              ))}
            </datalist>
          ) : null}
        </>
      );
    }
  }
  return (
    <div className="form-field" data-field={fieldPath(path)}>
      <span className="form-name">
        <label htmlFor={id}>{label}</label>
        {required ? <span className="form-required"> (required)</span> : null}
      </span>
      {input}
      {hint ? <span className="form-hint">{hint}</span> : null}
      <FieldErrors id={errId} messages={messages} />
    </div>
  );
}

/** What the schema leaves open (a record of anything, a value of several shapes): edited as JSON. */
function JsonField({ value, path, label }: FieldProps) {
  const { onSet, errors, idPrefix } = useForm();
  const id = idOf(idPrefix, path);
  const shown = value === undefined ? '' : JSON.stringify(value);
  const [draft, setDraft] = useState(shown);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => setDraft(shown), [shown]);
  const messages = [...errorsAt(errors, path), ...(problem ? [problem] : [])];
  // Messages about fields inside (options.wordOrder) belong here too: they have no field of their own.
  const inside = [...errors].filter(([f]) => f.startsWith(`${fieldPath(path)}.`)).flatMap(([f, m]) => m.map((x) => `${f}: ${x}`));
  return (
    <div className="form-field" data-field={fieldPath(path)}>
      <label htmlFor={id}>{label} (JSON)</label>
      <input
        id={id}
        className="mono"
        value={draft}
        spellCheck={false}
        autoComplete="off"
        placeholder="{}"
        aria-invalid={messages.length + inside.length > 0 || undefined}
        aria-describedby={messages.length + inside.length > 0 ? `${id}-err` : undefined}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={() => {
          if (draft.trim() === '') {
            setProblem(null);
            onSet(path, undefined);
            return;
          }
          try {
            onSet(path, JSON.parse(draft));
            setProblem(null);
          } catch (err) {
            setProblem(`${label} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
          }
        }}
      />
      <FieldErrors id={`${id}-err`} messages={[...messages, ...inside]} />
    </div>
  );
}

function ObjectField({ schema, value, path, label, required, omit }: FieldProps & { omit?: string }) {
  const { onSet, errors, extra } = useForm();
  const present = typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!present && !required)
    return (
      <div className="form-field form-absent" data-field={fieldPath(path)}>
        <span>{label}: not set</span>{' '}
        <button type="button" onClick={() => onSet(path, initialValue(schema))}>
          Set {label.toLowerCase()}
        </button>
        <FieldErrors id={`${fieldPath(path)}-err`} messages={errorsAt(errors, path)} />
      </div>
    );
  const obj = (present ? value : {}) as Record<string, unknown>;
  const req = new Set(schema.required ?? []);
  return (
    <fieldset className="form-object" data-field={fieldPath(path)}>
      <legend>{label}</legend>
      <FieldErrors id={`${fieldPath(path)}-err`} messages={errorsAt(errors, path)} />
      {Object.entries(schema.properties ?? {})
        .filter(([k]) => k !== omit)
        .map(([k, s]) => (
          <Field key={k} schema={s} value={obj[k]} path={[...path, k]} label={labelOf(k)} required={req.has(k)} />
        ))}
      {!required ? (
        <button type="button" className="form-remove" onClick={() => onSet(path, undefined)}>
          Remove {label.toLowerCase()}
        </button>
      ) : null}
      {extra?.(path, value)}
    </fieldset>
  );
}

function UnionField(props: FieldProps) {
  const { onSet, idPrefix } = useForm();
  const kind = kindOf(props.schema);
  if (kind.kind !== 'union') return null;
  const obj = (typeof props.value === 'object' && props.value !== null ? props.value : {}) as Record<string, unknown>;
  const current = kind.variants.find((v) => v.value === obj[kind.key]) ?? kind.variants[0];
  if (!current) return null;
  const id = idOf(idPrefix, [...props.path, kind.key]);
  return (
    <fieldset className="form-object" data-field={fieldPath(props.path)}>
      <legend>{props.label}</legend>
      <div className="form-field">
        <label htmlFor={id}>{labelOf(kind.key)}</label>
        <select
          id={id}
          value={current.value}
          onChange={(e) => {
            // Another protocol has other fields: start from its required ones, keeping the name.
            const next = initialValue(props.schema, e.target.value) as Record<string, unknown>;
            onSet(props.path, typeof obj.name === 'string' ? { ...next, name: obj.name } : next);
          }}
        >
          {kind.variants.map((v) => (
            <option key={v.value}>{v.value}</option>
          ))}
        </select>
      </div>
      <ObjectField {...props} schema={current.schema} label={`${current.value} settings`} required omit={kind.key} />
    </fieldset>
  );
}

/** "Tags" → "Tag", "Params" → "Param", "Key tags" → "Key tag", "Alarms" → "Alarm". */
const singularOf = (label: string) => label.replace(/ies$/, 'y').replace(/s$/, '');

/** A list entry, collapsed until opened; one the validator has a problem with opens (and is never closed for the engineer). */
function Entry({ title, summary, problems, children }: { title: string; summary: string; problems: number; children: ReactNode }) {
  const ref = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    if (problems > 0 && ref.current) ref.current.open = true;
  }, [problems]);
  return (
    <details ref={ref} className="form-entry" data-entry={title}>
      <summary>
        {summary}
        {problems > 0 ? <span className="form-problems"> — {problems === 1 ? '1 problem' : `${problems} problems`}</span> : null}
      </summary>
      {children}
    </details>
  );
}

function ListField({ schema, value, path, label }: FieldProps) {
  const { onSet, errors } = useForm();
  const kind = kindOf(schema);
  if (kind.kind !== 'list') return null;
  const items = Array.isArray(value) ? value : [];
  const itemKind = kindOf(kind.items).kind;
  const simple = itemKind === 'text' || itemKind === 'number' || itemKind === 'choice';
  const singular = singularOf(label);
  return (
    <fieldset className="form-list" data-field={fieldPath(path)}>
      <legend>
        {label} <span className="form-hint">({items.length})</span>
      </legend>
      <FieldErrors id={`${fieldPath(path)}-err`} messages={errorsAt(errors, path)} />
      {items.map((item, i) => {
        const at = [...path, i];
        const title = entryTitle(item, i);
        const problems = errorsUnder(errors, at);
        const remove = (
          <button
            type="button"
            className="form-remove"
            aria-label={`Remove ${singular.toLowerCase()} ${title}`}
            onClick={() => onSet(at, undefined)}
          >
            Remove
          </button>
        );
        if (simple)
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: a list entry is its place in the file
            <div key={i} className="form-list-simple">
              <Field schema={kind.items} value={item} path={at} label={`${singular} ${i + 1}`} required />
              {remove}
            </div>
          );
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: a list entry is its place in the file
          <Entry key={i} title={title} summary={`${singular} ${title}`} problems={problems}>
            <Field schema={kind.items} value={item} path={at} label={`${singular} ${title}`} required />
            {remove}
          </Entry>
        );
      })}
      <button type="button" onClick={() => onSet([...path, items.length], initialValue(kind.items))}>
        Add {singular.toLowerCase()}
      </button>
    </fieldset>
  );
}

function RecordField({ schema, value, path, label }: FieldProps) {
  const { onSet, errors, idPrefix } = useForm();
  const [key, setKey] = useState('');
  const kind = kindOf(schema);
  if (kind.kind !== 'record') return null;
  const obj = (typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {}) as Record<string, unknown>;
  const id = idOf(idPrefix, [...path, '$new']);
  return (
    <fieldset className="form-list" data-field={fieldPath(path)}>
      <legend>{label}</legend>
      <FieldErrors id={`${fieldPath(path)}-err`} messages={errorsAt(errors, path)} />
      {Object.entries(obj).map(([k, v]) => (
        <div key={k} className="form-list-simple">
          <Field schema={kind.values} value={v} path={[...path, k]} label={k} required />
          <button
            type="button"
            className="form-remove"
            aria-label={`Remove ${label.toLowerCase()} ${k}`}
            onClick={() => onSet([...path, k], undefined)}
          >
            Remove
          </button>
        </div>
      ))}
      <div className="form-field">
        <label htmlFor={id}>New {singularOf(label).toLowerCase()} name</label>
        <input id={id} value={key} onChange={(e) => setKey(e.target.value)} autoComplete="off" />
        <button
          type="button"
          disabled={key.trim() === '' || Object.hasOwn(obj, key.trim())}
          onClick={() => {
            onSet([...path, key.trim()], initialValue(kind.values));
            setKey('');
          }}
        >
          Add
        </button>
      </div>
    </fieldset>
  );
}

function TupleField({ schema, value, path, label, required }: FieldProps) {
  const { onSet, errors, idPrefix } = useForm();
  const kind = kindOf(schema);
  if (kind.kind !== 'tuple') return null;
  const list = Array.isArray(value) ? value : null;
  const messages = errorsAt(errors, path);
  const id = idOf(idPrefix, path);
  return (
    <fieldset className="form-field form-tuple" data-field={fieldPath(path)}>
      <legend className="form-label">{label}</legend>
      {list ? (
        <>
          {kind.items.map((s, i) => (
            <input
              // biome-ignore lint/suspicious/noArrayIndexKey: a tuple's places are fixed
              key={i}
              type="number"
              step="any"
              aria-label={`${label} ${i === 0 ? 'low' : i === 1 ? 'high' : i + 1}`}
              value={typeof list[i] === 'number' ? (list[i] as number) : ''}
              aria-invalid={messages.length > 0 || undefined}
              aria-describedby={messages.length > 0 ? `${id}-err` : undefined}
              onChange={(e) => {
                if (Number.isFinite(e.target.valueAsNumber)) onSet([...path, i], e.target.valueAsNumber);
              }}
              data-kind={s.type}
            />
          ))}
          {!required ? (
            <button type="button" className="form-remove" onClick={() => onSet(path, undefined)}>
              Clear
            </button>
          ) : null}
        </>
      ) : (
        <button type="button" onClick={() => onSet(path, initialValue(schema))}>
          Set {label.toLowerCase()}
        </button>
      )}
      <FieldErrors id={`${id}-err`} messages={messages} />
    </fieldset>
  );
}

function Field(props: FieldProps) {
  const k = kindOf(props.schema).kind;
  switch (k) {
    case 'union':
      return <UnionField {...props} />;
    case 'object':
      return <ObjectField {...props} />;
    case 'list':
      return <ListField {...props} />;
    case 'record':
      return <RecordField {...props} />;
    case 'tuple':
      return <TupleField {...props} />;
    case 'json':
      return <JsonField {...props} />;
    default:
      return <Leaf {...props} />;
  }
}

export function SchemaForm({
  schema,
  value,
  path,
  label,
  onSet,
  errors,
  extra,
  suggest,
  required = true,
}: {
  schema: FormSchema;
  value: unknown;
  path: FormPath;
  label: string;
  onSet(path: FormPath, value: unknown): void;
  errors: ReadonlyMap<string, string[]>;
  extra?: (path: FormPath, value: unknown) => ReactNode;
  suggest?: (path: FormPath) => readonly string[] | undefined;
  required?: boolean;
}) {
  const idPrefix = useId().replace(/:/g, '');
  return (
    <Ctx.Provider value={{ onSet, errors, ...(extra ? { extra } : {}), ...(suggest ? { suggest } : {}), idPrefix }}>
      <div className="schema-form">
        <Field schema={schema} value={value} path={path} label={label} required={required} />
      </div>
    </Ctx.Provider>
  );
}
