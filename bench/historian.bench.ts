// Historian benchmarks, each beside bare better-sqlite3 inserts of the same rows in the same run:
//  - sustained ingest of 1,000 tags through the full writer path (thread, chunks, rollups) while
//    trend queries run;
//  - disk bytes per raw sample after compaction (demo plant signals; a slowly changing signal);
//  - trend query latency: 1 tag × 7 days raw at 1 Hz, 1 tag × 1 year from rollups, 10 tags × 1 hour;
//  - peers side by side (bench/support/peers.ts): the same generated samples into the console,
//    InfluxDB 1.6.7 and PostgreSQL 15 (when installed) and a bare SQLite table, each figure of
//    issue 20's table, and the machine's own limits (zlib, fdatasync, sequential write);
//  - durability normal and full: samples/s and commit latency, one commit per 10,000-sample push.
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TagInfo } from '../native/api/types.js';
import type { DeadbandConfig } from '../native/historian/config.js';
import { resolvePolicies } from '../native/historian/config.js';
import { openHistorian } from '../native/historian/index.js';
import { HistorianStore } from '../native/historian/store.js';
import { makeTags, tempDir } from '../native/historian/test-kit.js';
import { PlantSim } from '../native/plant/index.js';
import { emptyBatch } from '../native/tags/bus.js';
import { openSqlite, type SqliteDatabase } from '../native/util/sqlite.js';
import {
  type AbsentPeer,
  loadAverage,
  machineBaselines,
  type Peer,
  type PeerSamples,
  quantile as q,
  realisticSamples,
  startPeers,
  trendSeries,
} from './support/peers.js';
import type { Bench, BenchResult } from './types.js';

const T0 = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;

function rowTable(db: SqliteDatabase, withoutRowid: boolean): void {
  db.exec(
    withoutRowid
      ? 'CREATE TABLE s (tag INTEGER NOT NULL, ts INTEGER NOT NULL, v REAL, q INTEGER NOT NULL, PRIMARY KEY (tag, ts)) WITHOUT ROWID'
      : 'CREATE TABLE s (tag INTEGER NOT NULL, ts INTEGER NOT NULL, v REAL, q INTEGER NOT NULL)',
  );
}

/** Bare better-sqlite3: prepared INSERTs, 10k rows per transaction, WAL. Rows per second. */
function bareInsert(
  dir: string,
  name: string,
  withoutRowid: boolean,
  rows: number,
  row: (i: number) => [number, number, number],
): { rate: number; db: SqliteDatabase; file: string } {
  const file = path.join(dir, `${name}.db`);
  const db = openSqlite(file);
  rowTable(db, withoutRowid);
  const ins = db.prepare('INSERT INTO s VALUES (?, ?, ?, 0)');
  const tx = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const [tag, ts, v] = row(i);
      ins.run(tag, ts, v);
    }
  });
  const started = performance.now();
  for (let i = 0; i < rows; i += 10_000) tx(i, Math.min(rows, i + 10_000));
  return { rate: rows / ((performance.now() - started) / 1000), db, file };
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
}

function fileBytes(file: string): number {
  let n = 0;
  for (const ext of ['', '-wal']) {
    try {
      n += statSync(file + ext).size;
    } catch {
      // no WAL
    }
  }
  return n;
}

/** Bytes of the tables whose names start with `prefix`, from SQLite's dbstat (pages actually used). */
function tableBytes(db: SqliteDatabase, like: string): number {
  const r = db.prepare("SELECT coalesce(sum(pgsize), 0) AS b FROM dbstat WHERE name LIKE ? AND name NOT LIKE 'sqlite_%'").get(like) as {
    b: number;
  };
  return r.b;
}

// ---- 1. Sustained ingest -----------------------------------------------------------------

async function ingest(quick: boolean, dir: string): Promise<BenchResult[]> {
  const TAGS = 1000;
  const seconds = quick ? 4 : 12;
  const tags = makeTags(TAGS);
  // Each tag at 1 kHz (1 ms apart), so data time advances with wall time at 1 M samples/s;
  // values a random walk kept to 2 decimals, like a scaled field reading.
  const PER_BATCH_ROUNDS = 10;
  const n = TAGS * PER_BATCH_ROUNDS;
  const walk = new Float64Array(TAGS).fill(50);
  let round = 0;
  const batch = emptyBatch(n);
  const fill = () => {
    let i = 0;
    for (let r = 0; r < PER_BATCH_ROUNDS; r++, round++) {
      for (let id = 0; id < TAGS; id++, i++) {
        walk[id] = Math.round(((walk[id] as number) + (Math.random() - 0.5)) * 100) / 100;
        batch.ids[i] = id;
        batch.ts[i] = T0 + round;
        batch.values[i] = walk[id] as number;
      }
    }
  };
  const h = await openHistorian({ dir: path.join(dir, 'ingest'), tags, retentionIntervalMs: 0, maxBufferedSamples: 4_000_000 });
  const queryMs: number[] = [];
  const started = performance.now();
  const end = started + seconds * 1000;
  let produceMs = 0;
  const queries = setInterval(() => {
    const t = performance.now();
    const now = T0 + round;
    h.query({ tags: [tags[7]?.name as string, tags[500]?.name as string], from: now - 5000, to: now, maxPoints: 1000 });
    queryMs.push(performance.now() - t);
  }, 100);
  while (performance.now() < end) {
    // Backpressure: do not run ahead of the writer by more than ~1 s of data.
    if (h.metrics().queueDepth > 1_000_000) {
      await new Promise((r) => setTimeout(r, 5));
      continue;
    }
    const t = performance.now();
    fill();
    h.ingest(batch);
    produceMs += performance.now() - t;
    await new Promise((r) => setImmediate(r));
  }
  await h.flush();
  const elapsed = (performance.now() - started) / 1000;
  clearInterval(queries);
  const m = h.metrics();
  await h.close();
  const rate = m.committedSamples / elapsed;

  const baseRows = quick ? 1_000_000 : 3_000_000;
  const row = (i: number): [number, number, number] => [i % TAGS, T0 + Math.floor(i / TAGS), 50 + (i % 977) / 100];
  const bare = bareInsert(dir, 'bare-ingest', true, baseRows, row);
  bare.db.close();
  const bareRowid = bareInsert(dir, 'bare-ingest-rowid', false, baseRows, row);
  bareRowid.db.close();
  return [
    {
      bench: 'historian',
      metric: 'sustained ingest, 1,000 tags, full writer path with rollups, trend queries running',
      value: rate,
      unit: 'samples/s',
      baseline: 'bare better-sqlite3 INSERTs, PRIMARY KEY (tag, ts) WITHOUT ROWID, 10k/transaction',
      baselineValue: bare.rate,
      target: '≥ 1,000,000 samples/s and > baseline',
      notes: `${m.committedSamples} samples in ${elapsed.toFixed(1)} s (${m.droppedSamples} dropped); main thread spent ${((produceMs / 1000 / elapsed) * 100).toFixed(0)} % generating+ingesting; rowid-table baseline ${Math.round(bareRowid.rate)} rows/s; last batch ${m.batchLatencyMs.toFixed(0)} ms; trend query during ingest p50 ${quantile(queryMs, 0.5).toFixed(1)} ms p99 ${quantile(queryMs, 0.99).toFixed(1)} ms (${queryMs.length} queries)`,
    },
  ];
}

// ---- 2. Bytes per sample ----------------------------------------------------------------

function loadStore(
  file: string,
  tags: TagInfo[],
  rules: DeadbandConfig,
  feed: (put: (id: number, t: number, v: number) => void) => void,
  maxChunkBytes?: number,
): HistorianStore {
  const store = new HistorianStore({
    file,
    tagNames: tags.map((t) => t.name),
    policies: resolvePolicies(tags, {}, rules),
    ...(maxChunkBytes === undefined ? {} : { maxChunkBytes }),
  });
  const N = 100_000;
  const ids = new Uint32Array(N);
  const ts = new Float64Array(N);
  const vs = new Float64Array(N);
  const qs = new Uint8Array(N);
  let n = 0;
  const put = (id: number, t: number, v: number) => {
    ids[n] = id;
    ts[n] = t;
    vs[n] = v;
    n++;
    if (n === N) {
      store.ingest(n, ids, ts, vs, qs);
      n = 0;
      if (store.pending >= 1_000_000) store.commit();
    }
  };
  feed(put);
  store.ingest(n, ids, ts, vs, qs);
  store.finish();
  store.commit();
  return store;
}

function bytesPerSample(
  dir: string,
  name: string,
  tags: TagInfo[],
  rules: DeadbandConfig,
  feed: (put: (id: number, t: number, v: number) => void) => void,
) {
  const rows: [number, number, number][] = [];
  const store = loadStore(path.join(dir, `${name}.db`), tags, rules, (put) =>
    feed((id, t, v) => {
      rows.push([id, t, v]);
      put(id, t, v);
    }),
  );
  const chunkBytes = tableBytes(store.db, 'raw_%');
  const allBytes = tableBytes(store.db, '%');
  const payload = (store.db.prepare("SELECT name FROM partition WHERE level = 'raw'").pluck().all() as string[]).reduce(
    (sum, t) => sum + (store.db.prepare(`SELECT coalesce(sum(length(data)), 0) FROM ${t}`).pluck().get() as number),
    0,
  );
  store.close();
  // The same samples with chunks not sized to the page (the layout before issue 20), same run.
  const unsized = loadStore(path.join(dir, `${name}-unsized.db`), tags, rules, feed, Number.POSITIVE_INFINITY);
  const unsizedChunk = tableBytes(unsized.db, 'raw_%');
  const unsizedAll = tableBytes(unsized.db, '%');
  unsized.close();
  const bare = openSqlite(path.join(dir, `${name}-bare.db`));
  rowTable(bare, true);
  const ins = bare.prepare('INSERT INTO s VALUES (?, ?, ?, 0)');
  bare.transaction(() => {
    for (const [id, t, v] of rows) ins.run(id, t, v);
  })();
  const bareBytes = tableBytes(bare, 's');
  bare.close();
  const n = rows.length;
  return {
    samples: n,
    chunk: chunkBytes / n,
    all: allBytes / n,
    payload: payload / n,
    unsizedChunk: unsizedChunk / n,
    unsizedAll: unsizedAll / n,
    bare: bareBytes / n,
  };
}

function compression(quick: boolean, dir: string): BenchResult[] {
  const hours = quick ? 2 : 24;
  const sim = new PlantSim({ start: T0, seed: 7 });
  const simTags = sim.tags;
  const tags = makeTags(simTags.length, 'Demo');
  const feedPlant = (put: (id: number, t: number, v: number) => void) => {
    const plant = new PlantSim({ start: T0, seed: 7 });
    for (let s = 1; s <= hours * 3600; s++) {
      const t = T0 + s * 1000;
      plant.step(t);
      simTags.forEach((tag, id) => {
        const v = plant.value(tag.path);
        put(id, t, typeof v === 'boolean' ? (v ? 1 : 0) : v);
      });
    }
  };
  const lossless = bytesPerSample(dir, 'plant', tags, [], feedPlant);
  const rounded = bytesPerSample(dir, 'plant-3dp', tags, [{ match: '**', decimals: 3 }], feedPlant);
  const slowTags = makeTags(10, 'Slow');
  const slow = bytesPerSample(dir, 'slow', slowTags, [], (put) => {
    const temp = new Float64Array(10).fill(21);
    for (let s = 0; s < hours * 3600; s++) {
      for (let id = 0; id < 10; id++) {
        // A room or tank temperature: moves by 0.1 °C every few minutes.
        if (Math.random() < 1 / 240) temp[id] = Math.round(((temp[id] as number) + (Math.random() < 0.5 ? -0.1 : 0.1)) * 10) / 10;
        put(id, T0 + s * 1000, temp[id] as number);
      }
    }
  });
  const base = 'bare row table (tag, ts, value, quality) WITHOUT ROWID, same rows';
  return [
    {
      bench: 'historian',
      metric: `disk bytes per raw sample, demo plant signals (${simTags.length} tags × ${hours} h × 1 Hz), lossless`,
      value: lossless.chunk,
      unit: 'B/sample',
      baseline: base,
      baselineValue: lossless.bare,
      target: '≤ 6',
      notes: `${lossless.samples} samples; chunk tables only (dbstat), chunk payload ${lossless.payload.toFixed(2)} B/sample; whole file incl. minute/hour rollups ${lossless.all.toFixed(2)} B/sample`,
    },
    {
      bench: 'historian',
      metric: 'disk bytes per raw sample after flush, demo plant signals, lossless, chunks sized to the page',
      value: lossless.chunk,
      unit: 'B/sample',
      baseline: 'same samples, chunks not sized to the page (≤ 1,024 samples, tail in overflow pages), same run',
      baselineValue: lossless.unsizedChunk,
      target: '< baseline; whole file ≤ 3 (issue 20)',
      notes: `whole file ${lossless.all.toFixed(2)} B/sample sized vs ${lossless.unsizedAll.toFixed(2)} unsized; 3 decimals: raw ${rounded.chunk.toFixed(2)} vs ${rounded.unsizedChunk.toFixed(2)}; slow signal: raw ${slow.chunk.toFixed(2)} vs ${slow.unsizedChunk.toFixed(2)}`,
    },
    {
      bench: 'historian',
      metric: 'disk bytes per raw sample, demo plant signals, stored to 3 decimals',
      value: rounded.chunk,
      unit: 'B/sample',
      baseline: base,
      baselineValue: rounded.bare,
      target: '≤ 6',
      notes: `whole file incl. rollups ${rounded.all.toFixed(2)} B/sample`,
    },
    {
      bench: 'historian',
      metric: `disk bytes per raw sample, slowly changing signal (10 tags × ${hours} h × 1 Hz), lossless`,
      value: slow.chunk,
      unit: 'B/sample',
      baseline: base,
      baselineValue: slow.bare,
      target: '≤ 2',
      notes: `${slow.samples} samples; whole file incl. rollups ${slow.all.toFixed(2)} B/sample`,
    },
  ];
}

// ---- 3. Trend queries ---------------------------------------------------------------------

async function queries(quick: boolean, dir: string): Promise<BenchResult[]> {
  const TAGS = quick ? 10 : 50;
  const days = quick ? 2 : 7;
  const tags = [...makeTags(TAGS), { ...makeTags(1, 'Year')[0], id: TAGS } as TagInfo];
  const hdir = path.join(dir, 'query');
  const file = path.join(hdir, 'historian.db');
  mkdirSync(hdir, { recursive: true });
  const end = T0 + days * DAY;
  const yearStart = end - 365 * DAY;
  const walk = new Float64Array(TAGS + 1).fill(50);
  const step = (id: number) => {
    walk[id] = Math.round(((walk[id] as number) + (Math.random() - 0.5)) * 100) / 100;
    return walk[id] as number;
  };
  const loadStarted = performance.now();
  const store = loadStore(file, tags, [], (put) => {
    // The year tag: one sample a minute for a year (its hour rollups answer the year query).
    for (let t = yearStart; t < end; t += 60_000) put(TAGS, t, step(TAGS));
    for (let t = T0; t < end; t += 1000) for (let id = 0; id < TAGS; id++) put(id, t, step(id));
  });
  store.close();
  const loadS = (performance.now() - loadStarted) / 1000;
  const samples = TAGS * days * 86_400 + 365 * 1440;
  const dbBytes = fileBytes(file);

  const h = await openHistorian({ dir: hdir, tags, retentionIntervalMs: 0, now: () => end });
  const time = (fn: () => unknown, runs: number) => {
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      fn();
      ms.push(performance.now() - t);
    }
    return ms;
  };
  const runs = quick ? 20 : 50;
  // A console runs for months: time warm code, not the first compilation of the query path.
  for (let i = 0; i < 3; i++) {
    h.query({ tags: [tags[0]?.name as string], from: end - days * DAY, to: end, maxPoints: 2000 });
    h.query({ tags: [tags[TAGS]?.name as string], from: yearStart, to: end, maxPoints: 2000 });
    h.query({ tags: [tags[0]?.name as string], from: end - 3_600_000, to: end, maxPoints: 2000 });
  }
  const name = (i: number) => tags[i]?.name as string;
  let k = 0;
  const week = time(() => h.query({ tags: [name(k++ % TAGS)], from: end - days * DAY, to: end, maxPoints: 2000 }), runs);
  const year = time(() => h.query({ tags: [name(TAGS)], from: yearStart, to: end, maxPoints: 2000 }), runs);
  const hourTags = Array.from({ length: 10 }, (_, i) => name(i % TAGS));
  const hour = time(
    () => h.query({ tags: hourTags, from: end - 3_600_000 - 1000 * (k++ % 60), to: end - 1000 * (k % 60), maxPoints: 2000 }),
    runs,
  );
  const sources = [
    h.query({ tags: [name(0)], from: end - days * DAY, to: end, maxPoints: 2000 })[0]?.source,
    h.query({ tags: [name(TAGS)], from: yearStart, to: end, maxPoints: 2000 })[0]?.source,
    h.query({ tags: [name(0)], from: end - 3_600_000, to: end, maxPoints: 2000 })[0]?.source,
  ];
  await h.close();

  // Baselines: the same rows in a bare row table, decimated by SQL (min/max/avg per bucket).
  const bare = openSqlite(path.join(dir, 'query-bare.db'));
  rowTable(bare, true);
  const ins = bare.prepare('INSERT INTO s VALUES (?, ?, ?, 0)');
  const fillTag = (tag: number, from: number, to: number, stepMs: number) =>
    bare.transaction(() => {
      for (let t = from; t < to; t += stepMs) ins.run(tag, t, 50 + (t % 997) / 100);
    })();
  fillTag(0, end - days * DAY, end, 1000);
  fillTag(TAGS, yearStart, end, 60_000);
  for (let i = 1; i < 10; i++) fillTag(i, end - 3_600_000, end, 1000);
  const agg = bare.prepare(
    'SELECT CAST((ts - ?) / ? AS INTEGER) AS b, min(v), max(v), avg(v) FROM s WHERE tag = ? AND ts >= ? AND ts < ? GROUP BY b',
  );
  const sqlTrend = (tag: number, from: number, to: number) => agg.all(from, (to - from) / 2000, tag, from, to);
  const bareRuns = quick ? 3 : 5;
  const bWeek = time(() => sqlTrend(0, end - days * DAY, end), bareRuns);
  const bYear = time(() => sqlTrend(TAGS, yearStart, end), bareRuns);
  const bHour = time(() => {
    for (let i = 0; i < 10; i++) sqlTrend(i, end - 3_600_000, end);
  }, bareRuns);
  bare.close();
  const data = `data set ${TAGS} tags × ${days} days × 1 Hz + 1 tag × 365 days × 1/min = ${samples.toLocaleString('en-US')} samples, ${(dbBytes / 1e6).toFixed(0)} MB on disk, loaded in ${loadS.toFixed(0)} s`;
  const bareName = 'bare row table, SQL GROUP BY bucket min/max/avg over raw rows (median)';
  return [
    {
      bench: 'historian',
      metric: `trend 1 tag × ${days} days of 1 Hz → 2,000 points, p99 (${sources[0]})`,
      value: quantile(week, 0.99),
      unit: 'ms',
      baseline: bareName,
      baselineValue: quantile(bWeek, 0.5),
      target: 'p99 < 50 ms',
      notes: `p50 ${quantile(week, 0.5).toFixed(1)} ms over ${runs} queries; ${data}`,
    },
    {
      bench: 'historian',
      metric: `trend 1 tag × 1 year → 2,000 points, p99 (${sources[1]})`,
      value: quantile(year, 0.99),
      unit: 'ms',
      baseline: bareName,
      baselineValue: quantile(bYear, 0.5),
      target: 'p99 < 100 ms',
      notes: `p50 ${quantile(year, 0.5).toFixed(1)} ms`,
    },
    {
      bench: 'historian',
      metric: `trend 10 tags × 1 hour of 1 Hz → 2,000 points each, p99 (${sources[2]})`,
      value: quantile(hour, 0.99),
      unit: 'ms',
      baseline: bareName,
      baselineValue: quantile(bHour, 0.5),
      target: '< 30 ms',
      notes: `p50 ${quantile(hour, 0.5).toFixed(1)} ms`,
    },
  ];
}

// ---- 4. Peers side by side, same samples, same run -----------------------------------------

const TAG_COUNT = 1000;
const WEEK_ID = TAG_COUNT;
const YEAR_ID = TAG_COUNT + 1;

/** The console's writer in-process (one thread, the one the writer thread runs), as a Peer. */
function consoleSystem(dir: string, end: number, durability: 'normal' | 'full' = 'normal'): Peer {
  const hdir = path.join(dir, `peer-console-${durability}`);
  mkdirSync(hdir, { recursive: true });
  const file = path.join(hdir, 'historian.db');
  const tags = makeTags(TAG_COUNT + 2, 'Peer');
  let store: HistorianStore | null = new HistorianStore({
    file,
    tagNames: tags.map((t) => t.name),
    policies: resolvePolicies(tags, {}, []),
    durability,
  });
  let h: Awaited<ReturnType<typeof openHistorian>> | null = null;
  const names = (n: number) => tags.slice(0, n).map((t) => t.name);
  /** Queries go through the console's Historian, opened on the file once writing is done. */
  const reader = async () => {
    if (!h) {
      const st = store as HistorianStore;
      st.finish();
      st.commit();
      st.close();
      store = null;
      h = await openHistorian({ dir: hdir, tags, retentionIntervalMs: 0, now: () => end });
    }
    return h;
  };
  const qs = new Uint8Array(100_000);
  return {
    name: 'console (in-process writer)',
    durability: `historian.durability: ${durability}`,
    async write(s) {
      const st = store as HistorianStore;
      const started = performance.now();
      for (let i = 0; i < s.length; i += 100_000) {
        const n = Math.min(100_000, s.length - i);
        st.ingest(n, s.ids.subarray(i, i + n), s.ts.subarray(i, i + n), s.values.subarray(i, i + n), qs);
        // The writer commits at most every 250 ms or 250k samples.
        if (st.pending >= 250_000) st.commit();
      }
      st.commit();
      return { ms: performance.now() - started, cpuS: Number.NaN };
    },
    async diskBytes() {
      const st = store as HistorianStore;
      st.finish();
      st.commit();
      // Pages freed by the commits (segments of chunks since sealed, rollup rows since packed) are
      // reused by the next commits; hand them back so the file shows what the data takes.
      const free = st.db.pragma('freelist_count', { simple: true }) as number;
      st.db.pragma('incremental_vacuum');
      st.db.pragma('wal_checkpoint(TRUNCATE)');
      const all = tableBytes(st.db, '%');
      const raw = tableBytes(st.db, 'raw_%');
      return {
        bytes: fileBytes(file),
        note: `file after checkpoint and incremental_vacuum of ${free} free pages; tables ${(all / 1e6).toFixed(2)} MB, raw chunks ${(raw / 1e6).toFixed(2)} MB`,
      };
    },
    async trend(id, from, to, buckets, runs) {
      const hist = await reader();
      const query = () => hist.query({ tags: [tags[id]?.name as string], from, to, maxPoints: buckets });
      for (let i = 0; i < 3; i++) query();
      if ((query()[0]?.ts.length ?? 0) < buckets / 4) throw new Error('console trend answered too few points');
      const out: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        query();
        out.push(performance.now() - t);
      }
      return out;
    },
    async lastValues(n, runs) {
      const hist = await reader();
      const list = names(n);
      if (hist.lastValues({ tags: list }).filter((v) => v.ts !== null).length !== n) throw new Error('console last values incomplete');
      const out: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        hist.lastValues({ tags: list });
        out.push(performance.now() - t);
      }
      return out;
    },
    async stop() {
      store?.close();
      await h?.close();
    },
  };
}

/** Bare better-sqlite3: a rowid table (tag, ts, value) with an index on (tag, ts), the PostgreSQL layout. */
function sqliteSystem(dir: string): Peer {
  const file = path.join(dir, 'peer-sqlite.db');
  const db = openSqlite(file);
  db.exec('CREATE TABLE s (tag INTEGER NOT NULL, ts INTEGER NOT NULL, v REAL); CREATE INDEX s_tag_ts ON s (tag, ts)');
  const ins = db.prepare('INSERT INTO s VALUES (?, ?, ?)');
  const time = (fn: () => unknown, runs: number) =>
    Array.from({ length: runs }, () => {
      const t = performance.now();
      fn();
      return performance.now() - t;
    });
  return {
    name: 'SQLite row table',
    durability: 'WAL, synchronous = NORMAL',
    async write(s) {
      const tx = db.transaction((from: number, to: number) => {
        for (let i = from; i < to; i++) ins.run(s.ids[i], s.ts[i], s.values[i]);
      });
      const started = performance.now();
      for (let i = 0; i < s.length; i += 10_000) tx(i, Math.min(s.length, i + 10_000));
      return { ms: performance.now() - started, cpuS: Number.NaN };
    },
    async diskBytes() {
      db.pragma('wal_checkpoint(TRUNCATE)');
      return { bytes: fileBytes(file), note: 'file after checkpoint' };
    },
    async trend(id, from, to, buckets, runs) {
      const w = Math.ceil((to - from) / buckets);
      const agg = db.prepare('SELECT (ts - ?) / ? AS b, min(v), max(v), avg(v) FROM s WHERE tag = ? AND ts >= ? AND ts < ? GROUP BY b');
      return time(() => agg.all(from, w, id, from, to), runs);
    },
    async lastValues(n, runs) {
      const get = db.prepare('SELECT ts, v FROM s WHERE tag = ? ORDER BY ts DESC LIMIT 1');
      return time(() => {
        for (let id = 0; id < n; id++) get.get(id);
      }, runs);
    },
    async stop() {
      db.close();
    },
  };
}

interface SystemFigures {
  name: string;
  durability: string;
  ingest: number;
  cores: number;
  bytesPerSample: number;
  diskNote: string;
  week: number[];
  year: number[];
  last: number[];
}

async function measure(p: Peer, data: { ingest: PeerSamples; week: PeerSamples; year: PeerSamples }, end: number, runs: number) {
  const w = await p.write(data.ingest, true);
  // Bytes of the ingest data set alone (1,000 tags × 1 Hz), once the peer has flushed it.
  const disk = await p.diskBytes();
  await p.write(data.week, false);
  await p.write(data.year, false);
  const weekFrom = data.week.ts[0] as number;
  return {
    name: p.name,
    durability: p.durability,
    ingest: data.ingest.length / (w.ms / 1000),
    cores: w.cpuS / (w.ms / 1000),
    bytesPerSample: disk.bytes / data.ingest.length,
    diskNote: disk.note,
    week: await p.trend(WEEK_ID, weekFrom, end, 2000, runs),
    year: await p.trend(YEAR_ID, end - 365 * DAY, end, 2000, runs),
    last: await p.lastValues(TAG_COUNT, runs),
  } satisfies SystemFigures;
}

const ms = (xs: number[]) => `${q(xs, 0.5).toFixed(1)} / ${q(xs, 0.99).toFixed(1)} ms`;

async function peersSideBySide(quick: boolean, dir: string): Promise<BenchResult[]> {
  const seconds = quick ? 120 : 2400;
  const weekDays = quick ? 2 : 7;
  const end = T0 + 7 * DAY;
  const data = {
    // 40 minutes across an hour boundary (end − 90 min … end − 50 min): the first hour's rollups end
    // up packed, the last 10 minutes are the unit still being filled, as at any moment of a running site.
    ingest: realisticSamples(TAG_COUNT, seconds, end - 5_400_000),
    week: trendSeries(WEEK_ID, end - weekDays * DAY, weekDays * 86_400, 1000),
    year: trendSeries(YEAR_ID, end - 365 * DAY, 365 * 1440, 60_000),
  };
  const runs = quick ? 10 : 50;
  const loadBefore = loadAverage();
  const machine = machineBaselines(data.ingest, dir, quick);
  const systems: SystemFigures[] = [];
  const own = [consoleSystem(dir, end), sqliteSystem(dir)];
  let absent: AbsentPeer[] = [];
  try {
    for (const p of own) systems.push(await measure(p, data, end, runs));
  } finally {
    for (const p of own) await p.stop();
  }
  const peers = await startPeers();
  try {
    absent = peers.absent;
    // One system at a time: each gets the machine to itself while it is measured.
    for (const p of peers.peers) systems.push(await measure(p, data, end, runs));
  } finally {
    await peers.stop();
  }
  const loadAfter = loadAverage();
  console.error(
    `historian peers: load average ${loadBefore} before, ${loadAfter} after; machine: zlib level 1 ${Math.round(machine.zlibSamplesPerSecond).toLocaleString('en-US')} samples/s per core, fdatasync ${Math.round(machine.fdatasyncPerSecond).toLocaleString('en-US')}/s (p50 ${machine.fdatasyncP50Ms.toFixed(2)} ms), sequential write ${(machine.sequentialWriteBytesPerSecond / 1e6).toFixed(0)} MB/s${absent.length > 0 ? `; absent: ${absent.map((a) => `${a.name} (${a.absent})`).join(', ')}` : ''}`,
  );
  const [cons, sqlite] = systems as [SystemFigures, SystemFigures];
  const influx = systems.find((x) => x.name.startsWith('InfluxDB'));
  const pg = systems.find((x) => x.name.startsWith('PostgreSQL'));
  console.table(
    systems.map((x) => ({
      system: x.name,
      durability: x.durability,
      'ingest samples/s': Math.round(x.ingest).toLocaleString('en-US') + (Number.isNaN(x.cores) ? '' : ` (${x.cores.toFixed(2)} cores)`),
      'disk B/sample': x.bytesPerSample.toFixed(2),
      [`trend ${weekDays} d p50/p99`]: ms(x.week),
      'trend 1 y p50/p99': ms(x.year),
      'last 1,000 p50/p99': ms(x.last),
    })),
  );
  const vs = (pick: (x: SystemFigures) => string) => systems.map((x) => `${x.name}: ${pick(x)}`).join('; ');
  const ref = influx ?? sqlite;
  const refName = influx
    ? 'InfluxDB 1.6.7 (wal-fsync-delay 0s), same samples, same run'
    : 'bare SQLite row table + (tag, ts) index, same run';
  const missing = absent.length > 0 ? `; absent: ${absent.map((a) => `${a.name} (${a.absent})`).join(', ')}` : '';
  const context = `data: ${TAG_COUNT} tags × ${seconds} s realistic 1 Hz signals for ingest, 1 tag × ${weekDays} d × 1 Hz, 1 tag × 365 d × 1/min for trends; load average ${loadBefore} before, ${loadAfter} after (2 cores, shared)${missing}`;
  return [
    {
      bench: 'historian',
      metric: 'peers: ingest samples/s, same samples (console: in-process writer, one thread)',
      value: cons.ingest,
      unit: 'samples/s',
      baseline: refName,
      baselineValue: ref.ingest,
      target: '≥ 2,000,000 (issue 20 point 4)',
      notes: `${vs((x) => `${Math.round(x.ingest).toLocaleString('en-US')}${Number.isNaN(x.cores) ? '' : ` (${x.cores.toFixed(2)} cores)`} [${x.durability}]`)}; machine: zlib level 1 on the same deltas ${Math.round(machine.zlibSamplesPerSecond).toLocaleString('en-US')} samples/s per core, console at ${((cons.ingest / machine.zlibSamplesPerSecond) * 100).toFixed(0)} % of it; ${context}`,
    },
    {
      bench: 'historian',
      metric: 'peers: disk bytes/sample after flush, 1,000 tags × 1 Hz (whole store, same samples)',
      value: cons.bytesPerSample,
      unit: 'B/sample',
      baseline: refName,
      baselineValue: ref.bytesPerSample,
      target: '≤ 3 (issue 20 point 2)',
      notes: `${vs((x) => `${x.bytesPerSample.toFixed(2)} (${x.diskNote})`)}; ${data.ingest.length.toLocaleString('en-US')} samples each; console writes ${((cons.ingest * cons.bytesPerSample) / 1e6).toFixed(1)} MB/s at its ingest rate, ${((cons.ingest * cons.bytesPerSample * 100) / machine.sequentialWriteBytesPerSecond).toFixed(2)} % of the disk's sequential ${(machine.sequentialWriteBytesPerSecond / 1e6).toFixed(0)} MB/s`,
    },
    {
      bench: 'historian',
      metric: `peers: trend 1 tag × ${weekDays} d of 1 Hz → ~2,000 buckets, p99`,
      value: q(cons.week, 0.99),
      unit: 'ms',
      baseline: refName,
      baselineValue: q(ref.week, 0.99),
      target: 'p99 < 20 ms (issue 20 point 6)',
      notes: `p50 / p99: ${vs((x) => ms(x.week))}; ${runs} queries each`,
    },
    {
      bench: 'historian',
      metric: 'peers: trend 1 tag × 1 y → ~2,000 buckets, p99',
      value: q(cons.year, 0.99),
      unit: 'ms',
      baseline: refName,
      baselineValue: q(ref.year, 0.99),
      target: 'p99 < 20 ms (issue 20 point 6)',
      notes: `p50 / p99: ${vs((x) => ms(x.year))}`,
    },
    {
      bench: 'historian',
      metric: 'peers: last stored value of 1,000 tags, p99 (one request)',
      value: q(cons.last, 0.99),
      unit: 'ms',
      baseline: refName,
      baselineValue: q(ref.last, 0.99),
      target: '< 10 ms (issue 20 point 3)',
      notes: `p50 / p99: ${vs((x) => ms(x.last))}; console: history.lastValues (tag_state rows); InfluxDB: SELECT last(value) … GROUP BY tag; PostgreSQL: LATERAL … ORDER BY ts DESC LIMIT 1 per tag; SQLite: the same per tag${pg ? '' : ' (PostgreSQL absent)'}`,
    },
  ];
}

// ---- 5. Durability, both ways ---------------------------------------------------------------

async function durability(quick: boolean, dir: string): Promise<BenchResult[]> {
  const s = realisticSamples(TAG_COUNT, quick ? 60 : 300, T0);
  const machine = machineBaselines(s, dir, true);
  const figures: Record<'normal' | 'full', { rate: number; commits: number[] }> = {
    normal: { rate: 0, commits: [] },
    full: { rate: 0, commits: [] },
  };
  const tags = makeTags(TAG_COUNT, 'Dur');
  const qs = new Uint8Array(10_000);
  // A first round warms the code up (not counted); then normal, full, normal, full, each round's figures kept apart.
  const rounds: ('normal' | 'full')[] = ['normal', 'normal', 'full', 'normal', 'full'];
  for (const [round, mode] of rounds.entries()) {
    const store = new HistorianStore({
      file: path.join(dir, `durability-${round}-${mode}.db`),
      tagNames: tags.map((t) => t.name),
      policies: resolvePolicies(tags, {}, []),
      durability: mode,
    });
    const commits: number[] = [];
    const started = performance.now();
    // One commit per 10,000-sample push: what an acknowledged HTTP push waits for at most.
    for (let i = 0; i < s.length; i += 10_000) {
      const n = Math.min(10_000, s.length - i);
      store.ingest(n, s.ids.subarray(i, i + n), s.ts.subarray(i, i + n), s.values.subarray(i, i + n), qs);
      const t = performance.now();
      store.commit();
      commits.push(performance.now() - t);
    }
    store.close();
    if (round === 0) continue;
    figures[mode].rate += s.length / ((performance.now() - started) / 1000) / 2;
    figures[mode].commits.push(...commits);
  }
  const c = (mode: 'normal' | 'full') =>
    `commit p50 ${q(figures[mode].commits, 0.5).toFixed(2)} ms, p99 ${q(figures[mode].commits, 0.99).toFixed(2)} ms`;
  const note = `${s.length.toLocaleString('en-US')} samples (${TAG_COUNT} tags × 1 Hz) in 10,000-sample pushes, one commit each, in-process writer, two rounds of each mode alternating (rate: their mean); machine: fdatasync ${Math.round(machine.fdatasyncPerSecond).toLocaleString('en-US')}/s (p50 ${machine.fdatasyncP50Ms.toFixed(2)} ms); load average ${loadAverage()}`;
  return [
    {
      bench: 'historian',
      metric: 'durability normal (WAL, synchronous=NORMAL: survives kill -9): samples/s, a commit per 10k push',
      value: figures.normal.rate,
      unit: 'samples/s',
      baseline: 'durability full, same samples, same run',
      baselineValue: figures.full.rate,
      notes: `normal: ${c('normal')}; full: ${c('full')}; ${note}`,
    },
    {
      bench: 'historian',
      metric: 'durability full (synchronous=FULL, fsync per commit: survives power loss): commit p50',
      value: q(figures.full.commits, 0.5),
      unit: 'ms',
      baseline: 'one write + fdatasync of 4 KiB on the same disk (p50), same run',
      baselineValue: machine.fdatasyncP50Ms,
      notes: `full: ${Math.round(figures.full.rate).toLocaleString('en-US')} samples/s, ${c('full')}; normal: ${c('normal')}; ${note}`,
    },
  ];
}

const bench: Bench = async ({ quick }) => {
  const dir = tempDir('aurum-bench-historian-');
  try {
    const results = [
      ...(await ingest(quick, dir)),
      ...compression(quick, dir),
      ...(await queries(quick, dir)),
      ...(await durability(quick, dir)),
      ...(await peersSideBySide(quick, dir)),
    ];
    // Also under its own name: bench/results/latest.json is rewritten by whichever bench ends last.
    const out = path.join(import.meta.dirname, 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, `historian${quick ? '-quick' : ''}.json`), `${JSON.stringify(results, null, 2)}\n`);
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

export default bench;
