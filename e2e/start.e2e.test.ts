// `npm start` on a machine without the Electron runtime: one line saying so, then serve mode, and
// in real Chromium the UI shows live, changing values and a moving uPlot trend.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, chromiumAvailable, launchChromium, signInContext } from './browser.js';
import { type RunningConsole, startConsole, waitFor } from './harness.js';

let app: RunningConsole;
let browser: Browser;
let page: Page;

describe.skipIf(!chromiumAvailable && !process.env.CI)('npm start without Electron, in Chromium', () => {
  beforeAll(async () => {
    app = await startConsole({ script: 'scripts/start.mjs', timeoutMs: 150_000 });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    await signInContext(context, app.url);
    page = await context.newPage();
    await page.goto(app.url);
  }, 200_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (app) rmSync(app.dataDir, { recursive: true, force: true });
  });

  it('explains in one line that it falls back to serve mode, and prints the URL', () => {
    const lines = app.output().split('\n');
    const explanation = lines.filter((l) => l.startsWith('Electron runtime not available'));
    expect(explanation).toHaveLength(1);
    expect(explanation[0]).toMatch(/starting serve mode/);
    expect(app.output()).toContain(app.url);
  });

  it('shows live values that change', async () => {
    const cell = page.locator('[data-tag="Demo/PumpStation/Pump102/Flow"] .num').first();
    const first = await waitFor(
      'a Good value in the overview',
      async () => {
        const q = await page.locator('[data-tag="Demo/PumpStation/Pump102/Flow"]').first().getAttribute('data-quality');
        const text = await cell.textContent();
        return q === 'Good' && text && text !== '—' ? text : undefined;
      },
      20_000,
    );
    const changed = await waitFor(
      'the value to change',
      async () => {
        const text = await cell.textContent();
        return text !== first ? text : undefined;
      },
      10_000,
    );
    expect(changed).not.toBe(first);
    await page.screenshot({ path: path.join(artifactsDir, 'overview.png') });
  });

  it('draws a moving uPlot trend', async () => {
    await page.getByRole('button', { name: 'Trends' }).click();
    const canvas = page.locator('.trend-chart canvas').first();
    await canvas.waitFor({ state: 'visible', timeout: 10_000 });
    await page.waitForTimeout(1500);
    const before = await canvas.screenshot();
    const after = await waitFor(
      'the trend to move',
      async () => {
        const shot = await canvas.screenshot();
        return Buffer.compare(shot, before) !== 0 ? shot : undefined;
      },
      10_000,
      500,
    );
    expect(Buffer.compare(after, before)).not.toBe(0);
    await page.screenshot({ path: path.join(artifactsDir, 'trends.png') });
    writeFileSync(path.join(artifactsDir, 'start-output.txt'), app.output());
  });
});
