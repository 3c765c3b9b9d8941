// A fault inside one service never ends the console (issue 13, finding 10 and "Containment"),
// against a real serve-mode console from the built bundle on the demo plant. The fault is real,
// not injected: another process (a backup tool, an sqlite3 shell) holds the write lock on esg.db,
// so the ESG consumer of the tag bus throws SQLITE_BUSY while handling a batch. Before the
// boundary, the bus rethrew that in a microtask and the process died; now it is contained there:
// logged once naming the consumer, raised as a system alarm, the other consumers and the API keep
// working, and once the lock is gone the consumer works again and the alarm's condition clears.
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningConsole, startConsole, waitFor } from './harness.js';

interface AlarmRow {
  id: string;
  state: string;
  condition: boolean;
  message: string;
}
interface Snapshot {
  name: string;
  timestamp: string;
}

let app: RunningConsole;
let auth: Record<string, string>;

beforeAll(async () => {
  // Info-level log lines: the test reads what an operator's log would show.
  app = await startConsole({ script: 'bin/aurum.mjs', args: ['serve'], timeoutMs: 40_000, env: { AURUM_LOG: 'info' } });
  auth = { Authorization: `Bearer ${await app.signIn()}` };
}, 60_000);

afterAll(async () => {
  const code = await app?.stop();
  if (app) rmSync(app.dataDir, { recursive: true, force: true });
  expect(code).toBe(0);
});

const get = async <T>(p: string): Promise<T> => {
  const r = await fetch(`${app.url}${p}`, { headers: auth });
  if (!r.ok) throw new Error(`${p}: ${r.status}`);
  return (await r.json()) as T;
};
const esgAlarm = async () => (await get<{ alarms: AlarmRow[] }>('/api/alarms')).alarms.find((a) => a.id === 'system.esg.fault');
const newestSample = async () => Math.max(...(await get<Snapshot[]>('/api/tags')).map((t) => Date.parse(t.timestamp)));
const lines = (text: string) =>
  app
    .output()
    .split('\n')
    .filter((l) => l.includes(text));

describe('a consumer of the tag bus that throws', () => {
  it('is contained: logged once, system alarm, the console keeps serving, and it recovers', async () => {
    const file = path.join(app.dataDir, 'esg.db');
    await waitFor('esg.db', async () => (existsSync(file) ? true : undefined), 20_000);
    const locker = new Database(file);
    locker.exec('BEGIN EXCLUSIVE');
    try {
      // ESG writes what it accumulated every 10 s; after the 5 s busy timeout the write throws.
      await waitFor(
        'the ESG fault to be logged',
        async () => (lines('esg: handling a tag batch failed').length > 0 ? true : undefined),
        60_000,
      );
      const alarm = await waitFor('the system alarm', async () => ((await esgAlarm())?.condition ? await esgAlarm() : undefined), 30_000);
      expect(alarm?.message).toMatch(/^esg: handling a tag batch failed: database is locked/);

      // Still serving, and the other consumers still get every batch: values keep arriving.
      expect(app.child.exitCode).toBeNull();
      const before = await newestSample();
      await waitFor('newer samples', async () => ((await newestSample()) > before ? true : undefined), 30_000);
    } finally {
      locker.exec('ROLLBACK');
      locker.close();
    }

    await waitFor(
      'the ESG consumer to work again',
      async () => (lines('esg: handling a tag batch works again').length > 0 ? true : undefined),
      60_000,
    );
    await waitFor(
      'the alarm condition to clear',
      async () => ((await esgAlarm())?.condition === false || !(await esgAlarm()) ? true : undefined),
      30_000,
    );
    // Logged when it started and when it cleared, never once per failing batch.
    expect(lines('esg: handling a tag batch failed')).toHaveLength(1);
    expect(lines('esg: handling a tag batch works again')).toHaveLength(1);
    expect(app.child.exitCode).toBeNull();
    // Contained faults never reach the last resort.
    expect(existsSync(path.join(app.dataDir, 'crash.log'))).toBe(false);
  }, 180_000);
});
