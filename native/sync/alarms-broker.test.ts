// Finding: with select.alarms on, journaled alarm transitions never reached the broker (the alarm
// feed was not connected in the core). A real core on a push-only site, a real mosquitto: every
// journaled transition arrives exactly once after de-duplication by message id, in journal order,
// also across a restart of the console. Skipped, with the reason, where mosquitto is absent.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Core, startCore } from '../core.js';
import { freePort, waitForPort } from '../util/net.js';
import { type Collector, collect, decodeJson, until } from './test-kit.js';

const MOSQUITTO = '/usr/sbin/mosquitto';
const available = fs.existsSync(MOSQUITTO);
if (!available) console.warn('[sync] alarm feed broker test skipped: needs /usr/sbin/mosquitto (apt-get install -y mosquitto)');

const TAG = 'Edge/Yard/Tank/Level';

describe.skipIf(!available)('alarm transitions to a real broker', () => {
  let dir = '';
  let port = 0;
  let broker: ChildProcess | null = null;
  let sub: Collector;
  let core: Core | null = null;

  const siteFile = () => path.join(dir, 'site.yaml');
  const dataDir = () => path.join(dir, 'data');
  const start = () => startCore({ siteFile: siteFile(), dataDir: dataDir(), shell: 'test', log: () => undefined });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aurum-sync-alarms-'));
    port = await freePort();
    fs.writeFileSync(
      path.join(dir, 'mosquitto.conf'),
      `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest none\n`,
    );
    broker = spawn(MOSQUITTO, ['-c', path.join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
    await waitForPort(port, 10_000, 'mosquitto');
    fs.writeFileSync(
      siteFile(),
      `version: 1
site: { name: Edge }
connections:
  - { name: gateway, protocol: ingest }
areas:
  - name: Yard
    machines:
      - name: Tank
        connection: gateway
        tags:
          - { name: Level, address: Level, unit: "%" }
alarms:
  - { tag: "${TAG}", type: hi, limit: 80, deadband: 0, priority: High }
sync:
  enabled: true
  url: mqtt://127.0.0.1:${port}
  namespace: fleet
  compress: false
  backoff: { initialMs: 100, maxMs: 1000 }
  select: { alarms: true, events: false, esg: false, aggregates: { hourly: false, daily: false } }
`,
    );
    sub = await collect(`mqtt://127.0.0.1:${port}`, 'fleet/#', { clientId: 'fleet-consumer' });
  }, 30_000);

  afterAll(async () => {
    await core?.stop();
    await sub?.close();
    const proc = broker;
    if (proc && proc.exitCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGKILL');
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Each cycle journals two transitions (activate, clear); both land in one bus batch, so the
   * alarm list's coalesced row update shows only one of them: the feed must follow the journal. */
  function cycle(c: Core, n: number): void {
    const id = c.bus.idOf(TAG) as number;
    for (let i = 0; i < n; i++) {
      const t = Date.now();
      c.bus.update(id, 90, 0, t);
      c.bus.update(id, 10, 0, t + 1);
      c.bus.flush();
    }
  }

  const journal = (): { seq: number; kind: string }[] => {
    const db = new Database(path.join(dataDir(), 'events.db'), { readonly: true });
    try {
      return db.prepare('SELECT seq, kind FROM alarm_journal ORDER BY seq').all() as { seq: number; kind: string }[];
    } finally {
      db.close();
    }
  };

  /** What the back end keeps: messages de-duplicated by id, in arrival order. */
  const received = () => {
    const seen = new Set<string>();
    const out: { seq: number; kind: string; alarmId: string }[] = [];
    for (const r of sub.raw) {
      if (r.topic !== 'fleet/Edge/alarms') continue;
      for (const m of decodeJson(r.payload).messages) {
        if (seen.has(m.id)) continue;
        seen.add(m.id);
        out.push(m.data as { seq: number; kind: string; alarmId: string });
      }
    }
    return out;
  };

  it('sends every journaled transition once, in order, and resumes after a restart', async () => {
    core = await start();
    cycle(core, 20);
    const first = journal();
    expect(first).toHaveLength(40);
    await until(() => received().length >= 40, 15_000, '40 alarm transitions at the broker');
    expect(received().map((e) => ({ seq: e.seq, kind: e.kind }))).toEqual(first);
    expect(new Set(received().map((e) => e.alarmId)).size).toBe(1);

    // Stopped and started again on the same data dir: the feed resumes after the last one queued.
    await core.stop();
    core = await start();
    cycle(core, 5);
    const all = journal();
    expect(all).toHaveLength(50);
    await until(() => received().length >= 50, 15_000, '50 alarm transitions at the broker');
    expect(received().map((e) => ({ seq: e.seq, kind: e.kind }))).toEqual(all);
  }, 60_000);
});
