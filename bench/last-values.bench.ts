// Last stored value of 1,000 tags, read from storage (a restarted console, a report, a tag that
// stopped reporting), beside the chunk-scan path it replaces, in the same run and the same file:
//  - tag_state: one primary-key row per 15 tags (native/historian/reader.ts lastValues);
//  - chunk scan: value at "now" per tag, decoding the chunks around it (query.ts valueAt), which is
//    what answering from storage cost before.
//  - over HTTP in serve mode: one POST of 1,000 tags beside the 16 value-at GETs it took before.
// Warm: the same connection, statements prepared. Cold: a fresh connection for each measurement
// (schema read, statements prepared, SQLite's page cache empty; the OS file cache stays warm), and
// a fresh process for each (bench/support/last-values-child.ts: also the JIT cold).
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startCore } from '../native/core.js';
import { resolvePolicies } from '../native/historian/config.js';
import { openHistorian } from '../native/historian/index.js';
import { lastValues, type QueryTag, valueAt } from '../native/historian/query.js';
import { StoreReader } from '../native/historian/reader.js';
import { makeTags, tempDir } from '../native/historian/test-kit.js';
import { serve } from '../native/server/server.js';
import { emptyBatch } from '../native/tags/bus.js';
import { openSqlite } from '../native/util/sqlite.js';
import type { Bench, BenchResult } from './types.js';

const TAGS = 1_000;
const T0 = Date.UTC(2026, 0, 1);

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
}

function time(fn: () => void): number {
  const started = performance.now();
  fn();
  return performance.now() - started;
}

/**
 * The same question over HTTP in serve mode (a site of 1,000 pushed tags): one POST of every tag
 * to /api/history/last-values, beside the 16 GET /api/history/value-at requests of 64 tags it took
 * before (valueAt's bound).
 */
async function overHttp(dir: string, quick: boolean): Promise<BenchResult[]> {
  const siteFile = path.join(dir, 'site.yaml');
  const names = Array.from({ length: TAGS }, (_, i) => `Bench/Yard/Bank/T${i}`);
  writeFileSync(
    siteFile,
    `version: 1\nsite: { name: Bench }\nconnections:\n  - { name: gateway, protocol: ingest, maxQueue: 20000 }\nareas:\n  - name: Yard\n    machines:\n      - name: Bank\n        connection: gateway\n        tags:\n${names
      .map((_, i) => `          - { name: T${i}, address: T${i} }`)
      .join('\n')}\n`,
  );
  process.env.AURUM_ADMIN_USER = 'admin';
  process.env.AURUM_ADMIN_PASSWORD = 'bench-Operator-Pass-2026';
  const core = await startCore({ siteFile, dataDir: path.join(dir, 'http-data'), shell: 'serve', log: () => undefined });
  const server = await serve(core, { port: 0, staticDir: path.join(dir, 'no-ui') });
  try {
    const login = await fetch(`${server.url}/api/login`, {
      method: 'POST',
      body: JSON.stringify({ user: 'admin', password: 'bench-Operator-Pass-2026' }),
    });
    const auth = { Authorization: `Bearer ${((await login.json()) as { token: string }).token}` };
    const now = Date.now();
    for (let k = 0; k < 10; k++) {
      const items = names.map((tag, i) => ({ tag, value: k * 10 + (i % 10), timestamp: new Date(now - (10 - k) * 1000).toISOString() }));
      const r = await fetch(`${server.url}/api/ingest`, { method: 'POST', headers: auth, body: JSON.stringify({ items }) });
      if (r.status !== 202) throw new Error(`ingest answered ${r.status}: ${await r.text()}`);
    }
    const one = async () => {
      const r = await fetch(`${server.url}/api/history/last-values`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ tags: names }),
      });
      if (r.status !== 200) throw new Error(`last-values answered ${r.status}`);
      await r.json();
    };
    const sixteen = async () => {
      const t = new Date().toISOString();
      for (let i = 0; i < TAGS; i += 64) {
        const q = new URLSearchParams({ tags: names.slice(i, i + 64).join(','), t });
        const r = await fetch(`${server.url}/api/history/value-at?${q}`, { headers: auth });
        if (r.status !== 200) throw new Error(`value-at answered ${r.status}: ${await r.text()}`);
        await r.json();
      }
    };
    const timed = async (fn: () => Promise<void>, runs: number) => {
      await fn();
      const out: number[] = [];
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        await fn();
        out.push(performance.now() - started);
      }
      return out;
    };
    const a = await timed(one, quick ? 20 : 100);
    const b = await timed(sixteen, quick ? 5 : 20);
    return (
      [
        ['p50', 0.5],
        ['p99', 0.99],
      ] as const
    ).map(([label, q]) => ({
      bench: 'last-values',
      metric: `last stored value of 1,000 tags over HTTP (one POST), ${label}`,
      value: quantile(a, q),
      unit: 'ms',
      baseline: '16 GET /api/history/value-at of 64 tags, same server',
      baselineValue: quantile(b, q),
      target: '< 10 ms',
      notes: '1,000 pushed tags, 10 samples each; serve mode on 127.0.0.1, JSON both ways',
    }));
  } finally {
    await server.close();
    await core.stop();
  }
}

const bench: Bench = async ({ quick }) => {
  const dir = tempDir('aurum-bench-last-');
  const tags = makeTags(TAGS);
  const seconds = quick ? 600 : 3_600;
  try {
    // 1,000 tags × 1 Hz through the real writer thread: sealed chunks, segments and rollups.
    const h = await openHistorian({ dir, tags, retentionIntervalMs: 0, maxBufferedSamples: 4_000_000, now: () => T0 + seconds * 1000 });
    for (let s = 0; s < seconds; s += 10) {
      const n = TAGS * 10;
      const b = emptyBatch(n);
      for (let k = 0; k < 10; k++)
        for (let id = 0; id < TAGS; id++) {
          const i = k * TAGS + id;
          b.ids[i] = id;
          b.ts[i] = T0 + (s + k) * 1000;
          b.values[i] = Math.round((50 + 20 * Math.sin((s + k) / 60 + id) + (id % 7)) * 100) / 100;
        }
      h.ingest(b);
      if (s % 600 === 0) await h.flush();
    }
    await h.flush();
    await h.close();

    const file = path.join(dir, 'historian.db');
    const policies = resolvePolicies(tags);
    const queryTags = (reader: StoreReader): QueryTag[] => {
      const sid = reader.db.prepare('SELECT id FROM tag WHERE name = ?').pluck();
      return tags.map((t, i) => ({ name: t.name, sid: sid.get(t.name) as number, policy: policies[i] as (typeof policies)[number] }));
    };
    const now = T0 + seconds * 1000;
    const viaTable = (r: StoreReader, q: QueryTag[]) => lastValues(r, q);
    const viaChunks = (r: StoreReader, q: QueryTag[]) => q.map((t) => valueAt(r, t, now, 'previous'));

    // The two paths must agree before either is timed.
    {
      const db = openSqlite(file, { readonly: true });
      const r = new StoreReader(db);
      const q = queryTags(r);
      const a = viaTable(r, q);
      const b = viaChunks(r, q);
      a.forEach((x, i) => {
        if (x.ts !== b[i]?.sampleTs || x.value !== b[i]?.value) throw new Error(`last value of ${x.tag} differs between the two paths`);
      });
      db.close();
    }

    const warm = (fn: (r: StoreReader, q: QueryTag[]) => unknown, runs: number): number[] => {
      const db = openSqlite(file, { readonly: true });
      const r = new StoreReader(db);
      const q = queryTags(r);
      fn(r, q);
      const out = Array.from({ length: runs }, () => time(() => fn(r, q)));
      db.close();
      return out;
    };
    const cold = (fn: (r: StoreReader, q: QueryTag[]) => unknown, runs: number): number[] =>
      Array.from({ length: runs }, () => {
        let ms = 0;
        const started = performance.now();
        const db = openSqlite(file, { readonly: true });
        const r = new StoreReader(db);
        const q = queryTags(r);
        fn(r, q);
        ms = performance.now() - started;
        db.close();
        return ms;
      });

    const freshProcess = (runs: number): number[] =>
      Array.from({ length: runs }, () => {
        const out = execFileSync(
          process.execPath,
          ['--import', 'tsx', path.join(import.meta.dirname, 'support', 'last-values-child.ts'), file, String(TAGS)],
          {
            encoding: 'utf8',
          },
        );
        const r = JSON.parse(out.trim().split('\n').pop() as string) as { ms: number; stored: number };
        if (r.stored !== TAGS) throw new Error(`fresh process found ${r.stored} of ${TAGS} last values`);
        return r.ms;
      });
    const runs = quick ? 20 : 100;
    const tWarm = warm(viaTable, runs);
    const cWarm = warm(viaChunks, quick ? 5 : 20);
    const tCold = cold(viaTable, quick ? 10 : 30);
    const cCold = cold(viaChunks, quick ? 3 : 10);
    const tProcess = freshProcess(quick ? 3 : 10);
    const note = `${TAGS} tags × ${seconds} s at 1 Hz; ${runs} warm runs`;
    const results: BenchResult[] = [];
    for (const [label, q] of [
      ['p50', 0.5],
      ['p99', 0.99],
    ] as const) {
      results.push({
        bench: 'last-values',
        metric: `last stored value of 1,000 tags, warm, ${label}`,
        value: quantile(tWarm, q),
        unit: 'ms',
        baseline: 'chunk scan (valueAt at now), same file and run',
        baselineValue: quantile(cWarm, q),
        target: '< 10 ms',
        notes: note,
      });
      results.push({
        bench: 'last-values',
        metric: `last stored value of 1,000 tags, cold (fresh connection), ${label}`,
        value: quantile(tCold, q),
        unit: 'ms',
        baseline: 'chunk scan (valueAt at now) on a fresh connection',
        baselineValue: quantile(cCold, q),
        target: '< 50 ms',
        notes: `${note}; connection open, schema and statements included; OS file cache warm`,
      });
    }
    results.push({
      bench: 'last-values',
      metric: 'last stored value of 1,000 tags, cold (fresh process), p99',
      value: quantile(tProcess, 0.99),
      unit: 'ms',
      baseline: 'the same on a fresh connection in this process (p99)',
      baselineValue: quantile(tCold, 0.99),
      target: '< 50 ms',
      notes: `${tProcess.length} fresh processes, p50 ${quantile(tProcess, 0.5).toFixed(1)} ms; from opening the file to the answer (connection, schema, statements, first query, JIT cold); Node start and module loading not counted; OS file cache warm`,
    });
    results.push(...(await overHttp(dir, quick)));
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

export default bench;
