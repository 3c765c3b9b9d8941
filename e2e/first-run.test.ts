// A fresh data dir with no user and no AURUM_ADMIN_* (what `npm run serve` gives a newcomer):
// from this machine the console can be watched read-only and its first administrator created with
// the one-time setup code the console printed; after that every request needs a session.
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningConsole, startConsole } from './harness.js';

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

describe('first run', () => {
  it('says how to create the first administrator, lets this machine watch read-only, then requires sign-in', async () => {
    expect(app.output()).toMatch(/no users yet/);
    const status = (await (await fetch(`${app.url}/api/auth/status`)).json()) as { needsSetup: boolean };
    expect(status.needsSetup).toBe(true);
    const tags = (await (await fetch(`${app.url}/api/tags`)).json()) as unknown[];
    expect(tags.length).toBeGreaterThanOrEqual(40);
    const write = await fetch(`${app.url}/api/tags/write`, {
      method: 'POST',
      body: JSON.stringify({ tag: 'Demo/PumpStation/Pump101/SpeedSetpoint', value: 80, confirmed: true }),
    });
    expect(write.status).toBe(403);

    // The code is on the console's terminal (printed even with AURUM_LOG=silent) and in an owner-only file.
    const code = readFileSync(path.join(app.dataDir, 'setup-code'), 'utf8').trim();
    expect(app.output()).toContain(`FIRST-RUN SETUP CODE ${code}`);
    const json = { 'Content-Type': 'application/json' };
    const setup = await fetch(`${app.url}/api/auth/setup`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ user: 'chief', password: 'first-Run-Secret-26', code }),
    });
    expect(setup.status).toBe(200);
    expect(setup.headers.get('set-cookie')).toMatch(/aurum_session=.*HttpOnly/);
    expect((await fetch(`${app.url}/api/tags`)).status).toBe(401);
    const again = await fetch(`${app.url}/api/auth/setup`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ user: 'other', password: 'second-Try-Secret-26', code }),
    });
    expect(again.ok).toBe(false);
    const token = await app.signIn('chief', 'first-Run-Secret-26');
    expect((await fetch(`${app.url}/api/tags`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
  });
});
