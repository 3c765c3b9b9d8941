// Screenshots of every screen of the console on the demo plant, at the workstation sizes the console
// is laid out for, into docs/screenshots/<screen>-<width>x<height>.png (referenced from the README),
// and of each shipped process display and the Pump101 faceplate in both themes at 1920x1080, into
// docs/screenshots/display-<display>-<theme>.png and display-faceplate-pump101-<theme>.png.
// Runs the BUILT bundle (node scripts/build.mjs first) in serve mode and real Chromium:
//   npx tsx scripts/screenshots.ts [--out <dir>] [--sizes 1280x800,1920x1080,2560x1440] [--theme dark|light] [--only screens|displays]
// Not a test: it asserts nothing, it shows. The plant runs a while first, so that trends have a
// history and Pump101 (slowed below its low-flow limit) has raised an alarm.
import { mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromiumAvailable, launchChromium, signInContext } from '../e2e/browser.js';
import { root, startConsole, waitFor } from '../e2e/harness.js';
import { openScreen, screenLabels, waitForLiveValues } from '../e2e/screens.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: path.join(root, 'docs', 'screenshots') },
    sizes: { type: 'string', default: '1280x800,1920x1080,2560x1440' },
    theme: { type: 'string', default: 'dark' },
    warmup: { type: 'string', default: '40' },
    only: { type: 'string' },
  },
});

/** The shipped displays (resources/displays), overview first. */
const DISPLAYS: [id: string, title: string][] = [
  ['site-overview', 'Site overview'],
  ['pump-station', 'Pump station'],
  ['utilities', 'Utilities'],
  ['production', 'Production'],
];

const sizes = (values.sizes ?? '').split(',').map((s) => {
  const [w, h] = s.split('x').map(Number);
  if (!w || !h) throw new Error(`--sizes: "${s}" is not <width>x<height>`);
  return { width: w, height: h };
});

const slug = (label: string) =>
  label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

async function main(): Promise<void> {
  if (!chromiumAvailable) throw new Error('Chromium is not installed (/usr/bin/chromium, or set AURUM_CHROMIUM)');
  const out = path.resolve(values.out ?? '');
  mkdirSync(out, { recursive: true });
  const app = await startConsole({ script: 'bin/aurum.mjs', args: ['serve'], timeoutMs: 60_000 });
  const browser = await launchChromium();
  try {
    const token = await app.signIn();
    await fetch(`${app.url}/api/tags/write`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      body: JSON.stringify({ tag: 'Demo/PumpStation/Pump101/SpeedSetpoint', value: 40, confirmed: true }),
    });
    const warmupMs = Number(values.warmup) * 1000;
    const started = Date.now();
    const warmedUp = () => waitFor('the warm-up', async () => (Date.now() - started >= warmupMs ? true : undefined), warmupMs + 1000, 500);
    for (const size of values.only === 'displays' ? [] : sizes) {
      const context = await browser.newContext({ viewport: size });
      await context.addInitScript((theme) => localStorage.setItem('aurum.theme', theme), values.theme ?? 'dark');
      await signInContext(context, app.url);
      const page = await context.newPage();
      await page.goto(app.url);
      await waitForLiveValues(page, 60_000);
      // Let the plant run (history for trends, an alarm raised) once, before the first shot.
      await warmedUp();
      for (const label of await screenLabels(page)) {
        await openScreen(page, label);
        const file = path.join(out, `${slug(label)}-${size.width}x${size.height}.png`);
        await page.screenshot({ path: file });
        console.log(`${path.relative(root, file)} ${Math.round(statSync(file).size / 1024)} KiB`);
      }
      await context.close();
    }
    for (const theme of values.only === 'screens' ? [] : (['dark', 'light'] as const)) {
      const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
      await context.addInitScript((t) => localStorage.setItem('aurum.theme', t), theme);
      await signInContext(context, app.url);
      const page = await context.newPage();
      await page.goto(app.url);
      await waitForLiveValues(page, 60_000);
      await warmedUp();
      const shot = async (name: string) => {
        const file = path.join(out, `display-${name}-${theme}.png`);
        await page.screenshot({ path: file });
        console.log(`${path.relative(root, file)} ${Math.round(statSync(file).size / 1024)} KiB`);
      };
      await openScreen(page, 'Displays', 1_000);
      for (const [id, title] of DISPLAYS) {
        // The Displays screen follows its address: the hash opens each display in this page (its live history kept).
        await page.evaluate((d) => {
          location.hash = `#/displays/${d}`;
        }, id);
        await page.getByRole('group', { name: `Display ${title}` }).waitFor({ timeout: 30_000 });
        const canvas = page.locator('.display-canvas');
        await canvas.waitFor({ timeout: 30_000 });
        // Every bound value shown (no "—" left in a value box) before the shot.
        await waitFor(
          "the display's values",
          async () => ((await page.locator('.sym-value .v', { hasText: /^—$/ }).count()) === 0 ? true : undefined),
          30_000,
        );
        await shot(id);
        if (id === 'pump-station') {
          await page.locator('g[data-id="pump101-pump"]').click();
          await page.locator('.faceplate .uplot').first().waitFor({ timeout: 15_000 });
          await shot('faceplate-pump101');
        }
      }
      await context.close();
    }
  } finally {
    await browser.close();
    await app.stop();
    rmSync(app.dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
