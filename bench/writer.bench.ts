// The historian writer's CPU per sample, in process: what the writer thread pays for each sample
// of HTTP ingest (fold + commit), with commits as small per tag as concurrent 10k-sample pushes
// make them (1,000 tags, 25 samples per tag per commit). CPU time (process.cpuUsage), not wall
// time: the machine is shared, and CPU per sample is what bounds the thread. The baseline is the
// same samples as bare better-sqlite3 row inserts in one transaction per commit. Also the in-process
// ingest of issue 20 point 4 (the console row of `npm run bench -- historian`'s peers: 1,000 tags ×
// 2,400 s of realistic signals, a commit per 250k samples) as CPU per sample, without the rest of
// that long bench.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { resolvePolicies } from '../native/historian/config.js';
import { HistorianStore } from '../native/historian/store.js';
import { makeTags, tempDir } from '../native/historian/test-kit.js';
import { openSqlite } from '../native/util/sqlite.js';
import { loadAverage, realisticSamples } from './support/peers.js';
import type { Bench, BenchResult } from './types.js';

const TAGS = 1000;
const PER_TAG = 25;
const T0 = Date.UTC(2026, 0, 5);

/** Fill one commit's columns: `perTag` samples of every tag at 1 Hz from second `s0`, a slow wave plus noise. */
function fill(s0: number, ids: Uint32Array, ts: Float64Array, vs: Float64Array, perTag = PER_TAG): void {
  let n = 0;
  for (let k = 0; k < perTag; k++) {
    const t = T0 + (s0 + k) * 1000;
    for (let id = 0; id < TAGS; id++) {
      ids[n] = id;
      ts[n] = t;
      vs[n] = Math.round((50 + 20 * Math.sin((s0 + k) / 300 + id) + ((id * 7919 + s0 + k) % 13) / 10) * 100) / 100;
      n++;
    }
  }
}

const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/** µs of CPU per sample for `commits` commits of TAGS × perTag samples, after `warm` unmeasured ones. */
export function writerCpuPerSample(dir: string, commits: number, warm = 4, perTag = PER_TAG): { total: number; commit: number } {
  const tags = makeTags(TAGS);
  const store = new HistorianStore({
    file: path.join(dir, `writer-${perTag}.db`),
    tagNames: tags.map((t) => t.name),
    policies: resolvePolicies(tags),
  });
  const N = TAGS * perTag;
  const ids = new Uint32Array(N);
  const ts = new Float64Array(N);
  const vs = new Float64Array(N);
  const qs = new Uint8Array(N).fill(192);
  let total = 0;
  let commit = 0;
  for (let c = 0; c < warm + commits; c++) {
    fill(c * perTag, ids, ts, vs, perTag);
    const a = cpuUs();
    store.ingest(N, ids, ts, vs, qs);
    const b = cpuUs();
    store.commit();
    const e = cpuUs();
    if (c >= warm) {
      total += e - a;
      commit += e - b;
    }
  }
  store.close();
  return { total: total / (commits * N), commit: commit / (commits * N) };
}

/**
 * In-process ingest as the historian bench's peers section feeds the console (100k-sample ingests,
 * a commit once 250k wait): µs of CPU per sample and the rate that gives on one free core.
 */
export function inProcessCpuPerSample(dir: string, seconds: number): { us: number; samples: number } {
  const s = realisticSamples(TAGS, seconds, T0 + 7 * 86_400_000 - 5_400_000);
  const tags = makeTags(TAGS + 2, 'Peer');
  const store = new HistorianStore({
    file: path.join(dir, 'in-process.db'),
    tagNames: tags.map((t) => t.name),
    policies: resolvePolicies(tags),
  });
  const qs = new Uint8Array(100_000);
  const a = cpuUs();
  for (let i = 0; i < s.length; i += 100_000) {
    const n = Math.min(100_000, s.length - i);
    store.ingest(n, s.ids.subarray(i, i + n), s.ts.subarray(i, i + n), s.values.subarray(i, i + n), qs);
    if (store.pending >= 250_000) store.commit();
  }
  store.commit();
  const us = (cpuUs() - a) / s.length;
  store.close();
  return { us, samples: s.length };
}

function bareInserts(dir: string, commits: number): number {
  const db = openSqlite(path.join(dir, 'bare.db'));
  db.exec('CREATE TABLE s (tag INTEGER, ts REAL, value REAL, quality INTEGER)');
  const ins = db.prepare('INSERT INTO s VALUES (?, ?, ?, ?)');
  const N = TAGS * PER_TAG;
  const ids = new Uint32Array(N);
  const ts = new Float64Array(N);
  const vs = new Float64Array(N);
  let cpu = 0;
  for (let c = 0; c < commits; c++) {
    fill(c * PER_TAG, ids, ts, vs);
    const a = cpuUs();
    db.transaction(() => {
      for (let i = 0; i < N; i++) ins.run(ids[i], ts[i], vs[i], 192);
    })();
    cpu += cpuUs() - a;
  }
  db.close();
  return cpu / (commits * N);
}

const bench: Bench = async ({ quick }) => {
  const dir = tempDir('aurum-writer-bench-');
  try {
    const commits = quick ? 20 : 80;
    const w = writerCpuPerSample(dir, commits);
    // Four clients' 10k-sample pushes committed one by one: 10 samples per tag per commit.
    const w10 = writerCpuPerSample(dir, Math.round((commits * PER_TAG) / 10), 4, 10);
    const bare = bareInserts(dir, Math.max(4, commits >> 2));
    const load = loadAverage();
    const inProcess = inProcessCpuPerSample(dir, quick ? 600 : 2400);
    const baseline = 'bare better-sqlite3 row inserts, one transaction per commit';
    const notes = `${TAGS} tags × ${PER_TAG} samples per tag per commit (the group commits of concurrent 10k-sample pushes), ${commits} commits, process CPU time`;
    const r: BenchResult[] = [
      { bench: 'writer', metric: 'CPU per sample, fold + commit', value: w.total, unit: 'µs', baseline, baselineValue: bare, notes },
      { bench: 'writer', metric: 'CPU per sample, commit only', value: w.commit, unit: 'µs', baseline, baselineValue: bare, notes },
      {
        bench: 'writer',
        metric: 'CPU per sample, fold + commit, 10 samples per tag per commit',
        value: w10.total,
        unit: 'µs',
        baseline,
        baselineValue: bare,
        notes: `${TAGS} tags × 10 samples per tag per commit (one 10k-sample push per commit), ${Math.round((commits * PER_TAG) / 10)} commits, process CPU time; commit only ${w10.commit.toFixed(2)} µs`,
      },
      {
        bench: 'writer',
        metric: 'CPU per sample, in-process ingest, a commit per 250k samples',
        value: inProcess.us,
        unit: 'µs',
        baseline,
        baselineValue: bare,
        target: '≤ 0.5 µs (2 M samples/s on one core, issue 20 point 4)',
        notes: `${inProcess.samples.toLocaleString('en-US')} realistic samples (${TAGS} tags × 1 Hz, across an hour boundary), the peers bench's console path; ${Math.round(1e6 / inProcess.us).toLocaleString('en-US')} samples/s on one free core at this CPU per sample; process CPU time; load average ${load} before, ${loadAverage()} after`,
      },
    ];
    return r;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
export default bench;
