// A lost link to the core means everything shown is stale, in real headless Chromium against serve
// mode on the demo plant: the header's connection state reads unknown (not "N connections OK"), the
// Connections screen says each state is only the last known, and no write, acknowledgement, record
// or edit can be made — until the same core answers again on the same address, when they all
// return by themselves, without a reload.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, chromiumAvailable, launchChromium, signInContext } from './browser.js';
import { type RunningConsole, root, startConsole, waitFor } from './harness.js';

let app: RunningConsole;
let browser: Browser;
let page: Page;
let restarted: ChildProcess | null = null;
let restartedHome: string | null = null;

const shot = (name: string) => page.screenshot({ path: path.join(artifactsDir, `ui-link-lost-${name}.png`) });
const comm = () => page.locator('.comm-summary');
const nav = (label: string) => page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: label, exact: true });

async function open(label: string): Promise<void> {
  await nav(label).click();
  await page.locator('h1.screen-title', { hasText: label }).waitFor();
}

async function openPump101(): Promise<void> {
  await open('Overview');
  await page.getByRole('button', { name: 'Pump101', exact: true }).first().click();
  await page.locator('h2', { hasText: 'Demo/PumpStation/Pump101' }).waitFor();
}

/** Whether each button and field of the screen that acts is enabled (some wait for input: Write… for a value). */
async function actingEnabled(): Promise<boolean[]> {
  return page
    .locator(
      'main .setpoint button, main .setpoint input, main form[aria-label="Record an event"] button, main table[aria-label="Tags"] button',
    )
    .evaluateAll((els) => els.map((e) => !e.matches(':disabled')));
}

describe.skipIf(!chromiumAvailable && !process.env.CI)('link lost in Chromium', () => {
  beforeAll(async () => {
    [app, browser] = await Promise.all([startConsole({ script: 'bin/aurum.mjs', args: ['serve'], timeoutMs: 90_000 }), launchChromium()]);
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    await signInContext(context, app.url);
    page = await context.newPage();
    await page.goto(app.url);
    await nav('Overview').waitFor();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (restarted && restarted.exitCode === null) {
      const exited = new Promise((r) => restarted?.once('exit', r));
      restarted.kill('SIGTERM');
      await exited;
    }
    if (restartedHome) rmSync(restartedHome, { recursive: true, force: true });
    await app?.stop();
    if (app) rmSync(app.dataDir, { recursive: true, force: true });
  });

  it('says the connection state is unknown and offers nothing that acts until the same core answers again', async () => {
    await openPump101();
    const start = page.getByRole('group', { name: 'Write RunCommand' }).getByRole('button', { name: 'Start' });
    await start.waitFor();
    await expect.poll(() => comm().textContent(), { timeout: 15_000 }).toMatch(/^● \d+ connections OK$/);
    const before = await actingEnabled();
    expect(before.filter(Boolean).length).toBeGreaterThan(2);

    await app.stop();
    await page.getByRole('alert').filter({ hasText: 'Connection to the console core lost' }).waitFor({ timeout: 10_000 });
    expect(await comm().textContent()).toBe('? Connection state unknown');
    expect(await comm().getAttribute('data-ok')).toBe('unknown');
    // The machine screen: setpoint writes and the operational log's Record are still shown, disabled.
    const down = await actingEnabled();
    expect(down.length).toBe(before.length);
    expect(down.some(Boolean)).toBe(false);
    expect(await start.isDisabled()).toBe(true);
    await shot('machine');

    // The alarm list: no acknowledgement or shelving can be made.
    await open('Alarms');
    const alarmControls = page.locator('main .alarms button');
    for (let i = 0; i < (await alarmControls.count()); i++) expect(await alarmControls.nth(i).isDisabled()).toBe(true);
    // The tag edits, and the connections' states marked as only the last known.
    await open('Tags & configuration');
    const edits = page.locator('main table[aria-label="Tags"] button');
    expect(await edits.count()).toBeGreaterThan(0);
    expect(await edits.first().isDisabled()).toBe(true);
    await open('Connections');
    const states = await page.locator('main table[aria-label="Connections"] .conn-state').allTextContents();
    expect(states.length).toBeGreaterThan(0);
    for (const s of states) expect(s).toMatch(/^\? unknown \(last known: \w+\)$/);
    await shot('connections');

    // The same core comes back on the same address: everything returns without a reload.
    restartedHome = mkdtempSync(path.join(tmpdir(), 'aurum-home-'));
    restarted = spawn(
      process.execPath,
      [path.join(root, 'bin/aurum.mjs'), 'serve', '--port', String(app.port), '--data-dir', app.dataDir],
      {
        cwd: root,
        env: { ...process.env, HOME: restartedHome, AURUM_LOG: 'silent' },
        stdio: 'ignore',
      },
    );
    await page
      .getByRole('alert')
      .filter({ hasText: 'Connection to the console core lost' })
      .waitFor({ state: 'detached', timeout: 90_000 });
    await waitFor(
      'the connection states to be the present ones again',
      async () => {
        const now = await page.locator('main table[aria-label="Connections"] .conn-state').allTextContents();
        return now.length > 0 && now.every((s) => !s.includes('unknown')) ? true : undefined;
      },
      20_000,
    );
    await expect.poll(() => comm().textContent(), { timeout: 20_000 }).toMatch(/connections OK|down/);
    await openPump101();
    await expect.poll(() => actingEnabled(), { timeout: 15_000 }).toEqual(before);
    await shot('returned');
  }, 240_000);
});
