// Serve mode: the core's contract over HTTP + WebSocket, and the built renderer as static files.
// Binds 127.0.0.1 unless told otherwise. The WebSocket carries the same request/response envelope
// and event streams as Electron's IPC, so the renderer does not know which shell it runs in.
import { createReadStream, existsSync, statSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type WebSocket, WebSocketServer } from 'ws';
import type { CallContext } from '../api/contract.js';
import type { ApiError, ApiResult } from '../api/types.js';
import { clientMessage, type ServerMessage } from '../api/wire.js';
import { authenticate, checkCsrf, isLoopback, isSameOrigin, securityHeaders } from '../auth/index.js';
import type { Core } from '../core.js';
import { createMetrics } from './metrics.js';
import { routes } from './routes.js';

export interface ServeOptions {
  port: number;
  host?: string;
  /** Folder of the built renderer (index.html + assets). */
  staticDir: string;
  /** PEM certificate and key: serve HTTPS/WSS instead of HTTP/WS. */
  tls?: { cert: Buffer; key: Buffer };
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Security headers for every response (CSP: only this origin; the UI has no remote content). */
const SECURITY_HEADERS: Record<string, string> = securityHeaders({ tls: false });

const STATUS_OF: Record<string, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_many: 429,
  unavailable: 503,
  internal: 500,
};

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    ...SECURITY_HEADERS,
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

const MAX_BODY = 4 * 1024 * 1024;

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw Object.assign(new Error('request body too large'), { type: 'validation' });
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw Object.assign(new Error('request body is not valid JSON'), { type: 'validation' });
  }
}

function serveStatic(staticDir: string, urlPath: string, res: ServerResponse): void {
  const clean = path.normalize(decodeURIComponent(urlPath)).replace(/^(\.\.[/\\])+/, '');
  let file = path.join(staticDir, clean);
  if (!file.startsWith(staticDir) || !existsSync(file) || statSync(file).isDirectory()) file = path.join(staticDir, 'index.html');
  if (!existsSync(file)) {
    sendJson(res, 503, { error: { type: 'unavailable', message: 'the UI is not built: run npm run build' } });
    return;
  }
  const ext = path.extname(file);
  res.writeHead(200, {
    'Content-Type': MIME[ext] ?? 'application/octet-stream',
    'Cache-Control': ext === '.html' ? 'no-cache' : 'public, max-age=31536000, immutable',
    ...SECURITY_HEADERS,
  });
  createReadStream(file).pipe(res);
}

/** The caller of an HTTP or WebSocket request: its session, or an anonymous context the gate answers with 401. */
function contextOf(core: Core, req: IncomingMessage, origin: 'http' | 'ws'): CallContext {
  const { via: _via, ...ctx } = authenticate(req, core.auth, origin);
  // Before the first user exists, the console is on its first run: whoever sits at this machine
  // may watch (viewer) and create the administrator — from loopback only, never over the network.
  if (ctx.role === null && isLoopback(ctx.address) && core.auth.needsSetup()) return { ...ctx, role: 'viewer' };
  return ctx;
}

function attachWebSocket(core: Core, server: http.Server | https.Server): WebSocketServer {
  // A cookie-authenticated socket opened from another site's page is refused at the handshake.
  const wss = new WebSocketServer({
    server,
    path: '/api/ws',
    maxPayload: 1024 * 1024,
    verifyClient: ({ req }: { req: IncomingMessage }) => isSameOrigin(req),
  });
  wss.on('connection', (ws: WebSocket, req) => {
    // A sign-in over the socket itself (auth.login) binds the session to this connection.
    let socketToken: string | null = null;
    const ctx = (): CallContext => {
      if (socketToken) {
        const session = core.auth.session(socketToken, 'ws');
        if (session) return { ...session, token: socketToken, address: req.socket.remoteAddress };
      }
      return contextOf(core, req, 'ws');
    };
    const send = (msg: ServerMessage) => {
      // A client that cannot keep up gets no more value batches until it drains; requests still answer.
      if (msg.type === 'event' && msg.stream === 'values' && ws.bufferedAmount > 8 * 1024 * 1024) return;
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    };
    send({ type: 'hello', info: core.info });
    // Event streams carry plant data: only to a socket whose caller may read (checked at most once a
    // second, so a session that ends or locks stops its stream promptly without a lookup per event).
    let mayRead = false;
    let checkedAt = 0;
    const off = core.onEvent((stream, data) => {
      const now = Date.now();
      if (now - checkedAt > 1000) {
        mayRead = ctx().role !== null;
        checkedAt = now;
      }
      if (mayRead) send({ type: 'event', stream, data });
    });
    ws.on('close', off);
    ws.on('message', async (raw) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw.toString());
      } catch {
        ws.close(1007, 'not JSON');
        return;
      }
      const msg = clientMessage.safeParse(parsed);
      if (!msg.success) {
        ws.close(1008, 'malformed message');
        return;
      }
      if (msg.data.type === 'ping') return send({ type: 'pong', id: msg.data.id });
      const result = await core.call(msg.data.name, msg.data.args, ctx());
      if (!result.error && (msg.data.name === 'auth.login' || msg.data.name === 'auth.setup'))
        socketToken = (result.data as { token: string }).token;
      if (!result.error && msg.data.name === 'auth.logout') socketToken = null;
      // Signing in, out or locking changes what this socket may receive: look again at the next event.
      if (msg.data.name.startsWith('auth.')) checkedAt = 0;
      send(result.error ? { type: 'res', id: msg.data.id, error: result.error } : { type: 'res', id: msg.data.id, data: result.data });
    });
  });
  return wss;
}

export function serve(core: Core, opts: ServeOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const metrics = createMetrics(core);
  const tls = opts.tls !== undefined;
  const hsts = securityHeaders({ tls })['Strict-Transport-Security'];
  const table = routes(core, metrics, tls);
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (hsts) res.setHeader('Strict-Transport-Security', hsts);
    try {
      if (url.pathname.startsWith('/api/') || url.pathname === '/metrics') {
        // A state-changing request made with the session cookie must come from our page with its CSRF token.
        const csrf = url.pathname === '/api/login' ? { ok: true as const } : checkCsrf(req, core.auth);
        if (!csrf.ok) {
          sendError(res, { type: 'forbidden', message: csrf.reason });
          return;
        }
        for (const route of table) {
          if (route.method !== req.method) continue;
          const match = route.pattern.exec(url.pathname);
          if (!match) continue;
          await route.handle({ req, res, url, params: match.groups ?? {}, ctx: contextOf(core, req, 'http') });
          return;
        }
        sendError(res, { type: 'not_found', message: `no route ${req.method} ${url.pathname}` });
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        sendError(res, { type: 'not_found', message: 'not found' });
        return;
      }
      serveStatic(opts.staticDir, url.pathname, res);
    } catch (err) {
      const type = (err as { type?: string }).type ?? 'internal';
      if (!res.headersSent) sendError(res, { type, message: err instanceof Error ? err.message : String(err) });
      else res.destroy();
    }
  };
  const server = opts.tls ? https.createServer({ cert: opts.tls.cert, key: opts.tls.key }, handler) : http.createServer(handler);
  const wss = attachWebSocket(core, server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
        port,
        close: () =>
          new Promise<void>((done) => {
            metrics.stop();
            for (const client of wss.clients) client.terminate();
            wss.close();
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
