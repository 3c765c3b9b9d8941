// The display editor in real headless Chromium against serve mode on the demo plant (the built
// bundle: `node scripts/build.mjs` first): an engineer creates a display, drags and places three
// symbols, connects two with a line, binds them through the tag picker (a machine picked, its tags
// searched), saves it (a configuration version with the comment), reloads the page and sees the
// display live on the Displays screen; opens it in the editor from there (an address a reload
// keeps); imports an SVG (a hostile one too: its script and handler are
// removed, never run) and binds one of its elements by id, saves, and sees that element live; rolls
// the display back to the previous version from the Configuration screen's history; axe finds
// nothing serious or critical on the editor in both themes. Every wait is bounded.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DisplayResults } from '../native/api/display-requests.js';
import { artifactsDir, axeFindings, chromiumAvailable, launchChromium, signInContext } from './browser.js';
import { type RunningConsole, scripted, startConsole, waitFor } from './harness.js';

let app: RunningConsole;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const tmp = mkdtempSync(path.join(tmpdir(), 'aurum-e2e-svg-'));

const PUMP = 'Demo/PumpStation/Pump101';
const HOSTILE_SVG = `<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 100" onload="window.__pwned = 1">
  <script>window.__pwned = 2</script>
  <rect id="tank-body" x="10" y="10" width="60" height="80" style="fill:#cccccc;stroke:#333333" onclick="window.__pwned = 3"/>
  <text id="tank-flow" x="90" y="50" style="font-size:14px"><tspan x="90" y="50">flow</tspan></text>
  <image href="https://example.invalid/track.png" width="1" height="1"/>
</svg>
`;

const editor = () => page.getByRole('region', { name: /^Display editor/ });
const canvas = () => page.getByRole('group', { name: /^Canvas of / });
const status = () => page.locator('.display-editor [role="status"]');

/** Open the console at an address: the app reads its hash when it starts, so a change of hash alone is followed by a reload. */
async function openAt(hash: string): Promise<void> {
  await page.goto(`${app.url}/${hash}`);
  await page.reload();
}

async function selectElement(id: string): Promise<void> {
  await page
    .getByRole('list', { name: 'Elements, in drawing order' })
    .getByRole('button', { name: new RegExp(`^${id} `) })
    .click();
  await page.locator('.editor-props legend', { hasText: `${id}:` }).waitFor({ timeout: 5_000 });
}

/** Bind one of the selected element's tags: pick the machine, search its tags, press the match. */
async function bind(which: string, machine: string, search: string, tag: string): Promise<void> {
  const picker = page.locator('.editor-props .tag-picker', { has: page.locator('legend', { hasText: new RegExp(`^${which}$`) }) });
  await picker.getByLabel('Machine').selectOption(machine);
  await picker.getByLabel('Search tags').fill(search);
  await picker.getByRole('button', { name: `Bind ${which} to ${tag}` }).click();
  await picker.locator('code', { hasText: tag }).waitFor({ timeout: 5_000 });
}

async function save(comment: string): Promise<number> {
  await editor().getByLabel('Comment').fill(comment);
  await editor().getByRole('button', { name: 'Save as a new version' }).click();
  const text = await waitFor(
    `the save "${comment}" to be answered`,
    async () => {
      const t = (await status().textContent()) ?? '';
      const alert = await page.locator('.display-editor [role="alert"]').count();
      if (alert > 0) throw new Error(`save refused: ${await page.locator('.display-editor [role="alert"]').textContent()}`);
      return /^Saved as configuration version \d+/.test(t) ? t : undefined;
    },
    15_000,
  );
  return Number(/version (\d+)/.exec(text)?.[1]);
}

describe.skipIf(!chromiumAvailable && !process.env.CI)('the display editor in Chromium on the demo plant', () => {
  beforeAll(async () => {
    [app, browser] = await Promise.all([startConsole({ script: 'bin/aurum.mjs', args: ['serve'], timeoutMs: 60_000 }), launchChromium()]);
    context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    await signInContext(context, app.url);
    page = await context.newPage();
    page.on('dialog', (d) => void d.dismiss());
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (app) rmSync(app.dataDir, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  });

  let firstSave = 0;

  it('creates a display with three symbols (dragged and placed), a connector, binds them with the tag picker and saves a version', async () => {
    await page.goto(`${app.url}/#/display-editor`);
    await editor().waitFor({ timeout: 30_000 });
    await editor().getByLabel('Id', { exact: true }).fill('e2e-hall');
    await editor().getByLabel('Title', { exact: true }).fill('E2E hall');
    await editor().getByRole('button', { name: 'New display' }).click();
    await canvas().waitFor({ timeout: 10_000 });

    // Drag from the palette onto the canvas (HTML5 drag and drop), then place two more by pressing.
    await page.getByRole('button', { name: 'Place Pump' }).dragTo(canvas(), { targetPosition: { x: 200, y: 200 } });
    await page.getByRole('button', { name: 'Place Value box' }).click();
    await page.getByRole('button', { name: 'Place Value box' }).click();
    const ids = () => page.getByRole('list', { name: 'Elements, in drawing order' }).getByRole('button').allTextContents();
    await expect.poll(ids, { timeout: 5_000 }).toEqual(['pump1 Pump', 'value1 Value box', 'value2 Value box']);

    // Two selected (the second with Shift) are connected by a line that follows them.
    await selectElement('pump1');
    await page
      .getByRole('list', { name: 'Elements, in drawing order' })
      .getByRole('button', { name: /^value1 / })
      .click({ modifiers: ['Shift'] });
    await page.getByRole('button', { name: 'Connect with a line' }).click();
    await expect.poll(ids, { timeout: 5_000 }).toContain('line1 Line / pipe');

    await selectElement('pump1');
    await bind('state', PUMP, 'Running', `${PUMP}/Running`);
    await selectElement('value1');
    await bind('value', PUMP, 'Flow', `${PUMP}/Flow`);
    await selectElement('value2');
    await bind('value', 'Demo/PumpStation/Header', 'Pressure', 'Demo/PumpStation/Header/Pressure');
    await selectElement('line1');
    await bind('value', PUMP, 'Flow', `${PUMP}/Flow`);

    // Resize from the corner square: the width grows onto the grid.
    await selectElement('value2');
    const corner = await page.locator('.editor-handle').boundingBox();
    if (!corner) throw new Error('no resize handle');
    await page.mouse.move(corner.x + corner.width / 2, corner.y + corner.height / 2);
    await page.mouse.down();
    await page.mouse.move(corner.x + 80, corner.y + 30, { steps: 4 });
    await page.mouse.up();
    await expect
      .poll(async () => Number(await page.locator('.editor-props').getByLabel('Width').inputValue()), { timeout: 5_000 })
      .toBeGreaterThan(90);

    // A rubber band from an empty corner of the canvas over everything selects every element.
    const box = await canvas().boundingBox();
    if (!box) throw new Error('no canvas');
    await page.mouse.move(box.x + 2, box.y + 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width - 2, box.y + box.height - 2, { steps: 4 });
    await page.mouse.up();
    await expect
      .poll(() => page.getByRole('list', { name: 'Elements, in drawing order' }).locator('button[aria-pressed="true"]').count(), {
        timeout: 5_000,
      })
      .toBe(4);

    // Undo and redo around a move: the step is kept once.
    await selectElement('value2');
    await canvas().focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+Shift+z');

    firstSave = await save('E2E: pump, flow and header pressure');
    expect(firstSave).toBeGreaterThan(1);
  }, 120_000);

  it('after a reload the saved display is shown live on the Displays screen', async () => {
    await openAt('#/displays/e2e-hall');
    await page.getByRole('group', { name: 'Display E2E hall' }).waitFor({ timeout: 30_000 });
    const flow = page.locator('g[data-id="value1"] .v');
    const first = await waitFor(
      'a value for Pump101 flow',
      async () => {
        const t = (await flow.textContent()) ?? '—';
        return t !== '—' ? t : undefined;
      },
      20_000,
    );
    await waitFor('Pump101 flow to change', async () => ((await flow.textContent()) !== first ? true : undefined), 30_000);
    await expect
      .poll(() => page.locator('g[data-id="pump1"]').getAttribute('aria-label'), { timeout: 10_000 })
      .toMatch(/^pump1: (running|stopped)/);
    await expect.poll(() => page.locator('g[data-id="value2"] .v').textContent(), { timeout: 10_000 }).not.toBe('—');
  }, 120_000);

  it('opens the display in the editor from the Displays screen, at an address a reload keeps', async () => {
    await page.getByRole('button', { name: 'Edit display' }).click();
    await canvas().waitFor({ timeout: 10_000 });
    expect(new URL(page.url()).hash).toBe('#/display-editor/e2e-hall');
    await page.reload();
    await page.getByRole('group', { name: /^Canvas of E2E hall/ }).waitFor({ timeout: 30_000 });
  }, 120_000);

  it('imports an SVG (its script, handler and external image removed, never run), binds an element by id and sees it live', async () => {
    await canvas().waitFor({ timeout: 10_000 });
    const file = path.join(tmp, 'tank.svg');
    writeFileSync(file, HOSTILE_SVG);
    await editor()
      .getByLabel(/Import SVG drawing/)
      .setInputFiles(file);
    await expect
      .poll(() => status().textContent(), { timeout: 15_000 })
      .toMatch(/^Imported tank\.svg: 2 elements with an id to bind\. Removed: script element/);
    expect(await status().textContent()).toMatch(/event handler attribute \(onclick\)/);
    await selectElement('drawing1');
    await page.getByRole('button', { name: 'Bind drawing element tank-flow' }).click();
    await page.locator('.editor-props legend', { hasText: 'part1:' }).waitFor({ timeout: 5_000 });
    await bind('value', PUMP, 'Flow', `${PUMP}/Flow`);
    await save('E2E: tank drawing, its flow text bound');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('.editor-canvas script, .editor-canvas image, .editor-canvas [onclick]').count()).toBe(0);

    await openAt('#/displays/e2e-hall');
    await page.getByRole('group', { name: 'Display E2E hall' }).waitFor({ timeout: 30_000 });
    const bound = page.locator('g[data-id="drawing1"] [id="tank-flow"] tspan');
    await waitFor(
      'the drawing element to show the flow',
      async () => (/\d/.test((await bound.textContent()) ?? '') ? true : undefined),
      20_000,
    );
    expect(await bound.textContent()).toMatch(/m³\/h/);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  }, 120_000);

  it('rolls the display back to the previous version from the Configuration history', async () => {
    await openAt('#/configuration');
    const history = page.getByRole('region', { name: 'History' });
    await history.waitFor({ timeout: 30_000 });
    await history.getByRole('button', { name: `Roll back to version ${firstSave}` }).click();
    await page
      .getByRole('alertdialog')
      .getByRole('button', { name: `Roll back to version ${firstSave}` })
      .click();
    await page.getByText(/is in force \(a rollback by admin/).waitFor({ timeout: 20_000 });
    await expect
      .poll(() => page.locator('.config-applied li').allTextContents(), { timeout: 5_000 })
      .toContainEqual(expect.stringMatching(/^displays: applied — wrote e2e-hall/));
    const token = await app.signIn();
    const r = await fetch(`${app.url}/api/displays/e2e-hall`, { headers: { Authorization: `Bearer ${token}` } });
    const body = (await r.json()) as { data?: DisplayResults['displays.get'] } & DisplayResults['displays.get'];
    const got = body.data ?? body;
    expect(got.display.elements.map((e) => e.id)).toEqual(['pump1', 'value1', 'value2', 'line1']);
  }, 120_000);

  it('is not offered to an operator, and the core refuses an operator its requests', async () => {
    const password = 'e2e-Operator-Pass-2026';
    await scripted(app, await app.signIn()).createUsers({ olga: 'operator' }, password);
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await signInContext(ctx, app.url, 'olga', password);
    const op = await ctx.newPage();
    await op.goto(`${app.url}/#/display-editor`);
    const nav = op.getByRole('navigation', { name: 'Screens' });
    await nav.getByRole('button', { name: 'Displays', exact: true }).waitFor({ timeout: 30_000 });
    expect(await nav.getByRole('button', { name: 'Display editor', exact: true }).count()).toBe(0);
    expect(await op.getByRole('region', { name: /^Display editor/ }).count()).toBe(0);
    const login = await fetch(`${app.url}/api/login`, { method: 'POST', body: JSON.stringify({ user: 'olga', password }) });
    const token = ((await login.json()) as { token: string }).token;
    const olga = scripted(app, token);
    const save = await olga.api('/api/displays', { method: 'POST', body: JSON.stringify({ display: { id: 'x' }, comment: 'x' }) });
    expect(save.status).toBe(403);
    const svg = await olga.api('/api/displays/import-svg', { method: 'POST', body: JSON.stringify({ svg: '<svg/>' }) });
    expect(svg.status).toBe(403);
    await ctx.close();
  }, 120_000);

  it('axe finds nothing serious or critical on the editor, in both themes', async () => {
    await openAt('#/display-editor');
    await editor().getByLabel('Open display').selectOption('e2e-hall');
    await canvas().waitFor({ timeout: 10_000 });
    await selectElement('value1');
    await page.screenshot({ path: path.join(artifactsDir, 'display-editor.png') });
    expect(await axeFindings(page, 'display editor')).toEqual([]);
  }, 120_000);
});
