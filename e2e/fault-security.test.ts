// Serve mode tried as an attacker would (issue 13, "serve mode is secure by default"), against the
// built console on the demo plant: first-run takeover, DNS rebinding, concurrent password guessing
// and unlocking, oversized unauthenticated bodies, a WebSocket client that stops reading, missing
// security headers, /metrics without a session, world-readable data files, and unbounded or empty
// audit targets. Requests go through node:http so that Host, Origin and the source address
// (127.0.0.x: each test its own client address for the per-address limit) are what the test says.
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { chromiumAvailable, launchChromium } from './browser.js';
import { type RunningConsole, startConsole, waitFor } from './harness.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

function request(
  app: RunningConsole,
  method: string,
  p: string,
  opts: { headers?: Record<string, string>; body?: string | Buffer; from?: string; chunked?: boolean } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Host: `127.0.0.1:${app.port}`, ...opts.headers };
    // Without Content-Length node:http sends the body chunked.
    if (opts.body !== undefined && !opts.chunked) headers['Content-Length'] = String(Buffer.byteLength(opts.body));
    const req = http.request(
      { host: '127.0.0.1', port: app.port, method, path: p, headers, localAddress: opts.from ?? '127.0.0.1', agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        });
        res.on('error', reject);
      },
    );
    // A server that answers before reading the whole body closes the connection under the rest of
    // it: the body goes in slices, and no more once the answer has come.
    let answered = false;
    req.on('response', () => {
      answered = true;
    });
    req.on('error', (err) => (answered ? undefined : reject(err)));
    void (async () => {
      if (opts.body !== undefined) {
        const body = Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body);
        for (let i = 0; i < body.length && !answered && !req.destroyed; i += 64 * 1024) {
          await new Promise<void>((r) => req.write(body.subarray(i, i + 64 * 1024), () => r()));
        }
      }
      if (!answered && !req.destroyed) req.end();
    })();
  });
}

const JSON_TYPE = { 'Content-Type': 'application/json' };
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Every SQLite file (and -wal/-shm), the key and the setup code under the data dir, with its mode. */
function dataFileModes(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.db(-wal|-shm)?$|^secret\.key$|^setup-code$/.test(e.name)) out.set(path.relative(dir, p), statSync(p).mode & 0o777);
    }
  };
  walk(dir);
  return out;
}

describe('first run', () => {
  let app: RunningConsole;
  beforeAll(async () => {
    app = await startConsole({
      script: 'bin/aurum.mjs',
      args: ['serve'],
      env: { AURUM_ADMIN_USER: '', AURUM_ADMIN_PASSWORD: '' },
      timeoutMs: 40_000,
    });
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    if (app) rmSync(app.dataDir, { recursive: true, force: true });
  });

  it('refuses every takeover attempt: another Origin, text/plain, a rebinding Host, no or a wrong code', async () => {
    const code = readFileSync(path.join(app.dataDir, 'setup-code'), 'utf8').trim();
    const body = (c?: string) => JSON.stringify({ user: 'mallory', password: 'taken-Over-Console-1', ...(c ? { code: c } : {}) });
    const attempts: { headers: Record<string, string>; body: string; status: number }[] = [
      // The finding: a page on another site posting text/plain (no CORS preflight), even if it had the code.
      { headers: { Origin: 'http://evil.example', 'Content-Type': 'text/plain' }, body: body(code), status: 403 },
      { headers: { Origin: 'http://evil.example', ...JSON_TYPE }, body: body(code), status: 403 },
      { headers: { 'Content-Type': 'text/plain' }, body: body(code), status: 415 },
      // DNS rebinding: the attacker's name resolves to 127.0.0.1, so the page is "same origin" with itself.
      {
        headers: { Host: `evil.example:${app.port}`, Origin: `http://evil.example:${app.port}`, ...JSON_TYPE },
        body: body(code),
        status: 421,
      },
      { headers: JSON_TYPE, body: body(), status: 400 },
      { headers: JSON_TYPE, body: body('AAAA-BBBB-CCCC-DDDD'), status: 403 },
    ];
    for (const a of attempts) {
      const r = await request(app, 'POST', '/api/auth/setup', { headers: a.headers, body: a.body, from: '127.0.0.2' });
      expect(r.status, `${JSON.stringify(a.headers)} → ${r.text}`).toBe(a.status);
      expect(r.json<{ error: { message: string } }>().error.message).toMatch(/\w+ \w+/);
    }
    const viaCall = await request(app, 'POST', '/api/call/auth.setup', {
      headers: { Origin: 'http://evil.example', 'Content-Type': 'text/plain' },
      body: body(code),
    });
    expect(viaCall.status).toBe(403);
    expect((await request(app, 'GET', '/api/auth/status')).json()).toEqual({ needsSetup: true });

    // The console's own page (same Origin), as JSON, with the code: the administrator is created.
    const ok = await request(app, 'POST', '/api/auth/setup', {
      headers: { Origin: `http://127.0.0.1:${app.port}`, ...JSON_TYPE },
      body: JSON.stringify({ user: 'chief', password: 'first-Run-Secret-26', code }),
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json()).toMatchObject({ user: 'chief', role: 'admin' });
  });

  it('creates the data dir 0700 and every data file 0600', () => {
    expect(statSync(app.dataDir).mode & 0o777).toBe(0o700);
    const modes = dataFileModes(app.dataDir);
    for (const f of ['auth.db', 'events.db', 'secret.key']) expect(modes.has(f), `${f} in ${[...modes.keys()].join(', ')}`).toBe(true);
    expect([...modes.keys()].some((f) => f.startsWith('historian'))).toBe(true);
    const loose = [...modes].filter(([, m]) => m !== 0o600).map(([f, m]) => `${f} ${m.toString(8)}`);
    expect(loose).toEqual([]);
  });
});

describe('a running console', () => {
  let app: RunningConsole;
  let admin: string;
  const SCRAPE = 'scrape-token-for-the-e2e-prometheus-0001';
  const PASSWORDS = { ana: 'blue-Valve-7734-q', ben: 'green-Pump-5521-w', ola: 'white-Fan-4412-r', eng: 'red-Tank-99881-e' };
  beforeAll(async () => {
    app = await startConsole({
      script: 'bin/aurum.mjs',
      args: ['serve'],
      env: { AURUM_ALLOWED_HOSTS: 'console.plant.example', AURUM_METRICS_TOKEN: SCRAPE },
      timeoutMs: 40_000,
    });
    admin = await app.signIn();
    for (const [user, role] of [
      ['ana', 'operator'],
      ['ben', 'operator'],
      ['ola', 'operator'],
      ['eng', 'engineer'],
    ] as const) {
      const r = await request(app, 'POST', '/api/call/auth.users.create', {
        headers: { ...bearer(admin), ...JSON_TYPE },
        body: JSON.stringify({ user, role, password: PASSWORDS[user] }),
      });
      expect(r.status, r.text).toBe(200);
    }
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    if (app) rmSync(app.dataDir, { recursive: true, force: true });
  });

  const login = (user: string, password: string, from: string) =>
    request(app, 'POST', '/api/login', { headers: JSON_TYPE, body: JSON.stringify({ user, password }), from });

  it('answers only to its own names (DNS rebinding refused with 421 and a sentence)', async () => {
    const evil = await request(app, 'GET', '/api/health', { headers: { Host: `evil.example:${app.port}` } });
    expect(evil.status).toBe(421);
    expect(evil.json<{ error: { message: string } }>().error.message).toMatch(/does not answer to the host name "evil\.example/);
    for (const host of [`localhost:${app.port}`, `127.0.0.1:${app.port}`, `console.plant.example:${app.port}`]) {
      expect((await request(app, 'GET', '/api/health', { headers: { Host: host } })).status, host).toBe(200);
    }
    const ws = new WebSocket(`ws://127.0.0.1:${app.port}/api/ws`, { headers: { Host: `evil.example:${app.port}` } });
    const refused = await new Promise<number>((resolve) => {
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => resolve(101));
      ws.once('error', () => resolve(-1));
    });
    ws.terminate();
    expect(refused).toBe(421);
  });

  it('150 parallel wrong passwords lock the account; the right one is then refused', async () => {
    const guesses = await Promise.all(Array.from({ length: 150 }, (_, i) => login('ana', `wrong-guess-${i}`, '127.0.0.3')));
    expect(guesses.every((r) => r.status === 401)).toBe(true);
    const right = await login('ana', PASSWORDS.ana, '127.0.0.4');
    expect(right.status).toBe(401);
    expect(right.json<{ error: { message: string } }>().error.message).toMatch(/locked/);
    // An unknown name gets the very same answers: nothing tells which accounts exist.
    await Promise.all(Array.from({ length: 150 }, (_, i) => login('nobody', `wrong-guess-${i}`, '127.0.0.5')));
    const unknown = await login('nobody', PASSWORDS.ana, '127.0.0.4');
    expect([unknown.status, unknown.text]).toEqual([right.status, right.text]);
  });

  it('150 parallel wrong unlocks lock the account; the right password then does not unlock', async () => {
    const signedIn = await login('ben', PASSWORDS.ben, '127.0.0.6');
    expect(signedIn.status).toBe(200);
    const token = signedIn.json<{ token: string }>().token;
    const call = (name: string, args: unknown) =>
      request(app, 'POST', `/api/call/${name}`, {
        headers: { ...bearer(token), ...JSON_TYPE },
        body: JSON.stringify(args),
        from: '127.0.0.6',
      });
    expect((await call('auth.lock', {})).status).toBe(200);
    const tries = await Promise.all(Array.from({ length: 150 }, (_, i) => call('auth.unlock', { password: `wrong-guess-${i}` })));
    expect(tries.every((r) => r.status === 401)).toBe(true);
    const right = await call('auth.unlock', { password: PASSWORDS.ben });
    expect(right.status).toBe(401);
    expect(right.json<{ error: { message: string } }>().error.message).toMatch(/locked/);
    expect((await call('auth.me', {})).json<{ locked: boolean }>().locked).toBe(true);
    // The account is locked, not only the screen: a fresh sign-in is refused too.
    expect((await login('ben', PASSWORDS.ben, '127.0.0.9')).status).toBe(401);
  });

  it('refuses an unauthenticated body over 16 KiB before reading it, and keeps the larger limit with a session', async () => {
    const big = JSON.stringify({ user: 'x', password: 'y', pad: 'z'.repeat(4 * 1024 * 1024) });
    for (const chunked of [false, true]) {
      const r = await request(app, 'POST', '/api/login', { headers: JSON_TYPE, body: big, from: '127.0.0.7', chunked });
      expect(r.status, `chunked ${chunked}`).toBe(413);
      expect(r.json<{ error: { message: string } }>().error.message).toMatch(/at most 16 KiB; sign in first/);
    }
    const items = Array.from({ length: 2000 }, () => ({ tag: 'Demo/No/Such/Tag', value: 1 }));
    const withSession = await request(app, 'POST', '/api/ingest', {
      headers: { ...bearer(admin), ...JSON_TYPE },
      body: JSON.stringify(items),
    });
    expect(JSON.stringify(items).length).toBeGreaterThan(16 * 1024);
    expect(withSession.status).not.toBe(413);
  });

  it('puts the security headers on every response: API, download, /metrics, error, static page', async () => {
    const auth = bearer(admin);
    const replies = {
      api: await request(app, 'GET', '/api/tags', { headers: auth }),
      download: await request(app, 'GET', '/api/config/tags.csv', { headers: auth }),
      metrics: await request(app, 'GET', '/metrics', { headers: auth }),
      error: await request(app, 'GET', '/api/no-such-route', { headers: auth }),
      unauthenticated: await request(app, 'GET', '/api/tags'),
      page: await request(app, 'GET', '/'),
    };
    for (const [what, r] of Object.entries(replies)) {
      expect(r.headers['x-content-type-options'], what).toBe('nosniff');
      expect(r.headers['referrer-policy'], what).toBe('no-referrer');
      expect(r.headers['x-frame-options'], what).toBe('DENY');
      expect(r.headers['content-security-policy'], what).toMatch(/frame-ancestors 'none'/);
      if (what !== 'page') expect(r.headers['cache-control'], what).toBe('no-store');
    }
    expect(replies.download.status).toBe(200);
    expect(replies.download.headers['content-disposition']).toMatch(/attachment/);
  });

  it('/metrics needs an engineer or admin session, or the scrape token', async () => {
    const eng = (await login('eng', PASSWORDS.eng, '127.0.0.8')).json<{ token: string }>().token;
    const operator = (await login('ola', PASSWORDS.ola, '127.0.0.8')).json<{ token: string }>().token;
    expect((await request(app, 'GET', '/metrics', { headers: bearer(operator) })).status).toBe(403);
    expect((await request(app, 'GET', '/metrics')).status).toBe(401);
    expect((await request(app, 'GET', '/metrics', { headers: bearer('not-the-scrape-token-0000000000') })).status).toBe(401);
    expect((await request(app, 'GET', '/metrics', { headers: bearer(SCRAPE) })).status).toBe(200);
    expect((await request(app, 'GET', '/metrics', { headers: bearer(eng) })).status).toBe(200);
  });

  it('drops a WebSocket client that stops reading, with a count in the metrics', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${app.port}/api/ws`, { headers: bearer(admin) });
    await new Promise((r, j) => {
      ws.once('open', r);
      ws.once('error', j);
    });
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.on('error', () => undefined);
    const socket = (ws as unknown as { _socket: import('node:net').Socket })._socket;
    socket.pause();
    const dropped = async () => {
      const text = (await request(app, 'GET', '/metrics', { headers: bearer(SCRAPE) })).text;
      return /aurum_ws_slow_clients_dropped_total\{[^}]*\} 1/.test(text) ? true : undefined;
    };
    // Each answer is the demo plant's whole tag list; a bounded number of requests far exceeds the 4 MiB bound.
    for (let i = 0; i < 4000 && ws.readyState === ws.OPEN; i++) {
      ws.send(JSON.stringify({ type: 'req', id: i, name: 'tags.list', args: {} }));
      if (i % 500 === 499 && (await dropped())) break;
    }
    await waitFor('the slow client to be dropped', dropped, 30_000);
    socket.resume();
    expect([1013, 1006]).toContain(await closed);
  });

  it('audits alarms.ack with the alarms acknowledged, and a 3.9 MB tag name bounded', async () => {
    const auth = { ...bearer(admin), ...JSON_TYPE };
    const { alarms } = (await request(app, 'GET', '/api/alarms', { headers: auth })).json<{ alarms: { id: string }[] }>();
    const ids = alarms.length ? alarms.slice(0, 2).map((a) => a.id) : ['Demo_NoSuchAlarm'];
    await request(app, 'POST', '/api/alarms/ack', { headers: auth, body: JSON.stringify({ ids, comment: 'seen' }) });
    const ack = (await request(app, 'GET', '/api/audit?action=alarms.ack&limit=1', { headers: auth })).json<{ target: string }[]>();
    expect(ack[0]?.target).toBe(ids.join(', '));

    const huge = `Demo/${'x'.repeat(3_900_000)}`;
    const refused = await request(app, 'POST', '/api/tags/write', {
      headers: auth,
      body: JSON.stringify({ tag: huge, value: 1, confirmed: true }),
    });
    // Refused where it enters, with a sentence that does not repeat the name…
    expect(refused.status).toBe(400);
    expect(refused.text.length).toBeLessThan(1000);
    expect(refused.text).toMatch(/at most 1024 characters/);
    // …and the attempt's audit row stays small.
    const write = (await request(app, 'GET', '/api/audit?action=tags.write&limit=1', { headers: auth })).json<
      { target: string; details: unknown }[]
    >();
    expect(write[0]?.target.length).toBeLessThanOrEqual(1024);
    expect(write[0]?.target).toMatch(/…\(truncated, 3900005 characters\)$/);
    expect(JSON.stringify(write[0]?.details).length).toBeLessThan(20_000);
  });

  it('on stop, the refused attempts of each burst are one audit row with a count, and auth.db holds no giant row', async () => {
    expect(await app.stop()).toBe(0);
    const db = new Database(path.join(app.dataDir, 'auth.db'), { readonly: true });
    try {
      const rows = db
        .prepare("SELECT target, details FROM audit_log WHERE action = 'auth.login' AND result = 'denied' AND details LIKE '%\"count\"%'")
        .all() as { target: string; details: string }[];
      const counts = rows.map((r) => ({
        target: r.target,
        ...(JSON.parse(r.details) as { reason: string; count: number; address: string }),
      }));
      const burst = counts.find((c) => c.target === 'ana' && c.address === '127.0.0.3');
      expect(burst).toMatchObject({ reason: 'locked', count: 145 });
      // 300 guesses and two right-password tries: a handful of rows, not one per attempt.
      const total = (db.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'auth.login'").get() as { n: number }).n;
      expect(total).toBeLessThan(30);
      const unlock = db.prepare("SELECT details FROM audit_log WHERE action = 'auth.unlock' AND details LIKE '%\"count\"%'").all() as {
        details: string;
      }[];
      expect(unlock.map((r) => (JSON.parse(r.details) as { count: number }).count)).toEqual([146]);
      const widest = (db.prepare('SELECT max(length(target) + length(details)) AS n FROM audit_log').get() as { n: number }).n;
      expect(widest).toBeLessThan(20_000);
    } finally {
      db.close();
    }
  });
});

describe.skipIf(!chromiumAvailable && !process.env.CI)('first run in Chromium', () => {
  let app: RunningConsole;
  let browser: Browser;
  beforeAll(async () => {
    app = await startConsole({
      script: 'bin/aurum.mjs',
      args: ['serve'],
      env: { AURUM_ADMIN_USER: '', AURUM_ADMIN_PASSWORD: '' },
      timeoutMs: 40_000,
    });
    browser = await launchChromium();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (app) rmSync(app.dataDir, { recursive: true, force: true });
  });

  it('the sign-in screen takes the setup code and creates the administrator; a wrong code is refused with a sentence', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(app.url);
    const code = readFileSync(path.join(app.dataDir, 'setup-code'), 'utf8').trim();
    await page.getByLabel('Setup code').fill('AAAA-BBBB-CCCC-DDDD');
    await page.getByLabel('User', { exact: true }).fill('chief');
    await page.getByLabel('Password', { exact: true }).fill('first-Run-Secret-26');
    await page.getByRole('button', { name: 'Create and sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 15_000 });
    expect(await alert.textContent()).toMatch(/setup code is missing or wrong/);
    await page.getByLabel('Setup code').fill(code);
    await page.getByRole('button', { name: 'Create and sign in' }).click();
    await page.locator('form.sign-in').waitFor({ state: 'detached', timeout: 15_000 });
    const me = await page.request.get(`${app.url}/api/me`);
    expect(me.status()).toBe(200);
    expect(await me.json()).toMatchObject({ user: 'chief', role: 'admin' });
  });
});
