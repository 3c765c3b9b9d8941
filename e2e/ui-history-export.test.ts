// Exporting from the historian in Chromium: the trend screen's export dialog starts a CSV export of
// the pens, shows its progress, and offers the finished file for download.
import { readFileSync, rmSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium, signInContext } from './browser.js';
import { type RunningConsole, startConsole } from './harness.js';

let app: RunningConsole;
let browser: Browser;

describe.skipIf(!chromiumAvailable && !process.env.CI)('history export dialog', () => {
  beforeAll(async () => {
    app = await startConsole({ script: 'bin/aurum.mjs', args: ['serve'], timeoutMs: 40_000 });
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (app) rmSync(app.dataDir, { recursive: true, force: true });
  });

  it('exports the pens from the historian with a progress bar and a download', async () => {
    await new Promise((r) => setTimeout(r, 4000));
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1600, height: 1000 } });
    await signInContext(context, app.url);
    const page = await context.newPage();
    await page.goto(`${app.url}/#/trends`);
    await page.getByRole('button', { name: 'Export from historian…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export from the historian' });
    await dialog.getByRole('button', { name: 'Start export' }).click();
    const link = dialog.getByRole('link', { name: 'Download CSV' });
    await link.waitFor({ timeout: 20_000 });
    expect(await dialog.getByRole('status').textContent()).toMatch(/100 %.*done/);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const csv = readFileSync(await download.path(), 'utf8');
    const lines = csv.trim().split(/\r?\n/);
    expect(lines.length).toBeGreaterThan(10);
    expect(lines[0]).toBe('timestamp,tag,value,quality');
    expect(lines.some((l) => l.includes('Demo/PumpStation/Pump101/VibrationRMS'))).toBe(true);
  }, 60_000);
});
