// The console's engineering and reporting tools in real Chromium against serve mode on the demo
// plant, sharing one console and one browser: the ESG month report reconciles, the history export
// dialog, the Connections tag picker, the machine's operational log, and the Cloud sync screen.
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, chromiumAvailable, launchChromium, signInContext } from './browser.js';
import { type RunningConsole, startConsole, waitFor } from './harness.js';

let app: RunningConsole;
let browser: Browser;
let context: BrowserContext;
let page: Page;

/** A fresh page of the shared, signed-in context at `url` (the console routes on load). */
async function open(url: string): Promise<Page> {
  await page?.close();
  page = await context.newPage();
  await page.goto(url);
  return page;
}

/** No serious or critical accessibility violations on the page as it is now. */
async function expectAccessible(p: Page): Promise<void> {
  const axe = await new AxeBuilder({ page: p }).analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
}

describe.skipIf(!chromiumAvailable && !process.env.CI)('engineering and reporting tools in Chromium', () => {
  beforeAll(async () => {
    app = await startConsole({ script: 'bin/aurum.mjs', args: ['serve'], timeoutMs: 40_000 });
    browser = await launchChromium();
    context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1600, height: 1200 } });
    await signInContext(context, app.url);
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
    await open(app.url);
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

  it('shows link state, backlog per stream and received models, and passes the accessibility check', async () => {
    await open(`${app.url}/#/sync`);
    const uplink = page.getByRole('table', { name: 'Uplink' });
    await uplink.waitFor({ timeout: 15_000 });
    expect(await uplink.textContent()).toMatch(/off \(not enabled in the site file\)/);
    const backlog = page.getByRole('table', { name: 'Backlog per stream' });
    expect(await backlog.locator('tbody tr').count()).toBe(7);
    expect(await page.getByRole('button', { name: 'Pause uplink' }).isDisabled()).toBe(true);
    await expectAccessible(page);
    await page.screenshot({ path: path.join(artifactsDir, 'ui-sync.png') });
  });

  it('browses OPC UA to a NodeId and test-reads a Modbus register', async () => {
    await open(`${app.url}/#/connections`);
    const picker = page.getByRole('region', { name: 'Tag picker' });
    await picker.getByLabel('Connection').selectOption('plant-opcua');
    const tree = picker.locator('ul[aria-label="Address space of plant-opcua"]');
    await tree.getByRole('button', { name: /PumpStation/ }).click();
    await tree.getByRole('button', { name: /Pump101/ }).click();
    await expect.poll(() => tree.textContent(), { timeout: 10_000 }).toContain('ns=1;s=PumpStation.Pump101.VibrationRMS');

    await picker.getByLabel('Connection').selectOption('plant-modbus');
    const form = picker.getByRole('form', { name: 'Test read on plant-modbus' });
    await form.getByLabel('Address').fill('40001');
    await form.getByLabel('Type').selectOption('float32');
    await form.getByRole('button', { name: 'Test read' }).click();
    // 40001 is the boiler's steam pressure setpoint (10 bar in the demo plant).
    await expect.poll(() => form.getByRole('status').textContent(), { timeout: 10_000 }).toMatch(/40001 = 10$/);
    await form.getByLabel('Address').fill('49999');
    await form.getByRole('button', { name: 'Test read' }).click();
    await expect.poll(() => form.getByRole('status').textContent(), { timeout: 10_000 }).toMatch(/Modbus exception 2/);

    await expectAccessible(page);
    await page.screenshot({ path: path.join(artifactsDir, 'ui-connections.png'), fullPage: true });
  }, 60_000);

  it('records a shift note and raises a maintenance request from the machine screen', async () => {
    await open(`${app.url}/#/machine/${encodeURIComponent('Demo/PumpStation/Pump101')}`);
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

  it('exports the pens from the historian with a progress bar and a download', async () => {
    await new Promise((r) => setTimeout(r, 4000));
    await open(`${app.url}/#/trends`);
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
