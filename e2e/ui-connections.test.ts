// The Connections screen's engineering tools in Chromium, against the demo plant: browse the OPC UA
// address space down to a variable's NodeId, and test-read a Modbus address before it is a tag.
import { rmSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, chromiumAvailable, launchChromium, signInContext } from './browser.js';
import { type RunningConsole, startConsole } from './harness.js';

let app: RunningConsole;
let browser: Browser;

describe.skipIf(!chromiumAvailable && !process.env.CI)('Connections: tag picker', () => {
  beforeAll(async () => {
    app = await startConsole({ script: 'bin/aurum.mjs', args: ['serve'], timeoutMs: 40_000 });
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (app) rmSync(app.dataDir, { recursive: true, force: true });
  });

  it('browses OPC UA to a NodeId and test-reads a Modbus register', async () => {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1200 } });
    await signInContext(context, app.url);
    const page = await context.newPage();
    await page.goto(`${app.url}/#/connections`);
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

    const axe = await new AxeBuilder({ page }).analyze();
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
    await page.screenshot({ path: path.join(artifactsDir, 'ui-connections.png'), fullPage: true });
  }, 60_000);
});
