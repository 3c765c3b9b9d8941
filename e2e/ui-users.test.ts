// The Users screen in real headless Chromium against serve mode: a role change asks first, naming
// the user and both roles (Cancel changes nothing); an administrator's password reset ends the
// user's sessions, is audited without the password, and can require a new password at the next
// sign-in — until the user chooses one, their console is read-only; a session is ended from the
// list; a refused entry reads as a sentence naming the field, never validator output.
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, UserInfo } from '../native/api/auth-requests.js';
import { artifactsDir, axeFindings, chromiumAvailable, launchChromium, signInContext } from './browser.js';
import { type RunningConsole, startConsole } from './harness.js';

let app: RunningConsole;
let browser: Browser;
let page: Page;
let token: string;

const call = async <T>(name: string, body: unknown, bearer = token): Promise<{ status: number; data: T }> => {
  const r = await fetch(`${app.url}/api/call/${name}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, data: (await r.json()) as T };
};
const roleOf = async (user: string) => (await call<UserInfo[]>('auth.users.list', {})).data.find((u) => u.user === user)?.role;
const status = () => page.locator('.users [role="status"]');
const shot = (p: Page, name: string) => p.screenshot({ path: path.join(artifactsDir, `ui-users-${name}.png`) });

describe.skipIf(!chromiumAvailable && !process.env.CI)('the Users screen in Chromium', () => {
  beforeAll(async () => {
    [app, browser] = await Promise.all([startConsole({ script: 'bin/aurum.mjs', args: ['serve'], timeoutMs: 90_000 }), launchChromium()]);
    token = await app.signIn();
    expect((await call('auth.users.create', { user: 'ana', role: 'operator', password: 'blue-valve-7734' })).status).toBe(200);
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    await signInContext(context, app.url);
    page = await context.newPage();
    await page.goto(`${app.url}/#/users`);
    await page.locator('h1.screen-title', { hasText: 'Users' }).waitFor();
    await page.getByRole('table', { name: 'Users' }).locator('tbody th', { hasText: 'ana' }).waitFor();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (app) rmSync(app.dataDir, { recursive: true, force: true });
  });

  it('asks before changing a role, naming the user and the old and new role; Cancel changes nothing', async () => {
    const select = page.getByLabel('Role of ana');
    await select.selectOption('engineer');
    const dialog = page.getByRole('alertdialog', { name: 'Confirm role change' });
    await dialog.waitFor();
    expect(await dialog.locator('p').textContent()).toBe(
      'Change the role of ana from operator to engineer? It applies to their next request.',
    );
    await shot(page, 'role-confirm');
    expect(await axeFindings(page, 'users with the role question')).toEqual([]);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await select.inputValue()).toBe('operator');
    expect(await roleOf('ana')).toBe('operator');

    await select.selectOption('engineer');
    await dialog.getByRole('button', { name: 'Change role to engineer' }).click();
    await expect.poll(() => status().textContent(), { timeout: 20_000 }).toBe('ana is now engineer (was operator)');
    expect(await roleOf('ana')).toBe('engineer');
  }, 90_000);

  it('resets a password: the user’s sessions end, the audit says so without the password, a new one is required', async () => {
    const anaToken = await app.signIn('ana', 'blue-valve-7734');
    await page.reload();
    await page.getByRole('table', { name: 'Sessions' }).locator('tbody th', { hasText: 'ana' }).waitFor();
    await page.getByRole('button', { name: 'Reset the password of ana…' }).click();
    const form = page.getByRole('form', { name: 'Reset the password of ana' });
    await form.waitFor();
    expect(await form.locator('p').first().textContent()).toContain('Their 1 open session end now.');
    // The rules before anything is sent, and the length checked while typing.
    expect(await form.locator('.password-rules li').first().textContent()).toBe('At least 10 characters (at most 256).');
    await form.getByLabel('New password for ana').fill('short');
    expect(await form.getByRole('button', { name: 'Reset password' }).isDisabled()).toBe(true);
    await form.getByLabel('New password for ana').fill('temporary-pass-5521');
    expect(await form.getByLabel('ana must choose a new password at the next sign-in').isChecked()).toBe(true);
    await shot(page, 'reset');
    expect(await axeFindings(page, 'users with the reset form')).toEqual([]);
    await form.getByRole('button', { name: 'Reset password' }).click();
    await expect
      .poll(() => status().textContent(), { timeout: 20_000 })
      .toBe('Password of ana reset; 1 session ended; ana must choose a new password at the next sign-in');
    expect((await fetch(`${app.url}/api/me`, { headers: { Authorization: `Bearer ${anaToken}` } })).status).toBe(401);
    const audit = (await (
      await fetch(`${app.url}/api/audit?action=auth.users.update`, { headers: { Authorization: `Bearer ${token}` } })
    ).json()) as AuditEntry[];
    const reset = audit.find((e) => e.target === 'ana' && 'password' in ((e.details.diff as object) ?? {}));
    expect(reset).toMatchObject({ actor: 'admin', result: 'ok', details: { sessionsEnded: 1 } });
    expect(JSON.stringify(audit)).not.toContain('temporary-pass-5521');
    expect(
      await page
        .getByRole('table', { name: 'Users' })
        .locator('tbody tr', { has: page.locator('th', { hasText: /^ana$/ }) })
        .textContent(),
    ).toContain('must choose a new password');

    // ana signs in with the given password: read-only, asked for her own, then an engineer again.
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    await signInContext(context, app.url, 'ana', 'temporary-pass-5521');
    const ana = await context.newPage();
    await ana.goto(app.url);
    const change = ana.getByRole('form', { name: 'Choose a new password' });
    await change.waitFor({ timeout: 15_000 });
    await ana.getByRole('button', { name: 'Pump101', exact: true }).first().click();
    await ana.locator('h2', { hasText: 'Demo/PumpStation/Pump101' }).waitFor();
    await ana.locator('.live-value[data-tag="Demo/PumpStation/Pump101/SpeedSetpoint"]').waitFor();
    expect(await ana.locator('main .setpoint').count()).toBe(0);
    await shot(ana, 'must-change');
    expect(await axeFindings(ana, 'machine with the required password change')).toEqual([]);
    await change.getByLabel('Password given to you').fill('temporary-pass-5521');
    await change.getByLabel('New password').fill('my-own-choice-8842');
    await change.getByRole('button', { name: 'Set my password' }).click();

    await change.waitFor({ state: 'detached', timeout: 15_000 });
    await ana.getByRole('group', { name: 'Write RunCommand' }).waitFor({ timeout: 15_000 });
    await context.close();
  }, 120_000);

  it('ends a session from the list, and words a refused entry as a sentence naming the field', async () => {
    const anaToken = await app.signIn('ana', 'my-own-choice-8842');
    await page.reload();
    const end = page.getByRole('table', { name: 'Sessions' }).getByRole('button', { name: /^End the session of ana/ });
    await expect.poll(() => end.count(), { timeout: 10_000 }).toBeGreaterThan(0);
    const before = await end.count();
    await end.first().click();
    await expect.poll(() => status().textContent(), { timeout: 20_000 }).toBe('Ended the session of ana');
    await expect.poll(() => end.count()).toBe(before - 1);
    // One of ana's sessions ended; the one this test opened last is among them once all are ended.
    for (let i = before - 1; i > 0; i--) {
      await end.first().click();
      await expect.poll(() => end.count()).toBe(i - 1);
    }
    expect((await fetch(`${app.url}/api/me`, { headers: { Authorization: `Bearer ${anaToken}` } })).status).toBe(401);

    const form = page.getByRole('form', { name: 'New user' });
    await form.getByLabel('User').fill('bad name!');
    await form.getByLabel('Password').fill('Plant-Shift-Desk-42');
    await form.getByRole('button', { name: 'Create user' }).click();
    await expect
      .poll(() => status().textContent(), { timeout: 20_000 })
      .toBe('Refused: Check the entry: the field "user" must be letters, digits and . _ @ - only, but it is the text "bad name!".');
    await shot(page, 'refused');
  }, 120_000);
});
