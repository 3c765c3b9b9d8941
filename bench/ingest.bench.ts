// HTTP ingest under load, against a real serve-mode console (the built bundle, `npm run build`
// first) in its own process: GET /api/tags p50/p99 while four clients push 10,000-item batches as
// fast as the console acknowledges them (an acknowledgement = committed), beside the same requests
// on the idle console in the same run; the acknowledged rate of each input form — JSON items,
// columnar series, InfluxDB line protocol — on the same realistic samples (1,000 tags at 1 Hz,
// 10,000 samples per push, four clients, bodies built before the clock starts), each on a fresh
// console, beside JSON.parse of the same bodies in this process and, when `influxd` is installed,
// InfluxDB 1.6.7 fed the same samples as line protocol in 10k-line POSTs (bench/support/peers.ts);
// and samples acknowledged and lost over repeated kill -9 during ingest (lost must be 0).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { WebSocket } from 'ws';
import { type RunningConsole, root, startConsole } from '../e2e/harness.js';
import { StoreReader } from '../native/historian/reader.js';
import { openSqlite } from '../native/util/sqlite.js';
import { cpuSeconds, isAbsent, loadAverage, type PeerSamples, realisticSamples, startInflux } from './support/peers.js';
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

// ---- The three input forms on the same samples ---------------------------------------------------

const FORM_TAGS = 1_000;
const PUSH = 10_000;
const formTag = (id: number) => `Bench/Yard/Edge/F${id}`;
const FORM_SITE = `version: 1
site: { name: Bench }
connections:
  - name: gateway
    protocol: ingest
    maxQueue: 200000
    lineProtocol: { name: "Bench/{tag:area}/{measurement}/{field}" }
areas:
  - name: Yard
    machines:
      - name: Edge
        connection: gateway
        tags:
${Array.from({ length: FORM_TAGS }, (_, i) => `          - { name: F${i}, address: F${i} }`).join('\n')}
`;

type Form = 'items' | 'series' | 'lines';
const FORM_PATH: Record<Form, string> = { items: '/api/ingest', series: '/api/ingest/series', lines: '/api/write?precision=ms' };
const FORM_LABEL: Record<Form, string> = {
  items: 'JSON items (POST /api/ingest)',
  series: 'columnar series (POST /api/ingest/series)',
  lines: 'InfluxDB line protocol (POST /api/write)',
};

/** The samples as push bodies of 10,000 in each form; all three hold exactly the same samples. */
function formBodies(s: PeerSamples, form: Form): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i += PUSH) {
    const end = Math.min(s.length, i + PUSH);
    if (form === 'items') {
      const items = [];
      for (let j = i; j < end; j++) items.push({ tag: formTag(s.ids[j] as number), value: s.values[j], timestamp: s.ts[j] });
      out.push(JSON.stringify(items));
    } else if (form === 'series') {
      const byTag = new Map<number, { tag: string; t: number[]; v: number[] }>();
      for (let j = i; j < end; j++) {
        const id = s.ids[j] as number;
        let one = byTag.get(id);
        if (!one) {
          one = { tag: formTag(id), t: [], v: [] };
          byTag.set(id, one);
        }
        one.t.push(s.ts[j] as number);
        one.v.push(s.values[j] as number);
      }
      out.push(JSON.stringify({ series: [...byTag.values()] }));
    } else {
      const lines: string[] = [];
      for (let j = i; j < end; j++) lines.push(`Edge,area=Yard F${s.ids[j]}=${s.values[j]} ${s.ts[j]}`);
      out.push(lines.join('\n'));
    }
  }
  return out;
}

/** CPU seconds of each of a process's threads by thread id (the main thread's id is the pid), from /proc; empty off Linux. */
function threadSeconds(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const f = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
      out.set(tid, (Number(fields[11]) + Number(fields[12])) / 100);
    }
  } catch {
    // a thread that ended between the listing and the read, or no /proc: what was read is kept
  }
  return out;
}

/**
 * µs of CPU per sample of the main thread, of the busiest other thread, and of the next busiest
 * ones, over a window: the threads have no names in /proc (Node 20 names none), and the
 * historian's writer is by far the busiest after the main thread; the next are the garbage
 * collector's helpers and libuv's pool, each a fraction of it.
 */
function threadSplit(pid: number, before: Map<string, number>, after: Map<string, number>, samples: number) {
  const used = (tid: string) => (after.get(tid) ?? 0) - (before.get(tid) ?? 0);
  const others = [...after.keys()]
    .filter((tid) => tid !== String(pid))
    .map((tid) => (used(tid) * 1e6) / samples)
    .sort((a, b) => b - a);
  return {
    mainUsPerSample: (used(String(pid)) * 1e6) / samples,
    writerUsPerSample: others[0] ?? 0,
    /** The next three busiest threads, and all the rest together. */
    nextUsPerSample: others.slice(1, 4),
    restUsPerSample: others.slice(4).reduce((a, b) => a + b, 0),
  };
}

/**
 * Four clients post the bodies (each once, in order) as fast as they are acknowledged; the first
 * body is a warm-up outside the clock. Returns samples/s acknowledged and the console's CPU.
 */
async function pushForm(app: RunningConsole, headers: Record<string, string>, form: Form, bodies: Uint8Array<ArrayBuffer>[]) {
  const post = async (body: Uint8Array<ArrayBuffer>) => {
    for (let attempt = 0; ; attempt++) {
      const r = await fetch(`${app.url}${FORM_PATH[form]}`, { method: 'POST', headers, body });
      const text = await r.text();
      if (r.status === 429 && attempt < 1000) {
        await new Promise((res) => setTimeout(res, 20));
        continue;
      }
      const ok = form === 'lines' ? r.status === 204 : r.status === 202 && (JSON.parse(text) as { accepted: number }).accepted === PUSH;
      if (!ok) throw new Error(`${FORM_LABEL[form]} answered ${r.status}: ${text.slice(0, 300)}`);
      return;
    }
  };
  await post(bodies[0] as Uint8Array<ArrayBuffer>);
  const pid = app.child.pid as number;
  const load0 = loadAverage();
  // The clients run in this process and take their share of the same two cores.
  const client0 = process.cpuUsage();
  const cpu0 = cpuSeconds(pid);
  const main0 = threadSeconds(pid);
  const t0 = performance.now();
  let next = 1;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < bodies.length) await post(bodies[next++] as Uint8Array<ArrayBuffer>);
    }),
  );
  const ms = performance.now() - t0;
  const samples = (bodies.length - 1) * PUSH;
  const cpu = cpuSeconds(pid) - cpu0;
  const client = process.cpuUsage(client0);
  return {
    rate: (samples * 1000) / ms,
    cores: cpu / (ms / 1000),
    usPerSample: (cpu * 1e6) / samples,
    ...threadSplit(pid, main0, threadSeconds(pid), samples),
    clientUsPerSample: (client.user + client.system) / samples,
    /** The host's load average (1, 5, 15 min) as the window began and ended: the machine is shared. */
    load: `${load0} → ${loadAverage()}`,
  };
}

async function formFigures(dir: string, quick: boolean): Promise<BenchResult[]> {
  const config = path.join(dir, 'forms.yaml');
  writeFileSync(config, FORM_SITE);
  const seconds = quick ? 1_000 : 3_000;
  // Old enough that the newest sample is in the past, young enough for the accept window.
  const samples = realisticSamples(FORM_TAGS, seconds, Math.floor(Date.now() / 1000) * 1000 - (seconds + 60) * 1000);
  const results: BenchResult[] = [];
  const rates: Partial<Record<Form, Awaited<ReturnType<typeof pushForm>>>> = {};
  const parseRates: Partial<Record<Form, number>> = {};
  // AURUM_BENCH_FORMS=items,series: only those forms (profiling one at a time); all three by default.
  const only = process.env.AURUM_BENCH_FORMS?.split(',');
  for (const form of ['items', 'series', 'lines'] as const) {
    if (only && !only.includes(form)) continue;
    const text = formBodies(samples, form);
    if (form !== 'lines') {
      const j0 = performance.now();
      for (const b of text) JSON.parse(b);
      parseRates[form] = (samples.length * 1000) / (performance.now() - j0);
    }
    const bodies = text.map((b) => new Uint8Array(Buffer.from(b)) as Uint8Array<ArrayBuffer>);
    text.length = 0;
    const app = await startConsole({
      // AURUM_BENCH_CONSOLE_SCRIPT: a wrapper that profiles the console (path from the repository root).
      script: process.env.AURUM_BENCH_CONSOLE_SCRIPT ?? 'bin/aurum.mjs',
      args: ['serve', '--config', config],
      dataDir: path.join(dir, `form-${form}`),
      env: { AURUM_LOG: 'silent' },
    });
    try {
      rates[form] = await pushForm(app, { Authorization: `Bearer ${await app.signIn()}` }, form, bodies);
    } finally {
      await app.stop();
    }
  }
  // InfluxDB fed the same samples (line protocol, 10k-line POSTs, four clients, fsync per write).
  const influx = await startInflux();
  let influxRate: number | null = null;
  let influxNote: string;
  if (isAbsent(influx)) influxNote = `InfluxDB absent: ${influx.absent}`;
  else {
    try {
      const w = await influx.write(samples, true);
      influxRate = (samples.length * 1000) / w.ms;
      influxNote = `InfluxDB 1.6.7 ${Math.round(influxRate).toLocaleString('en-US')} samples/s on ${(w.cpuS / (w.ms / 1000)).toFixed(2)} cores (${influx.durability})`;
    } finally {
      await influx.stop();
    }
  }
  const cpu = (f: Form) =>
    `console ${(rates[f]?.cores ?? Number.NaN).toFixed(2)} cores, ${(rates[f]?.usPerSample ?? Number.NaN).toFixed(2)} µs CPU per sample (all its threads; main thread ${(rates[f]?.mainUsPerSample ?? Number.NaN).toFixed(2)} µs, busiest other thread — the historian writer — ${(rates[f]?.writerUsPerSample ?? Number.NaN).toFixed(2)} µs, the next ${(rates[f]?.nextUsPerSample ?? []).map((x) => x.toFixed(2)).join(', ')} µs, the other ${(rates[f]?.restUsPerSample ?? Number.NaN).toFixed(2)} µs together; the bench's four clients ${(rates[f]?.clientUsPerSample ?? Number.NaN).toFixed(2)} µs); ${samples.length.toLocaleString('en-US')} samples of ${FORM_TAGS} tags at 1 Hz, historian.durability normal; host load average ${rates[f]?.load ?? 'unknown'} on ${cpus().length} cores`;
  for (const form of ['items', 'series'] as const) {
    results.push({
      bench: 'ingest',
      metric: `HTTP ingest, ${FORM_LABEL[form]}: acknowledged (committed) samples/s, 4 clients × 10k-sample pushes`,
      value: rates[form]?.rate ?? Number.NaN,
      unit: 'samples/s',
      baseline: 'JSON.parse of the same bodies in one process',
      baselineValue: parseRates[form] ?? Number.NaN,
      target: '≥ 1,000,000',
      notes: cpu(form),
    });
  }
  results.push({
    bench: 'ingest',
    metric: `HTTP ingest, ${FORM_LABEL.lines}: acknowledged (committed) samples/s, 4 clients × 10k-line pushes`,
    value: rates.lines?.rate ?? Number.NaN,
    unit: 'samples/s',
    ...(influxRate === null
      ? {
          baseline: 'JSON.parse of the same samples as JSON items in one process (InfluxDB absent)',
          baselineValue: parseRates.items ?? Number.NaN,
        }
      : { baseline: 'InfluxDB 1.6.7, the same samples, line protocol in 10k-line POSTs, same run', baselineValue: influxRate }),
    target: '≥ 1,000,000 and ≥ InfluxDB',
    notes: `${cpu('lines')}; ${influxNote}`,
  });
  return results;
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
    // AURUM_BENCH_INGEST=forms: only the input forms beside InfluxDB (part 2), for profiling the rate.
    if (process.env.AURUM_BENCH_INGEST === 'forms') return await formFigures(dir, quick);
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
      metric: 'HTTP ingest while /api/tags is probed, 4 clients × 10k-item JSON pushes built as they are sent: acknowledged samples/s',
      value: rate,
      unit: 'samples/s',
      baseline: 'JSON.parse of the same bodies in one process',
      baselineValue: parseRate,
    });

    // 2. Each input form on the same samples, each on a fresh console; InfluxDB beside them.
    results.push(...(await formFigures(dir, quick)));

    // 3. kill -9 during ingest, repeatedly, on one data dir: every acknowledged sample must be in the file.
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
