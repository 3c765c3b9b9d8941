// Serve mode's routes are built from the contract's HTTP forms: every route the hand-written table
// had answers the same method and path with the same request (over HTTP: server.test.ts).
import { describe, expect, it } from 'vitest';
import type { PermissionTable } from '../auth/permissions.js';
import { REQUEST_PERMISSIONS } from '../auth/permissions.js';
import type { Core } from '../core.js';
import type { MetricsExporter } from './metrics.js';
import { match, routes } from './routes.js';

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
