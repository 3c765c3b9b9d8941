// The ESG screen in real headless Chromium against serve mode on the demo plant (issue 16, "ESG
// screen"): every GHG Protocol scope (scope 3 said to have no source mapped, not shown as zero
// emissions), the period's energy and CO2e as uPlot charts, past days and months to choose, partial
// hours counted (the current hour so far: a summary of the last 70 s reads the energy the plant drew,
// not 0), and the report export offered to the roles that may make it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EsgSummary } from '../native/api/esg-requests.js';
import { artifactsDir, axeFindings, type ChromiumConsole, chromiumAvailable, startChromiumConsole } from './browser.js';
import { waitFor } from './harness.js';

const PASSWORD = 'e2e-Esg-Pass-2026';
let demo: ChromiumConsole;

const pageAs = (user: string, password: string): Promise<Page> => demo.page({ user, password, hash: '#/esg', title: 'ESG' });

describe.skipIf(!chromiumAvailable && !process.env.CI)('ESG screen in Chromium', () => {
  beforeAll(async () => {
    demo = await startChromiumConsole({ timeoutMs: 75_000 });
    await demo.createUsers({ esme: 'esg_analyst', vera: 'viewer' }, PASSWORD);
  }, 100_000);

  afterAll(async () => {
    await demo?.stop();
  });

  it('counts the current hour so far: the last 70 s of the demo plant give energy and CO2e, not 0', async () => {
    const summary = await waitFor(
      'a summary of the last 70 s with energy',
      async () => {
        const to = Date.now();
        const q = new URLSearchParams({ from: new Date(to - 70_000).toISOString(), to: new Date(to).toISOString(), groupBy: 'site' });
        const s = await demo.json<EsgSummary>(`/api/esg/summary?${q}`);
        // The plant has run for 70 s: the range is covered by data.
        return s.totals.coverage.ratio > 0.9 ? s : undefined;
      },
      150_000,
      1000,
    );
    expect(summary.totals.energyKWh).toBeGreaterThan(0);
    expect(summary.totals.co2eKg.scope2Location).toBeGreaterThan(0);
    expect(summary.totals.co2eKg.total).toBeGreaterThan(0);
  }, 180_000);

  it('shows every scope, scope 3 as not mapped, the period charts, and no NaN', async () => {
    const page = await pageAs('esme', PASSWORD);
    const scopes = page.getByRole('table', { name: 'Emissions by scope' });
    await scopes.waitFor();
    expect(await scopes.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-scope')))).toEqual([
      '1',
      '2l',
      '2m',
      '3',
      'total',
    ]);
    const scope3 = scopes.locator('tr[data-scope="3"]');
    expect(await scope3.locator('td').nth(1).textContent()).toBe('not mapped');
    expect(await scope3.locator('td.sources').textContent()).toContain('no sources mapped');
    expect(await scopes.locator('tr[data-scope="1"] td.sources').textContent()).toContain('Boiler natural gas');
    // Today's charts: energy and CO2e per hour, with the current hour's figures in them.
    const plots = page.locator('.esg-chart-plot');
    await expect.poll(() => plots.count()).toBe(2);
    for (const i of [0, 1]) {
      await plots.nth(i).locator('canvas').first().waitFor({ state: 'visible' });
      await expect.poll(async () => Number(await plots.nth(i).getAttribute('data-total')), { timeout: 70_000 }).toBeGreaterThan(0);
      expect(Number(await plots.nth(i).getAttribute('data-buckets'))).toBeGreaterThanOrEqual(1);
    }
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).not.toMatch(/NaN|undefined|\[object Object\]/);
    await page.screenshot({ path: path.join(artifactsDir, 'ui-esg.png') });
  }, 120_000);

  it('offers past days and months, and shows the chosen one', async () => {
    const page = await pageAs('esme', PASSWORD);
    const select = page.getByLabel('Period');
    const options = await select.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(options.filter((o) => o.startsWith('day:')).length).toBeGreaterThanOrEqual(8);
    expect(options.filter((o) => o.startsWith('month:')).length).toBeGreaterThanOrEqual(6);
    const root = page.locator('.esg');
    await expect.poll(() => root.getAttribute('data-from')).toBeTruthy();
    const todayFrom = Date.parse((await root.getAttribute('data-from')) as string);
    // Yesterday: the day before today's start, a whole day (23, 24 or 25 hours in a DST zone).
    await select.selectOption(options[1] as string);
    await expect.poll(() => root.getAttribute('data-period')).toBe(options[1]);
    await expect.poll(async () => Date.parse((await root.getAttribute('data-to')) ?? '')).toBe(todayFrom);
    const yFrom = Date.parse((await root.getAttribute('data-from')) as string);
    expect(todayFrom - yFrom).toBeGreaterThanOrEqual(23 * 3_600_000);
    expect(todayFrom - yFrom).toBeLessThanOrEqual(25 * 3_600_000);
    // A past month: its charts are per day.
    const lastMonth = options.filter((o) => o.startsWith('month:'))[1] as string;
    await select.selectOption(lastMonth);
    await expect.poll(() => root.getAttribute('data-period')).toBe(lastMonth);
    await expect.poll(() => page.locator('.esg-chart figcaption').first().textContent()).toBe('Energy per day');
  }, 60_000);

  it('offers the month report to the ESG analyst and shows it unavailable to a viewer, saying why', async () => {
    const analyst = await pageAs('esme', PASSWORD);
    const csvButton = analyst.getByRole('button', { name: 'Month report (CSV)' });
    expect(await csvButton.isEnabled()).toBe(true);
    const [download] = await Promise.all([analyst.waitForEvent('download'), csvButton.click()]);
    expect(readFileSync(await download.path(), 'utf8')).toContain('total_scope3');
    const viewer = await pageAs('vera', PASSWORD);
    const denied = viewer.getByRole('button', { name: 'Month report (CSV)' });
    expect(await denied.isDisabled()).toBe(true);
    expect(await denied.getAttribute('title')).toMatch(/viewer role/);
  }, 60_000);

  it('has no serious or critical accessibility violations, in either theme', async () => {
    const page = await pageAs('esme', PASSWORD);
    await page.locator('.esg-chart-plot canvas').first().waitFor({ state: 'visible' });
    expect(await axeFindings(page, 'esg')).toEqual([]);
  }, 60_000);
});
