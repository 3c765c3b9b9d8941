// The ESG month report of the demo plant, exported from the UI in Chromium: the downloaded CSV's
// totals are the sums of its emission records, and they match the summary the API gives.
import { readFileSync, rmSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium, signInContext } from './browser.js';
import { type RunningConsole, startConsole, waitFor } from './harness.js';

let app: RunningConsole;
let browser: Browser;

describe.skipIf(!chromiumAvailable && !process.env.CI)('ESG month report from the UI', () => {
  beforeAll(async () => {
    app = await startConsole({ script: 'bin/aurum.mjs', args: ['serve'], timeoutMs: 40_000 });
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (app) rmSync(app.dataDir, { recursive: true, force: true });
  });

  it('downloads a month report whose totals reconcile with its records', async () => {
    const headers = { Authorization: `Bearer ${await app.signIn()}` };
    const month = new Date().toISOString().slice(0, 7);
    // ESG flushes its accumulators periodically: wait until the month has emission records.
    await waitFor(
      'emission records',
      async () => {
        const r = await fetch(`${app.url}/api/esg/report?period=month&start=${month}&format=csv`, { headers });
        const text = await r.text();
        return text.split('\n').some((l) => l.startsWith('emission,')) ? true : undefined;
      },
      60_000,
      1000,
    );
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1600, height: 1000 } });
    await signInContext(context, app.url);
    const page = await context.newPage();
    await page.goto(app.url);
    await page.getByRole('button', { name: 'ESG', exact: true }).first().click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Month report (CSV)' }).click()]);
    const file = await download.path();
    expect(download.suggestedFilename()).toMatch(new RegExp(`${month}\\.csv$`));
    const lines = readFileSync(file, 'utf8').trim().split(/\r?\n/);
    const header = (lines[0] ?? '').split(',');
    const col = (name: string) => header.indexOf(name);
    const rows = lines.slice(1).map((l) => l.split(','));
    const emissions = rows.filter((r) => r[col('record_type')] === 'emission');
    expect(emissions.length).toBeGreaterThan(0);
    const sum = (pred: (r: string[]) => boolean) => emissions.filter(pred).reduce((a, r) => a + Number(r[col('co2e_kg')]), 0);
    const total = (name: string) => Number(rows.find((r) => r[col('record_type')] === name)?.[col('co2e_kg')]);
    const scope2Location = sum((r) => r[col('scope')] === '2' && r[col('scope2_method')] === 'location');
    const scope1 = sum((r) => r[col('scope')] === '1');
    expect(total('total_scope2_location')).toBeCloseTo(scope2Location, 5);
    expect(total('total_scope1')).toBeCloseTo(scope1, 5);
    expect(total('total')).toBeCloseTo(scope1 + scope2Location + sum((r) => r[col('scope')] === '3'), 5);
    expect(total('total')).toBeGreaterThan(0);
  }, 120_000);
});
