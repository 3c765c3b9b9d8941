// The Cloud sync screen in Chromium: an engineer sees the uplink's state and backlog; on the demo
// plant sync is off unless enabled in the site file, which the screen says rather than hiding.
import { rmSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, chromiumAvailable, launchChromium, signInContext } from './browser.js';
import { type RunningConsole, startConsole } from './harness.js';

let app: RunningConsole;
let browser: Browser;

describe.skipIf(!chromiumAvailable && !process.env.CI)('Cloud sync screen', () => {
  beforeAll(async () => {
    app = await startConsole({ script: 'bin/aurum.mjs', args: ['serve'], timeoutMs: 40_000 });
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (app) rmSync(app.dataDir, { recursive: true, force: true });
  });

  it('shows link state, backlog per stream and received models, and passes the accessibility check', async () => {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    await signInContext(context, app.url);
    const page = await context.newPage();
    await page.goto(`${app.url}/#/sync`);
    const uplink = page.getByRole('table', { name: 'Uplink' });
    await uplink.waitFor({ timeout: 15_000 });
    expect(await uplink.textContent()).toMatch(/off \(not enabled in the site file\)/);
    const backlog = page.getByRole('table', { name: 'Backlog per stream' });
    expect(await backlog.locator('tbody tr').count()).toBe(7);
    expect(await page.getByRole('button', { name: 'Pause uplink' }).isDisabled()).toBe(true);
    const axe = await new AxeBuilder({ page }).analyze();
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
    await page.screenshot({ path: path.join(artifactsDir, 'ui-sync.png') });
  });
});
