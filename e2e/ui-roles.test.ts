// Role-aware screens in real headless Chromium against serve mode on the demo plant: a viewer and an
// ESG analyst are offered no control that acts on the plant or changes configuration — no setpoint
// write, acknowledgement, shelving, event record or tag edit — on any screen they can open, while an
// operator and an engineer are offered theirs. What the UI offers comes from the list the core
// computes from its permission table (auth.me `allowed`), so it is compared with that list too.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, type ChromiumConsole, chromiumAvailable, startChromiumConsole } from './browser.js';
import { slowDemoPumps, waitForUnacked } from './harness.js';

const PASSWORD = 'e2e-Roles-Pass-2026';
const USERS = { vera: 'viewer', esme: 'esg_analyst', otto: 'operator', enzo: 'engineer' } as const;
type UserName = keyof typeof USERS;

/** Buttons that act on the plant or change configuration (operate / configure). */
const ACTING =
  /^(Write|Confirm write|Start|Stop|Ack|Acknowledge|Shelve|Unshelve|Record|Request maintenance|Edit|Apply|Check|Test read|Trust|Approve|Reject|Pause uplink|Resume uplink|Out of service|Return to service|Remove from service|Activate|Roll back|Learn|Relearn|Create user|Disable|Enable|Lift lockout|Reset password)\b/;

let demo: ChromiumConsole;

const pageAs = (user: UserName): Promise<Page> => demo.page({ user, password: PASSWORD });

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
  const me = await demo.json<{ allowed: string[] }>('/api/me', await demo.app.signIn(user, PASSWORD));
  return me.allowed;
}

describe.skipIf(!chromiumAvailable && !process.env.CI)('role-aware screens in Chromium', () => {
  beforeAll(async () => {
    demo = await startChromiumConsole({ timeoutMs: 90_000 });
    await demo.createUsers(USERS, PASSWORD);
    // Pump101 slowed: its low-flow alarm raises (10 s on-delay), so the alarm list has rows one could acknowledge.
    await slowDemoPumps(demo, ['Pump101']);
    await waitForUnacked(demo);
  }, 180_000);

  afterAll(async () => {
    await demo?.stop();
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
    const changed = await demo.api('/api/call/auth.users.update', {
      method: 'POST',
      body: JSON.stringify({ user: 'otto', role: 'viewer' }),
    });
    expect(changed.ok).toBe(true);
    await run.getByRole('button', { name: 'Start' }).click();
    await op.getByRole('alertdialog', { name: 'Confirm setpoint write' }).getByRole('button', { name: 'Confirm write' }).click();
    // The core refused it; the screen asked again who otto is, and offers no write any more.
    await expect.poll(() => op.locator('main .setpoint').count(), { timeout: 15_000 }).toBe(0);
    expect(await op.getByRole('button', { name: 'Record' }).count()).toBe(0);
    expect(await op.locator('.user-menu').textContent()).toContain('(viewer)');
    const refused = await demo.json<{ actor: string; details: Record<string, unknown> }[]>('/api/audit?action=tags.write&result=denied');
    expect(refused.some((e) => e.actor === 'otto')).toBe(true);
  }, 90_000);
});
