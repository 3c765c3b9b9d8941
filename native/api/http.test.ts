// The HTTP form of a request: paths, and arguments taken from path, query string and body by the
// types the schema declares, with a 400 sentence naming the parameter when one cannot be taken.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { httpForms, type RequestName, requestSchemas } from './contract.js';
import { argumentKinds, compilePath, displayPath, formsOf, type HttpForm, httpArgs, routeLabel, takesNamedArguments } from './http.js';
import { sessionChange } from './session.js';

const schema = z
  .object({
    tags: z.array(z.string()).min(1),
    from: z.union([z.number(), z.string()]).optional(),
    limit: z.number().int().default(10),
    oneShot: z.boolean().optional(),
    priorities: z.array(z.number()).optional(),
  })
  .strict()
  .refine(() => true)
  .default({ tags: ['x'], limit: 10 });
const get: HttpForm = { method: 'GET', path: '/api/x' };
const args = (query: string) => httpArgs('GET /api/x', schema, get, {}, new URLSearchParams(query), undefined);

describe('query parameters', () => {
  it('are the schema arguments of the same name, read as their declared types', () => {
    expect(args('tags=a,b&from=2026-01-01T00:00:00Z&limit=50&oneShot=true&priorities=1,2')).toEqual({
      tags: ['a', 'b'],
      from: '2026-01-01T00:00:00Z',
      limit: 50,
      oneShot: true,
      priorities: [1, 2],
    });
  });
  it('take a list repeated or comma-separated, and leave a blank value out', () => {
    expect(args('tags=a&tags=b,c&limit=')).toEqual({ tags: ['a', 'b', 'c'] });
  });
  it('refuse a value not of its type, naming the parameter', () => {
    expect(() => args('limit=ten')).toThrow('query parameter "limit" of GET /api/x must be a number, not "ten"');
    expect(() => args('oneShot=yes')).toThrow('query parameter "oneShot" of GET /api/x must be true or false, not "yes"');
    expect(() => args('priorities=1,high')).toThrow('each item of query parameter "priorities" of GET /api/x must be a number, not "high"');
  });
  it('refuse a parameter the request does not take, and a single value given twice', () => {
    expect(() => args('limt=5')).toThrow('GET /api/x has no query parameter "limt" (it takes tags, from, limit, oneShot, priorities)');
    expect(() => args('limit=1&limit=2')).toThrow('query parameter "limit" of GET /api/x is given 2 times; give it once');
  });
});

describe('paths and bodies', () => {
  const ack = z.object({ ids: z.array(z.string()).min(1), comment: z.string().default('') }).strict();
  const form: HttpForm = { method: 'POST', path: '/api/alarms/:ids/ack' };
  it('match path parameters by the pattern, a list argument taking its one item', () => {
    const { pattern, params } = compilePath(form.path);
    expect(params).toEqual(['ids']);
    expect(pattern.exec('/api/alarms/A1.hi/ack')?.groups).toEqual({ ids: 'A1.hi' });
    expect(pattern.exec('/api/alarms/a/b/ack')).toBeNull();
    expect(httpArgs('POST /api/alarms/<ids>/ack', ack, form, { ids: 'A1.hi' }, new URLSearchParams(), { comment: 'seen' })).toEqual({
      ids: ['A1.hi'],
      comment: 'seen',
    });
  });
  it('take only the listed values where the path says so', () => {
    const { pattern } = compilePath('/api/config/tags.:format(csv|json)');
    expect(pattern.exec('/api/config/tags.csv')?.groups).toEqual({ format: 'csv' });
    expect(pattern.exec('/api/config/tags.xml')).toBeNull();
    expect(displayPath('/api/config/tags.:format(csv|json)')).toBe('/api/config/tags.csv\\|json');
    expect(displayPath('/api/history/export/:id([A-Za-z0-9_-]+)/cancel')).toBe('/api/history/export/<id>/cancel');
    expect(routeLabel({ method: 'GET', path: '/api/config/tags.:format(csv|json)' })).toBe('GET /api/config/tags.<format>');
  });
  it('refuse a body that repeats a path parameter, or one that is not an object', () => {
    const call = (body: unknown) => httpArgs('POST /api/alarms/<ids>/ack', ack, form, { ids: 'A1' }, new URLSearchParams(), body);
    expect(() => call({ ids: ['A2'] })).toThrow('"ids" of POST /api/alarms/<ids>/ack is given by the path; leave it out of the body');
    expect(() => call([1])).toThrow('the body of POST /api/alarms/<ids>/ack must be a JSON object');
  });
  it('take a bare array as the argument the form names', () => {
    const ingest: HttpForm = { method: 'POST', path: '/api/ingest', arrayBody: 'items' };
    expect(httpArgs('POST /api/ingest', z.object({ items: z.array(z.unknown()) }), ingest, {}, new URLSearchParams(), [1, 2])).toEqual({
      items: [1, 2],
    });
  });
  it('take no query string on a POST', () => {
    expect(() =>
      httpArgs('POST /api/ingest', z.object({}), { method: 'POST', path: '/api/ingest' }, {}, new URLSearchParams('a=1'), {}),
    ).toThrow('POST /api/ingest takes its arguments in the JSON body, not in the query string');
  });
});

describe('the contract', () => {
  it('gives every request named arguments, so each route can map its parameters onto them', () => {
    const unnamed = Object.keys(requestSchemas).filter((n) => !takesNamedArguments(requestSchemas[n as RequestName]));
    expect(unnamed).toEqual([]);
  });
  it('has every path parameter among its request’s arguments', () => {
    const stray = Object.entries(httpForms).flatMap(([name, entry]) =>
      formsOf(entry).flatMap((f) =>
        compilePath(f.path)
          .params.filter((p) => !argumentKinds(requestSchemas[name as RequestName]).has(p))
          .map((p) => `${name}: ${f.path} :${p}`),
      ),
    );
    expect(stray).toEqual([]);
  });
});

describe('session-token capture, one rule for every transport', () => {
  const signedIn = { data: { token: 't1', csrfToken: 'c', user: 'u', role: 'admin', displayName: 'U', expiresAt: 0 } };
  it('keeps the token of every request whose result starts a session, unlock included', () => {
    for (const name of ['auth.login', 'auth.setup', 'auth.unlock'])
      expect(sessionChange(name, signedIn)).toEqual({ kind: 'start', token: 't1' });
    expect(sessionChange('auth.logout', { data: { ok: true } })).toEqual({ kind: 'end' });
  });
  it('changes nothing on a failed call or another request', () => {
    expect(sessionChange('auth.login', { error: { type: 'unauthenticated', message: 'wrong password' } })).toBeNull();
    expect(sessionChange('auth.me', signedIn)).toBeNull();
  });
});
