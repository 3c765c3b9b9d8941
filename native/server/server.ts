// Serve mode: the core's contract over HTTP + WebSocket, and the built renderer as static files.
// Binds 127.0.0.1 unless told otherwise. The WebSocket carries the same request/response envelope
// and event streams as Electron's IPC, so the renderer does not know which shell it runs in.
//
// Before any route runs (docs/security.md "Serve mode"): the Host header must be one of the
// console's names (DNS rebinding), security headers go on every response, a caller without a
// session may send at most a small body, and first-run setup is taken only as JSON from this
// console's own origin. A WebSocket client that stops reading is dropped past a bounded buffer.
import { createReadStream, existsSync, statSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type WebSocket, WebSocketServer } from 'ws';
import type { CallContext } from '../api/contract.js';
import { sessionChange } from '../api/session.js';
import type { ApiError } from '../api/types.js';
import { clientMessage, type ServerMessage } from '../api/wire.js';
import {
  allowedHostNames,
  authenticate,
  checkCsrf,
  isAllowedHost,
  isJsonRequest,
  isLoopback,
  isSameOrigin,
  SETUP_CODE_FILE,
  securityHeaders,
} from '../auth/index.js';
import type { Core } from '../core.js';
import {
  AUTHENTICATED_BODY_LIMIT,
  answerTooLarge,
  bodyLimitOf,
  kib,
  sendError,
  sendJson,
  setBodyLimit,
  UNAUTHENTICATED_BODY_LIMIT,
} from './http.js';
import { createMetrics, type MetricsExporter } from './metrics.js';
import { match, routes } from './routes.js';

export interface ServeOptions {
  port: number;
  host?: string;
  /** Folder of the built renderer (index.html + assets). */
  staticDir: string;
  /** PEM certificate and key: serve HTTPS/WSS instead of HTTP/WS. */
  tls?: { cert: Buffer; key: Buffer };
  /** Host names besides loopback and the bound host that browsers may use (AURUM_ALLOWED_HOSTS, comma-separated). */
  allowedHosts?: string[];
  /** Bearer token a Prometheus scraper presents for /metrics (AURUM_METRICS_TOKEN). */
  metricsToken?: string;
  /** A WebSocket client whose unsent data passes this many bytes is dropped (default 4 MiB). */
  wsMaxBufferedBytes?: number;
  /** Where to print the first-run setup code (default: standard error, whatever AURUM_LOG says). */
  announce?: (line: string) => void;
  /** The data dir, to tell where the setup-code file is. */
  dataDir?: string;
}

const DEFAULT_WS_MAX_BUFFERED = 4 * 1024 * 1024;

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

interface SocketOptions {
  allowedHosts: ReadonlySet<string>;
  maxBuffered: number;
  metrics: MetricsExporter;
}

function attachWebSocket(core: Core, server: http.Server | https.Server, opts: SocketOptions): WebSocketServer {
  // A socket opened from another site's page (cookie-authenticated or not), or under a name that is
  // not the console's (DNS rebinding), is refused at the handshake.
  const wss = new WebSocketServer({
    server,
    path: '/api/ws',
    maxPayload: 1024 * 1024,
    verifyClient: ({ req }: { req: IncomingMessage }, done: (ok: boolean, code?: number, message?: string) => void) => {
      if (!isAllowedHost(req, opts.allowedHosts)) done(false, 421, hostRefusal(req));
      else if (!isSameOrigin(req)) done(false, 403, 'a WebSocket from another site is refused');
      else done(true);
    },
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
    let dropped = false;
    const send = (msg: ServerMessage) => {
      if (ws.readyState !== ws.OPEN || dropped) return;
      // A client that stops reading would have the server hold every message for it. Past the bound
      // it is dropped: told why if it still reads, cut off a moment later if it does not. The
      // renderer reconnects and starts again from a fresh snapshot.
      if (ws.bufferedAmount > opts.maxBuffered) {
        dropped = true;
        opts.metrics.countSlowClientDrop();
        ws.close(1013, `client too slow: more than ${kib(opts.maxBuffered)} waiting to be sent`);
        setTimeout(() => ws.terminate(), 1000).unref();
        return;
      }
      ws.send(JSON.stringify(msg));
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
      // Like an HTTP body: without a session, a message is at most UNAUTHENTICATED_BODY_LIMIT.
      const size = Array.isArray(raw) ? raw.reduce((n, b) => n + b.length, 0) : raw.byteLength;
      if (size > UNAUTHENTICATED_BODY_LIMIT && ctx().user === null) {
        ws.close(1009, `message over ${kib(UNAUTHENTICATED_BODY_LIMIT)} without a session; sign in first`);
        return;
      }
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
      const change = sessionChange(msg.data.name, result);
      if (change) socketToken = change.kind === 'start' ? change.token : null;
      // Signing in, out or locking changes what this socket may receive: look again at the next event.
      if (msg.data.name.startsWith('auth.')) checkedAt = 0;
      send(result.error ? { type: 'res', id: msg.data.id, error: result.error } : { type: 'res', id: msg.data.id, data: result.data });
    });
  });
  return wss;
}

function hostRefusal(req: IncomingMessage): string {
  return `this console does not answer to the host name "${String(req.headers.host ?? '').slice(0, 100)}"; add it with AURUM_ALLOWED_HOSTS if it is this console's name`;
}

/** First-run setup creates the administrator: only as JSON (no cross-site form or text/plain post) and only from this console's own page or a tool. */
function setupRefusal(req: IncomingMessage): ApiError | null {
  if (!isSameOrigin(req)) return { type: 'forbidden', message: 'first-run setup from another site is refused; open the console itself' };
  if (!isJsonRequest(req))
    return { type: 'unsupported_media_type', message: 'first-run setup takes a JSON body (Content-Type: application/json) only' };
  return null;
}

function envList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function machineNames(): { hostname: string; addresses: string[] } {
  const addresses = Object.values(os.networkInterfaces())
    .flat()
    .flatMap((i) => (i ? [i.address] : []));
  return { hostname: os.hostname(), addresses };
}

export function serve(core: Core, opts: ServeOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const metrics = createMetrics(core, { scrapeToken: opts.metricsToken ?? (process.env.AURUM_METRICS_TOKEN || undefined) });
  const tls = opts.tls !== undefined;
  const headers = securityHeaders({ tls });
  const allowedHosts = allowedHostNames(host, opts.allowedHosts ?? envList(process.env.AURUM_ALLOWED_HOSTS), machineNames());
  const table = routes(core, metrics, tls);
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // On every response, whichever path writes it: API, download, /metrics, static file, error.
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    const api = url.pathname.startsWith('/api/') || url.pathname === '/metrics';
    if (api) res.setHeader('Cache-Control', 'no-store');
    try {
      if (!isAllowedHost(req, allowedHosts)) {
        sendError(res, { type: 'misdirected', message: hostRefusal(req) }, { Connection: 'close' });
        return;
      }
      if (api) {
        // A state-changing request made with the session cookie must come from our page with its CSRF token.
        const found = match(table, req.method, url.pathname);
        // The request the route makes: its own, or the one /api/call/<name> names.
        const request = found?.route.request === 'any' ? found.params.name : found?.route.request;
        // Signing in on its own route needs no CSRF token: the caller has no session yet.
        const csrf = found?.route.request === 'auth.login' ? { ok: true as const } : checkCsrf(req, core.auth);
        if (!csrf.ok) {
          sendError(res, { type: 'forbidden', message: csrf.reason });
          return;
        }
        if (request === 'auth.setup') {
          const refused = setupRefusal(req);
          if (refused) {
            sendError(res, refused);
            return;
          }
        }
        const ctx = contextOf(core, req, 'http');
        // Without a session, a small body only — refused from its declared length before any of it is read.
        const limit = ctx.user === null ? UNAUTHENTICATED_BODY_LIMIT : AUTHENTICATED_BODY_LIMIT;
        setBodyLimit(req, limit);
        if (Number(req.headers['content-length'] ?? 0) > limit) {
          answerTooLarge(req, res, limit);
          return;
        }
        if (found) await found.route.handle({ req, res, url, params: found.params, ctx });
        else sendError(res, { type: 'not_found', message: `no route ${req.method} ${url.pathname}` });
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        sendError(res, { type: 'not_found', message: 'not found' });
        return;
      }
      serveStatic(opts.staticDir, url.pathname, res);
    } catch (err) {
      const type = (err as { type?: string }).type ?? 'internal';
      if (type === 'too_large' && !res.headersSent) answerTooLarge(req, res, bodyLimitOf(req));
      else if (!res.headersSent) sendError(res, { type, message: err instanceof Error ? err.message : String(err) });
      else res.destroy();
    }
  };
  const server = opts.tls ? https.createServer({ cert: opts.tls.cert, key: opts.tls.key }, handler) : http.createServer(handler);
  const wss = attachWebSocket(core, server, {
    allowedHosts,
    maxBuffered: opts.wsMaxBufferedBytes ?? DEFAULT_WS_MAX_BUFFERED,
    metrics,
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      const { port } = server.address() as AddressInfo;
      const code = core.auth.setupCode();
      if (code) {
        // Printed whatever the log level: whoever started the console needs it to create the administrator.
        const file = opts.dataDir ? path.join(opts.dataDir, SETUP_CODE_FILE) : `the data dir's ${SETUP_CODE_FILE} file`;
        // A disk too full to hold the file (first start on a full disk): the terminal is the only place.
        const where = !opts.dataDir || existsSync(file) ? ` (also in ${file}, readable by this account only)` : '';
        (opts.announce ?? ((line: string) => process.stderr.write(`${line}\n`)))(
          `aurum: FIRST-RUN SETUP CODE ${code} — enter it with the first administrator's name and password${where}`,
        );
      }
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
