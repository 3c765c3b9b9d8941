// Screenshots of every screen of the console on the demo plant, at the workstation sizes the console
// is laid out for, into docs/screenshots/<screen>-<width>x<height>.png (referenced from the README).
// Runs the BUILT bundle (node scripts/build.mjs first) in serve mode and real Chromium:
//   npx tsx scripts/screenshots.ts [--out <dir>] [--sizes 1280x800,1920x1080,2560x1440] [--theme dark|light]
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
  },
});

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
    for (const size of sizes) {
      const context = await browser.newContext({ viewport: size });
      await context.addInitScript((theme) => localStorage.setItem('aurum.theme', theme), values.theme ?? 'dark');
      await signInContext(context, app.url);
      const page = await context.newPage();
      await page.goto(app.url);
      await waitForLiveValues(page, 60_000);
      // Let the plant run (history for trends, an alarm raised) once, before the first shot.
      await waitFor('the warm-up', async () => (Date.now() - started >= warmupMs ? true : undefined), warmupMs + 1000, 500);
      for (const label of await screenLabels(page)) {
        await openScreen(page, label);
        const file = path.join(out, `${slug(label)}-${size.width}x${size.height}.png`);
        await page.screenshot({ path: file });
        console.log(`${path.relative(root, file)} ${Math.round(statSync(file).size / 1024)} KiB`);
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
