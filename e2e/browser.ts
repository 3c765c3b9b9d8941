// Real headless Chromium (Debian's package) driven by playwright-core. No browser download: the
// executable is the system's, and the flags keep it off the network this machine does not have.
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { ADMIN, root } from './harness.js';

export const CHROMIUM = process.env.AURUM_CHROMIUM ?? '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM);
export const artifactsDir = path.join(root, 'test-artifacts');

export async function launchChromium(): Promise<Browser> {
  mkdirSync(artifactsDir, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
    // Chromium writes crash reports under $HOME/.config: keep them out of the user's home.
    env: { ...process.env, HOME: mkdtempSync(path.join(tmpdir(), 'aurum-chromium-')) },
  });
}

/** Sign a browser context in as `user` (the session cookie then opens the WebSocket as that user). */
export async function signInContext(context: BrowserContext, url: string, user = ADMIN.user, password = ADMIN.password): Promise<void> {
  const r = await context.request.post(`${url}/api/login`, { data: { user, password } });
  if (!r.ok()) throw new Error(`sign-in as ${user} failed: ${r.status()} ${await r.text()}`);
}

/** axe's serious and critical findings on the page as it stands, in both themes (the light pass checks colour contrast only: nothing else depends on the theme); the page is left dark. */
export async function axeFindings(p: Page, where: string): Promise<string[]> {
  const found: string[] = [];
  for (const theme of ['dark', 'light'] as const) {
    await p.evaluate((t) => {
      document.documentElement.dataset.theme = t;
    }, theme);
    const axe = new AxeBuilder({ page: p });
    const result = await (theme === 'dark' ? axe : axe.withRules(['color-contrast'])).analyze();
    for (const v of result.violations)
      if (v.impact === 'serious' || v.impact === 'critical')
        found.push(`${where} (${theme}): ${v.id} ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }
  await p.evaluate(() => {
    document.documentElement.dataset.theme = 'dark';
  });
  return found;
}
