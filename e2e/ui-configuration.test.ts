// The Configuration screen in real headless Chromium against serve mode (the built bundle) on a site
// file of its own: an engineer checks the text (an issue's line:col moves the caret there), changes a
// tag's description, sees the structural diff, applies it with a comment and finds version 2 in the
// history; rolls back to version 1 and the site file on disk is the original byte for byte; an apply
// from a version no longer in force (another apply came through the API meanwhile) is refused with
// a sentence naming that version, and Reload keeps the engineer's text aside; a viewer reads the
// history but is offered no editor, Apply or Roll back. axe in both themes.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigResults } from '../native/api/config-requests.js';
import { artifactsDir, axeFindings, chromiumAvailable, launchChromium, signInContext } from './browser.js';
import { type RunningConsole, startConsole } from './harness.js';

const SITE = `# Configuration E2E site: one push connection, two tags.
version: 1
site: { name: Cfg }
connections:
  - { name: gateway, protocol: ingest }
areas:
  - name: Yard
    machines:
      - name: Edge
        connection: gateway
        tags:
          - name: T0
            address: T0
            description: inlet temperature
          - { name: T1, address: T1 }
`;
const PASSWORD = 'cfg-e2e-Pass-2026';

let app: RunningConsole;
let browser: Browser;
let token: string;
let page: Page;
const dir = mkdtempSync(path.join(tmpdir(), 'aurum-ui-config-'));
const siteFile = path.join(dir, 'site.yaml');

const call = async <T>(name: string, body: unknown, bearer = token): Promise<{ status: number; data: T }> => {
  const r = await fetch(`${app.url}/api/call/${name}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, data: (await r.json()) as T };
};

const shot = (p: Page, name: string) => p.screenshot({ path: path.join(artifactsDir, `ui-configuration-${name}.png`) });

async function openAs(user: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  await signInContext(context, app.url, user, PASSWORD);
  const p = await context.newPage();
  await p.goto(`${app.url}/#/configuration`);
  await p.locator('h1.screen-title', { hasText: 'Configuration' }).waitFor({ timeout: 30_000 });
  await p.getByRole('table', { name: 'Configuration versions' }).locator('tbody tr').first().waitFor({ timeout: 30_000 });
  // The editor opens on the forms (e2e/ui-configuration-forms.test.ts); these steps use the text.
  const text = p.getByRole('group', { name: 'View' }).getByRole('button', { name: 'Text' });
  if ((await text.count()) > 0) await text.click();
  return p;
}
const editor = () => page.getByLabel('Site file text', { exact: true });
const historyRow = (p: Page, v: number) => p.locator(`table[aria-label="Configuration versions"] tr[data-version="${v}"]`);

describe.skipIf(!chromiumAvailable && !process.env.CI)('the Configuration screen in Chromium', () => {
  beforeAll(async () => {
    writeFileSync(siteFile, SITE);
    [app, browser] = await Promise.all([
      startConsole({ script: 'bin/aurum.mjs', args: ['serve', '--config', siteFile], timeoutMs: 90_000 }),
      launchChromium(),
    ]);
    token = await app.signIn();
    for (const [user, role] of [
      ['enzo', 'engineer'],
      ['vera', 'viewer'],
    ] as const)
      expect((await call('auth.users.create', { user, role, password: PASSWORD })).status).toBe(200);
    page = await openAs('enzo');
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (app) rmSync(app.dataDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists each issue of a check as line:col field: message; a click puts the caret on that line', async () => {
    await expect.poll(() => editor().inputValue(), { timeout: 20_000 }).toBe(SITE);
    await editor().fill(SITE.replace('address: T0\n', 'address: T0\n            bogus: 1\n'));
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    const issue = page.getByRole('list', { name: 'Issues' }).getByRole('button');
    await issue.first().waitFor({ timeout: 20_000 });
    expect(await issue.allTextContents()).toEqual(
      [
        'areas[0].machines[0].tags[0].bogus: unknown field "bogus"; the fields here are name, address, type, unit, description, range, scaling, decimals, periodMs, writable, writeLimits, states, options',
      ].map((m) => `14:13 ${m}`),
    );
    expect(await page.getByRole('button', { name: 'Apply', exact: true }).isDisabled()).toBe(true);
    await issue.first().click();
    const caret = await editor().evaluate((el) => {
      const t = el as HTMLTextAreaElement;
      return { focused: document.activeElement === t, before: t.value.slice(0, t.selectionStart) };
    });
    expect(caret.focused).toBe(true);
    expect(caret.before.split('\n').length).toBe(14);
    expect(caret.before.split('\n').at(-1)).toBe(' '.repeat(12));
  }, 60_000);

  it('changes a tag’s description: check, the diff, apply with a comment, version 2 in the history', async () => {
    await editor().fill(SITE.replace('description: inlet temperature', 'description: inlet temperature after the cooler'));
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    const checkStatus = page.getByRole('region', { name: 'Check result' }).getByRole('status');
    await checkStatus.waitFor({ timeout: 20_000 });
    expect(await checkStatus.textContent()).toMatch(/^Valid: \d+ changes? against version 1, the version in force\.$/);
    // The core's structural diff, one sentence per entry: the tag and the field that changed.
    const diff = page.getByRole('list', { name: 'Changes to apply' }).locator('li[data-kind="tag"]');
    expect(await diff.count()).toBe(1);
    expect(await diff.getAttribute('data-change')).toBe('changed');
    expect(await diff.textContent()).toBe('tag Cfg/Yard/Edge/T0 changed (description)');
    // The comment is required.
    const apply = page.getByRole('button', { name: 'Apply', exact: true });
    expect(await apply.isDisabled()).toBe(true);
    await page.getByLabel('Comment', { exact: true }).fill('name the cooler in the description');
    await shot(page, 'diff');
    expect(await axeFindings(page, 'configuration with a checked diff')).toEqual([]);
    await apply.click();
    const applied = page.getByRole('region', { name: 'Version 2 applied' });
    await applied.waitFor({ timeout: 30_000 });
    expect(await applied.getByRole('status').textContent()).toMatch(/^Version 2 is in force \(applied by enzo at .+\): \d+ changes?/);
    expect(await applied.locator('li').count()).toBeGreaterThan(0);
    await historyRow(page, 2).waitFor({ timeout: 20_000 });
    expect(await historyRow(page, 2).textContent()).toContain('name the cooler in the description');
    expect(await historyRow(page, 2).textContent()).toContain('enzo');
    expect(readFileSync(siteFile, 'utf8')).toContain('description: inlet temperature after the cooler');

    // Any two versions compared.
    await page.getByLabel('From version', { exact: true }).selectOption('1');
    await page.getByLabel('to version', { exact: true }).selectOption('2');
    await page.getByRole('button', { name: 'Show changes' }).click();
    const between = page.getByRole('list', { name: 'Changes from version 1 to version 2' }).locator('li[data-kind="tag"]');
    await between.first().waitFor({ timeout: 20_000 });
    expect(await between.first().textContent()).toContain('Cfg/Yard/Edge/T0');
  }, 90_000);

  it('rolls back to version 1 after confirmation: version 3, and the site file is the original byte for byte', async () => {
    await page.getByRole('button', { name: 'Roll back to version 1' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Confirm roll back to version 1' });
    await dialog.waitFor();
    expect(await dialog.locator('p').textContent()).toContain('as a new version (version 3)');
    expect(await axeFindings(page, 'configuration with the rollback question')).toEqual([]);
    await dialog.getByRole('button', { name: 'Roll back to version 1' }).click();
    await page.getByRole('region', { name: 'Version 3 applied' }).waitFor({ timeout: 30_000 });
    await historyRow(page, 3).waitFor({ timeout: 20_000 });
    expect(await historyRow(page, 3).getAttribute('data-kind')).toBe('rollback');
    expect(readFileSync(siteFile).equals(Buffer.from(SITE))).toBe(true);
    // The editor follows the version in force.
    await expect.poll(() => editor().inputValue(), { timeout: 20_000 }).toBe(SITE);
    await expect.poll(() => page.locator('.config-version').textContent(), { timeout: 20_000 }).toBe('version 3');
  }, 90_000);

  it('refuses an apply on a version no longer in force with a sentence naming it; Reload keeps the text aside', async () => {
    const mine = SITE.replace('{ name: T1, address: T1 }', '{ name: T1, address: T1, description: outlet }');
    await editor().fill(mine);
    // Meanwhile another apply, through the API, on the same version 3.
    const other = await call<ConfigResults['config.apply']>('config.apply', {
      text: SITE.replace('inlet temperature', 'inlet temperature (PT100)'),
      baseVersion: 3,
      comment: 'sensor type in the description',
    });
    expect(other.status).toBe(200);
    expect(other.data.version.version).toBe(4);
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await page.getByRole('region', { name: 'Check result' }).getByRole('status').waitFor({ timeout: 20_000 });
    expect(await page.locator('.config-check .config-stale').textContent()).toContain(
      'You are editing version 3; version 4 came into force meanwhile',
    );
    await page.getByLabel('Comment', { exact: true }).fill('describe the outlet');
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    const conflict = page.locator('.config-conflict');
    await conflict.waitFor({ timeout: 20_000 });
    expect(await conflict.locator('.config-conflict-sentence').textContent()).toMatch(
      /^Not applied: you edited version 3, but version 4 was applied by admin at .+ \(“sensor type in the description”\) in the meantime\. Reload version 4 to edit it; your text is kept aside\.$/,
    );
    // What the other version changed, and the history that lists it.
    expect(await conflict.getByRole('list', { name: 'What changed from version 3 to version 4' }).textContent()).toContain(
      'tag Cfg/Yard/Edge/T0 changed (description)',
    );
    await historyRow(page, 4).waitFor({ timeout: 20_000 });
    expect(await historyRow(page, 4).textContent()).toContain('sensor type in the description');
    expect(readFileSync(siteFile, 'utf8')).toContain('inlet temperature (PT100)');
    expect(readFileSync(siteFile, 'utf8')).not.toContain('outlet');
    await shot(page, 'conflict');
    expect(await axeFindings(page, 'configuration with a conflict')).toEqual([]);
    await conflict.getByRole('button', { name: 'Reload' }).click();
    await expect.poll(() => editor().inputValue(), { timeout: 20_000 }).toContain('inlet temperature (PT100)');
    expect(await page.getByLabel('Your text, kept aside').inputValue()).toBe(mine);
    expect(await page.locator('.config-version').textContent()).toBe('version 4');
  }, 90_000);

  it('offers a viewer the history and the diff, but no editor, Check, Apply or Roll back', async () => {
    const viewer = await openAs('vera');
    await historyRow(viewer, 4).waitFor({ timeout: 20_000 });
    expect(await viewer.getByLabel('Site file text', { exact: true }).count()).toBe(0);
    // Nor the forms, their Test connection or Test read (useCan: the core's permission table).
    expect(await viewer.getByRole('region', { name: 'Site file forms' }).count()).toBe(0);
    const buttons = await viewer.locator('main button:visible').allTextContents();
    expect(buttons.filter((b) => /^(Check|Apply|Roll back|Test connection|Test read|Forms)/.test(b.trim()))).toEqual([]);
    await viewer.getByLabel('From version', { exact: true }).selectOption('3');
    await viewer.getByLabel('to version', { exact: true }).selectOption('4');
    await viewer.getByRole('button', { name: 'Show changes' }).click();
    await viewer.getByRole('list', { name: 'Changes from version 3 to version 4' }).waitFor({ timeout: 20_000 });
    await shot(viewer, 'viewer');
    expect(await axeFindings(viewer, 'configuration as a viewer')).toEqual([]);
    await viewer.context().close();
  }, 60_000);
});
