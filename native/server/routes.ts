// The HTTP routes of serve mode (documented in docs/api.md). Each route maps onto a request of
// the contract, so HTTP, WebSocket and IPC share one implementation and one validation.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallContext } from '../api/contract.js';
import type { IngestOutcome } from '../api/tag-requests.js';
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

const list = (v: string | null) =>
  v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;
const num = (v: string | null) => (v === null || v === '' ? undefined : Number(v));

export function routes(core: Core, metrics: MetricsExporter): Route[] {
  // Query parameters that are absent are left out, so strict schemas see only what the caller sent.
  const defined = (args: unknown) =>
    args && typeof args === 'object' && !Array.isArray(args)
      ? Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined))
      : args;
  const call = (name: string, args: unknown, r: RouteContext) =>
    core.call(name, defined(args), r.ctx).then((result) => sendResult(r.res, result));
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
    { method: 'GET', pattern: /^\/api\/info$/, handle: (r) => call('core.info', {}, r) },
    { method: 'GET', pattern: /^\/api\/tags$/, handle: (r) => call('tags.snapshot', { names: list(r.url.searchParams.get('names')) }, r) },
    { method: 'GET', pattern: /^\/api\/tags\/meta$/, handle: (r) => call('tags.list', {}, r) },
    {
      method: 'POST',
      pattern: /^\/api\/tags\/write$/,
      handle: async (r) => call('tags.write', await readJson(r.req), r),
    },
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
      handle: async ({ res }) => {
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
      handle: async (r) => {
        const q = r.url.searchParams;
        const result = await core.call(
          'esg.report',
          { period: q.get('period') ?? undefined, start: q.get('start') ?? undefined, format: q.get('format') ?? undefined },
          r.ctx,
        );
        if (result.error) return sendError(r.res, result.error);
        const file = result.data as { filename: string; contentType: string; body: string };
        r.res.writeHead(200, {
          'Content-Type': file.contentType,
          'Content-Disposition': `attachment; filename="${file.filename.replace(/["\\]/g, '')}"`,
          'Cache-Control': 'no-store',
        });
        r.res.end(file.body);
      },
    },
    { method: 'GET', pattern: /^\/api\/esg\/factors$/, handle: (r) => call('esg.factors.list', {}, r) },
    { method: 'GET', pattern: /^\/api\/esg\/factors\/changes$/, handle: (r) => call('esg.factors.changes', {}, r) },
    {
      method: 'POST',
      pattern: /^\/api\/esg\/factors\/correct$/,
      handle: async (r) => call('esg.factors.correct', await readJson(r.req), r),
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
    /** The whole contract over HTTP, for scripts and tools: POST /api/call/<request name> with JSON args. */
    {
      method: 'POST',
      pattern: /^\/api\/call\/(?<name>[a-zA-Z0-9_.]+)$/,
      handle: async (r) => call(r.params.name as string, await readJson(r.req), r),
    },
  ];
}
