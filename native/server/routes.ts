// The HTTP routes of serve mode (docs/api.md). Each request's route is built from its HTTP form in
// the contract (native/api/http.ts, declared beside its schema), so HTTP, WebSocket and IPC share
// one implementation and one validation, and a field renamed in the schema is renamed here too.
// Only the routes that are not requests are written out: health, /metrics, the download of a
// finished export, POST /api/write (InfluxDB line protocol) and POST /api/call/<name> (the whole
// contract, for scripts).

import { createReadStream, existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type CallContext, httpForms, type RequestName, requestSchemas } from '../api/contract.js';
import { CALL_PATH, compilePath, formsOf, HttpArgsError, type HttpForm, httpArgs, routeLabel } from '../api/http.js';
import { sessionChange } from '../api/session.js';
import type { ApiResult } from '../api/types.js';
import { authGate, clearSessionCookie, sessionCookie } from '../auth/index.js';
import type { Core } from '../core.js';
import { readJson, sendError, sendJson } from './http.js';
import { influxWrite } from './influx.js';
import type { MetricsExporter } from './metrics.js';

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
  ctx: CallContext;
}

export interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  /** The contract request this route makes, if it makes one (the server checks first-run setup by it). */
  request?: RequestName | 'any';
  handle(r: RouteContext): Promise<void> | void;
}

/** The route of a request and its arguments, or null when no route matches. */
export function match(
  table: readonly Route[],
  method: string | undefined,
  pathname: string,
): { route: Route; params: Record<string, string> } | null {
  for (const route of table) {
    if (route.method !== method) continue;
    const m = route.pattern.exec(pathname);
    if (m) return { route, params: m.groups ?? {} };
  }
  return null;
}

export function routes(core: Core, metrics: MetricsExporter, tls: boolean): Route[] {
  /** The answer to a finished call, by the request's HTTP form; the session cookie follows the one session rule. */
  const reply = (name: string, form: HttpForm | null, result: ApiResult<unknown>, res: ServerResponse) => {
    if (result.error) return sendError(res, result.error);
    const change = sessionChange(name, result);
    const cookie: Record<string, string> =
      change?.kind === 'start'
        ? { 'Set-Cookie': sessionCookie(change.token, { secure: tls }) }
        : change?.kind === 'end'
          ? { 'Set-Cookie': clearSessionCookie({ secure: tls }) }
          : {};
    if (form?.retryAfter) {
      const seconds = (result.data as Record<string, unknown>)[form.retryAfter.field];
      if (typeof seconds === 'number')
        return sendError(res, { type: 'too_many', message: form.retryAfter.message }, { 'Retry-After': String(seconds) });
    }
    if (form?.file) {
      const f = result.data as { filename: string; contentType: string; body: string };
      res.writeHead(form.status ?? 200, {
        'Content-Type': f.contentType,
        'Content-Disposition': `attachment; filename="${f.filename.replace(/["\\]/g, '')}"`,
        'Cache-Control': 'no-store',
        ...cookie,
      });
      res.end(f.body);
      return;
    }
    sendJson(res, form?.status ?? 200, result.data, cookie);
  };

  const fromContract: Route[] = Object.entries(httpForms).flatMap(([name, entry]) =>
    formsOf(entry).map((form): Route => {
      const { pattern } = compilePath(form.path);
      const schema = requestSchemas[name as RequestName];
      const label = routeLabel(form);
      return {
        method: form.method,
        pattern,
        request: name as RequestName,
        handle: async (r) => {
          const body = form.method === 'POST' ? await readJson(r.req) : undefined;
          let args: unknown;
          try {
            args = httpArgs(label, schema, form, r.params, r.url.searchParams, body);
          } catch (err) {
            if (err instanceof HttpArgsError) return sendError(r.res, { type: 'validation', message: err.message });
            throw err;
          }
          reply(name, form, await core.call(name, args, r.ctx), r.res);
        },
      };
    }),
  );

  return [
    {
      method: 'GET',
      pattern: /^\/api\/health$/,
      handle: ({ res }) =>
        sendJson(res, 200, {
          status: 'ok',
          name: core.info.name,
          version: core.info.version,
          site: core.info.site,
          startedAt: core.info.startedAt,
          connections: [...core.drivers.values()].map((d) => ({ name: d.name, state: d.diagnostics().state })),
        }),
    },
    {
      method: 'GET',
      pattern: /^\/metrics$/,
      handle: async ({ req, res, ctx }) => {
        // An engineer's or administrator's session, or the configured scrape token (metrics.ts).
        const denied = metrics.authorize(req, ctx);
        if (denied) return sendError(res, denied);
        const text = await metrics.render();
        res.writeHead(200, { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' });
        res.end(text);
      },
    },
    {
      // A finished export, streamed: exports can be far larger than one JSON answer should be.
      method: 'GET',
      pattern: /^\/api\/history\/exports\/(?<id>[A-Za-z0-9_-]+)\.csv$/,
      handle: ({ res, ctx, params }) => {
        const denied = authGate('history.export', ctx);
        if (denied) return sendError(res, denied);
        const file = core.finishedExport(params.id as string);
        if (!file || !existsSync(file)) return sendError(res, { type: 'not_found', message: `no finished export ${params.id}` });
        res.writeHead(200, {
          'Content-Type': 'text/csv; charset=utf-8',
          'Content-Disposition': `attachment; filename="history-${params.id}.csv"`,
          'Cache-Control': 'no-store',
        });
        createReadStream(file).pipe(res);
      },
    },
    {
      // InfluxDB 1.x line protocol: a text body and InfluxDB's answers (native/server/influx.ts).
      method: 'POST',
      pattern: /^\/api\/write$/,
      request: 'tags.ingestLines',
      handle: ({ req, res, url, ctx }) => influxWrite(core, req, res, url, ctx),
    },
    ...fromContract,
    /** The whole contract over HTTP, for scripts and tools: POST /api/call/<request name> with JSON args, answered 200 with the result. */
    {
      method: 'POST',
      pattern: new RegExp(`^${CALL_PATH.replace(/\//g, '\\/')}(?<name>[a-zA-Z0-9_.]+)$`),
      request: 'any',
      handle: async (r) => {
        const name = r.params.name as string;
        reply(name, null, await core.call(name, await readJson(r.req), r.ctx), r.res);
      },
    },
  ];
}
