// POST /api/write: InfluxDB 1.x's write endpoint, so Telegraf (outputs.influxdb), Node-RED and
// gateways that speak line protocol push without glue. The body is the text itself (gzip allowed,
// as Telegraf sends it by default); the query takes InfluxDB's parameters. It makes the request
// tags.ingestLines (same gate, session and audit as every write) and answers as InfluxDB does:
// 204 when every line is stored, and errors as `{ "error": "<sentence>" }` — with "partial write"
// or "unable to parse" in it when lines were refused, the words a Telegraf output reads as "do not
// resend this batch". See docs/api.md, "Line protocol".
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { CallContext } from '../api/contract.js';
import { INGEST_LIMITS, type IngestLinesOutcome } from '../api/tag-requests.js';
import type { ApiError } from '../api/types.js';
import type { Core } from '../core.js';
import { readBody } from './http.js';

const unzip = promisify(gunzip);

const STATUS_OF: Record<string, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  too_large: 413,
  unsupported_media_type: 415,
  unavailable: 503,
};

/** InfluxDB's query parameters: db names the connection, precision the timestamps' unit; rp and consistency mean nothing here. */
const IGNORED = new Set(['rp', 'consistency']);
const SHOWN_REFUSALS = 10;

function answer(res: ServerResponse, status: number, body?: Record<string, unknown>, headers: Record<string, string> = {}): void {
  if (body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

const fail = (res: ServerResponse, error: ApiError, headers: Record<string, string> = {}) =>
  answer(res, STATUS_OF[error.type] ?? 500, { error: error.message }, headers);

/** The call's arguments from the query string, or the refusal naming the parameter. */
function argsOf(url: URL): { args: Record<string, string> } | { refused: string } {
  const args: Record<string, string> = {};
  for (const name of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(name);
    if (values.length > 1) return { refused: `query parameter "${name.slice(0, 100)}" is given ${values.length} times; give it once` };
    const value = values[0] as string;
    if (name === 'u' || name === 'p')
      return {
        refused: `credentials in the query string ("${name}") are not taken: they end up in logs; send Authorization: Bearer <token> (docs/api.md, "Line protocol")`,
      };
    if (name === 'db') args.connection = value;
    else if (name === 'precision') args.precision = value;
    else if (!IGNORED.has(name))
      return { refused: `POST /api/write has no query parameter "${name.slice(0, 100)}" (it takes db, precision, rp, consistency)` };
  }
  return { args };
}

async function textOf(req: IncomingMessage): Promise<{ text: string } | { error: ApiError }> {
  const raw = await readBody(req);
  const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding === 'identity' || encoding === '') return { text: raw.toString('utf8') };
  if (encoding !== 'gzip')
    return {
      error: { type: 'unsupported_media_type', message: `Content-Encoding "${encoding.slice(0, 40)}" is not taken; send gzip or none` },
    };
  try {
    return { text: (await unzip(raw, { maxOutputLength: INGEST_LIMITS.lineChars })).toString('utf8') };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE')
      return {
        error: {
          type: 'too_large',
          message: `the body unzips to more than ${INGEST_LIMITS.lineChars.toLocaleString('en-US')} bytes, the most one write may hold`,
        },
      };
    return { error: { type: 'validation', message: 'the body is not valid gzip (Content-Encoding: gzip)' } };
  }
}

function refusalSentence(o: IngestLinesOutcome): string {
  const shown = o.rejected.slice(0, SHOWN_REFUSALS).map((r) => r.error);
  const more = o.rejected.length - shown.length;
  const list = `${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
  const lines = `${o.rejected.length} line${o.rejected.length === 1 ? '' : 's'}`;
  return o.accepted > 0
    ? `partial write: ${lines} refused, the other lines are stored (${o.accepted} samples): ${list}`
    : `unable to parse: ${lines} refused, nothing stored: ${list}`;
}

export async function influxWrite(core: Core, req: IncomingMessage, res: ServerResponse, url: URL, ctx: CallContext): Promise<void> {
  const query = argsOf(url);
  if ('refused' in query) return fail(res, { type: 'validation', message: query.refused });
  const body = await textOf(req);
  if ('error' in body) return fail(res, body.error);
  const result = await core.call('tags.ingestLines', { text: body.text, ...query.args }, ctx);
  if (result.error) return fail(res, result.error);
  const outcome = result.data as IngestLinesOutcome;
  // 503, not the 429 of the JSON routes: Telegraf drops a batch answered with any 4xx, and resends one answered with a 5xx.
  if (outcome.retryAfterS !== undefined)
    return fail(
      res,
      { type: 'unavailable', message: 'ingest queue full, retry later; nothing of this write was taken' },
      { 'Retry-After': String(outcome.retryAfterS) },
    );
  if (outcome.rejected.length === 0) return answer(res, 204);
  answer(res, 400, { error: refusalSentence(outcome), accepted: outcome.accepted, rejected: outcome.rejected });
}
