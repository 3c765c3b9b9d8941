// Real headless Chromium (Debian's package) driven by playwright-core. No browser download: the
// executable is the system's, and the flags keep it off the network this machine does not have.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { ADMIN, type RunningConsole, root, type Scripted, scripted, startConsole } from './harness.js';

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

/**
 * A new 1920×1080 context signed in as `user`, on the machine screen of `machine` (reached from the
 * overview by its button) with its model section opened and its versions listed.
 */
export async function openMachineModel(
  browser: Browser,
  url: string,
  machine: string,
  user: string,
  password: string,
): Promise<{ context: BrowserContext; page: Page; section: Locator }> {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  await signInContext(context, url, user, password);
  const page = await context.newPage();
  await page.goto(url);
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Overview', exact: true }).waitFor();
  await page
    .getByRole('button', { name: machine.split('/').pop(), exact: true })
    .first()
    .click();
  await page.locator('h2', { hasText: machine }).waitFor();
  const section = page.getByRole('region', { name: `Model of ${machine}` });
  // Closed until opened: nothing of it is read before.
  await section.getByText('Model: learning and versions').click();
  await section.getByRole('table', { name: `Model versions of ${machine}` }).waitFor();
  return { context, page, section };
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

/** Serve mode on the demo plant and a Chromium for one E2E file, with the administrator's scripted requests. */
export interface ChromiumConsole extends Scripted {
  app: RunningConsole;
  browser: Browser;
  /** A new browser context (1920×1080, downloads accepted) signed in as `user`; stop() closes it. */
  context(user?: string, password?: string): Promise<BrowserContext>;
  /**
   * A new page in a new context signed in as `user`, opened at `hash` (`#/esg`; none: the start
   * screen); it waits for the screen titled `title`, or without one for the navigation bar.
   */
  page(opts?: { user?: string; password?: string; hash?: string; title?: string }): Promise<Page>;
  /** Closes the contexts, the browser and the console, and removes the console's data dir. */
  stop(): Promise<void>;
}

/** Start serve mode (bin/aurum.mjs serve, the demo plant) and Chromium side by side; the administrator signed in. */
export async function startChromiumConsole(opts: { timeoutMs?: number } = {}): Promise<ChromiumConsole> {
  const [started, launched] = await Promise.allSettled([
    startConsole({ script: 'bin/aurum.mjs', args: ['serve'], timeoutMs: opts.timeoutMs ?? 40_000 }),
    launchChromium(),
  ]);
  // One of the two failing leaves nothing of the other running.
  if (started.status === 'rejected' || launched.status === 'rejected') {
    if (started.status === 'fulfilled') {
      await started.value.stop();
      rmSync(started.value.dataDir, { recursive: true, force: true });
    }
    if (launched.status === 'fulfilled') await launched.value.close();
    throw started.status === 'rejected' ? started.reason : (launched as PromiseRejectedResult).reason;
  }
  const app = started.value;
  const browser = launched.value;
  const contexts: BrowserContext[] = [];
  const context = async (user = ADMIN.user, password = ADMIN.password) => {
    const c = await browser.newContext({ viewport: { width: 1920, height: 1080 }, acceptDownloads: true });
    contexts.push(c);
    await signInContext(c, app.url, user, password);
    return c;
  };
  let token: string;
  try {
    token = await app.signIn();
  } catch (err) {
    await browser.close();
    await app.stop();
    rmSync(app.dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    ...scripted(app, token),
    app,
    browser,
    context,
    async page({ user, password, hash = '', title } = {}) {
      const page = await (await context(user, password)).newPage();
      await page.goto(`${app.url}/${hash}`);
      // Bounded for a loaded machine: the first screen of a new page loads the bundle and signs the socket in.
      const landed = title
        ? page.locator('h1.screen-title', { hasText: title })
        : page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Overview', exact: true });
      await landed.waitFor({ timeout: 60_000 });
      return page;
    },
    async stop() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      await app.stop();
      rmSync(app.dataDir, { recursive: true, force: true });
    },
  };
}
