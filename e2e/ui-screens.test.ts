// Every screen of the console, in real headless Chromium against serve mode on the demo plant
// (issue 16: any workstation size, one number and date format, accessible in both themes):
//   - no horizontal overflow at 1280×720, 1920×1080, 2560×1440 and 3840×2160: the document is as
//     wide as the viewport and every control of the top bar (Sign out, the theme and density
//     switches) is inside it;
//   - values at least 20 px at 1920×1080, larger with the "distance" density, which is kept after a
//     reload; the overview shows each machine's key tags and its health;
//   - the text of every screen (inputs included) has no NaN, no value with more decimals than its
//     tag's, and every date and time in the one format (2026-12-01 17:05:09);
//   - axe: no serious or critical violation on any screen, in the dark and the light theme.
// One console and one browser for the file; the screens are visited from the navigation bar, so a
// screen added to the table is covered without touching this file.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TagInfo } from '../native/api/types.js';
import { artifactsDir, chromiumAvailable, launchChromium, signInContext } from './browser.js';
import { type RunningConsole, startConsole, waitFor } from './harness.js';
import { openScreen, screenLabels, waitForLiveValues } from './screens.js';

let app: RunningConsole;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let tags: TagInfo[];

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-');

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(artifactsDir, `ui-screens-${name}.png`) });
}

/** The document's width against the viewport's, and the top-bar controls that do not fit in it. */
async function overflow(): Promise<{ documentWidth: number; viewportWidth: number; outside: string[] }> {
  return page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const outside = [...document.querySelectorAll('.topbar button, .topbar [role="status"]')]
      .filter((el) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && (r.right > vw + 0.5 || r.left < -0.5);
      })
      .map((el) => `${el.textContent?.trim()} (right edge ${Math.round(el.getBoundingClientRect().right)} px)`);
    return { documentWidth: document.documentElement.scrollWidth, viewportWidth: vw, outside };
  });
}

/** What a screen says, as a person reads it: its text and the values of its fields. */
async function screenText(): Promise<string> {
  return page.evaluate(() => {
    const fields = [...document.querySelectorAll('input, textarea')]
      .filter((el) => !(el instanceof HTMLInputElement) || ['text', 'search', 'number', ''].includes(el.type))
      .map((el) => (el as HTMLInputElement).value);
    return `${document.body.innerText}\n${fields.join('\n')}`;
  });
}

/** Numbers as a screen writes values: 1,234.5 or -0.25, not part of a name, an address or a version. */
const NUMBER = /(?<![\w.,:/-])-?\d{1,3}(?:,\d{3})*(?:\.\d+)?(?![\w.:/]|,\d)|(?<![\w.,:/-])-?\d+(?:\.\d+)?(?![\w.:/]|,\d)/g;
const decimalsOf = (n: string) => (n.includes('.') ? (n.split('.')[1]?.length ?? 0) : 0);

/**
 * Problems with the numbers in `text`: NaN or Infinity, and a value written with more decimals
 * than its tag's — for a number followed by a unit, the most any tag with that unit has; for any
 * other number, the most any tag has (17 significant digits are never right).
 */
function numberProblems(text: string): string[] {
  const problems: string[] = [];
  for (const m of text.matchAll(/\b(NaN|Infinity|undefined|\[object Object\])\b/g))
    problems.push(`"${m[0]}" in "${around(text, m.index)}"`);
  const most = Math.max(...tags.map((t) => t.decimals ?? 0));
  const byUnit = new Map<string, number>();
  for (const t of tags) if (t.unit && t.decimals !== undefined) byUnit.set(t.unit, Math.max(byUnit.get(t.unit) ?? 0, t.decimals));
  const units = [...byUnit.keys()].sort((a, b) => b.length - a.length);
  for (const m of text.matchAll(NUMBER)) {
    const after = text.slice(m.index + m[0].length).replace(/^ /, '');
    const unit = units.find((u) => after.startsWith(u) && !/^[\p{L}\d]/u.test(after.slice(u.length)));
    const allowed = unit !== undefined ? (byUnit.get(unit) ?? most) : most;
    if (decimalsOf(m[0]) > allowed)
      problems.push(`${m[0]}${unit ? ` ${unit}` : ''} has ${decimalsOf(m[0])} decimals (at most ${allowed}) in "${around(text, m.index)}"`);
  }
  return problems;
}

/** Date and time writings other than the console's one format (2026-12-01 17:05:09). */
const OTHER_DATES: [string, RegExp][] = [
  ['a date with slashes', /\b\d{1,2}\/\d{1,2}\/\d{2,4}\b/g],
  ['a 12-hour time', /\b\d{1,2}:\d{2}(?::\d{2})?\s?(?:AM|PM|am|pm)\b/g],
  ['an ISO timestamp with T', /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/g],
  [
    'a month name with a day',
    /\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{1,2}\b|\b\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{4}\b/g,
  ],
  ['a time zone name', /\b\d{2}:\d{2}(?::\d{2})? ?(?:GMT|UTC[+-]|CET|CEST)\b/g],
  ['a date with a comma before its time', /\b\d{4}-\d{2}-\d{2}, \d{1,2}:\d{2}/g],
];

function dateProblems(text: string): string[] {
  const problems: string[] = [];
  for (const [what, re] of OTHER_DATES) for (const m of text.matchAll(re)) problems.push(`${what} "${m[0]}" in "${around(text, m.index)}"`);
  return problems;
}

const around = (text: string, at: number) => text.slice(Math.max(0, at - 40), at + 40).replaceAll('\n', ' ⏎ ');

async function setViewport(width: number, height: number): Promise<void> {
  await page.setViewportSize({ width, height });
  // Wait for the layout to follow the new size (the observers of charts and sparklines included).
  await waitFor('the new viewport', async () => ((await page.evaluate(() => window.innerWidth)) === width ? true : undefined), 5_000, 50);
}

describe.skipIf(!chromiumAvailable && !process.env.CI)('every screen in Chromium: size, numbers, dates, accessibility', () => {
  let labels: string[] = [];

  beforeAll(async () => {
    [app, browser] = await Promise.all([startConsole({ script: 'bin/aurum.mjs', args: ['serve'], timeoutMs: 40_000 }), launchChromium()]);
    const token = await app.signIn();
    tags = (
      (await (await fetch(`${app.url}/api/tags/meta`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { tags: TagInfo[] }
    ).tags;
    // Slow Pump101 below its low-flow limit: an alarm with a value and a limit is on the screens.
    const slowed = await fetch(`${app.url}/api/tags/write`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      body: JSON.stringify({ tag: 'Demo/PumpStation/Pump101/SpeedSetpoint', value: 40, confirmed: true }),
    });
    expect(slowed.ok).toBe(true);
    context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    await signInContext(context, app.url);
    page = await context.newPage();
    await page.goto(app.url);
    await waitForLiveValues(page);
    labels = await screenLabels(page);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (app) rmSync(app.dataDir, { recursive: true, force: true });
  });

  it('the scan finds what the issue quotes', () => {
    expect(numberProblems('value/limit 29.226919174194336 m³/h')).toHaveLength(1);
    expect(numberProblems('Flow low: NaN m³/h')).toHaveLength(1);
    expect(numberProblems('Flow 117.2 m³/h, 3.157 bar, 1,301 rpm, version 0.1.0, opc.tcp://127.0.0.1:4840')).toEqual([]);
    expect(numberProblems('Pressure 3.1572 bar')).toHaveLength(1);
    expect(dateProblems('from 12/01/2026 to 01/12/2026')).toHaveLength(2);
    expect(dateProblems('12/1/2026, 12:09:03 PM')).toHaveLength(2);
    expect(dateProblems('2026-12-01T17:05:09.000Z')).toHaveLength(1);
    expect(dateProblems('since 2026-12-01 17:05:09, at 17:05:09')).toEqual([]);
  });

  it('every tag of the demo plant carries its decimals, and the overview shows key tags and health', async () => {
    for (const t of tags) {
      if (t.dataType === 'bool' || t.dataType === 'string') expect(t.decimals, t.name).toBeUndefined();
      else expect(t.decimals, t.name).toBeGreaterThanOrEqual(0);
    }
    expect(labels.length).toBeGreaterThanOrEqual(10);
    const pump = page.getByRole('region', { name: 'Machine Pump101' });
    for (const key of ['VibrationRMS', 'BearingTemp'])
      await expect.poll(() => pump.locator(`[data-tag="Demo/PumpStation/Pump101/${key}"]`).count()).toBe(1);
    await expect.poll(() => pump.locator('.health-row th').textContent()).toBe('Health');
  });

  it.each([
    [1280, 720],
    [1920, 1080],
    [2560, 1440],
    [3840, 2160],
  ])(
    'has no horizontal overflow on any screen at %i×%i',
    async (width, height) => {
      await setViewport(width, height);
      const found: string[] = [];
      for (const label of labels) {
        await openScreen(page, label, 3_000);
        const o = await overflow();
        if (o.documentWidth !== o.viewportWidth)
          found.push(`${label}: document ${o.documentWidth} px wide in a ${o.viewportWidth} px viewport`);
        for (const el of o.outside) found.push(`${label}: ${el} is outside the viewport`);
        if (o.documentWidth !== o.viewportWidth || o.outside.length > 0) await shot(`overflow-${width}-${slug(label)}`);
      }
      expect(found).toEqual([]);
    },
    120_000,
  );

  it('shows values at least 20 px at 1920×1080, larger in the distance density, which the workstation keeps', async () => {
    await setViewport(1920, 1080);
    await openScreen(page, 'Overview', 2_000);
    const sizes = () =>
      page.locator('.live-value .num').evaluateAll((els) => els.map((el) => Number.parseFloat(getComputedStyle(el).fontSize)));
    const normal = await sizes();
    expect(normal.length).toBeGreaterThan(10);
    expect(Math.min(...normal)).toBeGreaterThanOrEqual(20);
    await page.getByRole('button', { name: 'Aa Distance' }).click();
    await expect.poll(async () => Math.min(...(await sizes()))).toBeGreaterThan(Math.max(...normal));
    await page.reload();
    await waitForLiveValues(page);
    expect(await page.getByRole('button', { name: 'Aa Distance' }).getAttribute('aria-pressed')).toBe('true');
    expect(Math.min(...(await sizes()))).toBeGreaterThan(Math.max(...normal));
    await shot('distance');
    await page.getByRole('button', { name: 'Aa Distance' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Aa Distance' }).getAttribute('aria-pressed')).toBe('false');
  }, 60_000);

  it('draws sparklines sized to their cell at the screen’s pixel ratio', async () => {
    await openScreen(page, 'Machine', 2_000);
    // The canvas follows its box once laid out (a ResizeObserver): wait for that, bounded.
    const boxes = () =>
      page
        .locator('canvas.sparkline')
        .evaluateAll((els) => els.map((el) => ({ w: el.clientWidth, h: el.clientHeight, pw: (el as HTMLCanvasElement).width })));
    await expect.poll(async () => (await boxes()).filter((b) => b.pw !== b.w).length, { timeout: 10_000 }).toBe(0);
    const sized = await boxes();
    expect(sized.length).toBeGreaterThan(5);
    for (const b of sized) {
      expect(b.w).toBeGreaterThanOrEqual(120);
      expect(b.h).toBeGreaterThanOrEqual(32);
    }
  });

  it('writes no NaN, no value with more decimals than its tag’s and every date in one format, on any screen', async () => {
    await setViewport(1920, 1080);
    const found: string[] = [];
    for (const label of labels) {
      await openScreen(page, label);
      const text = await screenText();
      for (const p of [...numberProblems(text), ...dateProblems(text)]) found.push(`${label}: ${p}`);
    }
    // The one format is there to be found: the alarm list and the machine log write full dates.
    await openScreen(page, 'Alarms');
    await expect.poll(() => screenText(), { timeout: 30_000 }).toMatch(/\b\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\b/);
    expect(found).toEqual([]);
  }, 180_000);

  it('takes dates in the same format it writes them, and says what it expects otherwise', async () => {
    await openScreen(page, 'Alarm history', 2_000);
    const from = page.getByLabel('From', { exact: true });
    expect(await from.inputValue()).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(await from.getAttribute('type')).toBe('text');
    await from.fill('12/01/2026');
    await expect
      .poll(() => page.getByRole('alert').filter({ hasText: 'is not a date and time' }).textContent())
      .toMatch(/YYYY-MM-DD HH:mm:ss/);
    expect(await from.getAttribute('aria-invalid')).toBe('true');
    await from.fill('2026-12-01 00:00:00');
    await expect.poll(() => from.getAttribute('aria-invalid')).toBe('false');
  });

  it.each(['dark', 'light'])(
    'has no serious or critical accessibility violation on any screen in the %s theme',
    async (theme) => {
      await setViewport(1280, 720);
      if ((await page.locator('html').getAttribute('data-theme')) !== theme) await page.locator('.theme-toggle').click();
      await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe(theme);
      const found: string[] = [];
      for (const label of labels) {
        await openScreen(page, label, 3_000);
        const result = await new AxeBuilder({ page }).analyze();
        for (const v of result.violations)
          if (v.impact === 'serious' || v.impact === 'critical')
            found.push(`${label}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      }
      if (found.length > 0) await shot(`axe-${theme}`);
      expect(found).toEqual([]);
    },
    180_000,
  );
});
