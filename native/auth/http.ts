// Serve-mode pieces for the HTTP server (node:http, no framework): reading the caller's
// credentials, the session cookie, CSRF and same-origin checks, and the security headers.
//
// Two ways to present a session: the HttpOnly cookie (browsers) and `Authorization: Bearer`
// (scripts, tools). A browser attaches cookies to cross-site requests by itself, so state-changing
// requests made with the cookie must also carry the session's CSRF token in a header, which another
// site cannot read; a bearer token is never attached by the browser and needs no such proof.
import type { IncomingMessage } from 'node:http';
import type { CallContext } from '../api/contract.js';
import type { AuthService, SessionContext } from './service.js';

export const SESSION_COOKIE = 'aurum_session';
export const CSRF_HEADER = 'x-csrf-token';

/** What the transports pass to handlers: the lead's CallContext plus the session's token and the client's address. */
export type AuthCallContext = CallContext & { token?: string; address?: string; locked?: boolean; position?: string | null };

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    // The first occurrence wins, as browsers send the most specific cookie first.
    if (!out.has(name)) {
      try {
        out.set(name, decodeURIComponent(value));
      } catch {
        out.set(name, value);
      }
    }
  }
  return out;
}

export interface Credentials {
  token: string;
  via: 'bearer' | 'cookie';
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{20,200}$/;

export function credentialsOf(req: IncomingMessage): Credentials | null {
  const auth = req.headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    return m?.[1] && TOKEN_SHAPE.test(m[1]) ? { token: m[1], via: 'bearer' } : null;
  }
  const cookie = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
  return cookie && TOKEN_SHAPE.test(cookie) ? { token: cookie, via: 'cookie' } : null;
}

/** The peer's address. Forwarded-for headers are ignored: behind a reverse proxy every client would share one limit, which is the safe side. */
export function clientAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

/** The caller of a request: a signed-in session, or an anonymous context (role null) the gate answers with 401. */
export function authenticate(
  req: IncomingMessage,
  auth: AuthService,
  transport: 'http' | 'ws',
): AuthCallContext & { via?: Credentials['via'] } {
  const address = clientAddress(req);
  const creds = credentialsOf(req);
  const session: SessionContext | null = creds ? auth.session(creds.token, transport) : null;
  if (!session || !creds) return { user: null, role: null, origin: transport, address };
  return { ...session, address, via: creds.via };
}

export function sessionCookie(token: string, opts: { secure: boolean; maxAgeSeconds?: number }): string {
  const parts = [`${SESSION_COOKIE}=${token}`, 'Path=/', 'HttpOnly', 'SameSite=Strict'];
  if (opts.secure) parts.push('Secure');
  if (opts.maxAgeSeconds !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(opts.maxAgeSeconds))}`);
  return parts.join('; ');
}

export function clearSessionCookie(opts: { secure: boolean }): string {
  return sessionCookie('', { ...opts, maxAgeSeconds: 0 });
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isStateChanging(method: string | undefined): boolean {
  return !SAFE_METHODS.has((method ?? 'GET').toUpperCase());
}

/**
 * Is the request from a page of this console? A browser always sends Origin on cross-origin
 * requests and WebSocket handshakes; tools (curl, scripts) send none and are let through, since
 * they must present a token anyway. Used for WebSocket upgrades too, where a CSRF header cannot be
 * set: a cookie-authenticated socket from another site is refused here.
 */
export function isSameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  const host = req.headers.host;
  if (!host || origin === 'null') return false;
  try {
    return new URL(origin).host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}

export type CsrfVerdict = { ok: true } | { ok: false; reason: string };

/** For state-changing requests: a cookie session needs the same origin and its CSRF token in the X-CSRF-Token header. */
export function checkCsrf(req: IncomingMessage, auth: AuthService, creds: Credentials | null = credentialsOf(req)): CsrfVerdict {
  if (!isStateChanging(req.method) || !creds || creds.via === 'bearer') return { ok: true };
  if (!isSameOrigin(req)) return { ok: false, reason: 'cross-origin request refused' };
  const presented = req.headers[CSRF_HEADER];
  if (!auth.checkCsrf(creds.token, Array.isArray(presented) ? presented[0] : presented)) {
    return { ok: false, reason: `missing or wrong ${CSRF_HEADER} header` };
  }
  return { ok: true };
}

/**
 * Headers for every response. The UI loads nothing remote, so the CSP allows only this origin;
 * HSTS only over TLS (sending it over plain HTTP would be ignored, and wrong on a LAN box without TLS).
 */
export function securityHeaders(opts: { tls: boolean }): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Security-Policy':
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=()',
  };
  if (opts.tls) headers['Strict-Transport-Security'] = 'max-age=31536000';
  return headers;
}

/** The host name of a Host header (or of an Origin), lower-case, without port or a trailing dot; IPv6 in brackets. */
export function hostName(hostHeader: string | undefined): string | null {
  if (!hostHeader) return null;
  try {
    const h = new URL(`http://${hostHeader}`).hostname.toLowerCase();
    return h.endsWith('.') ? h.slice(0, -1) : h;
  } catch {
    return null;
  }
}

const WILDCARD = new Set(['0.0.0.0', '::', '[::]', '']);

/**
 * The names a browser may use to reach this console: loopback, the bound host, and the extra names
 * an operator configured (a DNS name, a reverse proxy's name). Bound to every interface (0.0.0.0),
 * the machine's own host name and interface addresses are added. A DNS-rebinding page reaches the
 * console under its own domain name, which is none of these, and is refused.
 */
export function allowedHostNames(bound: string, extra: readonly string[], machine: { hostname: string; addresses: string[] }): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '[::1]']);
  const add = (n: string) => {
    const h = hostName(n.includes(':') && !n.startsWith('[') ? `[${n}]` : n);
    if (h) names.add(h);
  };
  if (WILDCARD.has(bound)) {
    add(machine.hostname);
    for (const a of machine.addresses) add(a);
  } else add(bound);
  for (const n of extra) if (n.trim()) add(n.trim());
  return names;
}

/** Is the request's Host one of the console's names? (Every request, and every WebSocket handshake.) */
export function isAllowedHost(req: IncomingMessage, allowed: ReadonlySet<string>): boolean {
  const h = hostName(req.headers.host);
  return h !== null && allowed.has(h);
}

/** Is the body declared as JSON (`application/json`, any parameters)? A page on another site cannot send that without a CORS preflight. */
export function isJsonRequest(req: IncomingMessage): boolean {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  return type === 'application/json';
}
