// Trends in real headless Chromium against serve mode on the demo plant (issue 16, "Trends"): alarm
// limits drawn as lines for pens with limits, the history-mode readout at the range's end equal to
// the stored value there, the historian export of a zoomed range holding only that range, zoom and
// pan icons that render whatever fonts the workstation has, and a machine's 5-minute trend filled
// from the historian as soon as the machine screen opens.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistorySeries, HistoryValueAt } from '../native/api/history-requests.js';
import type { TagInfo } from '../native/api/types.js';
import { artifactsDir, axeFindings, type ChromiumConsole, chromiumAvailable, startChromiumConsole } from './browser.js';
import { waitFor } from './harness.js';

let demo: ChromiumConsole;
let context: BrowserContext;
let page: Page;
let tags: TagInfo[];

async function open(url: string): Promise<Page> {
  await page?.close();
  page = await context.newPage();
  await page.goto(url);
  return page;
}

/** What the console shows for a value of the tag: its decimals, thousands separators (lib/format.ts). */
function shown(v: number | null, tag: TagInfo): string {
  if (v === null || !Number.isFinite(v)) return '—';
  const d = tag.decimals ?? 2;
  const text = new Intl.NumberFormat('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }).format(v);
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

const tagNamed = (name: string): TagInfo => {
  const t = tags.find((x) => x.name === name);
  if (!t) throw new Error(`no tag ${name}`);
  return t;
};

describe.skipIf(!chromiumAvailable && !process.env.CI)('trends in Chromium', () => {
  beforeAll(async () => {
    demo = await startChromiumConsole({ timeoutMs: 75_000 });
    tags = (await demo.call<{ tags: TagInfo[] }>('tags.list', {})).tags;
    context = await demo.context();
  }, 100_000);

  afterAll(async () => {
    await demo?.stop();
  });

  it("fills a machine's 5-minute trend from the historian as soon as the machine screen opens", async () => {
    const machine = 'Demo/PumpStation/Pump101';
    const flow = `${machine}/Flow`;
    // A minute of history at least before the screen opens.
    const since = await waitFor(
      'a minute of history of the machine',
      async () => {
        const now = Date.now();
        const [s] = await demo.call<HistorySeries[]>('history.query', { tags: [flow], from: now - 300_000, to: now, maxPoints: 2000 });
        const first = s?.ts[0];
        return first !== undefined && now - first >= 60_000 ? first : undefined;
      },
      120_000,
      1000,
    );
    // A fresh page: its live buffers start empty, so what the trend shows of the minute before comes from the historian.
    const opened = Date.now();
    await open(`${demo.app.url}/#/machine/${machine}`);
    const chart = page.locator(`figure[aria-label="Trend of ${machine}"] .trend-chart`);
    await chart.locator('canvas').first().waitFor({ state: 'visible' });
    const oldest = await waitFor(
      'the machine trend to reach back before the screen opened',
      async () => {
        const v = Number((await chart.getAttribute('data-since')) || Number.NaN);
        const applied = Number((await chart.getAttribute('data-backfilled'))?.split('/')[0] ?? 0);
        return v <= opened - 50_000 && applied > 0 ? v : undefined;
      },
      15_000,
    );
    expect(oldest).toBeLessThan(since + 10_000);
    // The historian's points the window started with ("applied/answered@buckets"), and what is drawn.
    const backfill = `${await chart.getAttribute('data-backfilled')} ${(await chart.getAttribute('data-backfill-error')) ?? ''}`;
    expect(Number(backfill.split('/')[0]), backfill).toBeGreaterThan(100);
    expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThan(100);
    await page.screenshot({ path: path.join(artifactsDir, 'ui-trends-machine-backfill.png') });
  }, 180_000);

  it('draws the alarm limits of the pens that have them, from the site file', async () => {
    // The tag table carries them: Pump101's vibration has hi 4.5 and hihi 7.1, its flow lo 80.
    expect(tagNamed('Demo/PumpStation/Pump101/VibrationRMS').alarmLimits).toEqual([
      { type: 'hi', limit: 4.5, priority: 'Medium' },
      { type: 'hihi', limit: 7.1, priority: 'High' },
    ]);
    await open(`${demo.app.url}/#/trends`);
    const chart = page.locator('.trend-chart');
    await chart.locator('canvas').first().waitFor({ state: 'visible' });
    const lines = await waitFor(
      'limit lines on the trend',
      async () => {
        const v = await chart.getAttribute('data-limit-lines');
        return v && v.split(';').length >= 4 ? v.split(';') : undefined;
      },
      20_000,
    );
    expect(lines).toEqual(
      expect.arrayContaining([
        'Demo/PumpStation/Pump101/Flow lo 80',
        'Demo/PumpStation/Pump101/VibrationRMS hi 4.5',
        'Demo/PumpStation/Pump101/VibrationRMS hihi 7.1',
        'Demo/PumpStation/Pump101/BearingTemp hi 75',
      ]),
    );
    await page.screenshot({ path: path.join(artifactsDir, 'ui-trends-limits.png') });
  }, 60_000);

  it('renders the zoom and pan icons as drawings, not as font glyphs that may be missing', async () => {
    await page.getByRole('button', { name: '◷ History' }).click();
    for (const name of ['Zoom in', 'Zoom out', 'Pan back in time', 'Pan forward in time']) {
      const button = page.getByRole('button', { name, exact: true });
      expect((await button.textContent())?.trim(), `${name}: no text glyph`).toBe('');
      const box = await button.locator('svg').boundingBox();
      expect(box?.width ?? 0, `${name}: icon width`).toBeGreaterThan(8);
      expect(box?.height ?? 0, `${name}: icon height`).toBeGreaterThan(8);
    }
  });

  it('exports from the historian the range the chart shows after zooming, and only that', async () => {
    const chart = page.locator('.trend-chart');
    const before = Number(await chart.getAttribute('data-from'));
    const beforeTo = Number(await chart.getAttribute('data-to'));
    // A quarter of the 5-minute window, then forward to its end (panning stops at now): the minute the plant has run.
    await page.getByRole('button', { name: 'Zoom in', exact: true }).click();
    await page.getByRole('button', { name: 'Zoom in', exact: true }).click();
    for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Pan forward in time', exact: true }).click();
    await expect
      .poll(async () => Number(await chart.getAttribute('data-to')) - Number(await chart.getAttribute('data-from')))
      .toBeLessThan((beforeTo - before) / 3);
    const from = Number(await chart.getAttribute('data-from'));
    const to = Number(await chart.getAttribute('data-to'));
    expect(from).toBeGreaterThan(before);
    await page.getByRole('button', { name: 'Export from historian…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export from the historian' });
    await dialog.getByRole('button', { name: 'Start export' }).click();
    const link = dialog.getByRole('link', { name: 'Download CSV' });
    await link.waitFor({ timeout: 20_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const lines = readFileSync(await download.path(), 'utf8')
      .trim()
      .split(/\r?\n/);
    expect(lines[0]).toBe('timestamp,tag,value,quality');
    const times = lines.slice(1).map((l) => Date.parse(l.split(',')[0] as string));
    expect(times.length).toBeGreaterThan(3);
    expect(times.every((t) => Number.isFinite(t))).toBe(true);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(from);
    expect(Math.max(...times)).toBeLessThanOrEqual(to);
    await dialog.getByRole('button', { name: 'Close' }).click();
  }, 60_000);

  it('shows, in history mode without a cursor, the stored value at the range end', async () => {
    const chart = page.locator('.trend-chart');
    await expect.poll(() => chart.getAttribute('data-mode')).toBe('history');
    // Back half a span: the range ends some seconds ago, where the historian has committed every sample.
    const end = Number(await chart.getAttribute('data-to'));
    await page.getByRole('button', { name: 'Pan back in time', exact: true }).click();
    await expect.poll(async () => Number(await chart.getAttribute('data-to'))).toBeLessThan(end);
    await page.mouse.move(0, 0);
    const to = Number(await chart.getAttribute('data-to'));
    expect(to).toBeGreaterThan(0);
    const pens = (await chart.getAttribute('data-pens'))?.split(',') ?? [];
    expect(pens.length).toBe(3);
    const stored = await demo.call<HistoryValueAt[]>('history.valueAt', { tags: pens, t: to, mode: 'previous' });
    const expected = pens.map((p) => shown(stored.find((s) => s.tag === p)?.value ?? null, tagNamed(p)));
    expect(expected.every((t) => t !== '—')).toBe(true);
    const cells = page.locator('table.readout tbody tr td:nth-child(3)');
    await expect.poll(() => cells.allTextContents(), { timeout: 15_000 }).toEqual(expected);
    // The header names the range's end, not "latest"; and it stays put while the plant moves on.
    expect(await page.locator('table.readout thead th').nth(2).textContent()).not.toContain('latest');
    await page.waitForTimeout(2500);
    expect(await cells.allTextContents()).toEqual(expected);
  }, 60_000);

  it('has no serious or critical accessibility violations, in either theme', async () => {
    // The page the tests before left on the Trends screen (history mode, a pen with limits).
    await page.locator('.trend-chart canvas').first().waitFor({ state: 'visible' });
    expect(await axeFindings(page, 'trends in history mode')).toEqual([]);
  }, 60_000);
});
