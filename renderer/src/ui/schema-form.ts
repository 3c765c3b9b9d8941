// The logic of the one form mechanism (SchemaForm.tsx): what kind of field a JSON Schema node is
// (the site file's zod schema, served by config.schema), the labels, the values a new entry starts
// with, the validator's field paths, and setting a value at a path in a plain value. No React here.
import type { FormSchema } from '../../../native/api/config-requests';

export type FormPath = readonly (string | number)[];

/** The validator's dotted field path (native/site/issues.ts fieldOf): ['areas', 0, 'name'] → areas[0].name */
export function fieldPath(path: FormPath): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

export type FieldKind =
  | { kind: 'union'; key: string; variants: { value: string; schema: FormSchema }[] }
  | { kind: 'object'; schema: FormSchema }
  | { kind: 'record'; values: FormSchema }
  | { kind: 'list'; items: FormSchema }
  | { kind: 'tuple'; items: FormSchema[] }
  | { kind: 'choice'; values: (string | number | boolean | null)[] }
  | { kind: 'constant'; value: string | number | boolean | null }
  | { kind: 'text' }
  | { kind: 'number'; integer: boolean }
  | { kind: 'boolean' }
  /** A value of one of several plain types (a parameter: text or number; a limit: number or true/false). */
  | { kind: 'scalar'; types: Plain[] }
  /** Anything the schema does not describe field by field (options: a record of unknown): edited as JSON. */
  | { kind: 'json' };

/** A union of objects that share a property with a constant in each (protocol: opcua | modbus | …). */
function discriminator(variants: FormSchema[]): string | null {
  const first = variants[0]?.properties;
  if (!first) return null;
  for (const [key, s] of Object.entries(first))
    if (s.const !== undefined && variants.every((v) => v.properties?.[key]?.const !== undefined)) return key;
  return null;
}

type Plain = 'string' | 'number' | 'boolean';
const isPlain = (t: string): t is Plain => t === 'string' || t === 'number' || t === 'boolean';

/**
 * A field that takes one of several forms, null aside (an empty field is null): the one form's own
 * field when there is one, else a scalar when each form is a plain type (integer counts as number),
 * else JSON.
 */
function oneOrScalar<T>(forms: readonly T[], typeOf: (form: T) => unknown, one: (form: T) => FieldKind): FieldKind {
  const nonNull = forms.filter((f) => typeOf(f) !== 'null');
  if (nonNull.length === 1 && nonNull[0] !== undefined) return one(nonNull[0]);
  const types = [...new Set(nonNull.map((f) => typeOf(f)).map((t) => (t === 'integer' ? 'number' : t)))];
  return types.every((t): t is Plain => typeof t === 'string' && isPlain(t)) ? { kind: 'scalar', types } : { kind: 'json' };
}

export function kindOf(schema: FormSchema): FieldKind {
  if (Array.isArray(schema.type)) {
    // ['integer', 'number'] is one form: a number.
    const types = [...new Set(schema.type.map((t) => (t === 'integer' ? 'number' : t)))];
    return oneOrScalar(
      types,
      (t) => t,
      (t) => kindOf({ ...schema, type: t }),
    );
  }
  const variants = schema.oneOf ?? schema.anyOf;
  if (variants) {
    const key = discriminator(variants);
    if (key) return { kind: 'union', key, variants: variants.map((v) => ({ value: String(v.properties?.[key]?.const), schema: v })) };
    // z.literal([7, 8]) and similar: a choice of constants.
    if (variants.every((v) => v.const !== undefined)) return { kind: 'choice', values: variants.map((v) => v.const ?? null) };
    return oneOrScalar(variants, (v) => v.type, kindOf);
  }
  if (schema.const !== undefined) return { kind: 'constant', value: schema.const };
  if (schema.enum) return { kind: 'choice', values: schema.enum };
  switch (schema.type) {
    case 'object':
      if (schema.properties) return { kind: 'object', schema };
      if (typeof schema.additionalProperties === 'object' && Object.keys(schema.additionalProperties).length > 0)
        return { kind: 'record', values: schema.additionalProperties };
      return { kind: 'json' };
    case 'array':
      if (schema.prefixItems) return { kind: 'tuple', items: schema.prefixItems };
      if (schema.items) return { kind: 'list', items: schema.items };
      return { kind: 'json' };
    case 'string':
      return { kind: 'text' };
    case 'number':
    case 'integer':
      return { kind: 'number', integer: schema.type === 'integer' };
    case 'boolean':
      return { kind: 'boolean' };
    default:
      return { kind: 'json' };
  }
}

/** Units written after the name (pollMs → Poll (ms)); acronyms written as such wherever they stand. */
const WORDS: Record<string, string> = { Ms: '(ms)', MB: '(MB)', S: '(s)', Id: 'id' };
const ACRONYMS: Record<string, string> = { Url: 'URL', Tls: 'TLS', Esg: 'ESG', Ca: 'CA' };

/** pollMs → "Poll (ms)", unitId → "Unit id", maxDbMB → "Max db (MB)", timeZone → "Time zone". */
export function labelOf(key: string): string {
  const parts = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(' ');
  const words = parts.map((w, i) => {
    const cap = w.charAt(0).toUpperCase() + w.slice(1);
    const acronym = ACRONYMS[cap];
    if (acronym) return acronym;
    const known = WORDS[cap];
    if (known && i > 0) return known;
    return i === 0 ? cap : w.toLowerCase();
  });
  return words.join(' ');
}

/** What a new entry of this schema starts with: its required fields (constants, defaults, empty). */
export function initialValue(schema: FormSchema, variant?: string): unknown {
  const k = kindOf(schema);
  switch (k.kind) {
    case 'union': {
      const v = k.variants.find((x) => x.value === variant) ?? k.variants[0];
      return v ? initialValue(v.schema) : {};
    }
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of schema.required ?? []) {
        const s = schema.properties?.[key];
        if (s) out[key] = s.default !== undefined ? structuredClone(s.default) : initialValue(s);
      }
      return out;
    }
    case 'list': {
      const n = schema.minItems ?? 0;
      return Array.from({ length: n }, () => initialValue(k.items));
    }
    case 'tuple':
      return k.items.map((s) => initialValue(s));
    case 'record':
    case 'json':
      return {};
    case 'choice':
      return schema.default ?? k.values[0];
    case 'constant':
      return k.value;
    case 'number':
      return schema.default ?? schema.minimum ?? 0;
    case 'boolean':
      return schema.default ?? false;
    case 'text':
      return schema.default ?? '';
    case 'scalar':
      return k.types.includes('string') ? '' : k.types.includes('number') ? 0 : false;
  }
}

/**
 * What typed text is, for a field of several plain types: the schema says which it may be, and the
 * text is read as the first that it exactly is (a number only if it is one, true/false only as such);
 * text the schema does not allow as a string stays text, for the validator to refuse in a sentence.
 */
export function scalarOf(text: string, types: readonly Plain[]): string | number | boolean {
  if (types.includes('boolean') && (text === 'true' || text === 'false')) return text === 'true';
  if (types.includes('number') && text.trim() !== '' && Number.isFinite(Number(text))) return Number(text);
  return text;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function valueAt(root: unknown, path: FormPath): unknown {
  let cur = root;
  for (const p of path) {
    if (Array.isArray(cur) && typeof p === 'number') cur = cur[p];
    else if (isRecord(cur)) cur = cur[String(p)];
    else return undefined;
  }
  return cur;
}

/** A copy of root with the value at path set (undefined: the field removed; a list index: the entry removed). */
export function setAt(root: unknown, path: FormPath, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  if (typeof head === 'number') {
    const list = Array.isArray(root) ? [...root] : [];
    if (rest.length === 0 && value === undefined) list.splice(head, 1);
    else list[head] = setAt(list[head], rest, value);
    return list;
  }
  const obj = isRecord(root) ? { ...root } : {};
  if (rest.length === 0 && value === undefined) delete obj[head];
  else obj[head] = setAt(obj[head], rest, value);
  return obj;
}

/** The validator's messages for one field (exact) and those under it that no field of its own shows. */
export function errorsAt(errors: ReadonlyMap<string, string[]>, path: FormPath): string[] {
  return errors.get(fieldPath(path)) ?? [];
}

/** Every message at or under a path (for a collapsed entry: "3 problems inside"). */
export function errorsUnder(errors: ReadonlyMap<string, string[]>, path: FormPath): number {
  const at = fieldPath(path);
  let n = 0;
  for (const [field, list] of errors) if (field === at || field.startsWith(`${at}.`) || field.startsWith(`${at}[`)) n += list.length;
  return n;
}

/** A short name for a list entry: its name, id or tag, else its place. */
export function entryTitle(value: unknown, index: number): string {
  if (isRecord(value)) {
    for (const k of ['name', 'id', 'tag', 'machine', 'topic']) {
      const v = value[k];
      if (typeof v === 'string' && v !== '') return v;
    }
  }
  return `#${index + 1}`;
}
