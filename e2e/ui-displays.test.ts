// The process display viewer in real headless Chromium against serve mode on the demo plant (the
// built bundle: `node scripts/build.mjs` first): the shipped pump station display opens, Pump101's
// live values change on it, its pump symbol states its state in words, Enter on the symbol opens its
// faceplate; axe finds nothing serious or critical on the display and the faceplate in both themes.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DisplayResults } from '../native/api/display-requests.js';
import { artifactsDir, chromiumAvailable, launchChromium, signInContext } from './browser.js';
import { type RunningConsole, startConsole, waitFor } from './harness.js';

let app: RunningConsole;
let browser: Browser;
let page: Page;

async function axeFindings(p: Page, where: string): Promise<string[]> {
  const found: string[] = [];
  for (const theme of ['dark', 'light'] as const) {
    await p.evaluate((t) => {
      document.documentElement.dataset.theme = t;
    }, theme);
    const axe = new AxeBuilder({ page: p });
    const result = await (theme === 'dark' ? axe : axe.withRules(['color-contrast'])).analyze();
    for (const v of result.violations)
      if (v.impact === 'serious' || v.impact === 'critical')
        found.push(`${where} (${theme}): ${v.id} ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }
  await p.evaluate(() => {
    document.documentElement.dataset.theme = 'dark';
  });
  return found;
}
const valueText = (id: string) => page.locator(`g[data-id="${id}"] .v`).textContent();

describe.skipIf(!chromiumAvailable && !process.env.CI)('process displays in Chromium on the demo plant', () => {
  beforeAll(async () => {
    [app, browser] = await Promise.all([startConsole({ script: 'bin/aurum.mjs', args: ['serve'], timeoutMs: 60_000 }), launchChromium()]);
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    await signInContext(context, app.url);
    page = await context.newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (app) rmSync(app.dataDir, { recursive: true, force: true });
  });

  it('serves the shipped display over HTTP', async () => {
    const token = await app.signIn();
    const r = await fetch(`${app.url}/api/displays`, { headers: { Authorization: `Bearer ${token}` } });
    expect(r.status).toBe(200);
    const body = (await r.json()) as { data?: DisplayResults['displays.list'] } & DisplayResults['displays.list'];
    const list = body.data ?? body;
    expect(list.displays.map((d) => d.id)).toEqual(['pump-station']);
    expect(list.problems).toEqual([]);
  });

  it("opens the pump station and shows Pump101's live values changing, its state in words", async () => {
    await page.goto(`${app.url}/#/displays`);
    await page.getByRole('group', { name: 'Display Pump station' }).waitFor({ timeout: 30_000 });
    const first = await waitFor(
      'a value for Pump101 flow',
      async () => {
        const t = await valueText('pump101-flow');
        return t && t !== '—' ? t : undefined;
      },
      30_000,
    );
    await waitFor(
      'Pump101 flow to change',
      async () => {
        const t = await valueText('pump101-flow');
        return t && t !== first ? t : undefined;
      },
      30_000,
    );
    expect(await page.locator('g[data-id="pump101-flow"]').getAttribute('aria-label')).toMatch(/^Pump101 Flow: [\d.,]+ m³\/h$/);
    const pump = page.locator('g[data-id="pump101"]');
    await expect.poll(() => pump.getAttribute('data-state'), { timeout: 20_000 }).toBe('running');
    expect(await pump.getAttribute('aria-label')).toBe('Pump101: running');
    expect(await pump.locator('.s').textContent()).toBe('RUN');
    // Not tripped: the trip marker is absent.
    expect(await page.locator('g[data-id="pump101-alarm"]').getAttribute('data-active')).toBe('false');
    // The header outlet shows its flow's direction.
    await expect.poll(() => page.locator('g[data-id="header-out"]').getAttribute('data-flow'), { timeout: 20_000 }).toBe('forward');
  });

  it('opens the faceplate from the keyboard; axe finds nothing serious on the display and the faceplate in both themes', async () => {
    expect(await axeFindings(page, 'pump station display')).toEqual([]);
    await page.getByRole('button', { name: 'Pump101: running' }).focus();
    await page.keyboard.press('Enter');
    const faceplate = page.getByRole('complementary', { name: 'Faceplate Pump101' });
    await faceplate.waitFor({ timeout: 10_000 });
    await faceplate.getByRole('button', { name: 'Open the machine screen of Pump101' }).waitFor();
    await page.screenshot({ path: path.join(artifactsDir, 'ui-displays-faceplate.png') });
    expect(await axeFindings(page, 'pump station with the Pump101 faceplate')).toEqual([]);
    await faceplate.getByRole('button', { name: 'Open the machine screen of Pump101' }).click();
    await page.locator('h2', { hasText: 'Demo/PumpStation/Pump101' }).waitFor({ timeout: 10_000 });
  });
});
