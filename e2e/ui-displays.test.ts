// The process display viewer in real headless Chromium against serve mode on the demo plant (the
// built bundle: `node scripts/build.mjs` first): the shipped displays open by their address, Pump101's
// live values change on the pump station, its pump symbol states its state in words; from the
// keyboard alone the overview leads to the pump station and Enter on Pump101 opens its faceplate
// (key values, commands, setpoint written with confirmation and read back, alarms, trend); a display
// opens in a second window; axe finds nothing serious or critical on the displays and the faceplate
// in both themes. Further down: a trip made on demand (Pump101 pushed through ingest on a copy of the
// demo site) changes the symbol and raises its markers in one frame, and the faceplate acknowledges it.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DisplayResults } from '../native/api/display-requests.js';
import { DEMO_SITE_FILE } from '../native/site/files.js';
import { artifactsDir, axeFindings, chromiumAvailable, launchChromium, signInContext } from './browser.js';
import { type RunningConsole, scripted, startConsole, waitFor } from './harness.js';

let app: RunningConsole;
let browser: Browser;
let context: BrowserContext;
let page: Page;

const valueText = (id: string) => page.locator(`g[data-id="${id}"] .v`).textContent();

/** Press Tab until the focused element's accessible name is `name` (at most `max` presses). */
async function tabTo(p: Page, name: string, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    await p.keyboard.press('Tab');
    const focused = await p.evaluate(() => {
      const a = document.activeElement;
      return a?.getAttribute('aria-label') ?? a?.textContent?.trim() ?? '';
    });
    if (focused === name) return;
  }
  throw new Error(`"${name}" was not reached in ${max} presses of Tab`);
}

describe.skipIf(!chromiumAvailable && !process.env.CI)('process displays in Chromium on the demo plant', () => {
  beforeAll(async () => {
    [app, browser] = await Promise.all([startConsole({ script: 'bin/aurum.mjs', args: ['serve'], timeoutMs: 60_000 }), launchChromium()]);
    context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    await signInContext(context, app.url);
    page = await context.newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (app) rmSync(app.dataDir, { recursive: true, force: true });
  });

  it('serves the shipped displays and display templates over HTTP', async () => {
    const token = await app.signIn();
    const r = await fetch(`${app.url}/api/displays`, { headers: { Authorization: `Bearer ${token}` } });
    expect(r.status).toBe(200);
    const body = (await r.json()) as { data?: DisplayResults['displays.list'] } & DisplayResults['displays.list'];
    const list = body.data ?? body;
    expect(list.displays.map((d) => d.id)).toEqual(['production', 'pump-station', 'site-overview', 'utilities']);
    expect(list.templates.map((t) => t.id)).toEqual(['boiler', 'centrifugal-pump', 'compressor', 'machine']);
    expect(list.problems).toEqual([]);
    const g = await fetch(`${app.url}/api/displays/pump-station`, { headers: { Authorization: `Bearer ${token}` } });
    const gotBody = (await g.json()) as { data?: DisplayResults['displays.get'] } & DisplayResults['displays.get'];
    const got = gotBody.data ?? gotBody;
    expect(got?.problems).toEqual([]);
    expect(got?.unknownTags).toEqual([]);
    expect(got?.faceplates['Demo/PumpStation/Pump101']?.template).toBe('centrifugal-pump');
  });

  it("opens the pump station by its address and shows Pump101's live values changing, its state in words", async () => {
    await page.goto(`${app.url}/#/displays/pump-station`);
    await page.getByRole('group', { name: 'Display Pump station' }).waitFor({ timeout: 30_000 });
    // Breadcrumbs up the parent chain: the site overview, then this display.
    await expect
      .poll(() => page.getByRole('navigation', { name: 'Breadcrumbs' }).locator('li').allTextContents(), { timeout: 10_000 })
      .toEqual(['Site overview', 'Pump station']);
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
    const pump = page.locator('g[data-id="pump101-pump"]');
    await expect.poll(() => pump.getAttribute('data-state'), { timeout: 20_000 }).toBe('running');
    expect(await pump.getAttribute('aria-label')).toBe('Pump101: running');
    expect(await pump.locator('.s').textContent()).toBe('RUN');
    // Not tripped: the trip marker is absent.
    expect(await page.locator('g[data-id="pump101-alarm"]').getAttribute('data-active')).toBe('false');
    // The header outlet shows its flow's direction; the analog indicator and the sparkline follow Pump101.
    await expect.poll(() => page.locator('g[data-id="header-out"]').getAttribute('data-flow'), { timeout: 20_000 }).toBe('forward');
    await expect
      .poll(() => page.locator('g[data-id="pump101-vibration"]').getAttribute('aria-label'), { timeout: 20_000 })
      .toMatch(/^Pump101 Vibration: [\d.,]+ mm\/s/);
    await expect.poll(() => page.locator('g[data-id="pump101-flow-trend"] .spark').getAttribute('d'), { timeout: 20_000 }).toMatch(/^M/);
    expect(await axeFindings(page, 'pump station display')).toEqual([]);
  }, 180_000);

  it('from the keyboard: overview → area → faceplate; the faceplate writes the setpoint with confirmation and reads it back; axe on it in both themes', async () => {
    await page.goto(`${app.url}/#/displays/site-overview`);
    await page.getByRole('group', { name: 'Display Site overview' }).waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('g[data-id="ps-p101"]').getAttribute('data-state'), { timeout: 20_000 }).toBe('running');
    expect(await axeFindings(page, 'site overview display')).toEqual([]);
    await tabTo(page, 'Open the pump station display');
    await page.keyboard.press('Enter');
    await page.getByRole('group', { name: 'Display Pump station' }).waitFor({ timeout: 30_000 });
    expect(page.url()).toMatch(/#\/displays\/pump-station$/);
    // The new display's heading has the focus: Tab continues into its symbols.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Pump station');
    await tabTo(page, 'Pump101: running');
    await page.keyboard.press('Enter');
    const faceplate = page.getByRole('complementary', { name: 'Faceplate Pump101' });
    await faceplate.waitFor({ timeout: 10_000 });
    // Its parts: state and mode, key values, the typed commands (Stop / Start) and the setpoint, alarms, trend, the machine screen.
    await expect.poll(() => faceplate.locator('.faceplate-state').textContent(), { timeout: 10_000 }).toMatch(/State.*Running.*Mode/);
    expect(await faceplate.getByRole('region', { name: 'Key values of Pump101' }).locator('dt').allTextContents()).toEqual([
      'Discharge flow',
      'Discharge pressure',
      'Suction pressure',
      'Motor speed',
      'Motor active power',
      'Motor current',
      'Drive-end bearing temperature',
      'Bearing vibration velocity RMS (ISO 10816)',
    ]);
    await faceplate.getByRole('button', { name: 'Stop' }).waitFor();
    await faceplate.getByRole('button', { name: 'Start' }).waitFor();
    await faceplate.getByRole('region', { name: 'Alarms of Pump101' }).waitFor();
    await faceplate.getByRole('button', { name: 'Open the machine screen of Pump101' }).waitFor();
    await faceplate.locator('.uplot').first().waitFor({ timeout: 10_000 });
    await page.screenshot({ path: path.join(artifactsDir, 'ui-displays-faceplate.png') });
    expect(await axeFindings(page, 'pump station with the Pump101 faceplate')).toEqual([]);
    // The setpoint of the pump's command tag, written from the faceplate with confirmation and read back.
    await faceplate.getByLabel(/New value/).fill('65');
    await faceplate.getByRole('button', { name: /^Write/ }).click();
    await faceplate.getByRole('alertdialog', { name: 'Confirm setpoint write' }).getByRole('button', { name: 'Confirm write' }).click();
    await expect.poll(() => faceplate.locator('.write-ok').textContent(), { timeout: 15_000 }).toContain('read back 65');
    // Escape closes it and gives the focus back to the pump; Alt+↑ goes up to the overview.
    await faceplate.getByRole('heading', { name: 'Pump101' }).focus();
    await page.keyboard.press('Escape');
    await faceplate.waitFor({ state: 'detached', timeout: 10_000 });
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-id')), { timeout: 5_000 }).toBe('pump101-pump');
    await page.keyboard.press('Alt+ArrowUp');
    await page.getByRole('group', { name: 'Display Site overview' }).waitFor({ timeout: 30_000 });
  }, 180_000);

  it('opens a display in a new window on its address; the link of a machine opens its machine screen; the production display', async () => {
    await page.goto(`${app.url}/#/displays/utilities`);
    await page.getByRole('group', { name: 'Display Utilities' }).waitFor({ timeout: 30_000 });
    const [second] = await Promise.all([context.waitForEvent('page'), page.getByRole('button', { name: '↗ New window' }).click()]);
    await second.waitForLoadState();
    expect(second.url()).toMatch(/#\/displays\/utilities$/);
    await second.getByRole('group', { name: 'Display Utilities' }).waitFor({ timeout: 30_000 });
    await expect
      .poll(() => second.locator('g[data-id="compressor"]').getAttribute('aria-label'), { timeout: 20_000 })
      .toMatch(/^Compressor1: (running|stopped)$/);
    await second.close();
    expect(await axeFindings(page, 'utilities display')).toEqual([]);
    await page.getByRole('button', { name: 'Compressor1 machine' }).click();
    await page.locator('h2', { hasText: 'Demo/Utilities/Compressor1' }).waitFor({ timeout: 10_000 });
    // The production display: the line's conveyor, bar and sparkline; axe in both themes. (The
    // window shows the machine screen: a new address only moves the Displays screen, so load it.)
    await page.goto(`${app.url}/#/displays/production`);
    await page.reload();
    await page.getByRole('group', { name: 'Display Production' }).waitFor({ timeout: 30_000 });
    await expect
      .poll(() => page.locator('g[data-id="rate-bar"]').getAttribute('aria-label'), { timeout: 20_000 })
      .toMatch(/^Line1 rate bar: [\d.,]+ units\/min/);
    expect(await axeFindings(page, 'production display')).toEqual([]);
  }, 180_000);
});

/**
 * A console of its own for a describe: `prepare` writes its site file (dir/site.yaml, and whatever
 * else beside it) before the tests; `c.p` is a signed-in Chromium page, `c.push` sends samples through
 * POST /api/ingest; the console, the browser and the folders are removed after.
 */
function ownConsole(prefix: string, viewport: { width: number; height: number }, prepare: (dir: string) => void) {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const c = {} as { site: RunningConsole; token: string; p: Page; browser: Browser; push: (items: unknown[]) => Promise<void> };
  c.push = async (items) => {
    const r = await scripted(c.site, c.token).api('/api/ingest', { method: 'POST', body: JSON.stringify(items) });
    expect(r.status).toBe(202);
  };
  beforeAll(async () => {
    prepare(dir);
    c.site = await startConsole({ script: 'bin/aurum.mjs', args: ['serve', '--config', path.join(dir, 'site.yaml')], timeoutMs: 60_000 });
    c.token = await c.site.signIn();
    c.browser = await launchChromium();
    const context = await c.browser.newContext({ viewport });
    await signInContext(context, c.site.url);
    c.p = await context.newPage();
  }, 120_000);
  afterAll(async () => {
    await c.browser?.close();
    await c.site?.stop();
    if (c.site) rmSync(c.site.dataDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });
  return c;
}

// The demo site with Pump101 pushed through ingest (the plant runs the rest), so that a trip is made
// on demand: the trip appears on the shipped pump station, in one frame, by fill, word and markers.
describe.skipIf(!chromiumAvailable && !process.env.CI)('Pump101 trips on the shipped pump station (Pump101 pushed)', () => {
  const P = 'Demo/PumpStation/Pump101';
  const c = ownConsole('aurum-ui-displays-trip-', { width: 1920, height: 1080 }, (dir) => {
    const demo = readFileSync(DEMO_SITE_FILE, 'utf8');
    const pump101 = '- { name: Pump101, template: CentrifugalPump, connection: plant-opcua,';
    if (!demo.includes(pump101)) throw new Error('the demo site file no longer declares Pump101 as this test expects');
    const text = demo
      .replace(pump101, '- { name: Pump101, template: CentrifugalPump, connection: gateway,')
      .replace('connections:\n', 'connections:\n  - { name: gateway, protocol: ingest }\n');
    writeFileSync(path.join(dir, 'site.yaml'), text);
  });

  it('running, then the trip: the symbol says TRIP and both markers appear in the same frame as the state; the faceplate acknowledges it', async () => {
    const { p, site, push } = c;
    await push([
      { tag: `${P}/Running`, value: true },
      { tag: `${P}/Tripped`, value: false },
      { tag: `${P}/Flow`, value: 120 },
    ]);
    await p.goto(`${site.url}/#/displays/pump-station`);
    await p.getByRole('group', { name: 'Display Pump station' }).waitFor({ timeout: 30_000 });
    const pump = p.locator('g[data-id="pump101-pump"]');
    await expect.poll(() => pump.getAttribute('aria-label'), { timeout: 15_000 }).toBe('Pump101: running');
    expect(await p.locator('g[data-id="pump101-alarm"]').getAttribute('data-active')).toBe('false');
    await expect
      .poll(() => p.locator('g[data-id="pump101-alarms"]').getAttribute('aria-label'), { timeout: 15_000 })
      .toBe('Pump101 alarms: no alarm');

    // Record, per animation frame, every change of the pump's state and of both markers.
    await p.evaluate(() => {
      const w = window as unknown as { tripLog: string[]; frame: number };
      w.tripLog = [];
      w.frame = 0;
      const tick = () => {
        w.frame++;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      const watch = (id: string, attr: string) => {
        const el = document.querySelector(`g[data-id="${id}"]`);
        if (!el) throw new Error(`no element ${id}`);
        new MutationObserver(() => w.tripLog.push(`${w.frame} ${id} ${attr}=${el.getAttribute(attr)}`)).observe(el, {
          attributes: true,
          attributeFilter: [attr],
        });
      };
      watch('pump101-pump', 'data-state');
      watch('pump101-alarm', 'data-active');
      watch('pump101-alarms', 'data-priority');
    });
    await push([
      { tag: `${P}/Tripped`, value: true },
      { tag: `${P}/Running`, value: false },
      { tag: `${P}/Flow`, value: 0 },
    ]);
    await expect.poll(() => pump.getAttribute('data-state'), { timeout: 15_000 }).toBe('tripped');
    expect(await pump.locator('.s').textContent()).toBe('TRIP');
    expect(await pump.getAttribute('aria-label')).toBe('Pump101: tripped');
    expect(await p.locator('g[data-id="pump101-alarm"]').getAttribute('data-active')).toBe('true');
    expect(await p.locator('g[data-id="pump101-alarm"]').isVisible()).toBe(true);
    // The machine's marker follows the alarm list: the trip alarm is Critical (diamond, number 1).
    const machineMarker = p.locator('g[data-id="pump101-alarms"]');
    await expect.poll(() => machineMarker.getAttribute('data-priority'), { timeout: 15_000 }).toBe('Critical');
    expect(await machineMarker.getAttribute('aria-label')).toMatch(/^Pump101 alarms: \d+ alarms?, highest Critical, unacknowledged$/);
    expect(await machineMarker.locator('.n').textContent()).toBe('1');
    // Order: the symbol's state and the trip marker changed in one and the same frame (one tag, one
    // applier pass), each once; the machine's marker, which follows the alarm list (its own stream),
    // turned Critical once, without passing through another priority.
    const log = await p.evaluate(() => (window as unknown as { tripLog: string[] }).tripLog);
    const at = (entry: string) => {
      const line = log.find((l) => l.endsWith(entry));
      if (!line) throw new Error(`"${entry}" is not in the log:\n${log.join('\n')}`);
      return Number(line.split(' ')[0]);
    };
    expect(at('pump101-pump data-state=tripped')).toBe(at('pump101-alarm data-active=true'));
    const changes = (id: string) => log.filter((l) => l.includes(` ${id} `)).map((l) => l.split(' ').slice(1).join(' '));
    expect(changes('pump101-pump')).toEqual(['pump101-pump data-state=tripped']);
    expect(changes('pump101-alarm')).toEqual(['pump101-alarm data-active=true']);
    expect(changes('pump101-alarms')).toEqual(['pump101-alarms data-priority=Critical']);

    // The faceplate lists the trip alarm and acknowledges it (the admin may).
    await pump.click();
    const faceplate = p.getByRole('complementary', { name: 'Faceplate Pump101' });
    await faceplate.waitFor({ timeout: 10_000 });
    const alarms = faceplate.getByRole('region', { name: 'Alarms of Pump101' });
    await expect.poll(() => alarms.textContent(), { timeout: 15_000 }).toContain('motor protection trip');
    await expect.poll(() => faceplate.locator('.faceplate-state').textContent(), { timeout: 10_000 }).toContain('Fault');
    await alarms.getByRole('button', { name: /^Acknowledge .*motor protection trip/ }).click();
    await expect.poll(() => alarms.locator('li').first().textContent(), { timeout: 15_000 }).toContain('active, acknowledged');
    await expect.poll(() => machineMarker.getAttribute('data-unacked'), { timeout: 15_000 }).toBe('false');
    expect(await axeFindings(p, 'pump station with a tripped Pump101 and its faceplate')).toEqual([]);
  }, 180_000);
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
  const c = ownConsole('aurum-ui-displays-', { width: 1600, height: 900 }, (dir) => {
    writeFileSync(path.join(dir, 'site.yaml'), SITE);
    mkdirSync(path.join(dir, 'displays'));
    writeFileSync(path.join(dir, 'displays', 'yard.json'), YARD);
    writeFileSync(path.join(dir, 'displays', 'broken.json'), '{\n  "id": "broken",\n  "title": "B"\n  "size": {}\n}\n');
  });

  it('shows running, then the trip by fill, word and marker, and Bad quality on the value', async () => {
    const { p, site, push } = c;
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
