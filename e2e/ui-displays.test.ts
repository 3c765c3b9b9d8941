// The process display viewer in real headless Chromium against serve mode on the demo plant (the
// built bundle: `node scripts/build.mjs` first): the shipped pump station display opens, Pump101's
// live values change on it, its pump symbol states its state in words, Enter on the symbol opens its
// faceplate; axe finds nothing serious or critical on the display and the faceplate in both themes.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DisplayResults } from '../native/api/display-requests.js';
import { artifactsDir, axeFindings, chromiumAvailable, launchChromium, signInContext } from './browser.js';
import { type RunningConsole, startConsole, waitFor } from './harness.js';

let app: RunningConsole;
let browser: Browser;
let page: Page;

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

  it('opens the faceplate from the keyboard, writes the setpoint from it; axe finds nothing serious on the display and the faceplate in both themes', async () => {
    expect(await axeFindings(page, 'pump station display')).toEqual([]);
    await page.getByRole('button', { name: 'Pump101: running' }).focus();
    await page.keyboard.press('Enter');
    const faceplate = page.getByRole('complementary', { name: 'Faceplate Pump101' });
    await faceplate.waitFor({ timeout: 10_000 });
    await faceplate.getByRole('button', { name: 'Open the machine screen of Pump101' }).waitFor();
    await page.screenshot({ path: path.join(artifactsDir, 'ui-displays-faceplate.png') });
    expect(await axeFindings(page, 'pump station with the Pump101 faceplate')).toEqual([]);
    // The setpoint of the pump's command tag, written from the faceplate with confirmation and read back.
    await faceplate.getByLabel(/New value/).fill('65');
    await faceplate.getByRole('button', { name: /^Write/ }).click();
    await faceplate.getByRole('alertdialog', { name: 'Confirm setpoint write' }).getByRole('button', { name: 'Confirm write' }).click();
    await expect.poll(() => faceplate.locator('.write-ok').textContent(), { timeout: 15_000 }).toContain('read back 65');
    await faceplate.getByRole('button', { name: 'Open the machine screen of Pump101' }).click();
    await page.locator('h2', { hasText: 'Demo/PumpStation/Pump101' }).waitFor({ timeout: 10_000 });
  });
});

// A site of its own, pushed through POST /api/ingest, so that a trip and a Bad value are made on
// demand: the pump's symbol changes its fill and its word, the trip marker appears, a Bad value says
// BAD on itself; a broken display file is named with its file and line on the screen.
const SITE = `version: 1
site: { name: Disp }
connections:
  - { name: gateway, protocol: ingest }
areas:
  - name: Yard
    machines:
      - name: P1
        connection: gateway
        tags:
          - { name: Running, address: Running, type: bool }
          - { name: Tripped, address: Tripped, type: bool }
          - { name: Flow, address: Flow, unit: m³/h, range: [0, 100] }
`;
const YARD = JSON.stringify({
  id: 'yard',
  title: 'Yard',
  size: { w: 600, h: 300 },
  elements: [
    {
      id: 'p1',
      kind: 'pump',
      x: 100,
      y: 100,
      w: 60,
      h: 60,
      label: 'P1',
      bind: { state: 'Disp/Yard/P1/Running', alarm: 'Disp/Yard/P1/Tripped' },
    },
    {
      id: 'p1-trip',
      kind: 'alarm',
      x: 170,
      y: 80,
      w: 24,
      h: 24,
      label: 'P1 trip',
      bind: { alarm: 'Disp/Yard/P1/Tripped' },
      props: { priority: 'Critical' },
    },
    { id: 'p1-flow', kind: 'value', x: 250, y: 100, w: 90, h: 44, label: 'P1 flow', bind: { value: 'Disp/Yard/P1/Flow' } },
  ],
});

describe.skipIf(!chromiumAvailable && !process.env.CI)('a display follows a trip and a Bad value (pushed samples)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'aurum-ui-displays-'));
  let site: RunningConsole;
  let token: string;
  let p: Page;
  let own: Browser;
  const push = async (items: unknown[]) => {
    const r = await fetch(`${site.url}/api/ingest`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(items),
    });
    expect(r.status).toBe(202);
  };

  beforeAll(async () => {
    writeFileSync(path.join(dir, 'site.yaml'), SITE);
    mkdirSync(path.join(dir, 'displays'));
    writeFileSync(path.join(dir, 'displays', 'yard.json'), YARD);
    writeFileSync(path.join(dir, 'displays', 'broken.json'), '{\n  "id": "broken",\n  "title": "B"\n  "size": {}\n}\n');
    site = await startConsole({ script: 'bin/aurum.mjs', args: ['serve', '--config', path.join(dir, 'site.yaml')], timeoutMs: 60_000 });
    token = await site.signIn();
    own = await launchChromium();
    const context = await own.newContext({ viewport: { width: 1600, height: 900 } });
    await signInContext(context, site.url);
    p = await context.newPage();
  }, 120_000);

  afterAll(async () => {
    await own?.close();
    await site?.stop();
    if (site) rmSync(site.dataDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows running, then the trip by fill, word and marker, and Bad quality on the value', async () => {
    await p.goto(`${site.url}/#/displays`);
    await p.getByRole('group', { name: 'Display Yard' }).waitFor({ timeout: 30_000 });
    await expect
      .poll(() => p.getByRole('status').filter({ hasText: 'Display files refused' }).textContent(), { timeout: 10_000 })
      .toContain("displays/broken.json:4: not valid JSON: Expected ',' or '}' after property value");
    const pump = p.locator('g[data-id="p1"]');
    const marker = p.locator('g[data-id="p1-trip"]');
    const flow = p.locator('g[data-id="p1-flow"]');

    await push([
      { tag: 'Disp/Yard/P1/Running', value: true },
      { tag: 'Disp/Yard/P1/Tripped', value: false },
      { tag: 'Disp/Yard/P1/Flow', value: 42.5 },
    ]);
    await expect.poll(() => pump.getAttribute('aria-label'), { timeout: 15_000 }).toBe('P1: running');
    expect(await pump.locator('.s').textContent()).toBe('RUN');
    expect(await marker.getAttribute('data-active')).toBe('false');
    await expect.poll(() => flow.locator('.v').textContent(), { timeout: 15_000 }).toMatch(/^42\.50*$/);

    await push([{ tag: 'Disp/Yard/P1/Tripped', value: true }]);
    await expect.poll(() => pump.getAttribute('data-state'), { timeout: 15_000 }).toBe('tripped');
    expect(await pump.locator('.s').textContent()).toBe('TRIP');
    expect(await pump.getAttribute('aria-label')).toBe('P1: tripped');
    expect(await marker.getAttribute('data-active')).toBe('true');
    expect(await marker.getAttribute('aria-label')).toBe('P1 trip: active');
    expect(await marker.isVisible()).toBe(true);

    // Beyond the tag's range: the box says so in a word as well as by its outline.
    await push([{ tag: 'Disp/Yard/P1/Flow', value: 140 }]);
    await expect.poll(() => flow.getAttribute('data-limit'), { timeout: 15_000 }).toBe('high');
    expect(await flow.locator('.lim').textContent()).toBe('▲ HI');
    expect(await flow.getAttribute('aria-label')).toMatch(/^P1 flow: 140(\.0*)? m³\/h, above its range$/);

    await push([{ tag: 'Disp/Yard/P1/Flow', value: 40, quality: 'Bad' }]);
    await expect.poll(() => flow.getAttribute('data-quality'), { timeout: 15_000 }).toBe('Bad');
    expect(await flow.locator('.q').textContent()).toBe('BAD');
    expect(await flow.locator('.lim').textContent()).toBe('');
    expect(await flow.getAttribute('aria-label')).toMatch(/^P1 flow: 40(\.0*)? m³\/h, Bad$/);
    expect(await axeFindings(p, 'yard display with a trip and a Bad value')).toEqual([]);
  });
});
