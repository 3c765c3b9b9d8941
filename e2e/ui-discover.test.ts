// Finding tags at the source, in real Chromium against serve mode on the demo plant (a copy of the
// demo site file, since adding tags applies a new version and writes the file): discover the demo's
// MQTT topics and add a JSON field as a tag of the Weather machine, and a Sparkplug B metric to the
// MainMeter; tick OPC UA variables in the browser and add them to the Header machine with the
// server's types; decode a Modbus register in every type and word order and add the row picked;
// all appear among the tags and read Good, without a restart.
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium, signInContext } from './browser.js';
import { type RunningConsole, startConsole, waitFor } from './harness.js';

let app: RunningConsole;
let browser: Browser;
let page: Page;
let siteDir: string;
let siteFile: string;
let token: string;

interface Snapshot {
  name: string;
  quality: string;
}

const tagGood = (name: string) =>
  waitFor(
    `${name} Good`,
    async () => {
      const r = await fetch(`${app.url}/api/tags`, { headers: { authorization: `Bearer ${token}` } });
      const tags = (await r.json()) as Snapshot[];
      return tags.find((t) => t.name === name && t.quality === 'Good');
    },
    60_000,
  );

describe.skipIf(!chromiumAvailable && !process.env.CI)('Finding tags at the source in Chromium', () => {
  beforeAll(async () => {
    siteDir = mkdtempSync(path.join(tmpdir(), 'aurum-e2e-discover-'));
    siteFile = path.join(siteDir, 'site.yaml');
    copyFileSync(path.resolve('resources/demo-site.yaml'), siteFile);
    app = await startConsole({ script: 'bin/aurum.mjs', args: ['serve', '--config', siteFile], timeoutMs: 90_000 });
    token = await app.signIn();
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    await signInContext(context, app.url);
    page = await context.newPage();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (app) rmSync(app.dataDir, { recursive: true, force: true });
    if (siteDir) rmSync(siteDir, { recursive: true, force: true });
  });

  it('discovers a demo MQTT topic and adds one of its JSON fields as a tag, live', async () => {
    await page.goto(`${app.url}/#/connections`);
    const picker = page.getByRole('region', { name: 'Tag picker' });
    await picker.getByLabel('Connection').selectOption('plant-mqtt');
    const discover = picker.getByRole('region', { name: 'Discover topics on plant-mqtt' });
    await discover.getByLabel('Topic filter').fill('aurum/demo/Site/Weather/#');
    await discover.getByLabel('Listen (s)').fill('3');
    await discover.getByRole('button', { name: 'Discover' }).click();
    const table = discover.getByRole('table', { name: 'Topics on plant-mqtt' });
    const box = table.getByRole('checkbox', { name: 'Add aurum/demo/Site/Weather/AmbientTemp value' });
    await box.waitFor({ timeout: 30_000 });
    // The field's sample and JSON type beside it.
    const row = table.locator('tr', { has: page.getByRole('checkbox', { name: 'Add aurum/demo/Site/Weather/AmbientTemp value' }) });
    expect(await row.textContent()).toMatch(/number/);
    await box.check();
    const add = discover.getByRole('group', { name: 'Add tags from plant-mqtt' });
    await expect.poll(() => add.getByLabel('Machine').inputValue(), { timeout: 20_000 }).toBe('Demo/Infrastructure/Weather');
    await add.getByRole('button', { name: 'Add 1 as tags' }).click();
    await expect
      .poll(() => add.getByRole('status').textContent(), { timeout: 60_000 })
      .toMatch(/^Added Demo\/Infrastructure\/Weather\/AmbientTemp_value \(version \d+\)$/);
    await tagGood('Demo/Infrastructure/Weather/AmbientTemp_value');
    const text = readFileSync(siteFile, 'utf8');
    expect(text).toMatch(/name: AmbientTemp_value/);
    expect(text).toMatch(/address: aurum\/demo\/Site\/Weather\/AmbientTemp/);
    // The file's comments are kept.
    expect(text).toMatch(/# Alarms \(ISA-18\.2/);
  }, 180_000);

  it('discovers the metrics of the demo Sparkplug B edge node from its birth and adds one as a tag', async () => {
    await page.goto(`${app.url}/#/connections`);
    const picker = page.getByRole('region', { name: 'Tag picker' });
    await picker.getByLabel('Connection').selectOption('plant-sparkplug');
    const discover = picker.getByRole('region', { name: 'Discover topics on plant-sparkplug' });
    await discover.getByLabel('Listen (s)').fill('5');
    await discover.getByRole('button', { name: 'Discover' }).click();
    const table = discover.getByRole('table', { name: 'Topics on plant-sparkplug' });
    const name = 'Add spBv1.0/AurumDemo/NBIRTH/Plant Site/Weather/Humidity';
    await table.getByRole('checkbox', { name }).waitFor({ timeout: 30_000 });
    expect(await table.locator('tr', { has: page.getByRole('checkbox', { name }) }).textContent()).toMatch(/Double/);
    await table.getByRole('checkbox', { name }).check();
    const add = discover.getByRole('group', { name: 'Add tags from plant-sparkplug' });
    await expect.poll(() => add.getByLabel('Machine').inputValue(), { timeout: 20_000 }).toBe('Demo/Infrastructure/MainMeter');
    await add.getByRole('button', { name: 'Add 1 as tags' }).click();
    await expect
      .poll(() => add.getByRole('status').textContent(), { timeout: 60_000 })
      .toMatch(/^Added Demo\/Infrastructure\/MainMeter\/Site_Weather_Humidity \(version \d+\)$/);
    await tagGood('Demo/Infrastructure/MainMeter/Site_Weather_Humidity');
    expect(readFileSync(siteFile, 'utf8')).toMatch(/address: Plant\/Site\/Weather\/Humidity/);
  }, 180_000);

  it('adds OPC UA variables ticked in the browser to a machine with the server types', async () => {
    await page.goto(`${app.url}/#/connections`);
    const picker = page.getByRole('region', { name: 'Tag picker' });
    await picker.getByLabel('Connection').selectOption('plant-opcua');
    const tree = picker.locator('ul[aria-label="Address space of plant-opcua"]');
    await tree.getByRole('button', { name: /PumpStation/ }).click();
    await tree.getByRole('button', { name: /Pump102/ }).click();
    await tree.getByRole('checkbox', { name: 'Pick Speed', exact: true }).first().check({ timeout: 20_000 });
    await tree.getByRole('checkbox', { name: 'Pick RunCommand', exact: true }).first().check();
    const picked = picker.getByRole('table', { name: 'Variables to add from plant-opcua' });
    await expect.poll(() => picked.textContent(), { timeout: 20_000 }).toMatch(/Speed.*Double → float.*RunCommand.*Boolean → bool/);
    const add = picker.getByRole('group', { name: 'Add tags from plant-opcua' });
    await expect
      .poll(() => add.getByLabel('Machine').locator('option').allTextContents(), { timeout: 20_000 })
      .toContain('Demo/PumpStation/Header');
    await add.getByLabel('Machine').selectOption('Demo/PumpStation/Header');
    await add.getByRole('button', { name: 'Add 2 as tags' }).click();
    await expect
      .poll(() => add.getByRole('status').textContent(), { timeout: 60_000 })
      .toMatch(/^Added Demo\/PumpStation\/Header\/Speed, Demo\/PumpStation\/Header\/RunCommand \(version \d+\)$/);
    await tagGood('Demo/PumpStation/Header/Speed');
    await tagGood('Demo/PumpStation/Header/RunCommand');
    // They are in the tag list the Tags screen shows.
    await page.goto(`${app.url}/#/tags`);
    await expect.poll(() => page.getByText('Demo/PumpStation/Header/Speed').count(), { timeout: 30_000 }).toBeGreaterThan(0);
  }, 180_000);

  it('decodes a Modbus register in every type and word order and adds the row picked as a tag', async () => {
    await page.goto(`${app.url}/#/connections`);
    const picker = page.getByRole('region', { name: 'Tag picker' });
    await picker.getByLabel('Connection').selectOption('plant-modbus');
    const decode = picker.getByRole('region', { name: 'Decode registers on plant-modbus' });
    await decode.getByLabel('Register').fill('40105');
    await decode.getByRole('button', { name: 'Decode' }).click();
    const table = decode.getByRole('table', { name: 'Decoded 40105' });
    await table.waitFor({ timeout: 20_000 });
    // Every numeric type, each word order (16-bit types: two byte orders).
    expect(await table.locator('tbody tr').count()).toBe(2 + 2 + 4 * 4);
    const power = Number(
      await table
        .locator('tr', { has: page.getByRole('radio', { name: 'Use float32 ABCD' }) })
        .locator('td')
        .nth(3)
        .textContent(),
    );
    expect(power).toBeGreaterThanOrEqual(0);
    expect(power).toBeLessThanOrEqual(45);
    await decode.getByRole('radio', { name: 'Use float32 ABCD' }).check();
    await decode.getByLabel('Tag name').fill('PowerCheck');
    const add = decode.getByRole('group', { name: 'Add tags from plant-modbus' });
    await expect
      .poll(() => add.getByLabel('Machine').locator('option').allTextContents(), { timeout: 20_000 })
      .toContain('Demo/Production/Line1');
    await add.getByLabel('Machine').selectOption('Demo/Production/Line1');
    await add.getByRole('button', { name: 'Add 1 as tags' }).click();
    await expect
      .poll(() => add.getByRole('status').textContent(), { timeout: 60_000 })
      .toMatch(/^Added Demo\/Production\/Line1\/PowerCheck \(version \d+\)$/);
    await tagGood('Demo/Production/Line1/PowerCheck');
    expect(readFileSync(siteFile, 'utf8')).toMatch(
      /name: PowerCheck\n\s+address: "?40105"?\n\s+type: float\n\s+options:\n\s+type: float32\n\s+wordOrder: ABCD/,
    );
  }, 180_000);
});
