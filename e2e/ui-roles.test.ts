// Role-aware screens in real headless Chromium against serve mode on the demo plant: a viewer and an
// ESG analyst are offered no control that acts on the plant or changes configuration — no setpoint
// write, acknowledgement, shelving, event record or tag edit — on any screen they can open, while an
// operator and an engineer are offered theirs. What the UI offers comes from the list the core
// computes from its permission table (auth.me `allowed`), so it is compared with that list too.
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, chromiumAvailable, launchChromium, signInContext } from './browser.js';
import { type RunningConsole, startConsole, waitFor } from './harness.js';

const PASSWORD = 'e2e-Roles-Pass-2026';
const USERS = { vera: 'viewer', esme: 'esg_analyst', otto: 'operator', enzo: 'engineer' } as const;
type UserName = keyof typeof USERS;

/** Buttons that act on the plant or change configuration (operate / configure). */
const ACTING =
  /^(Write|Confirm write|Start|Stop|Ack|Acknowledge|Shelve|Unshelve|Record|Request maintenance|Edit|Apply|Check|Test read|Trust|Approve|Reject|Pause uplink|Resume uplink|Out of service|Return to service|Remove from service|Activate|Roll back|Learn|Relearn|Create user|Disable|Enable|Lift lockout|Reset password)\b/;

let app: RunningConsole;
let browser: Browser;
let token: string;
const contexts: BrowserContext[] = [];

async function pageAs(user: UserName): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  contexts.push(context);
  await signInContext(context, app.url, user, PASSWORD);
  const page = await context.newPage();
  await page.goto(app.url);
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Overview', exact: true }).waitFor();
  return page;
}

/** Names of the visible buttons of the screen that act on the plant or change configuration. */
async function actingControls(page: Page): Promise<string[]> {
  const names = await page
    .locator('header button:visible, main button:visible, main input[type="submit"]:visible')
    .evaluateAll((els) => els.map((e) => (e.getAttribute('aria-label') ?? e.textContent ?? '').trim()));
  return names.filter((n) => ACTING.test(n));
}

async function openScreen(page: Page, label: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: label, exact: true }).click();
  await page.locator('h1.screen-title', { hasText: label }).waitFor();
}

/** Every screen the role sees (machine: Pump101, whose tags include writable ones), with what each offers that acts. */
async function scanScreens(page: Page, who: string): Promise<Record<string, string[]>> {
  const labels = await page.getByRole('navigation', { name: 'Screens' }).getByRole('button').allTextContents();
  const found: Record<string, string[]> = {};
  for (const label of labels) {
    await openScreen(page, label);
    if (label === 'Machine') {
      await openScreen(page, 'Overview');
      await page.getByRole('button', { name: 'Pump101', exact: true }).first().click();
      await page.locator('h2', { hasText: 'Demo/PumpStation/Pump101' }).waitFor();
      // The tag table is drawn: the rows whose setpoint cell would hold the writer are there.
      await page.locator('.live-value[data-tag="Demo/PumpStation/Pump101/SpeedSetpoint"]').waitFor();
      expect(await page.locator('main .setpoint').count(), `${who}: setpoint writers on the machine screen`).toBe(0);
    }
    if (label === 'Tags & configuration') await page.locator('table[aria-label="Tags"] tbody tr').first().waitFor();
    await page.screenshot({ path: path.join(artifactsDir, `ui-roles-${who}-${label.replace(/\W+/g, '-').toLowerCase()}.png`) });
    found[label] = await actingControls(page);
  }
  return found;
}

async function allowedOf(user: UserName): Promise<string[]> {
  const t = await app.signIn(user, PASSWORD);
  const me = (await (await fetch(`${app.url}/api/me`, { headers: { Authorization: `Bearer ${t}` } })).json()) as { allowed: string[] };
  return me.allowed;
}

describe.skipIf(!chromiumAvailable && !process.env.CI)('role-aware screens in Chromium', () => {
  beforeAll(async () => {
    [app, browser] = await Promise.all([startConsole({ script: 'bin/aurum.mjs', args: ['serve'], timeoutMs: 90_000 }), launchChromium()]);
    token = await app.signIn();
    for (const [user, role] of Object.entries(USERS)) {
      const r = await fetch(`${app.url}/api/call/auth.users.create`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ user, role, password: PASSWORD }),
      });
      expect(r.ok, await r.text()).toBe(true);
    }
    // Pump101 slowed: its low-flow alarm raises (10 s on-delay), so the alarm list has rows one could acknowledge.
    const slowed = await fetch(`${app.url}/api/tags/write`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ tag: 'Demo/PumpStation/Pump101/SpeedSetpoint', value: 40, confirmed: true }),
    });
    expect(slowed.ok).toBe(true);
    await waitFor(
      'an unacknowledged alarm',
      async () => {
        const list = (await (await fetch(`${app.url}/api/alarms`, { headers: { Authorization: `Bearer ${token}` } })).json()) as {
          alarms: { state: string }[];
        };
        return list.alarms.some((a) => a.state === 'unack_active') ? true : undefined;
      },
      40_000,
      500,
    );
  }, 180_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await app?.stop();
    if (app) rmSync(app.dataDir, { recursive: true, force: true });
  });

  it('the core sends each session the requests its role may make', async () => {
    const viewer = await allowedOf('vera');
    expect(viewer).toContain('tags.list');
    expect(viewer).not.toContain('tags.write');
    expect(viewer).not.toContain('alarms.ack');
    const esg = await allowedOf('esme');
    expect(esg).toContain('esg.factors.correct');
    expect(esg).not.toContain('tags.write');
    expect(esg).not.toContain('events.record');
    expect(await allowedOf('otto')).toEqual(expect.arrayContaining(['tags.write', 'alarms.ack', 'events.record']));
  });

  it('shows each role the restricted screens exactly when the core allows their requests', async () => {
    // Users, Audit trail and Cloud sync list roles in the screen table; they must agree with the core's table.
    const GUARD: Record<string, string> = { Users: 'auth.users.list', 'Audit trail': 'audit.query', 'Cloud sync': 'sync.pause' };
    for (const user of Object.keys(USERS) as UserName[]) {
      const allowed = await allowedOf(user);
      const page = await pageAs(user);
      const labels = await page.getByRole('navigation', { name: 'Screens' }).getByRole('button').allTextContents();
      for (const [label, request] of Object.entries(GUARD))
        expect(labels.includes(label), `${user} (${USERS[user]}) sees ${label}`).toBe(allowed.includes(request));
      await page.context().close();
    }
  }, 120_000);

  it.each([
    ['vera', 'viewer'],
    ['esme', 'ESG analyst'],
  ] as const)(
    '%s (%s) is offered no write, acknowledgement, record or edit on any screen',
    async (user, _role) => {
      const page = await pageAs(user);
      // The alarm list has an unacknowledged row to offer an acknowledgement on, were the role allowed it.
      await openScreen(page, 'Alarms');
      await page.locator('main tr[data-state="unack_active"]').first().waitFor({ timeout: 15_000 });
      const found = await scanScreens(page, user);
      expect(Object.keys(found)).toEqual(expect.arrayContaining(['Overview', 'Alarms', 'Machine', 'Tags & configuration', 'Connections']));
      expect(Object.keys(found)).not.toContain('Users');
      const offered = Object.entries(found).filter(([, names]) => names.length > 0);
      expect(offered, 'controls offered that the role may not use').toEqual([]);
    },
    120_000,
  );

  it('an operator is offered setpoint writes and the operational log; an engineer also tag edits', async () => {
    const op = await pageAs('otto');
    await op.getByRole('button', { name: 'Pump101', exact: true }).first().click();
    await op.locator('h2', { hasText: 'Demo/PumpStation/Pump101' }).waitFor();
    await op.getByRole('group', { name: 'Write RunCommand' }).waitFor();
    expect(await op.getByRole('button', { name: 'Record' }).count()).toBe(1);
    expect(await op.getByRole('button', { name: 'Request maintenance' }).count()).toBe(1);
    await openScreen(op, 'Alarms');
    await expect.poll(() => op.locator('main button', { hasText: /^Acknowledge/ }).count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await openScreen(op, 'Tags & configuration');
    await op.locator('table[aria-label="Tags"] tbody tr').first().waitFor();
    expect(await op.getByRole('button', { name: /^Edit / }).count()).toBe(0);

    const eng = await pageAs('enzo');
    await openScreen(eng, 'Tags & configuration');
    await eng.locator('table[aria-label="Tags"] tbody tr').first().waitFor();
    expect(await eng.getByRole('button', { name: /^Edit / }).count()).toBeGreaterThan(0);
    expect(await eng.getByRole('button', { name: 'Check' }).count()).toBe(1);
  }, 90_000);

  it('follows a role change made while signed in: the first refusal takes the controls away', async () => {
    const op = await pageAs('otto');
    await op.getByRole('button', { name: 'Pump101', exact: true }).first().click();
    await op.locator('h2', { hasText: 'Demo/PumpStation/Pump101' }).waitFor();
    const run = op.getByRole('group', { name: 'Write RunCommand' });
    await run.waitFor();
    // An administrator makes otto a viewer while the machine screen is open.
    const changed = await fetch(`${app.url}/api/call/auth.users.update`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ user: 'otto', role: 'viewer' }),
    });
    expect(changed.ok).toBe(true);
    await run.getByRole('button', { name: 'Start' }).click();
    await op.getByRole('alertdialog', { name: 'Confirm setpoint write' }).getByRole('button', { name: 'Confirm write' }).click();
    // The core refused it; the screen asked again who otto is, and offers no write any more.
    await expect.poll(() => op.locator('main .setpoint').count(), { timeout: 15_000 }).toBe(0);
    expect(await op.getByRole('button', { name: 'Record' }).count()).toBe(0);
    expect(await op.locator('.user-menu').textContent()).toContain('(viewer)');
    const refused = (await (
      await fetch(`${app.url}/api/audit?action=tags.write&result=denied`, { headers: { Authorization: `Bearer ${token}` } })
    ).json()) as { actor: string; details: Record<string, unknown> }[];
    expect(refused.some((e) => e.actor === 'otto')).toBe(true);
  }, 90_000);
});
