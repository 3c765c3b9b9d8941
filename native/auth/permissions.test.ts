import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CallContext } from '../api/contract.js';
import { requestSchemas } from '../api/contract.js';
import { ApiFailure, HandlerRegistry } from '../api/registry.js';
import { allowedRequests, authGate, authorize, REQUEST_PERMISSIONS } from './permissions.js';
import { ROLES, type Role } from './roles.js';

// The expected matrix, written out independently of the table: V viewer, O operator, E engineer,
// S esg_analyst, A admin, * anyone (signed in or not), + any signed-in user. A change to who may do
// what has to be made in both places, on purpose.
const EXPECTED: Record<string, string> = {
  'core.info': 'VOESA',
  'displays.list': 'VOESA',
  'displays.get': 'VOESA',
  'displays.save': 'EA',
  'displays.importSvg': 'EA',
  'tags.list': 'VOESA',
  'tags.snapshot': 'VOESA',
  'tags.write': 'OEA',
  'tags.ingest': 'OEA',
  'tags.ingestSeries': 'OEA',
  'tags.ingestLines': 'OEA',
  'config.updateTag': 'EA',
  'config.exportTags': 'EA',
  'config.importTags': 'EA',
  'config.current': 'EA',
  'config.validate': 'EA',
  'config.apply': 'EA',
  'config.version': 'EA',
  'config.rollback': 'EA',
  'config.versions': 'VOESA',
  'config.diff': 'VOESA',
  'config.schema': 'EA',
  'config.export': 'EA',
  'config.import': 'EA',
  'connections.list': 'VOESA',
  'connections.browse': 'EA',
  'connections.testRead': 'EA',
  'connections.discoverMqtt': 'EA',
  'connections.tagAttributes': 'EA',
  'connections.decodeModbus': 'EA',
  'connections.certificates': 'EA',
  'connections.trustCertificate': 'EA',
  'connections.revokeCertificate': 'EA',
  'connections.test': 'EA',
  'history.query': 'VOESA',
  'history.export': 'VOESA',
  'history.exportCancel': 'VOESA',
  'history.valueAt': 'VOESA',
  'history.lastValues': 'VOESA',
  'history.aggregate': 'VOESA',
  'history.metrics': 'VOESA',
  'alarms.list': 'VOESA',
  'alarms.journal': 'VOESA',
  'alarms.kpis': 'VOESA',
  'alarms.export': 'VOESA',
  'alarms.ack': 'OEA',
  'alarms.shelve': 'OEA',
  'alarms.unshelve': 'OEA',
  'alarms.outOfService': 'EA',
  'alarms.returnToService': 'EA',
  'events.list': 'VOESA',
  'events.record': 'OEA',
  'events.export': 'VOESA',
  'maintenance.request': 'OEA',
  'maintenance.requests': 'VOESA',
  'predictions.latest': 'VOESA',
  'inference.diagnostics': 'VOESA',
  'models.list': 'VOESA',
  'models.activate': 'EA',
  'models.rollback': 'EA',
  'models.learn': 'EA',
  'models.learn.spans': 'VOESA',
  'models.learn.status': 'VOESA',
  'models.learn.cancel': 'EA',
  'models.learn.approve': 'EA',
  'models.learn.discard': 'EA',
  'models.versions': 'VOESA',
  'esg.summary': 'VOESA',
  'esg.series': 'VOESA',
  'esg.gaps': 'VOESA',
  'esg.factors.list': 'VOESA',
  'esg.factors.changes': 'VOESA',
  'esg.report': 'ESA',
  'esg.factors.correct': 'SA',
  'sync.status': 'VOESA',
  'sync.pause': 'EA',
  'sync.resume': 'EA',
  'sync.models.list': 'VOESA',
  'sync.models.approve': 'EA',
  'sync.models.reject': 'EA',
  'auth.status': '*',
  'auth.setup': '*',
  'auth.passwordPolicy': '*',
  'auth.login': '*',
  'auth.unlock': '*',
  'auth.logout': '+',
  'auth.me': '+',
  'auth.lock': '+',
  'auth.changePassword': '+',
  'auth.users.list': 'A',
  'auth.users.create': 'A',
  'auth.users.update': 'A',
  'auth.sessions.list': 'A',
  'auth.sessions.end': 'A',
  'audit.query': 'EA',
  'audit.export': 'EA',
  'audit.verify': 'EA',
};
const LETTER: Record<Role, string> = { viewer: 'V', operator: 'O', engineer: 'E', esg_analyst: 'S', admin: 'A' };

describe('permission table', () => {
  it('lists every request of the contract and of the request files waiting to be joined', async () => {
    // Every native/api/*-requests.ts, so a capability's new file is covered before the lead joins it.
    const apiDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'api');
    const names = new Set(Object.keys(requestSchemas));
    for (const file of readdirSync(apiDir).filter((f) => f.endsWith('-requests.ts'))) {
      const mod = (await import(path.join(apiDir, file))) as Record<string, unknown>;
      for (const [exported, value] of Object.entries(mod)) {
        if (exported.endsWith('Requests') && value && typeof value === 'object') for (const n of Object.keys(value)) names.add(n);
      }
    }
    expect(names.size).toBeGreaterThan(20);
    expect(names.has('auth.login')).toBe(true);
    const missing = [...names].filter((n) => !(n in REQUEST_PERMISSIONS));
    expect(missing, 'add these to REQUEST_PERMISSIONS in native/auth/permissions.ts').toEqual([]);
  });

  it('matches the expected matrix exactly, name for name', () => {
    expect(Object.keys(REQUEST_PERMISSIONS).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s: allowed for exactly %s', (name, who) => {
    for (const role of ROLES) {
      const d = authorize(name, role);
      const expected = who === '*' || who === '+' || who.includes(LETTER[role]);
      expect(d.allowed, `${role} → ${name}`).toBe(expected);
      if (!d.allowed) expect(d.status).toBe(403);
    }
    const anonymous = authorize(name, null);
    expect(anonymous.allowed).toBe(who === '*');
    if (!anonymous.allowed) expect(anonymous.status).toBe(401);
  });

  it('lists for each role exactly the requests the matrix allows it (what auth.me sends the UI)', () => {
    for (const role of ROLES) {
      const expected = Object.entries(EXPECTED)
        .filter(([, who]) => who === '*' || who === '+' || who.includes(LETTER[role]))
        .map(([name]) => name)
        .sort();
      expect([...allowedRequests(role)].sort(), role).toEqual(expected);
    }
    expect(allowedRequests('viewer')).not.toContain('tags.write');
    expect(allowedRequests('esg_analyst')).not.toContain('alarms.ack');
    expect(allowedRequests('esg_analyst')).toContain('esg.factors.correct');
    expect([...allowedRequests(null)].sort()).toEqual(['auth.login', 'auth.passwordPolicy', 'auth.setup', 'auth.status', 'auth.unlock']);
  });

  it('refuses a request missing from the table for every role, admin included (deny by default)', () => {
    for (const role of [...ROLES, null]) {
      const d = authorize('plant.selfDestruct', role);
      expect(d).toMatchObject({ allowed: false, status: 403 });
    }
    expect(authorize('toString', 'admin').allowed).toBe(false);
    expect(authorize('__proto__', 'admin').allowed).toBe(false);
  });
});

describe('authGate in the handler registry (the layer IPC, WebSocket and HTTP all call)', () => {
  const registry = new HandlerRegistry();
  registry.register({
    'core.info': () => ({ name: 'Aurum Console', version: '0', site: 's', startedAt: '', shell: 'serve', demoPlant: true }) as never,
    'tags.write': ({ tag, value }) => ({ tag, requested: value as number, readBack: value as number, ok: true, error: null }),
  });
  registry.setGate(authGate);
  const ctx = (role: string | null, origin: CallContext['origin'] = 'ipc'): CallContext => ({
    user: role ? `${role}1` : null,
    role,
    origin,
  });
  const write = { tag: 'Site/A/P1/Setpoint', value: 5, confirmed: true };

  it('answers unauthenticated without a role, forbidden for a role lacking the permission, and runs the handler otherwise', async () => {
    expect((await registry.call('core.info', {}, ctx(null))).error?.type).toBe('unauthenticated');
    expect((await registry.call('core.info', {}, ctx('viewer'))).data).toBeDefined();
    expect((await registry.call('tags.write', write, ctx('viewer', 'ws'))).error?.type).toBe('forbidden');
    expect((await registry.call('tags.write', write, ctx('esg_analyst', 'http'))).error?.type).toBe('forbidden');
    expect((await registry.call('tags.write', write, ctx('operator'))).data).toMatchObject({ ok: true });
  });

  it('treats a role it does not know as no permission, and lets only the core itself bypass the gate', async () => {
    expect((await registry.call('core.info', {}, ctx('superuser'))).error?.type).toBe('forbidden');
    expect((await registry.call('tags.write', write, { user: null, role: null, origin: 'internal' })).data).toMatchObject({ ok: true });
  });

  it('checks before validation, so a refused caller learns nothing from argument errors', async () => {
    const r = await registry.call('tags.write', { nonsense: true }, ctx('viewer'));
    expect(r.error?.type).toBe('forbidden');
    expect(new ApiFailure('forbidden', 'x').type).toBe('forbidden');
  });
});
