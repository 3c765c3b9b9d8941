// The OPC UA side of the Connections screen in real Chromium against serve mode on the demo plant:
// the tag picker says which variables the console may write, the console's application
// certificate carries the site's identity, not node-opcua's default subject, and a server
// certificate the console refused is listed under its connection and trusted from the screen.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

// A site on the demo plant whose one OPC UA connection signs: the console refuses the plant's
// certificate until an engineer trusts it.
const SECURE_SITE = `version: 1
site: { name: Plant7, organization: Acme Water }
demoPlant: true
connections:
  - { name: secure-plant, protocol: opcua, endpoint: demo, securityMode: Sign, securityPolicy: Basic256Sha256, reconnect: { initialDelayMs: 200, maxDelayMs: 500 } }
areas:
  - name: PumpStation
    machines:
      - name: Pump101
        connection: secure-plant
        tags:
          - { name: Speed, address: "ns=1;s=PumpStation.Pump101.Speed", unit: rpm }
`;

describe.skipIf(!chromiumAvailable && !process.env.CI)('OPC UA server certificates in Chromium', () => {
  let secure: RunningConsole;
  let secureBrowser: Browser;
  let siteDir: string;

  beforeAll(async () => {
    siteDir = mkdtempSync(path.join(tmpdir(), 'aurum-e2e-site-'));
    const file = path.join(siteDir, 'site.yaml');
    writeFileSync(file, SECURE_SITE);
    secure = await startConsole({ script: 'bin/aurum.mjs', args: ['serve', '--config', file], timeoutMs: 40_000 });
    secureBrowser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await secureBrowser?.close();
    await secure?.stop();
    if (secure) rmSync(secure.dataDir, { recursive: true, force: true });
    rmSync(siteDir, { recursive: true, force: true });
  });

  it('lists the refused certificate under its connection, trusts it from the screen, and the tag turns Good', async () => {
    const context = await secureBrowser.newContext({ viewport: { width: 1400, height: 1000 } });
    await signInContext(context, secure.url);
    const p = await context.newPage();
    const table = p.getByRole('table', { name: 'OPC UA server certificates' });
    // The refusal happens on the first connection attempt; the list is read when the screen opens.
    await expect
      .poll(
        async () => {
          await p.goto(`${secure.url}/#/connections`);
          return (await table.count()) > 0 ? table.locator('tbody tr').first().textContent({ timeout: 5000 }) : '';
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toMatch(/rejected.*Aurum demo plant|rejected.*CN=/);
    const row = table.locator('tbody tr').first();
    expect(await row.locator('td').nth(2).textContent()).toBe('secure-plant');
    await row.getByRole('button', { name: /^Trust / }).click();
    await expect.poll(() => row.locator('td').first().textContent(), { timeout: 10_000 }).toBe('trusted');

    const headers = { Authorization: `Bearer ${await secure.signIn()}` };
    const speed = 'Plant7/PumpStation/Pump101/Speed';
    const quality = async () => {
      const r = await fetch(`${secure.url}/api/tags?names=${encodeURIComponent(speed)}`, { headers });
      return ((await r.json()) as { quality: string }[])[0]?.quality;
    };
    await expect.poll(quality, { timeout: 30_000, interval: 500 }).toBe('Good');
    const own = new X509Certificate(
      readFileSync(path.join(secure.dataDir, 'pki', 'opcua-client', 'own', 'certs', 'client_certificate.pem')),
    );
    expect(own.subject).toContain('CN=Aurum Console Plant7');
    expect(own.subject).toContain('O=Acme Water');

    // Revoked from the same row, after a confirmation naming the connection: refused again at once.
    await row.getByRole('button', { name: /^Revoke / }).click();
    const confirm = p.getByRole('alertdialog', { name: 'Confirm revoking the trust' });
    expect(await confirm.textContent()).toContain('secure-plant reconnects now and will be refused');
    await confirm.getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => row.locator('td').first().textContent(), { timeout: 10_000 }).toBe('⚠ rejected');
    await expect.poll(quality, { timeout: 30_000, interval: 500 }).toBe('Bad');
    const audit = await fetch(`${secure.url}/api/audit?action=connections.revokeCertificate`, { headers });
    expect(((await audit.json()) as { action: string }[]).map((e) => e.action)).toEqual(['connections.revokeCertificate']);
    await context.close();
  }, 120_000);
});
