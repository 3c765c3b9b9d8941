// History trends in Chromium: 8 pens × 7 days of 1 Hz data in the console's historian, then the
// time from a range change to the chart's first paint — the history.query over HTTP (decimated to
// the chart's pixel width, min/max kept) plus uPlot's setData and draw, timed at uPlot's draw hook.
// Baseline in the same run: uPlot drawing the same number of points from a static array.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium, signInContext } from '../e2e/browser.js';
import { root, startConsole } from '../e2e/harness.js';
import { openHistorian } from '../native/historian/index.js';
import { parseSiteFile } from '../native/site/index.js';
import { emptyBatch } from '../native/tags/bus.js';
import type { Bench } from './types.js';

const PENS = 8;
const DAYS = 7;
const WIDTH = 1600;
const DAY_MS = 86_400_000;

const SITE = `version: 1
site: { name: Hist }
connections:
  - { name: gateway, protocol: ingest }
areas:
  - name: Area
    machines:
      - name: M1
        connection: gateway
        tags:
${Array.from({ length: PENS }, (_, i) => `          - { name: T${i}, address: T${i}, unit: bar }`).join('\n')}
`;

/** Seed the historian the console will open: 7 days × 1 Hz for every pen. */
async function seed(dataDir: string, siteFile: string, end: number): Promise<number> {
  const model = parseSiteFile(SITE, siteFile);
  const historian = await openHistorian({ dir: path.join(dataDir, 'historian'), tags: model.tags, maxBufferedSamples: 4_000_000 });
  const n = 3600 * PENS;
  const batch = emptyBatch(n);
  let samples = 0;
  for (let hour = 0; hour < DAYS * 24; hour++) {
    const t0 = end - DAYS * DAY_MS + hour * 3_600_000;
    for (let s = 0; s < 3600; s++) {
      for (let p = 0; p < PENS; p++) {
        const i = s * PENS + p;
        const t = t0 + s * 1000;
        batch.ids[i] = p;
        batch.ts[i] = t;
        batch.values[i] = 5 + 2 * Math.sin(t / (3_600_000 + p * 600_000)) + 0.2 * Math.sin(t / 7000 + p) + (s % 997 === 0 ? 3 : 0);
      }
    }
    historian.ingest(batch);
    samples += n;
    if (hour % 24 === 23) await historian.flush();
  }
  await historian.close();
  return samples;
}

/** In the page: time range changes from request to uPlot's first draw of the answer. */
function measureRangeChanges(
  page: Page,
  names: string[],
  end: number,
  staticOnly: boolean,
): Promise<{ timings: number[]; points: number[] }> {
  return page.evaluate(
    async ({ names, end, width, days, staticOnly }) => {
      interface UPlotLike {
        setData(data: unknown, reset?: boolean): void;
        destroy(): void;
      }
      type UPlotCtor = new (opts: unknown, data: unknown, el: HTMLElement) => UPlotLike;
      const U = (window as unknown as { uPlot: UPlotCtor }).uPlot;
      document.body.innerHTML = '<div id="chart"></div>';
      let drawn: (() => void) | null = null;
      const el = document.getElementById('chart') as HTMLElement;
      const chart = new U(
        {
          width,
          height: 480,
          legend: { show: false },
          scales: { x: { time: true } },
          series: [{}, ...names.map((_, i) => ({ stroke: `hsl(${i * 45},60%,60%)`, width: 1, spanGaps: true }))],
          hooks: { draw: [() => drawn?.()] },
        },
        [[], ...names.map(() => [])],
        el,
      );
      const ranges = [
        [end - days * 86_400_000, end],
        [end - 3 * 86_400_000, end],
        [end - 86_400_000, end],
        [end - 6 * 3_600_000, end],
        [end - 5 * 86_400_000, end - 2 * 86_400_000],
        [end - days * 86_400_000, end],
      ];
      const timings: number[] = [];
      const points: number[] = [];
      let cached: unknown = null;
      for (const [from, to] of ranges) {
        const t0 = performance.now();
        const painted = new Promise<void>((resolve) => {
          drawn = resolve;
        });
        let data: unknown;
        if (staticOnly && cached) data = cached;
        else {
          const q = `/api/history?tags=${encodeURIComponent(names.join(','))}&from=${new Date(from as number).toISOString()}&to=${new Date(to as number).toISOString()}&maxPoints=${width}`;
          const series = (await (await fetch(q)).json()) as { ts: number[]; v: (number | null)[] }[];
          const x = (series[0]?.ts ?? []).map((t) => t / 1000);
          points.push(series.reduce((n, s) => n + s.v.filter((v) => v !== null).length, 0));
          data = [x, ...series.map((s) => s.v)];
          cached = data;
        }
        chart.setData(data, true);
        await painted;
        timings.push(performance.now() - t0);
      }
      chart.destroy();
      return { timings, points };
    },
    { names, end, width: WIDTH, days: DAYS, staticOnly },
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const bench: Bench = async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'aurum-bench-history-'));
  const dataDir = path.join(dir, 'data');
  const siteFile = path.join(dir, 'site.yaml');
  writeFileSync(siteFile, SITE);
  const end = Math.floor(Date.now() / 1000) * 1000;
  const samples = await seed(dataDir, siteFile, end);
  const app = await startConsole({ script: 'bin/aurum.mjs', args: ['serve', '--config', siteFile], dataDir, timeoutMs: 60_000 });
  const browser = await launchChromium();
  try {
    // The console's CSP forbids injected scripts: this measuring page needs uPlot injected beside its own.
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1700, height: 700 } });
    await signInContext(context, app.url);
    const page = await context.newPage();
    await page.goto(`${app.url}/api/health`);
    await page.addScriptTag({ path: path.join(root, 'node_modules/uplot/dist/uPlot.iife.min.js') });
    const names = Array.from({ length: PENS }, (_, i) => `Hist/Area/M1/T${i}`);
    await measureRangeChanges(page, names, end, false);
    const { timings: live, points } = await measureRangeChanges(page, names, end, false);
    const { timings: baseline } = await measureRangeChanges(page, names, end, true);
    // A fast answer with nothing in it would measure nothing: every range must come back filled.
    if (points.some((n) => n < PENS * 500)) throw new Error(`history came back (nearly) empty: ${points.join(', ')} points`);
    return [
      {
        bench: 'ui-history',
        metric: `range change → first paint, ${PENS} pens × ${DAYS} days of 1 Hz (${(samples / 1e6).toFixed(1)} M samples), median of 6`,
        notes: `points drawn per range change: ${points.join(', ')}`,
        value: median(live),
        unit: 'ms',
        baseline: 'uPlot setData + draw of the same points from memory (no query)',
        baselineValue: median(baseline),
        target: '< 300 ms',
      },
      {
        bench: 'ui-history',
        metric: 'range change → first paint, worst of 6',
        value: Math.max(...live),
        unit: 'ms',
        baseline: 'uPlot setData + draw from memory, worst',
        baselineValue: Math.max(...baseline),
        target: '< 300 ms',
      },
    ];
  } finally {
    await browser.close();
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};

export default bench;
