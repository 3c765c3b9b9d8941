// HTTP answers and request bodies of serve mode, shared by the server (native/server/server.ts)
// and the routes built from the contract (native/server/routes.ts): JSON and error answers with
// the status of each error kind, and bodies read within the caller's limit.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiError, ApiResult } from '../api/types.js';

/** A request without a session may send at most this much (a sign-in, a first-run setup). */
export const UNAUTHENTICATED_BODY_LIMIT = 16 * 1024;
export const AUTHENTICATED_BODY_LIMIT = 4 * 1024 * 1024;

const STATUS_OF: Record<string, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_media_type: 415,
  misdirected: 421,
  too_many: 429,
  unavailable: 503,
  internal: 500,
};

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: ApiError, headers: Record<string, string> = {}): void {
  sendJson(res, STATUS_OF[error.type] ?? 500, { error }, headers);
}

/** Reply with a handler's result: its data as JSON, or its error with the matching status. */
export function sendResult(res: ServerResponse, result: ApiResult<unknown>): void {
  if (result.error) sendError(res, result.error);
  else sendJson(res, 200, result.data);
}

/** The body limit of each request, set by the server before its route runs (smaller without a session). */
const bodyLimits = new WeakMap<IncomingMessage, number>();

export function setBodyLimit(req: IncomingMessage, limit: number): void {
  bodyLimits.set(req, limit);
}
export function bodyLimitOf(req: IncomingMessage): number {
  return bodyLimits.get(req) ?? AUTHENTICATED_BODY_LIMIT;
}

export const kib = (n: number) => `${Math.round(n / 1024)} KiB`;
function tooLarge(limit: number): Error {
  const message =
    limit === UNAUTHENTICATED_BODY_LIMIT
      ? `request body over ${kib(limit)}: without a session a request may send at most ${kib(limit)}; sign in first`
      : `request body over ${kib(limit)}, the most one request may send`;
  return Object.assign(new Error(message), { type: 'too_large' });
}

/**
 * 413 for a body over the limit, decided from its declared length or after the first `limit` bytes
 * — never parsed or buffered. The answer is sent in full at once, but the response is ended only
 * when the client has stopped sending (what it still sends is read and thrown away, up to a bound
 * in bytes and time): Node closes the connection when a response ends before its request, and a
 * socket closed with unread data is reset, which can destroy the answer before the client reads it.
 */
const LINGER_BYTES = 16 * 1024 * 1024;
const LINGER_MS = 10_000;
export function answerTooLarge(req: IncomingMessage, res: ServerResponse, limit: number): void {
  const text = JSON.stringify({ error: { type: 'too_large', message: tooLarge(limit).message } });
  res.writeHead(413, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    Connection: 'close',
  });
  res.write(text);
  let discarded = 0;
  const finish = () => {
    clearTimeout(timer);
    if (!res.writableEnded) res.end();
  };
  const cut = () => {
    finish();
    req.socket.destroy();
  };
  const timer = setTimeout(cut, LINGER_MS);
  timer.unref();
  req.removeAllListeners('data');
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > LINGER_BYTES) cut();
  });
  req.once('end', finish);
  req.once('error', cut);
  req.resume();
}

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const body = await readBody(req);
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw Object.assign(new Error('request body is not valid JSON'), { type: 'validation' });
  }
}

/** The raw body, within the request's limit (413 past it, never buffered beyond). */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const limit = bodyLimitOf(req);
  // Listeners rather than for-await: leaving a for-await early destroys the request, and with it
  // the socket the 413 answer must go out on. Paused instead, the rest is never read.
  const body = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        done();
        req.pause();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      done();
      resolve(Buffer.concat(chunks));
    };
    const onError = (err: Error) => {
      done();
      reject(err);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
  return body;
}
