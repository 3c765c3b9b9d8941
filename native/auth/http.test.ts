import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allowedHostNames,
  authenticate,
  checkCsrf,
  clearSessionCookie,
  credentialsOf,
  isAllowedHost,
  parseCookies,
  SESSION_COOKIE,
  securityHeaders,
  sessionCookie,
} from './http.js';
import { authorize } from './permissions.js';
import { LoginRateLimiter } from './rate-limit.js';
import { isRole } from './roles.js';
import { type Fixture, fixture } from './test-support.js';

// A minimal server wired the way serve mode is meant to use these pieces: login sets the cookie,
// every other request is authenticated, state-changing ones CSRF-checked, then authorised.
let f: Fixture;
let server: http.Server;
let base = '';

beforeAll(async () => {
  f = fixture();
  await f.auth.createUser({ user: 'ana', role: 'operator', password: 'blue-valve-7734' }, { user: null, origin: 'test' });
  await f.auth.createUser({ user: 'val', role: 'viewer', password: 'grey-screen-1188' }, { user: null, origin: 'test' });
  server = http.createServer(async (req, res) => {
    const headers = { ...securityHeaders({ tls: false }), 'Content-Type': 'application/json' };
    const reply = (status: number, body: unknown, extra: Record<string, string> = {}) => {
      res.writeHead(status, { ...headers, ...extra });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/api/login' && req.method === 'POST') {
      let text = '';
      for await (const chunk of req) text += chunk;
      const { user, password } = JSON.parse(text) as { user: string; password: string };
      const out = await f.auth.login(user, password, { transport: 'http', address: req.socket.remoteAddress });
      if (!out.ok) return reply(out.reason === 'rate_limited' ? 429 : 401, { error: out.message });
      return reply(200, out.session, { 'Set-Cookie': sessionCookie(out.session.token, { secure: false }) });
    }
    const ctx = authenticate(req, f.auth, 'http');
    const csrf = checkCsrf(req, f.auth);
    if (!csrf.ok) return reply(403, { error: csrf.reason });
    const name = req.url === '/api/tags/write' ? 'tags.write' : 'tags.snapshot';
    const decision = authorize(name, isRole(ctx.role) ? ctx.role : null);
    if (!decision.allowed) return reply(decision.status, { error: decision.reason });
    return reply(200, { name, user: ctx.user, address: ctx.address });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  f.dispose();
});

async function login(user: string, password: string) {
  const res = await fetch(`${base}/api/login`, { method: 'POST', body: JSON.stringify({ user, password }) });
  return { res, body: (await res.json()) as { token: string; csrfToken: string } };
}

describe('serve-mode request security', () => {
  it('answers 401 without credentials and sends the security headers', async () => {
    const res = await fetch(`${base}/api/tags`);
    expect(res.status).toBe(401);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('strict-transport-security')).toBeNull();
    expect(securityHeaders({ tls: true })['Strict-Transport-Security']).toMatch(/max-age=/);
  });

  it('login sets an HttpOnly SameSite cookie that authenticates reads', async () => {
    const { res, body } = await login('ana', 'blue-valve-7734');
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const read = await fetch(`${base}/api/tags`, { headers: { Cookie: `${SESSION_COOKIE}=${body.token}` } });
    expect(await read.json()).toMatchObject({ user: 'ana', address: '127.0.0.1' });
  });

  it('a cookie-authenticated write needs the CSRF header and the same origin; a bearer token does not', async () => {
    const { body } = await login('ana', 'blue-valve-7734');
    const cookie = { Cookie: `${SESSION_COOKIE}=${body.token}` };
    const post = (headers: Record<string, string>) => fetch(`${base}/api/tags/write`, { method: 'POST', headers });
    expect((await post(cookie)).status).toBe(403);
    expect((await post({ ...cookie, 'X-CSRF-Token': 'forged-forged-forged' })).status).toBe(403);
    expect((await post({ ...cookie, 'X-CSRF-Token': body.csrfToken, Origin: 'http://evil.example' })).status).toBe(403);
    expect((await post({ ...cookie, 'X-CSRF-Token': body.csrfToken })).status).toBe(200);
    expect((await post({ ...cookie, 'X-CSRF-Token': body.csrfToken, Origin: base })).status).toBe(200);
    expect((await post({ Authorization: `Bearer ${body.token}` })).status).toBe(200);
  });

  it('a viewer is refused a write with 403, a bad password with 401', async () => {
    const { body } = await login('val', 'grey-screen-1188');
    const res = await fetch(`${base}/api/tags/write`, { method: 'POST', headers: { Authorization: `Bearer ${body.token}` } });
    expect(res.status).toBe(403);
    expect((await login('val', 'nope-nope-nope')).res.status).toBe(401);
  });
});

describe('parsing helpers', () => {
  it('reads cookies and tokens defensively', () => {
    expect([...parseCookies('a=1; b="two"; a=3; bad; c=%E2%9C%93; d=%zz')]).toEqual([
      ['a', '1'],
      ['b', 'two'],
      ['c', '✓'],
      ['d', '%zz'],
    ]);
    const req = (headers: http.IncomingHttpHeaders) => ({ headers }) as http.IncomingMessage;
    const token = 'A'.repeat(43);
    expect(credentialsOf(req({ authorization: `Bearer ${token}` }))).toEqual({ token, via: 'bearer' });
    expect(credentialsOf(req({ cookie: `${SESSION_COOKIE}=${token}` }))).toEqual({ token, via: 'cookie' });
    expect(credentialsOf(req({ authorization: 'Basic Zm9vOmJhcg==' }))).toBeNull();
    expect(credentialsOf(req({ cookie: `${SESSION_COOKIE}=short` }))).toBeNull();
    expect(clearSessionCookie({ secure: true })).toMatch(/Max-Age=0.*Secure|Secure.*Max-Age=0/);
  });

  it('rate limiter forgets failures after the window and bounds its memory', () => {
    let t = 0;
    const rl = new LoginRateLimiter({ attempts: 2, windowMs: 1000, maxKeys: 3, now: () => t });
    rl.fail('a');
    expect(rl.retryAfter('a')).toBe(0);
    rl.fail('a');
    expect(rl.retryAfter('a')).toBe(1000);
    t = 600;
    expect(rl.retryAfter('a')).toBe(400);
    t = 1001;
    expect(rl.retryAfter('a')).toBe(0);
    for (const k of ['k1', 'k2', 'k3', 'k4']) {
      rl.fail(k);
      rl.fail(k);
    }
    expect(rl.retryAfter('k1')).toBe(0); // evicted as the stalest
    expect(rl.retryAfter('k4')).toBeGreaterThan(0);
  });
});

describe('allowed host names (DNS rebinding)', () => {
  const machine = { hostname: 'ctrl-pc-07', addresses: ['192.168.10.7', 'fe80::1'] };
  const req = (host: string | undefined) => ({ headers: { host } }) as unknown as http.IncomingMessage;

  it('bound to loopback: loopback names and the configured extras only, any port, case and trailing dot ignored', () => {
    const allowed = allowedHostNames('127.0.0.1', ['Console.Plant.example'], machine);
    for (const h of ['localhost:7700', '127.0.0.1:7700', '[::1]:7700', 'console.plant.example', 'CONSOLE.plant.example.:80'])
      expect(isAllowedHost(req(h), allowed), h).toBe(true);
    for (const h of ['evil.example:7700', 'ctrl-pc-07:7700', '192.168.10.7:7700', '', undefined, 'localhost.evil.example'])
      expect(isAllowedHost(req(h), allowed), String(h)).toBe(false);
  });

  it('bound to every interface: the machine name and its addresses too', () => {
    const allowed = allowedHostNames('0.0.0.0', [], machine);
    for (const h of ['ctrl-pc-07:7700', '192.168.10.7:7700', '[fe80::1]:7700', 'localhost'])
      expect(isAllowedHost(req(h), allowed), h).toBe(true);
    expect(isAllowedHost(req('evil.example'), allowed)).toBe(false);
  });
});
