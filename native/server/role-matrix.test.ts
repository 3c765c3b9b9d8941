// Every API request × every role, through the real transports: serve mode over HTTP (a session per
// role, POST /api/call/<name>) and the handler layer as the desktop's IPC reaches it. The gate runs
// before argument validation, so 403 means "refused by role" whatever the arguments; anything else
// means the role got through to the request itself.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestSchemas } from '../api/contract.js';
import { authorize } from '../auth/permissions.js';
import { ROLES, type Role } from '../auth/roles.js';
import { type Core, startCore } from '../core.js';
import { type RunningServer, serve } from './server.js';

const dir = mkdtempSync(path.join(tmpdir(), 'aurum-roles-'));
let core: Core;
let server: RunningServer;
const tokens = new Map<Role, string>();
const PASSWORD = 'Matrix-Check-Pass-2026';
// Requests that end or lock the caller's own session would change the rest of the run.
const SESSION_CHANGING = new Set(['auth.logout', 'auth.lock', 'auth.login', 'auth.setup', 'auth.unlock']);
const names = Object.keys(requestSchemas).filter((n) => !SESSION_CHANGING.has(n));

beforeAll(async () => {
  const file = path.join(dir, 'site.yaml');
  writeFileSync(
    file,
    `version: 1
site: { name: Roles }
connections:
  - { name: gateway, protocol: ingest }
areas:
  - name: A
    machines:
      - { name: M, connection: gateway, tags: [{ name: T, address: T, writable: true, writeLimits: [0, 10] }] }
`,
  );
  process.env.AURUM_ADMIN_USER = 'root';
  process.env.AURUM_ADMIN_PASSWORD = PASSWORD;
  core = await startCore({ siteFile: file, dataDir: path.join(dir, 'data'), shell: 'test', log: () => undefined });
  server = await serve(core, { port: 0, staticDir: path.join(dir, 'no-ui') });
  for (const role of ROLES) {
    const user = `u_${role}`;
    if (role !== 'admin') await core.auth.createUser({ user, role, password: PASSWORD }, { user: 'root', origin: 'internal' });
    const r = await fetch(`${server.url}/api/login`, {
      method: 'POST',
      body: JSON.stringify({ user: role === 'admin' ? 'root' : user, password: PASSWORD }),
    });
    tokens.set(role, ((await r.json()) as { token: string }).token);
  }
}, 120_000);

afterAll(async () => {
  await server?.close();
  await core?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('role matrix', () => {
  it('covers every request of the contract', () => {
    expect(names.length).toBeGreaterThan(60);
  });

  it('over HTTP: each role is refused (403) exactly where the permission table says, and no session gets 401', async () => {
    const mismatches: string[] = [];
    for (const name of names) {
      const anonymous = await fetch(`${server.url}/api/call/${name}`, { method: 'POST', body: '{}' });
      const expectAnon = authorize(name, null).allowed;
      if ((anonymous.status === 401) === expectAnon) mismatches.push(`${name} without a session: ${anonymous.status}`);
      for (const role of ROLES) {
        const r = await fetch(`${server.url}/api/call/${name}`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${tokens.get(role)}` },
          body: '{}',
        });
        const allowed = authorize(name, role).allowed;
        if ((r.status === 403) === allowed) mismatches.push(`${name} as ${role}: ${r.status}, expected ${allowed ? 'allowed' : '403'}`);
      }
    }
    expect(mismatches).toEqual([]);
  }, 120_000);

  it('through the handler layer (as IPC calls it): the same decisions', async () => {
    const mismatches: string[] = [];
    for (const name of names) {
      for (const role of ROLES) {
        const result = await core.call(name, {}, { user: `u_${role}`, role, origin: 'ipc' });
        const refused =
          result.error?.type === 'forbidden' && /permission|not in the permission table|may not|role/i.test(result.error.message);
        if (refused === authorize(name, role).allowed) mismatches.push(`${name} as ${role}: ${JSON.stringify(result.error ?? 'ok')}`);
      }
    }
    expect(mismatches).toEqual([]);
  }, 120_000);
});
