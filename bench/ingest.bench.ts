// HTTP ingest under load, against a real serve-mode console (the built bundle, `npm run build`
// first) in its own process: GET /api/tags p50/p99 while four clients push 10,000-item batches as
// fast as the console acknowledges them (an acknowledgement = committed), beside the same requests
// on the idle console in the same run; the acknowledged ingest rate beside parsing the same bodies
// in this process (JSON.parse alone, the floor of any JSON ingest); and samples acknowledged and
// lost over repeated kill -9 during ingest (lost must be 0).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { WebSocket } from 'ws';
import { type RunningConsole, root, startConsole } from '../e2e/harness.js';
import { StoreReader } from '../native/historian/reader.js';
import { openSqlite } from '../native/util/sqlite.js';
import type { Bench, BenchResult } from './types.js';

const TAG_COUNT = 100;
const TAGS = Array.from({ length: TAG_COUNT }, (_, i) => `Bench/Yard/Edge/T${i}`);
const SITE = `version: 1
site: { name: Bench }
connections:
  - { name: gateway, protocol: ingest, maxQueue: 200000 }
areas:
  - name: Yard
    machines:
      - name: Edge
        connection: gateway
        tags:
${TAGS.map((t) => `          - { name: ${t.split('/').pop()}, address: ${t.split('/').pop()} }`).join('\n')}
`;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};

const T0 = Date.now() - 60_000;

/**
 * One push body of `n` items with unique values from `first`; times advance with the value
 * (0.01 ms per sample, in order per tag), as a gateway forwarding live data sends them.
 */
function body(first: number, n: number): string {
  const items = new Array(n);
  for (let i = 0; i < n; i++) {
    const v = first + i;
    items[i] = { tag: TAGS[v % TAG_COUNT], value: v, timestamp: T0 + (v % 100_000_000) / 100 };
  }
  return JSON.stringify(items);
}

async function tagsLatency(app: RunningConsole, headers: Record<string, string>, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = await fetch(`${app.url}/api/tags`, { headers });
    await r.arrayBuffer();
    out.push(performance.now() - t0);
    await new Promise((res) => setTimeout(res, 20));
  }
  return out;
}

// The load runs in its own thread, so generating 10k-item bodies never delays this thread's
// latency probes (the figure is the console's, not the bench's).
const PUSHER = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, headers, tags, clients, size, base, t0 } = workerData;
let next = base;
let on = true;
let samples = 0;
const acked = [];
parentPort.on('message', () => { on = false; });
function body(first, n) {
  const items = new Array(n);
  for (let i = 0; i < n; i++) {
    const v = first + i;
    items[i] = { tag: tags[v % tags.length], value: v, timestamp: t0 + (v % 100000000) / 100 };
  }
  return JSON.stringify(items);
}
async function loop() {
  while (on) {
    const first = next;
    next += size;
    try {
      const r = await fetch(url + '/api/ingest', { method: 'POST', headers, body: body(first, size) });
      await r.arrayBuffer();
      if (r.status === 202) { acked.push([first, size]); samples += size; parentPort.postMessage({ samples }); }
      else if (r.status === 429) await new Promise((res) => setTimeout(res, 50));
    } catch { return; }
  }
}
Promise.all(Array.from({ length: clients }, loop)).then(() => parentPort.postMessage({ done: true, acked, samples }));
`;

/** Clients pushing unique values (in time order per tag) until stopped; counts what was acknowledged. */
function pushers(app: RunningConsole, headers: Record<string, string>, clients: number, size: number, base: number) {
  const w = new Worker(PUSHER, { eval: true, workerData: { url: app.url, headers, tags: TAGS, clients, size, base, t0: T0 } });
  let samples = 0;
  let acked: number[][] = [];
  const done = new Promise<void>((resolve) => {
    w.on('message', (m: { samples: number; done?: boolean; acked?: number[][] }) => {
      samples = m.samples;
      if (m.done) {
        acked = m.acked ?? [];
        resolve();
      }
    });
  });
  return {
    samples: () => samples,
    acked: () => acked,
    stop: async () => {
      w.postMessage('stop');
      await done;
      await w.terminate();
    },
  };
}

/** Gaps (ms) between `values` stream messages on a signed-in WebSocket; `take` returns and resets them. */
function valueGaps(app: RunningConsole, headers: Record<string, string>) {
  const ws = new WebSocket(`${app.url.replace('http', 'ws')}/api/ws`, { headers });
  let last = 0;
  let gaps: number[] = [];
  ws.on('message', (m) => {
    const msg = JSON.parse(String(m)) as { type: string; stream?: string };
    if (msg.type !== 'event' || msg.stream !== 'values') return;
    const t = performance.now();
    if (last > 0) gaps.push(t - last);
    last = t;
  });
  return {
    open: new Promise((r) => ws.once('open', r)),
    take: () => {
      const g = gaps;
      gaps = [];
      return g;
    },
    close: () => ws.close(),
  };
}

function stored(dataDir: string): Set<number> {
  const db = openSqlite(path.join(dataDir, 'historian', 'historian.db'), { readonly: true });
  const reader = new StoreReader(db);
  const out = new Set<number>();
  for (const r of db.prepare('SELECT id FROM tag').all() as { id: number }[]) {
    for (const v of reader.raw(r.id, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY).values) out.add(v);
  }
  db.close();
  return out;
}

const run: Bench = async ({ quick }) => {
  if (!existsSync(path.join(root, 'dist', 'native', 'cli.mjs')))
    throw new Error('ingest bench runs the built console: run npm run build first');
  const dir = mkdtempSync(path.join(tmpdir(), 'aurum-bench-ingest-'));
  const config = path.join(dir, 'site.yaml');
  writeFileSync(config, SITE);
  const results: BenchResult[] = [];
  const env = { AURUM_LOG: 'silent' };
  try {
    // 1. /api/tags idle, then under maximum ingest, on one console.
    const dataDir = path.join(dir, 'load');
    const app = await startConsole({ script: 'bin/aurum.mjs', args: ['serve', '--config', config], dataDir, env });
    const headers = { Authorization: `Bearer ${await app.signIn()}` };
    const samples = quick ? 50 : 200;
    await tagsLatency(app, headers, 10);
    const idle = await tagsLatency(app, headers, samples);
    const p = pushers(app, headers, 4, 10_000, 0);
    await new Promise((r) => setTimeout(r, 1000));
    const s0 = p.samples();
    const t0 = performance.now();
    const loaded = await tagsLatency(app, headers, samples);
    const rate = ((p.samples() - s0) * 1000) / (performance.now() - t0);
    // Then the values stream's cadence under the same load (a UI client costs the console work of
    // its own, so it is measured apart), and under a trickle of one small push every 50 ms.
    const ws = valueGaps(app, headers);
    await ws.open;
    await new Promise((r) => setTimeout(r, 1000));
    ws.take();
    await new Promise((r) => setTimeout(r, quick ? 3000 : 6000));
    const loadGaps = ws.take();
    await p.stop();
    let trickling = true;
    const trickle = (async () => {
      for (let v = 0; trickling; v++) {
        await fetch(`${app.url}/api/ingest`, { method: 'POST', headers, body: JSON.stringify([{ tag: TAGS[0], value: v }]) });
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    await new Promise((r) => setTimeout(r, 1000));
    ws.take();
    await new Promise((r) => setTimeout(r, quick ? 3000 : 6000));
    trickling = false;
    await trickle;
    const lightGaps = ws.take();
    ws.close();
    await app.stop();

    // The same bodies parsed in this process: what JSON alone costs per sample.
    const bodies = Array.from({ length: 20 }, (_, i) => body(i * 10_000, 10_000));
    const j0 = performance.now();
    for (const b of bodies) JSON.parse(b);
    const parseRate = (bodies.length * 10_000 * 1000) / (performance.now() - j0);

    for (const [name, q] of [
      ['p50', 50],
      ['p99', 99],
    ] as const) {
      results.push({
        bench: 'ingest',
        metric: `GET /api/tags ${name} while 4 clients push 10k-item batches at the maximum acknowledged rate`,
        value: pct(loaded, q),
        unit: 'ms',
        baseline: 'the same requests on the idle console',
        baselineValue: pct(idle, q),
        ...(name === 'p99' ? { target: '< 100 ms' } : {}),
      });
    }
    results.push({
      bench: 'ingest',
      metric: 'WebSocket values stream: p99 gap between messages (nominal 100 ms) while ingest runs at its maximum',
      value: pct(loadGaps, 99),
      unit: 'ms',
      baseline: 'the same under a trickle of one small push every 50 ms',
      baselineValue: pct(lightGaps, 99),
      notes: `${loadGaps.length} gaps under load, ${lightGaps.length} under the trickle`,
    });
    results.push({
      bench: 'ingest',
      metric: 'HTTP ingest, acknowledged (committed) samples/s, 4 clients × 10k-item JSON pushes',
      value: rate,
      unit: 'samples/s',
      baseline: 'JSON.parse of the same bodies in one process',
      baselineValue: parseRate,
    });

    // 2. kill -9 during ingest, repeatedly, on one data dir: every acknowledged sample must be in the file.
    const killDir = path.join(dir, 'kill');
    const rounds = quick ? 2 : 5;
    const acked: number[][] = [];
    for (let round = 0; round < rounds; round++) {
      const c = await startConsole({ script: 'bin/aurum.mjs', args: ['serve', '--config', config], dataDir: killDir, env });
      const h = { Authorization: `Bearer ${await c.signIn()}` };
      const k = pushers(c, h, 2, 5000, round * 100_000_000);
      await new Promise((r) => setTimeout(r, 1000 + Math.random() * 2000));
      c.child.kill('SIGKILL');
      await k.stop();
      await c.stop('SIGKILL');
      acked.push(...k.acked());
    }
    const have = stored(killDir);
    let total = 0;
    let lost = 0;
    for (const [first, n] of acked) {
      total += n;
      for (let v = first; v < first + n; v++) if (!have.has(v)) lost++;
    }
    results.push({
      bench: 'ingest',
      metric: `acknowledged samples lost over ${rounds} kill -9 during ingest`,
      value: lost,
      unit: 'samples',
      baseline: 'samples acknowledged (202) before the kills',
      baselineValue: total,
      target: '0',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
};

export default run;
