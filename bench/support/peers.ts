// Peers for the historian benchmarks, measured in the same run as the console on the same samples:
//  - InfluxDB 1.6.7 (Debian `influxdb`): our own `influxd -config <tmp>`, every directory in a temp
//    folder, bind-address and HTTP on free 127.0.0.1 ports, wal-fsync-delay = 0s (fsync per write);
//    fed InfluxDB line protocol in 10k-line POSTs;
//  - PostgreSQL 15: our own cluster (initdb/pg_ctl as the `postgres` user, since benches run as
//    root) in a temp folder; fed by COPY into (tag int, ts timestamptz, value float8) with an index
//    on (tag, ts), through `psql` (no client library in node_modules; none added);
//  - the machine itself: zlib level 1 on the same integer deltas, the fdatasync rate, sequential write.
// Every process started here is killed and its folder removed by `stop()`, and on process exit
// (bench/run.ts ends with process.exit; SIGINT and SIGTERM exit too) or a failure, whichever comes first.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  chownSync,
  closeSync,
  existsSync,
  fdatasyncSync,
  fsyncSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { freePort, waitForPort } from '../../native/util/net.js';
import { mulberry32 } from '../../native/util/random.js';

export const PG_BIN = '/usr/lib/postgresql/15/bin';

// ---- The samples every system is fed -----------------------------------------------------------

/** Samples in time-major order (all tags for one timestamp, then the next), as the bus delivers them. */
export interface PeerSamples {
  length: number;
  ids: Uint32Array;
  ts: Float64Array;
  values: Float64Array;
}

/**
 * `tags` realistic 1 Hz signals for `seconds` from `t0`: each tag is one of a slow process value
 * with noise (2 decimals), a counter, a two-state status or a setpoint that steps now and then.
 */
export function realisticSamples(tags: number, seconds: number, t0: number, seed = 20): PeerSamples {
  const rnd = mulberry32(seed);
  const n = tags * seconds;
  const out: PeerSamples = { length: n, ids: new Uint32Array(n), ts: new Float64Array(n), values: new Float64Array(n) };
  const level = Float64Array.from({ length: tags }, () => 20 + rnd() * 60);
  const phase = Float64Array.from({ length: tags }, () => rnd() * 6.28);
  let i = 0;
  for (let s = 0; s < seconds; s++) {
    const t = t0 + s * 1000;
    for (let id = 0; id < tags; id++, i++) {
      const kind = id % 8;
      let v: number;
      if (kind === 6) {
        level[id] = (level[id] as number) + Math.floor(rnd() * 3); // counter
        v = level[id] as number;
      } else if (kind === 7) {
        if (rnd() < 1 / 600) level[id] = (level[id] as number) > 50 ? 20 : 80; // status / setpoint
        v = (level[id] as number) > 50 ? 1 : 0;
      } else {
        level[id] = (level[id] as number) + (rnd() - 0.5) * 0.05;
        v = Math.round(((level[id] as number) + 3 * Math.sin(s / 300 + (phase[id] as number)) + (rnd() - 0.5) * 0.4) * 100) / 100;
      }
      out.ids[i] = id;
      out.ts[i] = t;
      out.values[i] = v;
    }
  }
  return out;
}

/** One tag's series for the trend queries: `count` samples `stepMs` apart from `from`, a 2-decimal walk. */
export function trendSeries(id: number, from: number, count: number, stepMs: number, seed = 21): PeerSamples {
  const rnd = mulberry32(seed + id);
  const out: PeerSamples = {
    length: count,
    ids: new Uint32Array(count).fill(id),
    ts: new Float64Array(count),
    values: new Float64Array(count),
  };
  let v = 50;
  for (let i = 0; i < count; i++) {
    v = Math.round((v + (rnd() - 0.5)) * 100) / 100;
    out.ts[i] = from + i * stepMs;
    out.values[i] = v;
  }
  return out;
}

// ---- Small helpers -------------------------------------------------------------------------------

export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
}

/** Bytes allocated on disk under `dir` (InfluxDB preallocates sparse series files: their length is not their use). */
function duBytes(dir: string): number {
  let n = 0;
  if (!existsSync(dir)) return 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) n += duBytes(p);
    else if (e.isFile()) n += statSync(p).blocks * 512;
  }
  return n;
}

/** CPU seconds (user + system) a process has used so far, from /proc; NaN when it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return Number.NaN;
  }
}

async function waitFor(what: string, ms: number, ok: () => Promise<boolean> | boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Processes and folders to remove at the latest when the bench process exits. */
const leftovers = new Set<() => void>();
let exitHook = false;
function onExit(fn: () => void): () => void {
  leftovers.add(fn);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const f of leftovers) {
        try {
          f();
        } catch {
          // best effort at exit
        }
      }
    });
    // Ctrl-C or a kill: exit normally, so the handler above ends the peers and removes their folders.
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(sig === 'SIGINT' ? 130 : 143));
  }
  return () => leftovers.delete(fn);
}

// ---- The peers -----------------------------------------------------------------------------------

/** What each peer answers, measured the same way for each. */
export interface Peer {
  name: string;
  /** Durability as configured, stated beside its figures. */
  durability: string;
  /** Store the samples; resolves with the time it took (ms) and, where known, the peer's CPU seconds. */
  write(s: PeerSamples, timed: boolean): Promise<{ ms: number; cpuS: number }>;
  /** Bytes on disk for what was written, after the peer flushed its write-ahead data. */
  diskBytes(): Promise<{ bytes: number; note: string }>;
  /** Per-run latency (ms) of a trend query of one tag over [from, to) into `buckets` min/max/mean buckets. */
  trend(id: number, from: number, to: number, buckets: number, runs: number): Promise<number[]>;
  /** Per-run latency (ms) of reading the newest stored value of tags 0 … tags-1. */
  lastValues(tags: number, runs: number): Promise<number[]>;
  stop(): Promise<void>;
}

/** A peer that could not be started: why (not installed, failed to start). */
export interface AbsentPeer {
  name: string;
  absent: string;
}

const INFLUX_DB = 'bench';

/** Start InfluxDB with everything in a temp folder; absent when `influxd` is not installed. */
export async function startInflux(): Promise<Peer | AbsentPeer> {
  const name = 'InfluxDB 1.6.7';
  const bin = ['/usr/bin/influxd', '/usr/local/bin/influxd'].find((b) => existsSync(b));
  if (!bin) return { name, absent: 'influxd not installed (Debian package influxdb)' };
  const dir = mkdtempSync(path.join(tmpdir(), 'aurum-peer-influx-'));
  const [rpc, http] = [await freePort(), await freePort()];
  const conf = path.join(dir, 'influxdb.conf');
  writeFileSync(
    conf,
    `reporting-enabled = false
bind-address = "127.0.0.1:${rpc}"
[meta]
  dir = "${dir}/meta"
  logging-enabled = false
[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
  wal-fsync-delay = "0s"
  index-version = "inmem"
  query-log-enabled = false
  cache-snapshot-write-cold-duration = "1s"
  compact-full-write-cold-duration = "2s"
  max-values-per-tag = 0
[monitor]
  store-enabled = false
[subscriber]
  enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:${http}"
  log-enabled = false
  pprof-enabled = false
  unix-socket-enabled = false
  max-body-size = 0
[continuous_queries]
  enabled = false
`,
  );
  const child = spawn(bin, ['-config', conf], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, HOME: dir } });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => {
    log = (log + d.toString()).slice(-4000);
  });
  const kill = () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  const forget = onExit(kill);
  const url = `http://127.0.0.1:${http}`;
  try {
    await waitForPort(http, 20_000, 'influxd');
    await waitFor('influxd did not answer /ping', 20_000, async () => {
      try {
        return (await fetch(`${url}/ping`)).status === 204;
      } catch {
        return false;
      }
    });
    const r = await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ q: `CREATE DATABASE ${INFLUX_DB}` }) });
    if (r.status !== 200) throw new Error(`CREATE DATABASE answered ${r.status}: ${await r.text()}`);
  } catch (err) {
    kill();
    forget();
    return { name, absent: `influxd did not start: ${(err as Error).message}; log: ${log.slice(-400)}` };
  }
  const query = async (q: string) => {
    const res = await fetch(`${url}/query?${new URLSearchParams({ db: INFLUX_DB, q, epoch: 'ms' })}`);
    const text = await res.text();
    if (res.status !== 200 || text.includes('"error"'))
      throw new Error(`InfluxDB query ${q} answered ${res.status}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as { results: { series?: { values: unknown[][] }[] }[] };
  };
  return {
    name,
    durability: 'WAL fsync per write (wal-fsync-delay = 0s)',
    async write(s, timed) {
      // Ingest tags go to measurement s, query series to q: "last value of every ingest tag" is then one GROUP BY.
      const bodies: string[] = [];
      for (let i = 0; i < s.length; i += 10_000) {
        const lines: string[] = [];
        for (let j = i; j < Math.min(s.length, i + 10_000); j++) {
          const id = s.ids[j] as number;
          lines.push(`${timed ? 's' : 'q'},tagid=t${id} value=${s.values[j]} ${s.ts[j]}`);
        }
        bodies.push(lines.join('\n'));
      }
      const cpu0 = cpuSeconds(child.pid as number);
      const started = performance.now();
      let next = 0;
      // Four clients posting at once, as a gateway fleet would; each body 10,000 lines.
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (next < bodies.length) {
            const body = bodies[next++] as string;
            const res = await fetch(`${url}/write?db=${INFLUX_DB}&precision=ms`, { method: 'POST', body });
            if (res.status !== 204) throw new Error(`InfluxDB write answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
          }
        }),
      );
      return { ms: performance.now() - started, cpuS: cpuSeconds(child.pid as number) - cpu0 };
    },
    async diskBytes() {
      // The cache is snapshotted to TSM files after 1 s without writes and fully compacted after 2 s:
      // wait until the WAL holds nothing and the data folder stops changing (bounded).
      let last = -1;
      let stable = 0;
      const end = Date.now() + 90_000;
      while (Date.now() < end) {
        await new Promise((r) => setTimeout(r, 1000));
        const wal = readdirSync(path.join(dir, 'wal'), { recursive: true }).filter((f) => String(f).endsWith('.wal'));
        const walBytes = duBytes(path.join(dir, 'wal'));
        const data = duBytes(path.join(dir, 'data'));
        stable = data === last && walBytes < 64 * 1024 * Math.max(1, wal.length) ? stable + 1 : 0;
        last = data;
        if (stable >= 3) break;
      }
      const wal = duBytes(path.join(dir, 'wal'));
      return { bytes: duBytes(path.join(dir, 'data')) + wal, note: `TSM after snapshot and full compaction; WAL left ${wal} B` };
    },
    async trend(id, from, to, buckets, runs) {
      const w = Math.ceil((to - from) / buckets);
      const q = `SELECT min(value), max(value), mean(value) FROM q WHERE tagid = 't${id}' AND time >= ${from}ms AND time < ${to}ms GROUP BY time(${w}ms) fill(none)`;
      const first = await query(q);
      const n = first.results[0]?.series?.[0]?.values.length ?? 0;
      if (n < buckets / 2) throw new Error(`InfluxDB trend answered ${n} buckets, expected about ${buckets}`);
      const out: number[] = [];
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        await query(q);
        out.push(performance.now() - started);
      }
      return out;
    },
    async lastValues(tags, runs) {
      const q = 'SELECT last(value) FROM s GROUP BY tagid';
      const first = await query(q);
      const n = first.results[0]?.series?.length ?? 0;
      if (n !== tags) throw new Error(`InfluxDB last values answered ${n} series, expected ${tags}`);
      const out: number[] = [];
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        await query(q);
        out.push(performance.now() - started);
      }
      return out;
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([new Promise((r) => child.once('exit', r)), new Promise((r) => setTimeout(r, 5000))]);
      }
      kill();
      forget();
    },
  };
}

/** Start a PostgreSQL 15 cluster in a temp folder (as the `postgres` user when run as root); absent when not installed. */
export async function startPostgres(): Promise<Peer | AbsentPeer> {
  const name = 'PostgreSQL 15';
  if (!existsSync(path.join(PG_BIN, 'initdb')) || !existsSync('/usr/bin/psql'))
    return { name, absent: `PostgreSQL 15 not installed (${PG_BIN})` };
  const dir = mkdtempSync(path.join(tmpdir(), 'aurum-peer-pg-'));
  const data = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  let uid = -1;
  if (asRoot) {
    try {
      uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      chownSync(dir, uid, Number(execFileSync('id', ['-g', 'postgres']).toString().trim()));
    } catch {
      rmSync(dir, { recursive: true, force: true });
      return { name, absent: 'running as root and there is no postgres user to run the server as' };
    }
  }
  // initdb and postgres refuse to run as root: run them as postgres (runuser), else as ourselves.
  const pg = (cmd: string, args: string[]) =>
    asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', path.join(PG_BIN, cmd), ...args], { stdio: 'pipe', timeout: 60_000 })
      : execFileSync(path.join(PG_BIN, cmd), args, { stdio: 'pipe', timeout: 60_000 });
  const port = await freePort();
  const kill = () => {
    try {
      const pid = Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (pid > 0) process.kill(pid, 'SIGQUIT'); // immediate shutdown; the postmaster ends its children
    } catch {
      // not running
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const forget = onExit(kill);
  const psqlArgs = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres'];
  /** Run a psql script; stdout. */
  const psql = (script: string | Buffer, extra: string[] = []): Promise<string> =>
    new Promise((resolve, reject) => {
      const c: ChildProcess = spawn('/usr/bin/psql', [...psqlArgs, ...extra], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      c.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
      });
      c.stderr?.on('data', (d: Buffer) => {
        err += d.toString();
      });
      c.on('error', reject);
      c.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`psql exited ${code}: ${err.slice(0, 400)}`))));
      c.stdin?.end(script);
    });
  try {
    pg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
    pg('pg_ctl', [
      '-D',
      data,
      '-l',
      path.join(dir, 'log'),
      '-w',
      '-t',
      '30',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c shared_buffers=256MB -c max_wal_size=4GB`,
      'start',
    ]);
    await psql('CREATE TABLE s (tag int NOT NULL, ts timestamptz NOT NULL, value float8); CREATE INDEX s_tag_ts ON s (tag, ts);');
  } catch (err) {
    kill();
    forget();
    const log = existsSync(path.join(dir, 'log')) ? readFileSync(path.join(dir, 'log'), 'utf8').slice(-400) : '';
    return { name, absent: `PostgreSQL did not start: ${(err as Error).message.slice(0, 400)} ${log}` };
  }
  /** Latency of each statement of a script, from psql's own \timing (the round trip, without psql's start). */
  const timings = async (sql: string, runs: number): Promise<number[]> => {
    const out = await psql(`\\o /dev/null\n${sql};\n\\timing on\n${`${sql};\n`.repeat(runs)}`);
    return [...out.matchAll(/Time: ([\d.]+) ms/g)].map((m) => Number(m[1]));
  };
  let rows = 0;
  return {
    name,
    durability: 'fsync = on, synchronous_commit = on (defaults: fsync per commit)',
    async write(s) {
      const parts: string[] = [];
      for (let i = 0; i < s.length; i++) parts.push(`${s.ids[i]}\t${new Date(s.ts[i] as number).toISOString()}\t${s.values[i]}\n`);
      const body = Buffer.from(parts.join(''));
      rows += s.length;
      const started = performance.now();
      await psql(body, ['-c', 'COPY s FROM STDIN']);
      return { ms: performance.now() - started, cpuS: Number.NaN };
    },
    async diskBytes() {
      const out = await psql("VACUUM ANALYZE s; CHECKPOINT; SELECT pg_total_relation_size('s');", ['-A', '-t']);
      return { bytes: Number(out.trim().split('\n').pop()), note: `table + index after CHECKPOINT (pg_total_relation_size), ${rows} rows` };
    },
    async trend(id, from, to, buckets, runs) {
      const w = Math.ceil((to - from) / buckets);
      const sql = `SELECT floor((extract(epoch FROM ts) * 1000 - ${from}) / ${w}) AS b, min(value), max(value), avg(value) FROM s WHERE tag = ${id} AND ts >= to_timestamp(${from / 1000}) AND ts < to_timestamp(${to / 1000}) GROUP BY b ORDER BY b`;
      const n = Number((await psql(`SELECT count(*) FROM (${sql}) x;`, ['-A', '-t'])).trim());
      if (n < buckets / 2) throw new Error(`PostgreSQL trend answered ${n} buckets, expected about ${buckets}`);
      return timings(sql, runs);
    },
    async lastValues(tags, runs) {
      const sql = `SELECT t.tag, x.ts, x.value FROM generate_series(0, ${tags - 1}) AS t(tag) CROSS JOIN LATERAL (SELECT ts, value FROM s WHERE s.tag = t.tag ORDER BY ts DESC LIMIT 1) x`;
      const n = Number((await psql(`SELECT count(*) FROM (${sql}) y;`, ['-A', '-t'])).trim());
      if (n !== tags) throw new Error(`PostgreSQL last values answered ${n} rows, expected ${tags}`);
      return timings(sql, runs);
    },
    async stop() {
      try {
        pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '20', 'stop']);
      } catch {
        // kill() below ends it
      }
      kill();
      forget();
    },
  };
}

export function isAbsent(p: Peer | AbsentPeer): p is AbsentPeer {
  return 'absent' in p;
}

/** Start both peers; whichever is not installed (or does not start) is listed with the reason. */
export async function startPeers(): Promise<{ peers: Peer[]; absent: AbsentPeer[]; stop: () => Promise<void> }> {
  const started = [await startInflux(), await startPostgres()];
  const peers = started.filter((p): p is Peer => !isAbsent(p));
  return {
    peers,
    absent: started.filter(isAbsent),
    stop: async () => {
      for (const p of peers) await p.stop().catch(() => undefined);
    },
  };
}

// ---- The machine ---------------------------------------------------------------------------------

export interface MachineBaselines {
  /** zlib level 1 (deflateRaw) on the samples' integer deltas, 1,024 samples per call, one thread. */
  zlibSamplesPerSecond: number;
  /** write 4 KiB + fdatasync, one after the other, on the temp folder's disk. */
  fdatasyncPerSecond: number;
  fdatasyncP50Ms: number;
  /** 1 MiB writes then one fsync. */
  sequentialWriteBytesPerSecond: number;
}

/** The machine's own limits, measured now on `dir`'s disk (same run as the figures judged against them). */
export function machineBaselines(s: PeerSamples, dir: string, quick: boolean): MachineBaselines {
  // Per tag, 1,024 samples at a time: deltas of the values scaled to integers (2 decimals), as int32.
  const byTag = new Map<number, number[]>();
  for (let i = 0; i < s.length; i++) {
    const id = s.ids[i] as number;
    let a = byTag.get(id);
    if (!a) {
      a = [];
      byTag.set(id, a);
    }
    a.push(Math.round((s.values[i] as number) * 100));
  }
  const blocks: Int32Array[] = [];
  for (const a of byTag.values()) {
    for (let i = 0; i < a.length; i += 1024) {
      const b = new Int32Array(Math.min(1024, a.length - i));
      let prev = 0;
      for (let j = 0; j < b.length; j++) {
        const v = a[i + j] as number;
        b[j] = v - prev;
        prev = v;
      }
      blocks.push(b);
    }
  }
  let n = 0;
  const started = performance.now();
  for (const b of blocks) {
    deflateRawSync(new Uint8Array(b.buffer), { level: 1 });
    n += b.length;
  }
  const zlibSamplesPerSecond = n / ((performance.now() - started) / 1000);

  const file = path.join(dir, 'machine-baseline.bin');
  const fd = openSync(file, 'w');
  const page = Buffer.alloc(4096, 7);
  const syncs: number[] = [];
  const end = performance.now() + (quick ? 500 : 2000);
  let k = 0;
  while (performance.now() < end) {
    const t = performance.now();
    writeSync(fd, page, 0, page.length, (k++ % 256) * 4096);
    fdatasyncSync(fd);
    syncs.push(performance.now() - t);
  }
  const block = Buffer.alloc(1 << 20, 3);
  const total = (quick ? 64 : 256) << 20;
  const w0 = performance.now();
  for (let off = 0; off < total; off += block.length) writeSync(fd, block, 0, block.length, (1 << 20) + off);
  fsyncSync(fd);
  const sequentialWriteBytesPerSecond = total / ((performance.now() - w0) / 1000);
  closeSync(fd);
  rmSync(file, { force: true });
  return {
    zlibSamplesPerSecond,
    fdatasyncPerSecond: syncs.length / (syncs.reduce((a, b) => a + b, 0) / 1000),
    fdatasyncP50Ms: quantile(syncs, 0.5),
    sequentialWriteBytesPerSecond,
  };
}

export function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'unknown';
  }
}
