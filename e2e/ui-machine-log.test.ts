// The machine screen's operational log in Chromium: an operator records a shift note and raises a
// maintenance request; both are kept by the core (and the note lists on the screen).
import { rmSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium, signInContext } from './browser.js';
import { type RunningConsole, startConsole } from './harness.js';

let app: RunningConsole;
let browser: Browser;

describe.skipIf(!chromiumAvailable && !process.env.CI)('machine operational log', () => {
  beforeAll(async () => {
    app = await startConsole({ script: 'bin/aurum.mjs', args: ['serve'], timeoutMs: 40_000 });
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (app) rmSync(app.dataDir, { recursive: true, force: true });
  });

  it('records a shift note and raises a maintenance request from the machine screen', async () => {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1200 } });
    await signInContext(context, app.url);
    const page = await context.newPage();
    await page.goto(`${app.url}/#/machine/${encodeURIComponent('Demo/PumpStation/Pump101')}`);
    const log = page.getByRole('region', { name: 'Operational log of Demo/PumpStation/Pump101' });
    const form = log.getByRole('form', { name: 'Record an event' });
    await form.getByLabel('What').fill('Bearing noise heard at the drive end');
    await form.getByLabel('Parts').fill('SKF 6309, grease');
    await form.getByRole('button', { name: 'Record' }).click();
    await expect.poll(() => log.getByRole('table').textContent(), { timeout: 10_000 }).toContain('Bearing noise heard at the drive end');
    await form.getByLabel('What').fill('Replace the drive-end bearing');
    await form.getByRole('button', { name: 'Request maintenance' }).click();
    await expect.poll(() => log.getByRole('status').textContent(), { timeout: 10_000 }).toMatch(/Maintenance request #\d+ raised/);

    const headers = { Authorization: `Bearer ${await app.signIn()}` };
    const events = (await (
      await fetch(`${app.url}/api/events?machine=${encodeURIComponent('Demo/PumpStation/Pump101')}`, { headers })
    ).json()) as { what: string; parts: string[]; user: string }[];
    expect(events.find((e) => e.what === 'Bearing noise heard at the drive end')).toMatchObject({
      parts: ['SKF 6309', 'grease'],
      user: 'admin',
    });
    const requests = (await (
      await fetch(`${app.url}/api/maintenance/requests?machine=${encodeURIComponent('Demo/PumpStation/Pump101')}`, { headers })
    ).json()) as { description: string }[];
    expect(requests.map((r) => r.description)).toContain('Replace the drive-end bearing');
  }, 60_000);
});
