// Serve mode's routes are built from the contract's HTTP forms: every route the hand-written table
// had answers the same method and path with the same request; query values are read by the
// schema's types with a 400 naming the parameter; the session cookie follows the one session rule
// on every route a sign-in can come by.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PermissionTable } from '../auth/permissions.js';
import { REQUEST_PERMISSIONS } from '../auth/permissions.js';
import { type Core, startCore } from '../core.js';
import type { MetricsExporter } from './metrics.js';
import { match, routes } from './routes.js';
import { type RunningServer, serve } from './server.js';

describe('the route table', () => {
  // Building the table touches neither the core nor the metrics: their handlers do, when called.
  const table = routes({} as Core, {} as MetricsExporter, false);
  const requestOf = (method: string, p: string) => {
    const found = match(table, method, p);
    return found?.route.request === 'any' ? `call:${found.params.name}` : (found?.route.request ?? (found ? 'special' : null));
  };
  it('answers every route of the former hand-written table with the same request', () => {
    const before: [string, string, string][] = [
      ['GET', '/api/health', 'special'],
      ['POST', '/api/login', 'auth.login'],
      ['POST', '/api/logout', 'auth.logout'],
      ['GET', '/api/me', 'auth.me'],
      ['GET', '/api/auth/status', 'auth.status'],
      ['POST', '/api/auth/setup', 'auth.setup'],
      ['GET', '/api/audit', 'audit.query'],
      ['GET', '/api/audit.csv', 'audit.export'],
      ['GET', '/api/audit/verify', 'audit.verify'],
      ['GET', '/api/info', 'core.info'],
      ['GET', '/api/tags', 'tags.snapshot'],
      ['GET', '/api/tags/meta', 'tags.list'],
      ['POST', '/api/tags/write', 'tags.write'],
      ['GET', '/api/config/tags.csv', 'config.exportTags'],
      ['GET', '/api/config/tags.json', 'config.exportTags'],
      ['POST', '/api/config/tags/import', 'config.importTags'],
      ['GET', '/api/connections', 'connections.list'],
      ['POST', '/api/config/tag', 'config.updateTag'],
      ['GET', '/api/history', 'history.query'],
      ['POST', '/api/ingest', 'tags.ingest'],
      ['GET', '/metrics', 'special'],
      ['GET', '/api/esg/summary', 'esg.summary'],
      ['GET', '/api/esg/series', 'esg.series'],
      ['GET', '/api/esg/gaps', 'esg.gaps'],
      ['GET', '/api/esg/report', 'esg.report'],
      ['GET', '/api/esg/factors', 'esg.factors.list'],
      ['GET', '/api/esg/factors/changes', 'esg.factors.changes'],
      ['POST', '/api/esg/factors/correct', 'esg.factors.correct'],
      ['GET', '/api/alarms', 'alarms.list'],
      ['POST', '/api/alarms/ack', 'alarms.ack'],
      ['POST', '/api/alarms/Site.Area:M-1_hi/ack', 'alarms.ack'],
      ['POST', '/api/alarms/A1/shelve', 'alarms.shelve'],
      ['POST', '/api/alarms/A1/unshelve', 'alarms.unshelve'],
      ['POST', '/api/alarms/A1/out-of-service', 'alarms.outOfService'],
      ['POST', '/api/alarms/A1/return-to-service', 'alarms.returnToService'],
      ['GET', '/api/alarms/journal', 'alarms.journal'],
      ['GET', '/api/alarms/journal.csv', 'alarms.export'],
      ['GET', '/api/alarms/kpis', 'alarms.kpis'],
      ['GET', '/api/events', 'events.list'],
      ['POST', '/api/events', 'events.record'],
      ['GET', '/api/events.csv', 'events.export'],
      ['POST', '/api/maintenance/requests', 'maintenance.request'],
      ['GET', '/api/maintenance/requests', 'maintenance.requests'],
      ['GET', '/api/predictions', 'predictions.latest'],
      ['GET', '/api/models', 'models.list'],
      ['POST', '/api/models/activate', 'models.activate'],
      ['POST', '/api/models/rollback', 'models.rollback'],
      ['POST', '/api/models/learn', 'models.learn'],
      ['GET', '/api/history/value-at', 'history.valueAt'],
      ['GET', '/api/history/aggregate', 'history.aggregate'],
      ['POST', '/api/history/export', 'history.export'],
      ['POST', '/api/history/export/exp-1_a/cancel', 'history.exportCancel'],
      ['GET', '/api/history/exports/exp-1_a.csv', 'special'],
      ['GET', '/api/history/metrics', 'history.metrics'],
      ['GET', '/api/sync/status', 'sync.status'],
      ['POST', '/api/sync/pause', 'sync.pause'],
      ['POST', '/api/sync/resume', 'sync.resume'],
      ['GET', '/api/sync/models', 'sync.models.list'],
      ['POST', '/api/sync/models/approve', 'sync.models.approve'],
      ['POST', '/api/sync/models/reject', 'sync.models.reject'],
      ['POST', '/api/call/auth.unlock', 'call:auth.unlock'],
    ];
    expect(before.map(([m, p]) => [m, p, requestOf(m, p)])).toEqual(before);
  });
  it('has no route where the former table had none', () => {
    expect(requestOf('GET', '/api/config/tags.xml')).toBeNull();
    expect(requestOf('POST', '/api/history/export/a.b/cancel')).toBeNull();
    expect(requestOf('GET', '/api/alarms/A1/ack')).toBeNull();
    expect(requestOf('PUT', '/api/tags/write')).toBeNull();
  });
  it('types the permission table by request name (checked by tsc)', () => {
    // @ts-expect-error a table missing requests does not compile
    const missing: PermissionTable = { 'core.info': 'read' };
    // @ts-expect-error a misspelt request name does not compile
    const misspelt: PermissionTable = { ...REQUEST_PERMISSIONS, 'tags.wirte': 'operate' };
    expect([missing, misspelt].length).toBe(2);
  });
});

describe('over HTTP', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'aurum-routes-'));
  const password = 'test-Routes-Pass-2026';
  let core: Core;
  let server: RunningServer;
  let auth: Record<string, string>;

  beforeAll(async () => {
    const file = path.join(dir, 'site.yaml');
    writeFileSync(
      file,
      `version: 1
site: { name: Edge }
connections:
  - { name: gateway, protocol: ingest, maxQueue: 100 }
areas:
  - name: Yard
    machines:
      - name: Weather
        connection: gateway
        tags:
          - { name: OutdoorTemp, address: OutdoorTemp, unit: °C }
`,
    );
    process.env.AURUM_ADMIN_USER = 'admin';
    process.env.AURUM_ADMIN_PASSWORD = password;
    core = await startCore({ siteFile: file, dataDir: path.join(dir, 'data'), shell: 'test', log: () => undefined });
    server = await serve(core, { port: 0, staticDir: path.join(dir, 'no-ui') });
    const login = await fetch(`${server.url}/api/login`, { method: 'POST', body: JSON.stringify({ user: 'admin', password }) });
    auth = { Authorization: `Bearer ${((await login.json()) as { token: string }).token}` };
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await core?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = async (p: string) => {
    const r = await fetch(`${server.url}${p}`, { headers: auth });
    return { status: r.status, body: (await r.json()) as { error?: { type: string; message: string } } };
  };

  it('reads query values by the types the schema declares', async () => {
    const r = await get('/api/audit?action=auth.login&limit=1');
    expect(r.status).toBe(200);
    expect(Array.isArray(r.body)).toBe(true);
  });

  it('refuses a query value not of its type, or a parameter the request does not take, with a 400 naming it', async () => {
    const wrong = await get('/api/audit?limit=ten');
    expect(wrong.status).toBe(400);
    expect(wrong.body.error?.message).toBe('query parameter "limit" of GET /api/audit must be a number, not "ten"');
    const misspelt = await get('/api/audit?limt=5');
    expect(misspelt.status).toBe(400);
    expect(misspelt.body.error?.message).toMatch(
      /^GET \/api\/audit has no query parameter "limt" \(it takes from, to, actor, action, target, result, limit, beforeId\)$/,
    );
  });

  it('sets and clears the session cookie whichever route signs in or out', async () => {
    const login = await fetch(`${server.url}/api/call/auth.login`, { method: 'POST', body: JSON.stringify({ user: 'admin', password }) });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    expect(login.headers.get('set-cookie')).toContain(token);
    const logout = await fetch(`${server.url}/api/call/auth.logout`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      body: '{}',
    });
    expect(logout.status).toBe(200);
    expect(logout.headers.get('set-cookie')).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/);
  });
});
