// The HTTP form of a request: how serve mode offers it as a route. Each *-requests.ts declares
// the form of each of its requests beside its schema; native/server/routes.ts builds the routes
// from the joined table (contract.ts `httpForms`) and docs/api.md's request table is generated
// from it (npm run docs:api; native/api/http.test.ts fails when the two differ).
//
// Arguments are named once, in the schema: a path parameter `:name` and a query parameter `name`
// are the argument `name`, coerced from text by the type the schema declares for it (a number, a
// boolean, a comma-separated list of those); a POST body is the JSON arguments themselves. A value
// that is not of the declared type, an unknown query parameter, or a body that repeats a path
// parameter is refused with a 400 naming the parameter — before the schema sees the arguments.
import type { z } from 'zod';

export interface HttpForm {
  method: 'GET' | 'POST';
  /**
   * The path. A segment part `:name` is a path parameter, the argument `name` (letters, digits and
   * `_ . : -`), or `:name(a|b)` to take only those values — anything else is not this route (404).
   */
  path: string;
  /** Status of a successful answer (default 200). */
  status?: number;
  /** The result is a file `{ filename, contentType, body }`, sent as an attachment. */
  file?: true;
  /** A body that is a JSON array stands for `{ [arrayBody]: array }` (a gateway pushes a bare list). */
  arrayBody?: string;
  /**
   * A result with this numeric field set means "busy, nothing taken": answered 429 with that many
   * seconds in `Retry-After` and this message.
   */
  retryAfter?: { field: string; message: string };
}

/**
 * Each request of a capability: its routes, or 'call' for a request offered only through
 * `POST /api/call/<name>` (every request is, for scripts), with the reason in a comment.
 */
export type HttpForms<S> = { readonly [N in keyof S]: HttpForm | readonly HttpForm[] | 'call' };

/** The generic route every request has besides its own. */
export const CALL_PATH = '/api/call/';

export function formsOf(entry: HttpForm | readonly HttpForm[] | 'call'): readonly HttpForm[] {
  if (entry === 'call') return [];
  return Array.isArray(entry) ? (entry as readonly HttpForm[]) : [entry as HttpForm];
}

export interface CompiledPath {
  pattern: RegExp;
  params: string[];
}

const PARAM = /:([A-Za-z][A-Za-z0-9]*)(?:\(([^)]+)\))?/g;
const DEFAULT_PARAM = '[A-Za-z0-9_.:-]+';

export function compilePath(path: string): CompiledPath {
  const params: string[] = [];
  let source = '';
  let last = 0;
  for (const m of path.matchAll(PARAM)) {
    source += escapeRegExp(path.slice(last, m.index));
    params.push(m[1] as string);
    source += `(?<${m[1]}>${m[2] ?? DEFAULT_PARAM})`;
    last = (m.index ?? 0) + m[0].length;
  }
  source += escapeRegExp(path.slice(last));
  return { pattern: new RegExp(`^${source}$`), params };
}
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The route as messages name it: `POST /api/alarms/<id>/shelve`. */
export function routeLabel(form: HttpForm): string {
  return `${form.method} ${form.path.replace(PARAM, (_m, name: string) => `<${name}>`)}`;
}

/** The path as docs/api.md shows it: `:id` as `<id>`, `:format(csv|json)` as `csv|json` (a pattern that is not a list of words as `<id>`). */
export function displayPath(path: string): string {
  return path.replace(PARAM, (_m, name: string, only?: string) =>
    only && /^[A-Za-z0-9_-]+(\|[A-Za-z0-9_-]+)+$/.test(only) ? only.replace(/\|/g, '\\|') : `<${name}>`,
  );
}

type Kind = { type: 'string' | 'number' | 'boolean' | 'other' } | { type: 'list'; item: Kind };

interface ZodDef {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  shape?: Record<string, z.ZodType>;
}
const defOf = (schema: z.ZodType): ZodDef => (schema as unknown as { _zod: { def: ZodDef } })._zod.def;

/** Through defaults, optionals, refinements and transforms to the type the caller sends. */
function inner(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    const def = defOf(s);
    if ((def.type === 'default' || def.type === 'optional' || def.type === 'nullable' || def.type === 'prefault') && def.innerType)
      s = def.innerType;
    else if (def.type === 'pipe' && def.in) s = def.in;
    else return s;
  }
}

function kindOf(schema: z.ZodType): Kind {
  const def = defOf(inner(schema));
  switch (def.type) {
    case 'string':
    case 'enum':
      return { type: 'string' };
    case 'number':
    case 'int':
      return { type: 'number' };
    case 'boolean':
      return { type: 'boolean' };
    case 'array':
      return def.element ? { type: 'list', item: kindOf(def.element) } : { type: 'other' };
    case 'union': {
      // A union that takes text (a time as ISO 8601 or ms) gets the text as it is.
      const kinds = (def.options ?? []).map(kindOf);
      if (kinds.some((k) => k.type === 'string')) return { type: 'string' };
      return kinds.find((k) => k.type === 'number') ?? { type: 'other' };
    }
    default:
      return { type: 'other' };
  }
}

/** Whether a schema takes an object of named arguments (what a route maps its parameters onto). */
export function takesNamedArguments(schema: z.ZodType): boolean {
  return defOf(inner(schema)).type === 'object';
}

/** The top-level arguments of a request's schema and the type each is sent as. */
export function argumentKinds(schema: z.ZodType): Map<string, Kind> {
  const def = defOf(inner(schema));
  const kinds = new Map<string, Kind>();
  for (const [name, field] of Object.entries(def.shape ?? {})) kinds.set(name, kindOf(field));
  return kinds;
}

export function argumentNames(schema: z.ZodType): string[] {
  return [...argumentKinds(schema).keys()];
}

export class HttpArgsError extends Error {}

const NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function coerce(text: string, kind: Kind, what: string): unknown {
  switch (kind.type) {
    case 'number':
      if (!NUMBER.test(text)) throw new HttpArgsError(`${what} must be a number, not "${text.slice(0, 100)}"`);
      return Number(text);
    case 'boolean':
      if (text !== 'true' && text !== 'false') throw new HttpArgsError(`${what} must be true or false, not "${text.slice(0, 100)}"`);
      return text === 'true';
    case 'list':
      return text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map((item) => coerce(item, kind.item, `each item of ${what}`));
    default:
      return text;
  }
}

/**
 * The arguments of a call from its path parameters, query string and (POST) body; throws
 * HttpArgsError with a sentence naming the parameter when one cannot be taken.
 */
export function httpArgs(
  route: string,
  schema: z.ZodType,
  form: HttpForm,
  pathParams: Record<string, string>,
  query: URLSearchParams,
  body: unknown,
): Record<string, unknown> | unknown[] {
  const kinds = argumentKinds(schema);
  const args: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(pathParams)) {
    const kind = kinds.get(name) ?? { type: 'string' };
    // A list argument in the path is one item of it (POST /api/alarms/<ids>/ack acknowledges one).
    args[name] =
      kind.type === 'list'
        ? [coerce(value, kind.item, `path parameter "${name}" of ${route}`)]
        : coerce(value, kind, `path parameter "${name}" of ${route}`);
  }
  if (form.method === 'GET') {
    for (const name of new Set(query.keys())) {
      const kind = kinds.get(name);
      const what = `query parameter "${name}" of ${route}`;
      if (!kind || name in args)
        throw new HttpArgsError(
          `${route} has no query parameter "${name.slice(0, 100)}" (it takes ${[...kinds.keys()].filter((k) => !(k in args)).join(', ') || 'none'})`,
        );
      const values = query.getAll(name).filter((v) => v !== '');
      // An empty value (a form field left blank) is the argument left out.
      if (values.length === 0) continue;
      if (kind.type === 'list') args[name] = values.flatMap((v) => coerce(v, kind, what) as unknown[]);
      else if (values.length > 1) throw new HttpArgsError(`${what} is given ${values.length} times; give it once`);
      else args[name] = coerce(values[0] as string, kind, what);
    }
    return args;
  }
  if (query.size > 0) throw new HttpArgsError(`${route} takes its arguments in the JSON body, not in the query string`);
  const taken = Array.isArray(body) && form.arrayBody ? { [form.arrayBody]: body } : body;
  if (Object.keys(args).length === 0) return taken as Record<string, unknown>;
  if (taken === null || typeof taken !== 'object' || Array.isArray(taken))
    throw new HttpArgsError(`the body of ${route} must be a JSON object`);
  for (const name of Object.keys(args))
    if (Object.hasOwn(taken, name)) throw new HttpArgsError(`"${name}" of ${route} is given by the path; leave it out of the body`);
  return { ...(taken as Record<string, unknown>), ...args };
}
