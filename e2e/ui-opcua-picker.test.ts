// The OPC UA side of the Connections screen in real Chromium against serve mode on the demo plant:
// the tag picker says which variables the console may write, and the console's application
// certificate carries the site's identity, not node-opcua's default subject.
import { X509Certificate } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium, signInContext } from './browser.js';
import { type RunningConsole, startConsole } from './harness.js';

let app: RunningConsole;
let browser: Browser;
let page: Page;

describe.skipIf(!chromiumAvailable && !process.env.CI)('OPC UA tag picker in Chromium', () => {
  beforeAll(async () => {
    app = await startConsole({ script: 'bin/aurum.mjs', args: ['serve'], timeoutMs: 40_000 });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    await signInContext(context, app.url);
    page = await context.newPage();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (app) rmSync(app.dataDir, { recursive: true, force: true });
  });

  it('shows read only and read/write beside each variable', async () => {
    await page.goto(`${app.url}/#/connections`);
    const picker = page.getByRole('region', { name: 'Tag picker' });
    await picker.getByLabel('Connection').selectOption('plant-opcua');
    const tree = picker.locator('ul[aria-label="Address space of plant-opcua"]');
    await tree.getByRole('button', { name: /PumpStation/ }).click();
    await tree.getByRole('button', { name: /Pump101/ }).click();
    // The <li> whose own NodeId is this one (the folders above it contain it too).
    const item = (nodeId: string) =>
      tree.locator('code', { hasText: new RegExp(`^${nodeId.replaceAll('.', '\\.')}$`) }).locator('xpath=..');
    await expect
      .poll(() => item('ns=1;s=PumpStation.Pump101.SpeedSetpoint').textContent(), { timeout: 10_000 })
      .toMatch(/Double · read\/write/);
    expect(await item('ns=1;s=PumpStation.Pump101.Speed').textContent()).toMatch(/Double · read only/);
    expect(await item('ns=1;s=PumpStation.Pump101.RunCommand').textContent()).toMatch(/Boolean · read\/write/);
  }, 60_000);

  it("presents an application certificate with the site's name", () => {
    const file = path.join(app.dataDir, 'pki', 'opcua-client', 'own', 'certs', 'client_certificate.pem');
    const cert = new X509Certificate(readFileSync(file));
    expect(cert.subject).toContain('CN=Aurum Console Demo');
    expect(cert.subject).not.toMatch(/Sterfive|Orleans/);
    expect(cert.subjectAltName).toMatch(/URI:urn:.+:aurum-console:Demo/);
  });
});
