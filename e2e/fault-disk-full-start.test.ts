// The whole data dir on a full disk at start, against a real serve-mode console (the built bundle)
// on a real full tmpfs: every store (auth.db, events.db, esg.db, sync.db, the historian, secret.key,
// the setup code) must let the console start, serve what it holds, sign people in, say that it is
// read-only and why, and resume writing by itself once there is room. A first start on a full disk
// (nothing exists yet) starts too and says why it cannot record. Mounting needs root: skipped otherwise.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium, signInContext } from './browser.js';
import { ADMIN, type RunningConsole, startConsole, waitFor } from './harness.js';

const TAG = 'Full/Yard/Edge/T0';
const SITE = `version: 1
site: { name: Full }
connections:
  - { name: gateway, protocol: ingest }
areas:
  - name: Yard
    machines:
      - name: Edge
        connection: gateway
        tags:
          - { name: T0, address: T0 }
`;

const canMount = process.getuid?.() === 0;
const root = mkdtempSync(path.join(tmpdir(), 'aurum-disk-full-start-'));
// The site file lives off the small disk: what is on trial is the data dir.
const siteFile = path.join(root, 'site.yaml');
writeFileSync(siteFile, SITE);
const running: RunningConsole[] = [];
const mounts: string[] = [];
afterAll(async () => {
  for (const c of running.splice(0)) await c.stop('SIGKILL');
  for (const m of mounts.splice(0)) execFileSync('umount', ['-l', m]);
  rmSync(root, { recursive: true, force: true });
});

function mountSmallDisk(name: string, size: string): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

/** Fill the disk to the last block: big writes until ENOSPC, then 4 KiB ones, then small files. Returns what to delete to free it. */
function fill(dir: string): string[] {
  const filler = path.join(dir, 'filler');
  const fd = openSync(filler, 'w');
  const block = Buffer.alloc(1 << 20);
  let full = false;
  for (let i = 0; i < 10_000 && !full; i++) {
    try {
      writeSync(fd, block);
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
      full = true;
    }
  }
  expect(full).toBe(true);
  for (let i = 0; i < 1000; i++) {
    try {
      writeSync(fd, block.subarray(0, 4096));
    } catch {
      break;
    }
  }
  closeSync(fd);
  const files = [filler];
  for (let i = 0; i < 20; i++) {
    const f = path.join(dir, `small-${i}`);
    files.push(f);
    try {
      writeFileSync(f, 'x');
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
    }
  }
  return files;
}

async function start(dataDir: string, env: NodeJS.ProcessEnv = {}) {
  const app = await startConsole({ script: 'bin/aurum.mjs', args: ['serve', '--config', siteFile], dataDir, env });
  running.push(app);
  return app;
}

async function stop(app: RunningConsole) {
  await app.stop('SIGTERM');
  running.splice(running.indexOf(app), 1);
}

const push = (app: RunningConsole, headers: Record<string, string>, value: number) =>
  fetch(`${app.url}/api/ingest`, {
    method: 'POST',
    headers,
    body: JSON.stringify([{ tag: TAG, value, timestamp: Date.now() - 1000 }]),
  });

async function historyValues(app: RunningConsole, headers: Record<string, string>, from: number): Promise<(number | null)[]> {
  const url = `${app.url}/api/history?tags=${TAG}&from=${new Date(from).toISOString()}&to=${new Date(Date.now() + 1000).toISOString()}&maxPoints=100`;
  const r = await fetch(url, { headers });
  expect(r.status).toBe(200);
  return ((await r.json()) as { v: (number | null)[] }[])[0]?.v ?? [];
}

async function auditRows(app: RunningConsole, headers: Record<string, string>, action: string) {
  const r = await fetch(`${app.url}/api/audit?action=${encodeURIComponent(action)}`, { headers });
  expect(r.status).toBe(200);
  const body = (await r.json()) as { entries?: { ts: number; action: string }[] } | { ts: number; action: string }[];
  return Array.isArray(body) ? body : (body.entries ?? []);
}

describe.skipIf(!canMount)('the whole data dir on a full disk at start (serve mode)', () => {
  it('starts read-only: serves history, signs in, says the disk is full, and resumes writing by itself', { timeout: 180_000 }, async () => {
    const dataDir = mountSmallDisk('existing', '24m');
    const t0 = Date.now() - 60_000;
    const first = await start(dataDir);
    const h1 = { Authorization: `Bearer ${await first.signIn()}` };
    expect((await push(first, h1, 41)).status).toBe(202);
    await stop(first);
    for (const f of ['auth.db', 'events.db', 'sync.db', 'secret.key', 'historian']) expect(readdirSync(dataDir)).toContain(f);

    const freeThese = fill(dataDir);
    const app = await start(dataDir, { AURUM_LOG: 'info' });
    expect((await fetch(`${app.url}/api/health`)).status).toBe(200);
    // Signing in works on the full disk (the session is kept in memory, its audit entry held).
    const signedInAt = Date.now();
    const headers = { Authorization: `Bearer ${await app.signIn()}` };
    expect((await fetch(`${app.url}/api/tags`, { headers })).status).toBe(200);
    expect(await historyValues(app, headers, t0)).toContain(41);
    // The operator is told: a system alarm (the banner shows active system alarms) that the console is read-only for lack of room.
    const alarm = await waitFor(
      'a system alarm saying the historian is read-only',
      async () => {
        const r = (await (await fetch(`${app.url}/api/alarms`, { headers })).json()) as { alarms: { id: string; message: string }[] };
        return r.alarms.find((a) => a.id === 'system.historian' && /read-only/.test(a.message));
      },
      20_000,
    );
    expect(alarm.message).toMatch(/cannot be written .*disk full/);
    if (chromiumAvailable) {
      // Signed in through the page on the full disk, the operator sees it as a banner.
      const browser = await launchChromium();
      try {
        const context = await browser.newContext();
        await signInContext(context, app.url);
        const page = await context.newPage();
        await page.goto(app.url);
        await page
          .getByRole('alert')
          .filter({ hasText: /Historian: historian started read-only.*disk full/ })
          .waitFor({ timeout: 20_000 });
      } finally {
        await browser.close();
      }
    }
    expect(app.output()).toMatch(/auth\.db opened read-only for lack of room/);
    expect(app.output()).toMatch(/events\.db opened read-only for lack of room/);
    // Nothing is acknowledged that is not stored.
    expect((await push(app, headers, 42)).status).toBe(503);

    // Space returns: recording resumes, and the sign-in made on the full disk is audited, without a restart.
    for (const f of freeThese) rmSync(f, { force: true });
    await waitFor('a push acknowledged again', async () => ((await push(app, headers, 43)).status === 202 ? true : undefined), 60_000, 250);
    expect(await historyValues(app, headers, t0)).toContain(43);
    await waitFor(
      'the sign-in on the full disk audited once there is room',
      async () => ((await auditRows(app, headers, 'auth.login')).some((e) => e.ts >= signedInAt - 1000) ? true : undefined),
      30_000,
      250,
    );
    // The session made on the full disk still works.
    expect((await fetch(`${app.url}/api/tags`, { headers })).status).toBe(200);
    expect(app.child.exitCode).toBeNull();
    await stop(app);
  });

  it('a first start on a full disk starts, says why it cannot record, and refuses to create an administrator it could not keep', {
    timeout: 120_000,
  }, async () => {
    const dataDir = mountSmallDisk('fresh', '4m');
    fill(dataDir);
    const app = await start(dataDir, { AURUM_LOG: 'info' });
    expect((await fetch(`${app.url}/api/health`)).status).toBe(200);
    const out = app.output();
    expect(out).toMatch(/auth\.db could not be created for lack of room/);
    expect(out).toMatch(/first administrator "admin" not created from AURUM_ADMIN_USER: .*free space and restart/);
    expect(out).toMatch(/events\.db could not be created for lack of room/);
    expect(out).toMatch(/sync\.db could not be created for lack of room/);
    // The setup code is still printed; the file the disk could not hold is not claimed.
    expect(out).toMatch(/setup code could not be written to .*setup-code.*shown on the terminal only/);
    expect(out).toMatch(/FIRST-RUN SETUP CODE [A-Z0-9-]+ — enter it with the first administrator's name and password\n/);
    // No administrator exists, so nobody can sign in; the setup request says why it cannot help.
    const login = await fetch(`${app.url}/api/login`, {
      method: 'POST',
      body: JSON.stringify({ user: ADMIN.user, password: ADMIN.password }),
    });
    expect(login.status).toBe(401);
    const setup = await fetch(`${app.url}/api/auth/setup`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user: 'first', password: ADMIN.password, code: 'ABCD-EFGH' }),
    });
    expect(setup.ok).toBe(false);
    expect(((await setup.json()) as { error: { message: string } }).error.message).toMatch(
      /first administrator cannot be stored: auth\.db could not be created for lack of room.*free space and restart/,
    );
    expect(app.child.exitCode).toBeNull();
    await stop(app);
  });
});
