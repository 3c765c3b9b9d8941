// The live trend under load, in headless Chromium against serve mode on the demo plant: 16 pens ×
// 100 Hz in a 10-minute window (960,000 points in view). The demo plant cannot produce 1,600
// samples/s, so the 16 pens come from a synthetic feed inside the page that enqueues columnar
// batches into the same live store the WebSocket stream feeds (one batch per ~16 ms, i.e. the
// worst case of a stream coalesced per frame); the plant's real stream keeps flowing beside it.
// The window is prefilled with 10 minutes of samples, then measured for 30 s (quick: 8 s).
// Baseline, same run, same browser: uPlot drawing the same 960,000 points from a static array
// every animation frame (no decimation of ours). Input latency: a click on History/Live until the
// next frame, under that load, beside the same clicks before the load starts; and a click on a real
// alarm's Ack until the top bar's summary changes (a round trip through the core), with the feed
// running, beside the same before the load.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { artifactsDir, launchChromium } from '../e2e/browser.js';
import { ADMIN, root, startConsole } from '../e2e/harness.js';
import { countFrames, type FrameCount } from './support/frames.js';
import type { Bench, BenchResult } from './types.js';

const PENS = 16;
const HZ = 100;
const WINDOW_S = 600;

interface FrameStats extends FrameCount {
  updates: number;
  meanUpdateMs: number;
  maxUpdateMs: number;
}

/** rAF cadence, dropped frames and long tasks over `ms` (support/frames.ts), with the trend's own update times. */
async function measureFrames(page: Page, ms: number): Promise<FrameStats> {
  const {
    begin: s0,
    end: s1,
    ...f
  } = await countFrames(
    page,
    ms,
    () => {
      const s = { ...(window.aurumDebug?.trendStats ?? { updates: 0, updateMs: 0, maxUpdateMs: 0 }) };
      if (window.aurumDebug) window.aurumDebug.trendStats.maxUpdateMs = 0;
      return s;
    },
    () => ({ ...(window.aurumDebug?.trendStats ?? { updates: 0, updateMs: 0, maxUpdateMs: 0 }) }),
  );
  const updates = s1.updates - s0.updates;
  return { ...f, updates, meanUpdateMs: updates ? (s1.updateMs - s0.updateMs) / updates : 0, maxUpdateMs: s1.maxUpdateMs };
}

async function heapMB(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  await cdp.detach();
  return (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0) / 1e6;
}

/** Median and max of ten History/Live clicks, each timed until the frame after it. */
function clickLatency(page: Page): Promise<{ median: number; max: number }> {
  return page.evaluate(async () => {
    const button = (label: string) => [...document.querySelectorAll('button')].find((b) => b.textContent?.includes(label));
    const nextFrame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));
    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      const label = i % 2 === 0 ? 'History' : 'Live';
      const t0 = performance.now();
      button(label)?.click();
      await nextFrame();
      times.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 150));
    }
    times.sort((a, b) => a - b);
    return { median: times[5] ?? 0, max: times[9] ?? 0 };
  });
}

/** Click an alarm's Ack button and time it until the top bar's alarm summary changes and the next frame starts. */
function ackLatency(page: Page, id: string): Promise<number> {
  return page.evaluate(
    (id) =>
      new Promise<number>((resolve, reject) => {
        const summary = document.querySelector('.alarm-summary');
        const button = document.querySelector(`tr[data-alarm="${id}"] .actions button`);
        if (!summary || !(button instanceof HTMLButtonElement)) {
          reject(new Error(`no Ack button for ${id}`));
          return;
        }
        const before = summary.textContent;
        const t0 = performance.now();
        const mo = new MutationObserver(() => {
          if (summary.textContent === before) return;
          mo.disconnect();
          requestAnimationFrame(() => resolve(performance.now() - t0));
        });
        mo.observe(summary, { subtree: true, childList: true, characterData: true });
        button.click();
      }),
    id,
  );
}

async function openAlarms(page: Page, id: string): Promise<void> {
  await page.evaluate(() => window.aurumDebug?.actions.navigate('alarms'));
  await page.locator(`tr[data-alarm="${id}"][data-state="unack_active"]`).waitFor({ timeout: 30_000 });
}

/** 16 synthetic tags on the console's trend, the window prefilled with 10 minutes at 100 Hz, and the feed started. */
function startSyntheticLoad(page: Page): Promise<number> {
  return page.evaluate(
    ({ pens, hz, windowS }) => {
      const d = window.aurumDebug;
      if (!d) throw new Error('no aurumDebug handle');
      const { tags, machines } = d.appStore.getState();
      const base = tags.length;
      const template = tags.find((t) => t.dataType === 'float');
      if (!template) throw new Error('no float tag to copy');
      const synth = Array.from({ length: pens }, (_, i) => ({
        ...template,
        id: base + i,
        name: `Bench/Synthetic/Feed/Pen${String(i + 1).padStart(2, '0')}`,
        site: 'Bench',
        area: 'Synthetic',
        machine: 'Feed',
        unit: ['bar', '°C', 'mm/s', 'A'][i % 4] as string,
        expectedPeriodMs: 1000 / hz,
      }));
      d.live.reset(base + pens);
      d.actions.setMeta([...tags, ...synth], machines);
      const value = (p: number, t: number) => 50 + 20 * Math.sin(t / (2000 + 300 * p)) + 5 * Math.sin(t / 37 + p) + Math.random();
      const stepMs = 1000 / hz;
      const batch = (from: number, to: number) => {
        const ids: number[] = [];
        const ts: number[] = [];
        const v: number[] = [];
        const q: (0 | 1 | 2)[] = [];
        for (let t = from; t < to; t += stepMs) {
          for (let p = 0; p < pens; p++) {
            ids.push(base + p);
            ts.push(t);
            v.push(value(p, t));
            q.push(0);
          }
        }
        return { ids, ts, v, q };
      };
      const now = Math.floor(Date.now() / stepMs) * stepMs;
      for (let t = now - windowS * 1000; t < now; t += 1000) d.live.enqueue(batch(t, Math.min(now, t + 1000)));
      d.live.applyQueued();
      d.trendStore.setState({ pens: synth.map((t) => t.name), windowS, mode: 'live', range: null });
      d.actions.navigate('trends');
      let next = now;
      setInterval(() => {
        const to = Math.floor(Date.now() / stepMs) * stepMs + stepMs;
        if (to > next) d.live.enqueue(batch(next, to));
        next = Math.max(next, to);
      }, 16);
      return base + pens;
    },
    { pens: PENS, hz: HZ, windowS: WINDOW_S },
  );
}

/** The baseline: uPlot alone, the same 16 × 60,000 points from static arrays, redrawn every frame. */
async function startStaticBaseline(page: Page): Promise<void> {
  await page.setContent('<!doctype html><html><body style="margin:0;background:#2b2d30"><div id="c"></div></body></html>');
  await page.addScriptTag({ path: path.join(root, 'node_modules/uplot/dist/uPlot.iife.min.js') });
  await page.evaluate(
    ({ pens, hz, windowS }) => {
      interface UPlotLike {
        batch(fn: () => void): void;
        setData(data: unknown, reset?: boolean): void;
        setScale(key: string, r: { min: number; max: number }): void;
      }
      const U = (window as unknown as { uPlot: new (opts: unknown, data: unknown, el: HTMLElement) => UPlotLike }).uPlot;
      const n = windowS * hz;
      const start = Date.now() - windowS * 1000;
      const x = new Float64Array(n);
      for (let i = 0; i < n; i++) x[i] = (start + (i * 1000) / hz) / 1000;
      const ys = Array.from({ length: pens }, (_, p) => {
        const y = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          const t = (x[i] as number) * 1000;
          y[i] = 50 + 20 * Math.sin(t / (2000 + 300 * p)) + 5 * Math.sin(t / 37 + p) + Math.random();
        }
        return y;
      });
      const units = ['bar', '°C', 'mm/s', 'A'];
      const el = document.getElementById('c') as HTMLElement;
      const u = new U(
        {
          width: 1540,
          height: 440,
          legend: { show: false },
          scales: { x: { time: true }, ...Object.fromEntries(units.map((k) => [k, { auto: true }])) },
          axes: [{}, ...units.map((k, i) => ({ scale: k, side: i % 2 === 0 ? 3 : 1 }))],
          series: [{}, ...ys.map((_, p) => ({ scale: units[p % 4], stroke: `hsl(${p * 22},60%,60%)`, width: 1 }))],
        },
        [x, ...ys],
        el,
      );
      const data = [x, ...ys];
      const stats = { updates: 0, updateMs: 0, maxUpdateMs: 0 };
      (window as unknown as { aurumDebug: { trendStats: typeof stats } }).aurumDebug = { trendStats: stats };
      const frame = () => {
        const t0 = performance.now();
        u.batch(() => {
          u.setData(data, false);
          u.setScale('x', { min: x[0] as number, max: x[n - 1] as number });
        });
        const took = performance.now() - t0;
        stats.updates++;
        stats.updateMs += took;
        stats.maxUpdateMs = Math.max(stats.maxUpdateMs, took);
        requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    },
    { pens: PENS, hz: HZ, windowS: WINDOW_S },
  );
}

const bench: Bench = async ({ quick }) => {
  const measureMs = quick ? 8_000 : 30_000;
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--if-needed'], { stdio: 'ignore' });
  const app = await startConsole({ script: 'bin/aurum.mjs', args: ['serve'], timeoutMs: 40_000 });
  const browser = await launchChromium();
  try {
    const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    // tsx compiles this file with esbuild's keepNames, which wraps named functions in __name():
    // functions passed to page.evaluate need that helper in the page too.
    await ctx.addInitScript('window.__name = (f) => f');
    const page = await ctx.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => (m.type() === 'error' ? pageErrors.push(m.text()) : undefined));
    await page.goto(app.url);
    await page.getByLabel('User').fill(ADMIN.user);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('h1.screen-title', { hasText: 'Overview' }).waitFor();
    // Two real alarms to acknowledge: both pumps slowed below their low-flow limit (10 s on-delay).
    const token = await app.signIn();
    for (const pump of ['Pump101', 'Pump102']) {
      await fetch(`${app.url}/api/tags/write`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}` },
        body: JSON.stringify({ tag: `Demo/PumpStation/${pump}/SpeedSetpoint`, value: 40, confirmed: true }),
      });
    }
    await openAlarms(page, 'Demo.PumpStation.Pump101.Flow.lo');
    const idleAck = await ackLatency(page, 'Demo.PumpStation.Pump101.Flow.lo');
    await page.evaluate(() => window.aurumDebug?.actions.navigate('trends'));
    await page
      .locator('.trend-chart canvas')
      .first()
      .waitFor()
      .catch(async (err) => {
        await page.screenshot({ path: path.join(artifactsDir, 'bench-ui-trend-failure.png') });
        throw new Error(`${(err as Error).message}\npage errors: ${pageErrors.join('\n')}`);
      });
    await page.waitForTimeout(1500);
    const idleLatency = await clickLatency(page);
    const idleHeap = await heapMB(page);

    const prefillStarted = Date.now();
    await startSyntheticLoad(page);
    const prefillMs = Date.now() - prefillStarted;
    await page.locator('.trend-chart[data-pens*="Bench/Synthetic"] canvas').first().waitFor();
    await page.waitForTimeout(2000);
    const loaded = await measureFrames(page, measureMs);
    const loadedLatency = await clickLatency(page);
    const loadedHeap = await heapMB(page);
    // The feed keeps running while the operator turns to the alarm list.
    await openAlarms(page, 'Demo.PumpStation.Pump102.Flow.lo');
    const loadedAck = await ackLatency(page, 'Demo.PumpStation.Pump102.Flow.lo');
    const { inView, ringMB } = await page.evaluate(() => {
      const d = window.aurumDebug;
      const pens = d?.trendStore.getState().pens ?? [];
      const tags = d?.appStore.getState().tagByName;
      const from = Date.now() - 600_000;
      let points = 0;
      let bytes = 0;
      for (const n of pens) {
        const ring = d?.live.ring(tags?.get(n)?.id ?? -1);
        if (!ring) continue;
        points += ring.length - ring.firstAtOrAfter(from);
        bytes += ring.capacity * 16;
      }
      return { inView: points, ringMB: bytes / 1e6 };
    });

    const basePage = await ctx.newPage();
    await startStaticBaseline(basePage);
    await basePage.waitForTimeout(1000);
    const base = await measureFrames(basePage, measureMs);
    const baseHeap = await heapMB(basePage);

    const label = `${PENS} pens × ${HZ} Hz, ${WINDOW_S / 60}-min window (${inView.toLocaleString('en-US')} points in view), ${loaded.seconds.toFixed(0)} s`;
    const baselineName = 'uPlot drawing the same points from a static array each frame';
    const results: BenchResult[] = [
      {
        bench: 'ui-trend',
        metric: `live trend fps: ${label}`,
        value: loaded.frames / loaded.seconds,
        unit: 'fps',
        baseline: baselineName,
        baselineValue: base.frames / base.seconds,
        target: '≥ 30 fps (aim 60)',
        notes: `synthetic in-page feed through the live store, one batch per ~16 ms; prefill of the window took ${prefillMs} ms; host load average ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores`,
      },
      {
        bench: 'ui-trend',
        metric: 'dropped frames (60 Hz) during the run',
        value: loaded.dropped,
        unit: 'frames',
        baseline: baselineName,
        baselineValue: base.dropped,
      },
      {
        bench: 'ui-trend',
        metric: 'main-thread long tasks (> 50 ms)',
        value: loaded.longTasks,
        unit: 'tasks',
        baseline: baselineName,
        baselineValue: base.longTasks,
        target: 'none > 50 ms',
        notes: `longest ${loaded.maxLongTaskMs.toFixed(0)} ms (baseline ${base.maxLongTaskMs.toFixed(0)} ms)`,
      },
      {
        bench: 'ui-trend',
        metric: 'chart update (decimate + setData + draw), mean',
        value: loaded.meanUpdateMs,
        unit: 'ms',
        baseline: baselineName,
        baselineValue: base.meanUpdateMs,
        notes: `${loaded.updates} updates, max ${loaded.maxUpdateMs.toFixed(1)} ms (baseline ${base.updates} draws, max ${base.maxUpdateMs.toFixed(1)} ms)`,
      },
      {
        bench: 'ui-trend',
        metric: 'JS heap with the full 10-minute window held',
        value: loadedHeap,
        unit: 'MB',
        baseline: 'same tab before the load (3 demo pens)',
        baselineValue: idleHeap,
        notes: `plus ${ringMB.toFixed(0)} MB of ring buffers (typed arrays, outside this JS-heap figure); static-array baseline tab: ${baseHeap.toFixed(0)} MB`,
      },
      {
        bench: 'ui-trend',
        metric: 'input latency: click History/Live → next frame, under load (median)',
        value: loadedLatency.median,
        unit: 'ms',
        baseline: 'same clicks before the load',
        baselineValue: idleLatency.median,
        target: '< 100 ms',
        notes: `max ${loadedLatency.max.toFixed(0)} ms (before the load: ${idleLatency.max.toFixed(0)} ms)`,
      },
      {
        bench: 'ui-trend',
        metric: 'acknowledge latency: click Ack → alarm summary updated (core round trip), synthetic feed running',
        value: loadedAck,
        unit: 'ms',
        baseline: 'the same on another alarm before the load',
        baselineValue: idleAck,
        target: '< 100 ms',
        notes: 'one alarm each (the demo plant raises two low-flow alarms for this); the trend is not drawn while the alarm list is shown',
      },
    ];
    return results;
  } finally {
    await browser.close();
    await app.stop();
    rmSync(app.dataDir, { recursive: true, force: true });
  }
};

export default bench;
