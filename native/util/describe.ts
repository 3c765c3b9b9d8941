// zod issues turned into sentences a site engineer reads: what the field must be and what it is,
// with "did you mean …?" for a misspelt field name or enumeration value. Never raw zod output.
// The same sentences, naming each field, answer an API client whose arguments fail their request's
// schema (describeZodError, used by native/api/registry.ts).
// And spans of time as people read them. Below every capability: drivers, the site loader and the
// API limits all describe through here.
import type { z } from 'zod';

/** Where in a document a field sits: keys and array indices from the root. */
type SitePath = (string | number)[];

/** Edit distance (insert, delete, substitute, swap), case-insensitive: "wordorder" is 0 from "wordOrder". */
function distance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) =>
    Array.from({ length: t.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const row = d[i] as number[];
      const prev = d[i - 1] as number[];
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1])
        row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
    }
  }
  return (d[s.length] as number[])[t.length] as number;
}

/** The known word closest to `word`, if it is close enough to be a likely misspelling. */
export function closest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const dist = distance(word, k);
    if (dist < bestD) {
      best = k;
      bestD = dist;
    }
  }
  // Replacing every letter of a word is not misspelling it: "d" is not a likely "n".
  const shorter = best === undefined ? 0 : Math.min(word.length, best.length);
  if (best !== undefined && bestD <= Math.max(1, Math.floor(shorter / 3)) && bestD < shorter) return best;
  // "boolean" for "bool", "float" for "float32": one name written out longer or shorter.
  const lower = word.toLowerCase();
  const prefixed = known.filter(
    (k) => k.length >= 3 && lower.length >= 3 && (lower.startsWith(k.toLowerCase()) || k.toLowerCase().startsWith(lower)),
  );
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** An unknown field, with the likely intended one or the list of known ones. */
export function unknownFieldMessage(key: string, known: readonly string[]): string {
  const near = closest(key, known);
  if (near) return `unknown field "${key}": did you mean ${near}?`;
  return known.length > 0
    ? `unknown field "${key}"; the fields here are ${known.join(', ')}`
    : `unknown field "${key}"; no fields are allowed here`;
}

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  items?: z.ZodType[];
  options?: z.ZodType[];
  discriminator?: string;
  getter?: () => z.ZodType;
}

const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

function unwrap(s: z.ZodType): z.ZodType {
  let cur = s;
  for (let n = 0; n < 20; n++) {
    const d = defOf(cur);
    if (d.innerType) cur = d.innerType;
    else if (d.type === 'pipe' && d.in) cur = d.in;
    else if (d.type === 'lazy' && d.getter) cur = d.getter();
    else return cur;
  }
  return cur;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The object schemas that may apply at a value (a discriminated union picks by its discriminator). */
function objectOptions(s: z.ZodType, value: unknown): z.ZodType[] {
  const u = unwrap(s);
  const d = defOf(u);
  if (d.type === 'object') return [u];
  if (d.type === 'union' && d.options) {
    const picked =
      d.discriminator && isRecord(value)
        ? d.options.filter((o) => {
            const disc = defOf(unwrap(o)).shape?.[d.discriminator as string];
            const lit = disc ? (defOf(unwrap(disc)) as Def & { values?: unknown[] }).values : undefined;
            return lit?.includes(value[d.discriminator as string]);
          })
        : d.options;
    return picked.flatMap((o) => objectOptions(o, value));
  }
  return [];
}

/** The schema that validates the value at `path`, found by walking the schema along the data. */
function schemaAt(root: z.ZodType, data: unknown, path: SitePath): { schemas: z.ZodType[]; value: unknown } {
  let schemas = [root];
  let value = data;
  for (const p of path) {
    const next: z.ZodType[] = [];
    for (const s of schemas) {
      const u = unwrap(s);
      const d = defOf(u);
      if (d.type === 'array' && d.element) next.push(d.element);
      else if (d.type === 'tuple' && d.items && typeof p === 'number' && d.items[p]) next.push(d.items[p]);
      else if (d.type === 'record' && d.valueType) next.push(d.valueType);
      else
        for (const o of objectOptions(u, value)) {
          const f = defOf(o).shape?.[String(p)];
          if (f) next.push(f);
        }
    }
    schemas = next;
    value = isRecord(value) || Array.isArray(value) ? (value as Record<string | number, unknown>)[p] : undefined;
  }
  return { schemas, value };
}

/** The field names an object schema at `path` knows. */
export function knownFields(root: z.ZodType, data: unknown, path: SitePath): string[] {
  const { schemas, value } = schemaAt(root, data, path);
  return [...new Set(schemas.flatMap((s) => objectOptions(s, value).flatMap((o) => Object.keys(defOf(o).shape ?? {}))))];
}

export function valueAt(data: unknown, path: SitePath): unknown {
  let v = data;
  for (const p of path) v = isRecord(v) || Array.isArray(v) ? (v as Record<string | number, unknown>)[p] : undefined;
  return v;
}

/** A value as a sentence shows it: "the text "abc"", "the number 3", "a list". */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'empty';
  if (typeof v === 'string') return `the text ${JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v)}`;
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? 'not a number (.nan)' : 'infinite (.inf)';
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v === 'number' ? 'the number' : ''} ${String(v)}`.trim();
  if (Array.isArray(v)) return `a list of ${v.length}`;
  return 'a mapping';
}

const TYPE_NAMES: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping of fields',
  array: 'a list',
  record: 'a mapping',
  tuple: 'a list',
};

/** What a string format asks for, where the schema gives no wording of its own. */
const FORMAT_NAMES: Record<string, string> = {
  datetime: 'a date and time such as 2026-12-01T08:00:00Z',
  date: 'a date such as 2026-12-01',
  time: 'a time of day such as 08:00:00',
  email: 'an e-mail address',
  url: 'a URL',
  uuid: 'a UUID',
  regex: 'text of the form this field takes',
};

function plural(n: number | bigint, one: string): string {
  return `${n} ${one}${Number(n) === 1 ? '' : 's'}`;
}

export interface DescribedIssue {
  path: SitePath;
  message: string;
  /** True when the issue is about a key itself (its position is the key's, not its value's). */
  key?: boolean;
  /** For an unknown key: the known field it is likely a misspelling of. */
  suggests?: string;
  /** For a missing field: it is required. */
  missing?: boolean;
  /** The message is the schema's own sentence (a refinement's), not a predicate about the field. */
  own?: boolean;
}

/**
 * One zod issue as sentences (an issue listing several unknown keys gives one per key). `root` is
 * the schema that was applied to `data` at the issue's base path.
 */
export function describeZodIssue(issue: z.core.$ZodIssue, root: z.ZodType, data: unknown, base: SitePath = []): DescribedIssue[] {
  const path = [...base, ...(issue.path as SitePath)];
  const local = issue.path as SitePath;
  const value = valueAt(data, local);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownFields(root, data, local);
      return issue.keys.map((k) => ({
        path: [...path, k],
        key: true,
        suggests: closest(k, known),
        message: unknownFieldMessage(k, known),
      }));
    }
    case 'invalid_type': {
      if (value === undefined)
        return [{ path, missing: true, message: `is required and must be ${TYPE_NAMES[issue.expected] ?? issue.expected}` }];
      const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
      if (typeof value === 'number' && !Number.isFinite(value))
        return [{ path, message: `must be a finite number, but it is ${describeValue(value)}` }];
      return [{ path, message: `must be ${expected}, but it is ${describeValue(value)}` }];
    }
    case 'invalid_value': {
      const values = issue.values.map((v) => JSON.stringify(v));
      if (value === undefined)
        return [{ path, missing: true, message: `is required: ${values.length === 1 ? values[0] : `one of ${values.join(', ')}`}` }];
      if (values.length === 1) {
        // A literal's own message says why ("this console reads site files of version 1").
        const why = issue.message && !issue.message.startsWith('Invalid') ? ` (${issue.message})` : '';
        return [{ path, message: `must be ${values[0]}${why}, but it is ${describeValue(value)}` }];
      }
      const near = typeof value === 'string' ? closest(value, issue.values.map(String)) : undefined;
      return [
        {
          path,
          message: `must be one of ${values.join(', ')}, but it is ${describeValue(value)}${near ? `: did you mean ${near}?` : ''}`,
        },
      ];
    }
    case 'invalid_union': {
      const disc = (issue as { discriminator?: string }).discriminator;
      if (disc) {
        // The issue's path may end at the discriminator itself or at the object holding it.
        const holder = local[local.length - 1] === disc ? local.slice(0, -1) : local;
        const { schemas } = schemaAt(root, data, holder);
        const options = schemas.flatMap((s) => (defOf(unwrap(s)).options ?? []).map((o) => defOf(unwrap(o)).shape?.[disc]));
        const allowed = options.flatMap((o) => (o ? ((defOf(unwrap(o)) as Def & { values?: unknown[] }).values ?? []) : [])).map(String);
        const got = valueAt(data, [...holder, disc]);
        const near = typeof got === 'string' ? closest(got, allowed) : undefined;
        return [
          {
            path: [...base, ...holder, disc],
            message: `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, but it is ${describeValue(got)}${near ? `: did you mean ${near}?` : ''}`,
          },
        ];
      }
      // Each form the union allows, from what each option expected at this very value.
      const forms = [
        ...new Set(
          ((issue as { errors?: z.core.$ZodIssue[][] }).errors ?? []).flatMap((option) => {
            const here = option.filter((o) => o.path.length === 0);
            return here.flatMap((o) =>
              o.code === 'invalid_type'
                ? [o.expected === 'boolean' ? 'true/false' : (TYPE_NAMES[o.expected] ?? o.expected)]
                : o.code === 'invalid_value'
                  ? o.values.map((v) => JSON.stringify(v))
                  : [],
            );
          }),
        ),
      ];
      const expected =
        forms.length > 0 ? `${forms.slice(0, -1).join(', ')}${forms.length > 1 ? ' or ' : ''}${forms[forms.length - 1]}` : null;
      if (value === undefined) return [{ path, missing: true, message: `is required${expected ? ` and must be ${expected}` : ''}` }];
      return [
        {
          path,
          message: expected
            ? `must be ${expected}, but it is ${describeValue(value)}`
            : `does not match any of the forms allowed here (it is ${describeValue(value)})`,
        },
      ];
    }
    case 'too_small': {
      // A bound's own message says why it is there ("say in a comment what the change is for").
      if (issue.message && !issue.message.startsWith('Too small')) return [{ path, own: true, message: issue.message }];
      const min = issue.minimum;
      if (issue.origin === 'string')
        return [{ path, message: Number(min) <= 1 ? 'must not be empty' : `must be at least ${plural(min, 'character')} long` }];
      if (issue.origin === 'array' || issue.origin === 'set')
        return [{ path, message: `needs at least ${plural(min, 'entry')}`.replace('entrys', 'entries') }];
      return [{ path, message: `must be ${issue.inclusive === false ? 'greater than' : 'at least'} ${min}, but it is ${String(value)}` }];
    }
    case 'too_big': {
      if (issue.message && !issue.message.startsWith('Too big')) return [{ path, own: true, message: issue.message }];
      const max = issue.maximum;
      if (issue.origin === 'string') return [{ path, message: `must be at most ${plural(max, 'character')} long` }];
      if (issue.origin === 'array' || issue.origin === 'set')
        return [{ path, message: `takes at most ${plural(max, 'entry')}`.replace('entrys', 'entries') }];
      return [{ path, message: `must be ${issue.inclusive === false ? 'less than' : 'at most'} ${max}, but it is ${String(value)}` }];
    }
    case 'invalid_format': {
      // A custom message names the expected form ("a field path like a.b[0].c, or $").
      // "no MQTT wildcards or spaces" reads after "must have".
      const custom = issue.message && !issue.message.startsWith('Invalid');
      const verb = custom && /^no /.test(issue.message) ? 'must have' : 'must be';
      const form = custom ? issue.message : (FORMAT_NAMES[issue.format] ?? `a valid ${issue.format}`);
      return [{ path, message: `${verb} ${form}, but it is ${describeValue(value)}` }];
    }
    case 'not_multiple_of':
      return [{ path, message: `must be a multiple of ${String(issue.divisor)}, but it is ${String(value)}` }];
    case 'invalid_key': {
      // The path ends at the key itself; what is wrong with it, worded as for any text.
      const key = local[local.length - 1];
      return issue.issues.flatMap((inner) =>
        describeZodIssue(inner, root, key).map((d) => ({
          path,
          key: true,
          message: `the key ${JSON.stringify(String(key))} ${d.own ? `is refused: ${d.message}` : d.message}`,
        })),
      );
    }
    default:
      // Refinements: their messages are written as sentences where the schema declares them
      // (one that declares none gets zod's "Invalid input", which is not shown).
      if (issue.message && !issue.message.startsWith('Invalid')) return [{ path, own: true, message: issue.message }];
      return [{ path, message: `is not valid here (it is ${describeValue(value)})` }];
  }
}

/** A field's place as messages name it: `changes.writeMin`, `ids[1]`, `items[0].value`. */
export function fieldPath(path: readonly (string | number)[]): string {
  return path.reduce<string>((text, p) => (typeof p === 'number' ? `${text}[${p}]` : text === '' ? p : `${text}.${p}`), '');
}

/**
 * One problem with one field of a request's arguments: where it is and the sentence that says so.
 * The API's errors carry it (`ApiError.fields`, native/api/types.ts re-exports it for the renderer).
 */
export interface FieldProblem {
  /** The field as `fieldPath` writes it: `reason`, `changes.writeMin`, `ids[1]`; '' for the arguments as a whole. */
  path: string;
  /**
   * A sentence naming the field and the cause, lower-case start, no full stop (callers join them):
   * `the field "minutes" must be at most 1440, but it is 1441`.
   */
  message: string;
}

/**
 * How describeZodError's sentences name what was checked. Without one they name a request's
 * arguments ("the arguments …", `the field "reason" …`).
 */
export interface Naming {
  /** The value as a whole, as a sentence's subject and as the place of an unknown field: `tag "Level"`. */
  whole: string;
  /** A field (as `fieldPath` writes it) as a sentence's subject; `several` when it names more than one ("are refused"). */
  field?(path: string): { name: string; several?: boolean };
}

/**
 * Every issue of a failed parse as a sentence naming its field — what an API client (a script, a
 * gateway, the renderer) is answered, or, with `naming`, what a list's entry says (a tag row).
 * `root` is the schema that was applied to `data`.
 */
export function describeZodError(error: z.ZodError, root: z.ZodType, data: unknown, naming?: Naming): FieldProblem[] {
  const of = naming ? ` of ${naming.whole}` : '';
  return error.issues
    .flatMap((issue) => describeZodIssue(issue, root, data))
    .map((d) => {
      const path = fieldPath(d.path);
      // An unknown field or a bad key names itself; the sentence says where it stands.
      if (d.key) {
        const parent = fieldPath(d.path.slice(0, -1));
        if (parent !== '') return { path, message: `in "${parent}"${of}, ${d.message}` };
        return { path, message: naming ? `in ${naming.whole}, ${d.message}` : d.message };
      }
      if (path === '') {
        // A request's own refinement reads as it is written ("a factor needs `gases` or `co2e`").
        // "the arguments" is plural: "are required" (the value given, when there is one, is "it").
        if (!naming) return { path, message: d.own ? d.message : `the arguments ${d.message.replace(/^is required\b/, 'are required')}` };
        return { path, message: `${naming.whole} ${d.own ? `is refused: ${d.message}` : d.message}` };
      }
      const field = naming?.field?.(path) ?? { name: `the field "${path}"${of}` };
      return { path, message: `${field.name} ${d.own ? `${field.several ? 'are' : 'is'} refused: ${d.message}` : d.message}` };
    });
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
const YEAR_MS = 365.25 * DAY_MS;

export const fixed = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 1 });

/** A span for people: a limit reads "400 days", a requested span "10,000 years" or "36 hours". */
export function describeSpan(ms: number): string {
  if (!Number.isFinite(ms)) return 'an unbounded span';
  const unit = (n: number, one: string) => `${fixed(n)} ${n === 1 ? one : `${one}s`}`;
  // Limits are whole days and read best as such ("3,660 days"); a requested span of years as years.
  if (ms >= 2 * YEAR_MS && (ms % DAY_MS !== 0 || ms >= 100_000 * DAY_MS)) return unit(ms / YEAR_MS, 'year');
  if (ms >= 2 * DAY_MS) return unit(ms / DAY_MS, 'day');
  if (ms >= 2 * HOUR_MS) return unit(ms / HOUR_MS, 'hour');
  if (ms >= 2 * MINUTE_MS) return unit(ms / MINUTE_MS, 'minute');
  return unit(ms / 1000, 'second');
}
