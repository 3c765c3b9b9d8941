// A process display under load, in headless Chromium: 2,000 bound elements (value boxes, pumps,
// lines, analog indicators, bars; each bound to a tag of its own) with every bound tag changing at
// 10 Hz, through the console's own DisplayView, applier, writers and CSS (bundled here with esbuild
// from renderer/src; the feed is a LiveData of the page's own, one columnar batch per tick, as the
// core's stream sends them). Measured: animation frames per second, dropped frames (intervals beyond
// one 60 Hz frame), long tasks (> 50 ms) and element writes per second (each a DOM write of that
// element's changed nodes: text, data-* attributes, accessible name) — beside the same page with no
// updates (idle baseline), same run, same browser. Target (issue 19): ≥ 55 fps and no long task.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import { launchChromium } from '../e2e/browser.js';
import { root } from '../e2e/harness.js';
import { countFrames } from './support/frames.js';
import type { Bench, BenchResult } from './types.js';

const ELEMENTS = 2000;
const HZ = 10;

interface Window {
  fps: number;
  seconds: number;
  dropped: number;
  longTasks: number;
  maxLongTaskMs: number;
  writesPerS: number;
  /** Mean time of one applier pass (compare every element, write the changed ones), ms. */
  passMs: number;
}

/** The page's applier counters: element writes, total pass time and passes. */
const applier = () => ({
  writes: window.displayBench.writes(),
  passMs: window.displayBench.passMs(),
  passes: window.displayBench.passes(),
});

async function measure(page: Page, ms: number): Promise<Window> {
  const f = await countFrames(page, ms, applier, applier);
  return {
    fps: f.frames / f.seconds,
    seconds: f.seconds,
    dropped: f.dropped,
    longTasks: f.longTasks,
    maxLongTaskMs: f.maxLongTaskMs,
    writesPerS: (f.end.writes - f.begin.writes) / f.seconds,
    passMs: (f.end.passMs - f.begin.passMs) / Math.max(1, f.end.passes - f.begin.passes),
  };
}

const bench: Bench = async ({ quick }) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'aurum-bench-displays-'));
  const browser = await launchChromium();
  try {
    await build({
      entryPoints: { page: path.join(root, 'bench', 'support', 'displays-page.tsx') },
      bundle: true,
      format: 'iife',
      jsx: 'automatic',
      minify: true,
      outdir: dir,
      define: { 'process.env.NODE_ENV': '"production"' },
      logLevel: 'warning',
    });
    writeFileSync(
      path.join(dir, 'index.html'),
      '<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="page.css"></head><body><div id="root"></div><script src="page.js"></script></body></html>',
    );
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    // tsx compiles this file with esbuild's keepNames, which wraps named functions in __name():
    // functions passed to page.evaluate need that helper in the page too.
    await context.addInitScript('window.__name = (f) => f');
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${pathToFileURL(path.join(dir, 'index.html')).href}?elements=${ELEMENTS}`);
    await page.waitForFunction(() => window.displayBench?.ready, undefined, { timeout: 60_000 });
    if (errors.length > 0) throw new Error(`the benchmark page failed: ${errors.join('; ')}`);
    const ms = quick ? 5_000 : 20_000;
    // One first feed so every element has a value (the idle page shows values, it only does not change).
    await page.evaluate((hz) => window.displayBench.feed(hz), HZ);
    await page.waitForTimeout(1_000);
    await page.evaluate(() => window.displayBench.stop());
    await page.waitForTimeout(1_000);
    const idle = await measure(page, ms);
    await page.evaluate((hz) => window.displayBench.feed(hz), HZ);
    await page.waitForTimeout(1_000);
    const loaded = await measure(page, ms);
    await page.evaluate(() => window.displayBench.stop());
    const notes = `${ELEMENTS} elements, every bound tag changing at ${HZ} Hz, ${loaded.seconds.toFixed(1)} s measured each; max long task ${loaded.maxLongTaskMs.toFixed(0)} ms (idle ${idle.maxLongTaskMs.toFixed(0)} ms); host load average ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores (a shared machine)`;
    const r = (metric: string, value: number, baselineValue: number, unit: string, target?: string): BenchResult => ({
      bench: 'displays',
      metric,
      value,
      unit,
      baseline: 'the same page, no updates',
      baselineValue,
      ...(target ? { target } : {}),
      notes,
    });
    return [
      r('display fps, 2,000 bound elements at 10 Hz', loaded.fps, idle.fps, 'fps', '≥ 55 fps'),
      r('dropped frames per second', loaded.dropped / loaded.seconds, idle.dropped / idle.seconds, 'frames/s'),
      r('long tasks (> 50 ms)', loaded.longTasks, idle.longTasks, 'tasks', 'none'),
      r('element writes per second (DOM)', loaded.writesPerS, idle.writesPerS, 'writes/s'),
      r('applier pass (compare + writes)', loaded.passMs, idle.passMs, 'ms'),
    ];
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
};

export default bench;
