// The operator console in real headless Chromium against serve mode on the demo plant: live
// overview, a three-pen trend in live and history mode with exports, a confirmed setpoint write read
// back, the theme switch, the tag browser, keyboard navigation, an accessibility check of every
// screen, and the link-lost banner with automatic reconnection. One console and one browser page
// are shared by the whole file (tests run in order); each test leaves a screenshot in test-artifacts/.
// With AURUM_DOCS_SCREENSHOTS=1 the screen shots are also written to docs/screenshots/ for the README.
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, chromiumAvailable, launchChromium } from './browser.js';
import { ADMIN, type RunningConsole, root, startConsole, waitFor } from './harness.js';

let app: RunningConsole;
let browser: Browser;
let page: Page;
let restarted: ChildProcess | null = null;
const docsDir = path.join(root, 'docs', 'screenshots');

async function shot(name: string, forDocs = false): Promise<void> {
  const file = path.join(artifactsDir, `ui-${name}.png`);
  await page.screenshot({ path: file });
  if (forDocs && process.env.AURUM_DOCS_SCREENSHOTS) {
    mkdirSync(docsDir, { recursive: true });
    copyFileSync(file, path.join(docsDir, `${name}.png`));
  }
}

async function open(label: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: label, exact: true }).click();
  await page.locator('h1.screen-title', { hasText: label }).waitFor();
}

const valueCell = (tag: string) => page.locator(`[data-tag="${tag}"]`).first();

async function goodText(tag: string): Promise<string> {
  return waitFor(
    `a Good value of ${tag}`,
    async () => {
      const q = await valueCell(tag).getAttribute('data-quality');
      const text = await valueCell(tag).locator('.num').textContent();
      return q === 'Good' && text && text !== '—' ? text : undefined;
    },
    20_000,
  );
}

describe.skipIf(!chromiumAvailable && !process.env.CI)('operator console in Chromium', () => {
  beforeAll(async () => {
    [app, browser] = await Promise.all([startConsole({ script: 'bin/aurum.mjs', args: ['serve'], timeoutMs: 40_000 }), launchChromium()]);
    // Slow Pump101 until its discharge flow falls below the low-flow limit: the alarm test finds it
    // raised (10 s on-delay) by the time it runs.
    const token = await app.signIn();
    const slowed = await fetch(`${app.url}/api/tags/write`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      body: JSON.stringify({ tag: 'Demo/PumpStation/Pump101/SpeedSetpoint', value: 40, confirmed: true }),
    });
    expect(slowed.ok).toBe(true);
    // axe needs a page of an explicit context.
    page = await (await browser.newContext({ viewport: { width: 1920, height: 1080 }, acceptDownloads: true })).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(app.url);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(errors).toEqual([]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (restarted && restarted.exitCode === null) {
      const exited = new Promise((r) => restarted?.once('exit', r));
      restarted.kill('SIGTERM');
      await exited;
    }
    await app?.stop();
    if (app) rmSync(app.dataDir, { recursive: true, force: true });
  });

  it('refuses a wrong password with a clear message, then signs in', async () => {
    await page.getByLabel('User').fill(ADMIN.user);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/\w/);
    await shot('sign-in', true);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByLabel('Position (optional)').fill('Control desk 1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('h1.screen-title', { hasText: 'Overview' }).waitFor();
    await expect.poll(() => page.locator('.user-menu').textContent()).toContain('admin');
  });

  it('shows live values on the overview that change, with their ranges', async () => {
    const tag = 'Demo/PumpStation/Pump102/Flow';
    const first = await goodText(tag);
    const changed = await waitFor(
      'the value to change',
      async () => {
        const text = await valueCell(tag).locator('.num').textContent();
        return text !== first ? text : undefined;
      },
      10_000,
    );
    expect(changed).not.toBe(first);
    expect(await page.locator('section.machine-card').count()).toBeGreaterThanOrEqual(5);
    expect(await page.locator('.range-bar').count()).toBeGreaterThanOrEqual(10);
    await shot('overview', true);
    // The same screen on a 2560×1440 control-room monitor: larger type, more machines per row.
    await page.setViewportSize({ width: 2560, height: 1440 });
    expect(await page.evaluate(() => getComputedStyle(document.body).fontSize)).toBe('16px');
    await shot('overview-2560', true);
    await page.setViewportSize({ width: 1920, height: 1080 });
  });

  it('moves a three-pen trend in live mode, freezes it in history, zooms, exports, and returns to live', async () => {
    await open('Trends');
    const chart = page.locator('.trend-chart');
    const canvas = chart.locator('canvas').first();
    await canvas.waitFor({ state: 'visible' });
    expect(await page.locator('table.readout tbody tr').count()).toBe(3);
    await expect.poll(() => chart.getAttribute('data-mode')).toBe('live');
    const before = await canvas.screenshot();
    await waitFor(
      'the live trend to move',
      async () => (Buffer.compare(await canvas.screenshot(), before) !== 0 ? true : undefined),
      10_000,
      300,
    );
    await shot('trends', true);

    // The cursor readout lists all pens at the cursor's time.
    const box = await chart.locator('.u-over').boundingBox();
    if (!box) throw new Error('no chart box');
    await page.mouse.move(box.x + box.width * 0.97, box.y + box.height / 2);
    await expect.poll(() => page.locator('table.readout thead th').nth(2).textContent()).toMatch(/Value at \d\d:\d\d:\d\d/);

    await page.getByRole('button', { name: '◷ History' }).click();
    await expect.poll(() => chart.getAttribute('data-mode')).toBe('history');
    await expect.poll(() => page.locator('.trend-status').textContent()).toMatch(/source: (?!loading)/);
    expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThan(10);
    await page.mouse.move(0, 0);
    await page.waitForTimeout(300);
    const frozen = await canvas.screenshot();
    await page.waitForTimeout(1500);
    expect(Buffer.compare(await canvas.screenshot(), frozen)).toBe(0);

    // Drag across the right part of the chart: zoom to that range.
    const statusBefore = await page.locator('.trend-status').textContent();
    await page.mouse.move(box.x + box.width * 0.8, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.95, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => page.locator('.trend-status').textContent()).not.toBe(statusBefore);
    await page.getByRole('button', { name: 'Pan back in time' }).click();
    await shot('trends-history');

    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const csvText = readFileSync(await csv.path(), 'utf8');
    expect(csvText.split('\n')[0]).toBe('time,tag,unit,value,min,max');
    const [png] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export PNG' }).click()]);
    expect(
      readFileSync(await png.path())
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');

    await page.getByRole('button', { name: '● Live' }).click();
    await expect.poll(() => chart.getAttribute('data-mode')).toBe('live');
    const live = await canvas.screenshot();
    await waitFor(
      'the trend to scroll again',
      async () => (Buffer.compare(await canvas.screenshot(), live) !== 0 ? true : undefined),
      10_000,
      300,
    );
  });

  it('adds a pen from the tag browser and saves and loads a named view', async () => {
    await page.getByLabel('Search tags').fill('boiler steampressure');
    await page.getByRole('button', { name: 'Add pen Demo/Utilities/Boiler1/SteamPressure', exact: true }).click();
    await expect.poll(() => page.locator('table.readout tbody tr').count()).toBe(4);
    await page.getByLabel('Name', { exact: true }).fill('Pumps and boiler');
    await page.getByRole('button', { name: 'Save view' }).click();
    await page.getByRole('button', { name: /^Remove pen Demo\/Utilities\/Boiler1\/SteamPressure/ }).click();
    await expect.poll(() => page.locator('table.readout tbody tr').count()).toBe(3);
    await page.getByLabel('Saved').selectOption('Pumps and boiler');
    await page.getByRole('button', { name: 'Load', exact: true }).click();
    await expect.poll(() => page.locator('table.readout tbody tr').count()).toBe(4);
  });

  it('writes a setpoint after confirmation and reads the new value back', async () => {
    await open('Overview');
    await page.getByRole('button', { name: 'Pump102', exact: true }).click();
    await page.locator('h2', { hasText: 'Demo/PumpStation/Pump102' }).waitFor();
    const input = page.locator('input[name="sp-Demo/PumpStation/Pump102/SpeedSetpoint"]');
    await input.fill('250');
    expect(await input.getAttribute('aria-invalid')).toBe('true');
    const form = page.locator('form.setpoint', { has: input });
    await expect.poll(() => form.getByRole('button', { name: 'Write…' }).isDisabled()).toBe(true);
    await input.fill('72');
    await input.press('Enter');
    const dialog = page.getByRole('alertdialog', { name: 'Confirm setpoint write' });
    await dialog.waitFor();
    await shot('machine-confirm');
    await dialog.getByRole('button', { name: 'Confirm write' }).click();
    await expect.poll(() => page.locator('.write-ok').first().textContent(), { timeout: 10_000 }).toContain('read back 72');
    await expect
      .poll(() => valueCell('Demo/PumpStation/Pump102/SpeedSetpoint').locator('.num').textContent(), { timeout: 10_000 })
      .toBe('72.00');
    // Every demo machine has a model (docs/models.md): Pump102's panel shows its health or why there is none yet.
    await expect.poll(() => page.getByRole('region', { name: 'Machine health' }).textContent()).toMatch(/\/ 100|No prediction yet/);
    expect(await page.locator('canvas.sparkline').count()).toBeGreaterThan(5);
    await shot('machine', true);
    // Pump101 has the demo anomaly model: its health panel shows the model's figure or why there is none yet.
    await open('Overview');
    await page.getByRole('button', { name: 'Pump101', exact: true }).click();
    await expect.poll(() => page.getByRole('region', { name: 'Machine health' }).textContent()).toMatch(/\/ 100|No prediction yet/);
    await shot('machine-health', true);
    // A machine opens in a second window (a second monitor) on the same view, signed in by the same session.
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: '↗ New window' }).click()]);
    await popup.locator('h2', { hasText: 'Demo/PumpStation/Pump101' }).waitFor({ timeout: 15_000 });
    expect(popup.url()).toContain('#/machine/Demo/PumpStation/Pump101');
    await popup.close();
  });

  it('switches between the dark and the light theme and remembers the choice', async () => {
    const html = page.locator('html');
    expect(await html.getAttribute('data-theme')).toBe('dark');
    const darkBg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
    expect(await html.getAttribute('data-theme')).toBe('light');
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).not.toBe(darkBg);
    await open('Overview');
    await shot('overview-light', true);
    await page.reload();
    await page.locator('h1.screen-title').waitFor();
    expect(await html.getAttribute('data-theme')).toBe('light');
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    expect(await html.getAttribute('data-theme')).toBe('dark');
  });

  it('finds tags on the Tags & configuration screen', async () => {
    await open('Tags & configuration');
    await goodText('Demo/Utilities/Boiler1/FuelFlow');
    const rows = page.locator('tr[data-tag-row]');
    const all = await rows.count();
    expect(all).toBeGreaterThanOrEqual(40);
    await shot('tags', true);
    await page.getByLabel('Search').fill('bearing temp');
    await expect.poll(() => rows.count()).toBeLessThan(all);
    const names = await rows.locator('th').allTextContents();
    expect(names.length).toBeGreaterThan(0);
    for (const n of names) expect(n).toMatch(/BearingTemp/);
  });

  it('edits a tag’s range, and refuses an invalid edit with the core’s message', async () => {
    const name = 'Demo/PumpStation/Pump102/BearingTemp';
    const row = page.locator(`tr[data-tag-row="${name}"]`);
    await row.getByRole('button', { name: `Edit ${name}` }).click();
    const editor = page.getByRole('form', { name: `Edit ${name}` });
    await editor.getByLabel('High').fill('80');
    await editor.getByRole('button', { name: 'Save' }).click();
    // Issue 18: the tag comes from a template, so the edit first asks where it goes, naming the machines.
    const scope = editor.getByRole('alertdialog', { name: 'Where the change goes' });
    await expect
      .poll(() => scope.textContent())
      .toMatch(
        /^Demo\/PumpStation\/Pump102\/BearingTemp comes from template \w+ \(\d+ machines: .*Demo\/PumpStation\/Pump101, .*override Demo\/PumpStation\/Pump102 only\./,
      );
    await scope.getByRole('button', { name: 'Override this machine only' }).click();
    await expect.poll(() => editor.getByRole('status').textContent()).toMatch(/^Saved to .*demo-site\.yaml/);
    await expect.poll(() => row.locator('td').nth(3).textContent()).toBe('20 … 80');
    // Pump101, made from the same template, keeps the template's range.
    expect(await page.locator('tr[data-tag-row="Demo/PumpStation/Pump101/BearingTemp"] td').nth(3).textContent()).toBe('20 … 75');
    await editor.getByLabel('Low').fill('90');
    await editor.getByLabel('High').fill('10');
    await editor.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => editor.getByRole('alert').textContent()).toMatch(/^Refused: .*low < high/s);
    expect(await row.locator('td').nth(3).textContent()).toBe('20 … 80');
    await editor.getByLabel('High').fill('hot');
    await editor.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => editor.getByRole('alert').textContent()).toBe('Normal range: give both ends as numbers, or leave both empty');
    await shot('tags-edit');
    await editor.getByRole('button', { name: 'Close' }).click();
  });

  it('lists an alarm with its priority in colour, shape and text, and acknowledges it', async () => {
    const id = 'Demo.PumpStation.Pump101.Flow.lo';
    const summary = page.locator('.alarm-summary');
    await expect.poll(() => summary.textContent(), { timeout: 25_000 }).toMatch(/● \d+ Low/);
    await summary.click();
    await page.locator('h1.screen-title', { hasText: 'Alarms' }).waitFor();
    const row = page.locator(`tr[data-alarm="${id}"]`);
    await expect.poll(() => row.getAttribute('data-state')).toBe('unack_active');
    expect(await row.locator('.priority').textContent()).toBe('● P4 Low');
    expect(await row.locator('.alarm-state').textContent()).toContain('Active, unacknowledged');
    await shot('alarms', true);
    // Other Low alarms of the demo may stand unacknowledged too (Pump102 runs slow at times), so
    // the figure is compared with itself before the acknowledgement, not with zero.
    const lowUnacked = async () => Number((await summary.locator('.unacked').textContent())?.match(/(\d+) Low/)?.[1] ?? 0);
    const before = await lowUnacked();
    expect(before).toBeGreaterThanOrEqual(1);
    await row.getByRole('button', { name: 'Acknowledge Demo/PumpStation/Pump101/Flow lo' }).click();
    await expect.poll(() => row.getAttribute('data-state')).toBe('ack_active');
    expect(await row.locator('.alarm-state').textContent()).toContain(`by ${ADMIN.user}`);
    // Acknowledged but still active: it leaves the unacknowledged figures and counts as standing.
    await expect.poll(lowUnacked).toBe(before - 1);
    expect(await summary.locator('.standing').textContent()).toMatch(/Standing: .*\d+ Low/);
    await shot('alarms-acknowledged');
  });

  it('shows energy and emissions with their data coverage on the ESG screen', async () => {
    await open('ESG');
    const table = page.getByRole('table', { name: 'Energy, water and emissions' });
    await expect.poll(() => table.locator('tbody tr').count()).toBeGreaterThanOrEqual(2);
    expect(await table.locator('tbody tr').last().locator('th').textContent()).toBe('Total');
    expect(await table.locator('tbody tr').last().locator('td').last().textContent()).toMatch(/\d+ %/);
    await shot('esg', true);
  });

  it('lets an administrator create a user, refusing a weak password with the core’s reason', async () => {
    await open('Users');
    const form = page.getByRole('form', { name: 'New user' });
    await form.getByLabel('User').fill('operator1');
    await form.getByLabel('Role').selectOption('operator');
    await form.getByLabel('Password').fill('short');
    await form.getByRole('button', { name: 'Create user' }).click();
    await expect.poll(() => page.locator('.users [role="status"]').textContent()).toMatch(/^Refused: /);
    await form.getByLabel('Password').fill('Plant-Shift-Desk-42');
    await form.getByRole('button', { name: 'Create user' }).click();
    await expect.poll(() => page.locator('.users [role="status"]').textContent()).toBe('Created operator1 (operator)');
    await expect.poll(() => page.getByRole('table', { name: 'Users' }).locator('tbody th').allTextContents()).toContain('operator1');
    await shot('users', true);
  });

  it('locks the console read-only and unlocks it with the user’s password', async () => {
    await page.locator('.user-menu').getByRole('button', { name: 'Lock' }).click();
    const banner = page.getByRole('form', { name: 'Session locked' });
    await banner.waitFor();
    await banner.getByLabel(`Password of ${ADMIN.user}`).fill('wrong-password-1');
    await banner.getByRole('button', { name: 'Unlock' }).click();
    await expect.poll(() => banner.getByRole('alert').textContent()).toMatch(/\w/);
    await shot('locked', true);
    await banner.getByLabel(`Password of ${ADMIN.user}`).fill(ADMIN.password);
    await banner.getByRole('button', { name: 'Unlock' }).click();
    await banner.waitFor({ state: 'detached' });
  });

  it('is usable from the keyboard: skip link, Alt+number screens, focus on the screen heading', async () => {
    await page.keyboard.press('Alt+5');
    await page.locator('h1.screen-title', { hasText: 'Connections' }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    await shot('connections', true);
    await page.keyboard.press('Alt+4');
    await page.locator('h1.screen-title', { hasText: 'Trends' }).waitFor();
    // Tab from the heading reaches the trend controls; L on them returns to live.
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => page.locator('.trend-chart').getAttribute('data-mode')).toBe('history');
    await page.keyboard.press('l');
    await expect.poll(() => page.locator('.trend-chart').getAttribute('data-mode')).toBe('live');
    await page.keyboard.press('Alt+1');
    await page.locator('h1.screen-title', { hasText: 'Overview' }).waitFor();
    await page.reload();
    await page.locator('h1.screen-title').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
  });

  it('has no serious or critical accessibility violations on any screen, in either theme', async () => {
    // After the keyboard test's reload the navigation comes once auth.me has answered (its allowed
    // list decides the screens): wait for it, bounded, before listing what it offers.
    const nav = page.getByRole('navigation', { name: 'Screens' });
    await nav.getByRole('button').first().waitFor({ timeout: 30_000 });
    const screens = await nav.getByRole('button').allTextContents();
    expect(screens.length).toBeGreaterThanOrEqual(5);
    const found: string[] = [];
    for (const theme of ['dark', 'light']) {
      if ((await page.locator('html').getAttribute('data-theme')) !== theme) await page.locator('.theme-toggle').click();
      for (const label of screens) {
        await open(label);
        await page.waitForTimeout(300);
        // Only colour contrast depends on the theme: the light pass checks just that.
        const axe = new AxeBuilder({ page });
        const result = await (theme === 'dark' ? axe : axe.withRules(['color-contrast'])).analyze();
        for (const v of result.violations) {
          if (v.impact === 'serious' || v.impact === 'critical') {
            found.push(`${theme}/${label}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
          }
        }
      }
    }
    if (found.length > 0) await shot('axe-failure');
    expect(found).toEqual([]);
    if ((await page.locator('html').getAttribute('data-theme')) !== 'dark') await page.locator('.theme-toggle').click();
    // Bounded at 4 min: every screen twice (two themes) on a loaded machine.
  }, 240_000);

  it('shows the lost link at once, greys values as stale, and reconnects and resynchronises by itself', async () => {
    await open('Overview');
    const tag = 'Demo/PumpStation/Pump102/Flow';
    await goodText(tag);
    await app.stop();
    const banner = page.getByRole('alert').filter({ hasText: 'Connection to the console core lost' });
    await banner.waitFor({ timeout: 5000 });
    expect(await valueCell(tag).getAttribute('data-quality')).toBe('Uncertain');
    await shot('link-lost', true);

    // The same core comes back on the same address: the page finds it without a reload.
    const home = mkdtempSync(path.join(tmpdir(), 'aurum-home-'));
    restarted = spawn(
      process.execPath,
      [path.join(root, 'bin/aurum.mjs'), 'serve', '--port', String(app.port), '--data-dir', app.dataDir],
      {
        cwd: root,
        env: { ...process.env, HOME: home, AURUM_LOG: 'silent' },
        stdio: 'ignore',
      },
    );
    try {
      // A console start on a loaded machine takes up to a minute (the harness allows 90 s).
      await banner.waitFor({ state: 'detached', timeout: 90_000 });
      await goodText(tag);
      await shot('reconnected');
    } finally {
      const exited = new Promise((r) => restarted?.once('exit', r));
      restarted.kill('SIGTERM');
      await exited;
      rmSync(home, { recursive: true, force: true });
    }
  }, 180_000);
});
