// A fresh data dir with no user and no AURUM_ADMIN_* (what `npm run serve` gives a newcomer):
// from this machine the console can be watched read-only and its first administrator created with
// the one-time setup code the console printed; after that every request needs a session.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, chromiumAvailable, launchChromium } from './browser.js';
import { type RunningConsole, startConsole } from './harness.js';

let app: RunningConsole;

beforeAll(async () => {
  app = await startConsole({
    script: 'bin/aurum.mjs',
    args: ['serve'],
    env: { AURUM_ADMIN_USER: '', AURUM_ADMIN_PASSWORD: '' },
    timeoutMs: 90_000,
  });
}, 120_000);

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

// The same first run in the UI (real Chromium): the sign-in screen offers "Create the administrator"
// with the setup code, and shows the core's password rules before anything is submitted.
describe.skipIf(!chromiumAvailable && !process.env.CI)('first run in the UI', () => {
  let ui: RunningConsole;
  let browser: Browser;

  beforeAll(async () => {
    [ui, browser] = await Promise.all([
      startConsole({
        script: 'bin/aurum.mjs',
        args: ['serve'],
        env: { AURUM_ADMIN_USER: '', AURUM_ADMIN_PASSWORD: '' },
        timeoutMs: 90_000,
      }),
      launchChromium(),
    ]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
    if (ui) rmSync(ui.dataDir, { recursive: true, force: true });
  });

  it('creates the administrator with the setup code, the password rules shown before submitting', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await page.goto(ui.url);
    const form = page.locator('form.sign-in');
    await form.getByRole('heading', { name: 'Create the administrator' }).waitFor({ timeout: 15_000 });
    // The rules come from the core (auth.passwordPolicy), before anything is typed or sent.
    const rules = form.locator('.password-rules li');
    await rules.first().waitFor();
    expect(await rules.allTextContents()).toEqual([
      'At least 10 characters (at most 256).',
      'Must not contain the user name.',
      'Must not be one of the most commonly used passwords.',
      'At least 4 different characters.',
    ]);
    const password = form.getByLabel('Password', { exact: true });
    expect(await password.getAttribute('aria-describedby')).toBe(await form.locator('.password-rules').getAttribute('id'));

    const code = readFileSync(path.join(ui.dataDir, 'setup-code'), 'utf8').trim();
    await form.getByLabel('Setup code').fill(code);
    await form.getByLabel('User', { exact: true }).fill('chief');
    await password.fill('short-1');
    const submit = form.getByRole('button', { name: 'Create and sign in' });
    // Too short is said while typing, and nothing can be sent yet.
    expect(await form.locator('.password-rules .rule-unmet').textContent()).toBe('7 of at least 10 characters');
    expect(await submit.isDisabled()).toBe(true);
    await page.screenshot({ path: path.join(artifactsDir, 'first-run-rules.png') });
    for (const theme of ['dark', 'light'] as const) {
      await page.evaluate((t) => {
        document.documentElement.dataset.theme = t;
      }, theme);
      const axe = new AxeBuilder({ page });
      const result = await (theme === 'dark' ? axe : axe.withRules(['color-contrast'])).analyze();
      expect(
        result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${theme}: ${v.id} ${v.help}`),
      ).toEqual([]);
    }

    // A rule only the core checks (the user name inside): refused with its sentence, nothing created.
    await password.fill('chief-of-the-plant-26');
    await submit.click();
    await expect
      .poll(() => form.getByRole('alert').textContent(), { timeout: 15_000 })
      .toBe('Password refused: must not contain the user name.');
    expect(((await (await fetch(`${ui.url}/api/auth/status`)).json()) as { needsSetup: boolean }).needsSetup).toBe(true);

    await password.fill('first-Run-Secret-26');
    await submit.click();
    await form.waitFor({ state: 'detached', timeout: 15_000 });
    await page.locator('.user-menu', { hasText: 'chief' }).waitFor();
    const me = await page.request.get(`${ui.url}/api/me`);
    expect(await me.json()).toMatchObject({ user: 'chief', role: 'admin' });
    // One sign-in, one session: the setup's own (its cookie), not a second one from signing in again.
    const token = await ui.signIn('chief', 'first-Run-Secret-26');
    const sessions = (await (
      await fetch(`${ui.url}/api/call/auth.sessions.list`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: '{}',
      })
    ).json()) as { origin: string }[];
    expect(sessions.map((s) => s.origin).sort()).toEqual(['http', 'http']);
    expect(existsSync(path.join(ui.dataDir, 'setup-code'))).toBe(false);
  }, 90_000);
});
