// The HTTP routes of serve mode (documented in docs/api.md). Each route maps onto a request of
// the contract, so HTTP, WebSocket and IPC share one implementation and one validation.

import { createReadStream, existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallContext } from '../api/contract.js';
import type { IngestOutcome } from '../api/tag-requests.js';
import { authGate, clearSessionCookie, sessionCookie } from '../auth/index.js';
import type { Core } from '../core.js';
import type { MetricsExporter } from './metrics.js';
import { readJson, sendError, sendJson, sendResult } from './server.js';

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
  ctx: CallContext;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  pattern: RegExp;
  handle(r: RouteContext): Promise<void> | void;
}

const journalQuery = (url: URL) => {
  const q = url.searchParams;
  return {
    from: q.get('from') ?? undefined,
    to: q.get('to') ?? undefined,
    alarmId: q.get('alarmId') ?? undefined,
    tag: q.get('tag') ?? undefined,
    kinds: list(q.get('kinds')),
    priorities: list(q.get('priorities')),
    user: q.get('user') ?? undefined,
    limit: num(q.get('limit')),
    offset: num(q.get('offset')),
  };
};
const eventQuery = (url: URL) => {
  const q = url.searchParams;
  return {
    machine: q.get('machine') ?? undefined,
    from: q.get('from') ?? undefined,
    to: q.get('to') ?? undefined,
    kinds: list(q.get('kinds')),
  };
};
const list = (v: string | null) =>
  v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;
const num = (v: string | null) => (v === null || v === '' ? undefined : Number(v));

export function routes(core: Core, metrics: MetricsExporter, tls: boolean): Route[] {
  // Query parameters that are absent are left out, so strict schemas see only what the caller sent.
  const defined = (args: unknown) =>
    args && typeof args === 'object' && !Array.isArray(args)
      ? Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined))
      : args;
  const call = (name: string, args: unknown, r: RouteContext) =>
    core.call(name, defined(args), r.ctx).then((result) => sendResult(r.res, result));
  /** A request whose result is a file ({ filename, contentType, body }): sent as a download. */
  const file = async (name: string, args: unknown, r: RouteContext) => {
    const result = await core.call(name, defined(args), r.ctx);
    if (result.error) return sendError(r.res, result.error);
    const f = result.data as { filename: string; contentType: string; body: string };
    r.res.writeHead(200, {
      'Content-Type': f.contentType,
      'Content-Disposition': `attachment; filename="${f.filename.replace(/["\\]/g, '')}"`,
      'Cache-Control': 'no-store',
    });
    r.res.end(f.body);
  };
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
      method: 'POST',
      pattern: /^\/api\/login$/,
      handle: async (r) => {
        const result = await core.call('auth.login', await readJson(r.req), r.ctx);
        if (result.error) return sendError(r.res, result.error);
        const token = (result.data as { token: string }).token;
        sendJson(r.res, 200, result.data, { 'Set-Cookie': sessionCookie(token, { secure: tls }) });
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/logout$/,
      handle: async (r) => {
        const result = await core.call('auth.logout', {}, r.ctx);
        if (result.error) return sendError(r.res, result.error);
        sendJson(r.res, 200, result.data, { 'Set-Cookie': clearSessionCookie({ secure: tls }) });
      },
    },
    { method: 'GET', pattern: /^\/api\/me$/, handle: (r) => call('auth.me', {}, r) },
    { method: 'GET', pattern: /^\/api\/auth\/status$/, handle: (r) => call('auth.status', {}, r) },
    {
      method: 'POST',
      pattern: /^\/api\/auth\/setup$/,
      handle: async (r) => {
        const result = await core.call('auth.setup', await readJson(r.req), r.ctx);
        if (result.error) return sendError(r.res, result.error);
        sendJson(r.res, 200, result.data, { 'Set-Cookie': sessionCookie((result.data as { token: string }).token, { secure: tls }) });
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/audit$/,
      handle: (r) => {
        const q = r.url.searchParams;
        return call(
          'audit.query',
          {
            from: q.get('from') ?? undefined,
            to: q.get('to') ?? undefined,
            actor: q.get('actor') ?? undefined,
            action: q.get('action') ?? undefined,
            target: q.get('target') ?? undefined,
            result: q.get('result') ?? undefined,
            limit: num(q.get('limit')),
            beforeId: num(q.get('beforeId')),
          },
          r,
        );
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/audit\.csv$/,
      handle: (r) => {
        const q = r.url.searchParams;
        return file(
          'audit.export',
          {
            from: q.get('from') ?? undefined,
            to: q.get('to') ?? undefined,
            actor: q.get('actor') ?? undefined,
            action: q.get('action') ?? undefined,
          },
          r,
        );
      },
    },
    { method: 'GET', pattern: /^\/api\/audit\/verify$/, handle: (r) => call('audit.verify', {}, r) },
    { method: 'GET', pattern: /^\/api\/info$/, handle: (r) => call('core.info', {}, r) },
    { method: 'GET', pattern: /^\/api\/tags$/, handle: (r) => call('tags.snapshot', { names: list(r.url.searchParams.get('names')) }, r) },
    { method: 'GET', pattern: /^\/api\/tags\/meta$/, handle: (r) => call('tags.list', {}, r) },
    {
      method: 'POST',
      pattern: /^\/api\/tags\/write$/,
      handle: async (r) => call('tags.write', await readJson(r.req), r),
    },
    {
      method: 'GET',
      pattern: /^\/api\/config\/tags\.(?<format>csv|json)$/,
      handle: (r) => file('config.exportTags', { machine: r.url.searchParams.get('machine') ?? undefined, format: r.params.format }, r),
    },
    { method: 'POST', pattern: /^\/api\/config\/tags\/import$/, handle: async (r) => call('config.importTags', await readJson(r.req), r) },
    { method: 'GET', pattern: /^\/api\/connections$/, handle: (r) => call('connections.list', {}, r) },
    { method: 'POST', pattern: /^\/api\/config\/tag$/, handle: async (r) => call('config.updateTag', await readJson(r.req), r) },
    {
      method: 'GET',
      pattern: /^\/api\/history$/,
      handle: (r) => {
        const q = r.url.searchParams;
        return call(
          'history.query',
          { tags: list(q.get('tags')), from: q.get('from') ?? undefined, to: q.get('to') ?? undefined, maxPoints: num(q.get('maxPoints')) },
          r,
        );
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/ingest$/,
      handle: async (r) => {
        const body = await readJson(r.req);
        const items = Array.isArray(body) ? body : (body as { items?: unknown }).items;
        const result = await core.call('tags.ingest', { items }, r.ctx);
        if (result.error) return sendError(r.res, result.error);
        const outcome = result.data as IngestOutcome;
        if (outcome.retryAfterS !== undefined) {
          return sendError(
            r.res,
            { type: 'too_many', message: 'ingest queue full, retry later' },
            { 'Retry-After': String(outcome.retryAfterS) },
          );
        }
        sendJson(r.res, 202, outcome);
      },
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
      method: 'GET',
      pattern: /^\/api\/esg\/(?<what>summary|series|gaps)$/,
      handle: (r) => {
        const q = r.url.searchParams;
        const name = `esg.${r.params.what}`;
        return call(
          name,
          {
            from: q.get('from') ?? undefined,
            to: q.get('to') ?? undefined,
            groupBy: q.get('groupBy') ?? undefined,
            period: q.get('period') ?? undefined,
            limit: num(q.get('limit')),
          },
          r,
        );
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/esg\/report$/,
      handle: (r) => {
        const q = r.url.searchParams;
        return file(
          'esg.report',
          { period: q.get('period') ?? undefined, start: q.get('start') ?? undefined, format: q.get('format') ?? undefined },
          r,
        );
      },
    },
    { method: 'GET', pattern: /^\/api\/esg\/factors$/, handle: (r) => call('esg.factors.list', {}, r) },
    { method: 'GET', pattern: /^\/api\/esg\/factors\/changes$/, handle: (r) => call('esg.factors.changes', {}, r) },
    {
      method: 'POST',
      pattern: /^\/api\/esg\/factors\/correct$/,
      handle: async (r) => call('esg.factors.correct', await readJson(r.req), r),
    },
    // Alarms (docs/alarms.md)
    {
      method: 'GET',
      pattern: /^\/api\/alarms$/,
      handle: (r) => call('alarms.list', { states: list(r.url.searchParams.get('states')) }, r),
    },
    { method: 'POST', pattern: /^\/api\/alarms\/ack$/, handle: async (r) => call('alarms.ack', await readJson(r.req), r) },
    {
      method: 'POST',
      pattern: /^\/api\/alarms\/(?<id>[A-Za-z0-9_.:-]+)\/(?<action>ack|shelve|unshelve|out-of-service|return-to-service)$/,
      handle: async (r) => {
        const id = r.params.id as string;
        const body = (await readJson(r.req)) as Record<string, unknown>;
        switch (r.params.action) {
          case 'ack':
            return call('alarms.ack', { ids: [id], comment: body.comment }, r);
          case 'shelve':
            return call('alarms.shelve', { id, minutes: body.minutes, reason: body.reason, oneShot: body.oneShot }, r);
          case 'unshelve':
            return call('alarms.unshelve', { id }, r);
          case 'out-of-service':
            return call('alarms.outOfService', { id, reason: body.reason }, r);
          default:
            return call('alarms.returnToService', { id }, r);
        }
      },
    },
    { method: 'GET', pattern: /^\/api\/alarms\/journal$/, handle: (r) => call('alarms.journal', journalQuery(r.url), r) },
    {
      method: 'GET',
      pattern: /^\/api\/alarms\/journal\.csv$/,
      handle: (r) => file('alarms.export', { ...journalQuery(r.url), limit: undefined, offset: undefined }, r),
    },
    {
      method: 'GET',
      pattern: /^\/api\/alarms\/kpis$/,
      handle: (r) =>
        call('alarms.kpis', { from: r.url.searchParams.get('from') ?? undefined, to: r.url.searchParams.get('to') ?? undefined }, r),
    },
    {
      method: 'GET',
      pattern: /^\/api\/events$/,
      handle: (r) => call('events.list', { ...eventQuery(r.url), limit: num(r.url.searchParams.get('limit')) }, r),
    },
    { method: 'POST', pattern: /^\/api\/events$/, handle: async (r) => call('events.record', await readJson(r.req), r) },
    {
      method: 'GET',
      pattern: /^\/api\/events\.csv$/,
      handle: (r) => file('events.export', { ...eventQuery(r.url), of: r.url.searchParams.get('of') ?? undefined }, r),
    },
    {
      method: 'POST',
      pattern: /^\/api\/maintenance\/requests$/,
      handle: async (r) => call('maintenance.request', await readJson(r.req), r),
    },
    {
      method: 'GET',
      pattern: /^\/api\/maintenance\/requests$/,
      handle: (r) =>
        call(
          'maintenance.requests',
          { machine: r.url.searchParams.get('machine') ?? undefined, status: r.url.searchParams.get('status') ?? undefined },
          r,
        ),
    },
    {
      method: 'GET',
      pattern: /^\/api\/predictions$/,
      handle: (r) => call('predictions.latest', { machines: list(r.url.searchParams.get('machines')) }, r),
    },
    { method: 'GET', pattern: /^\/api\/models$/, handle: (r) => call('models.list', {}, r) },
    {
      method: 'POST',
      pattern: /^\/api\/models\/(?<action>activate|rollback|learn)$/,
      handle: async (r) => call(`models.${r.params.action}`, await readJson(r.req), r),
    },
    {
      method: 'GET',
      pattern: /^\/api\/history\/value-at$/,
      handle: (r) => {
        const q = r.url.searchParams;
        return call('history.valueAt', { tags: list(q.get('tags')), t: q.get('t') ?? undefined, mode: q.get('mode') ?? undefined }, r);
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/history\/aggregate$/,
      handle: (r) => {
        const q = r.url.searchParams;
        return call(
          'history.aggregate',
          {
            tags: list(q.get('tags')),
            from: q.get('from') ?? undefined,
            to: q.get('to') ?? undefined,
            intervalMs: num(q.get('intervalMs')),
            state: num(q.get('state')),
          },
          r,
        );
      },
    },
    { method: 'POST', pattern: /^\/api\/history\/export$/, handle: async (r) => call('history.export', await readJson(r.req), r) },
    {
      method: 'POST',
      pattern: /^\/api\/history\/export\/(?<id>[A-Za-z0-9_-]+)\/cancel$/,
      handle: (r) => call('history.exportCancel', { id: r.params.id }, r),
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
    { method: 'GET', pattern: /^\/api\/history\/metrics$/, handle: (r) => call('history.metrics', {}, r) },
    { method: 'GET', pattern: /^\/api\/sync\/status$/, handle: (r) => call('sync.status', {}, r) },
    { method: 'POST', pattern: /^\/api\/sync\/(?<action>pause|resume)$/, handle: (r) => call(`sync.${r.params.action}`, {}, r) },
    { method: 'GET', pattern: /^\/api\/sync\/models$/, handle: (r) => call('sync.models.list', {}, r) },
    {
      method: 'POST',
      pattern: /^\/api\/sync\/models\/(?<action>approve|reject)$/,
      handle: async (r) => call(`sync.models.${r.params.action}`, await readJson(r.req), r),
    },
    /** The whole contract over HTTP, for scripts and tools: POST /api/call/<request name> with JSON args. */
    {
      method: 'POST',
      pattern: /^\/api\/call\/(?<name>[a-zA-Z0-9_.]+)$/,
      handle: async (r) => call(r.params.name as string, await readJson(r.req), r),
    },
  ];
}
