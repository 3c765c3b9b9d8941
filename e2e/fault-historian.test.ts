// The historian under fault, against a real serve-mode console (the built bundle) on real SQLite
// files: poison timestamps refused per item while other tags keep being committed; a push answered
// 2xx is committed (kill -9 during ingest loses no acknowledged sample) and a 429 takes nothing,
// also under concurrency; a full disk (a small tmpfs) is survived and recovered from by itself; a
// full disk at start gives a read-only historian; a WAL cut short is salvaged and reported.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreReader } from '../native/historian/reader.js';
import { openSqlite } from '../native/util/sqlite.js';
import { chromiumAvailable, launchChromium, signInContext } from './browser.js';
import { type RunningConsole, startConsole, waitFor } from './harness.js';

const TAGS = Array.from({ length: 10 }, (_, i) => `Fault/Yard/Edge/T${i}`);
const site = (extra = '') => `version: 1
site: { name: Fault }
connections:
  - { name: gateway, protocol: ingest, maxQueue: 20000 }
areas:
  - name: Yard
    machines:
      - name: Edge
        connection: gateway
        tags:
${TAGS.map((t) => `          - { name: ${t.split('/').pop()}, address: ${t.split('/').pop()} }`).join('\n')}
${extra}`;

const root = mkdtempSync(path.join(tmpdir(), 'aurum-fault-historian-'));
const running: RunningConsole[] = [];
const mounts: string[] = [];
afterAll(async () => {
  for (const c of running.splice(0)) await c.stop('SIGKILL');
  for (const m of mounts.splice(0)) execFileSync('umount', [m]);
  rmSync(root, { recursive: true, force: true });
});

function siteFile(name: string, extra = ''): string {
  const f = path.join(root, name);
  writeFileSync(f, site(extra));
  return f;
}

async function start(config: string, dataDir: string, env: NodeJS.ProcessEnv = {}) {
  const app = await startConsole({ script: 'bin/aurum.mjs', args: ['serve', '--config', config], dataDir, env });
  running.push(app);
  const headers = { Authorization: `Bearer ${await app.signIn()}` };
  return { app, headers };
}

async function stop(app: RunningConsole, signal: NodeJS.Signals = 'SIGTERM') {
  await app.stop(signal);
  running.splice(running.indexOf(app), 1);
}

type Item = { tag: string; value: unknown; timestamp?: unknown };
const push = (app: RunningConsole, headers: Record<string, string>, items: Item[]) =>
  fetch(`${app.url}/api/ingest`, { method: 'POST', headers, body: JSON.stringify(items) });

/** Every value stored for a tag, read from the file itself (chunks and a crash's segments). */
function storedValues(dataDir: string, tag: string): number[] {
  const db = openSqlite(path.join(dataDir, 'historian', 'historian.db'), { readonly: true });
  try {
    const sid = db.prepare('SELECT id FROM tag WHERE name = ?').pluck().get(tag) as number;
    return Array.from(new StoreReader(db).raw(sid, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY).values);
  } finally {
    db.close();
  }
}

async function systemAlarm(app: RunningConsole, headers: Record<string, string>, pattern: RegExp) {
  return waitFor(
    `a historian system alarm matching ${pattern}`,
    async () => {
      const r = (await (await fetch(`${app.url}/api/alarms`, { headers })).json()) as { alarms: { id: string; message: string }[] };
      return r.alarms.find((a) => a.id === 'system.historian' && pattern.test(a.message));
    },
    20_000,
  );
}

/**
 * Pushers that send unique values (value = a running number) over two connections until stopped;
 * returns the values of every push answered 2xx.
 */
function pushers(app: RunningConsole, headers: Record<string, string>, base: number) {
  const acked: number[] = [];
  let next = base;
  let running = true;
  let acks = 0;
  const loop = async () => {
    while (running) {
      const items: Item[] = [];
      const now = Date.now();
      for (let i = 0; i < 500; i++) {
        const v = next++;
        items.push({ tag: TAGS[v % 10] as string, value: v, timestamp: now - 60_000 + (v % 50_000) });
      }
      try {
        const r = await push(app, headers, items);
        if (r.status === 202) {
          acked.push(...items.map((x) => x.value as number));
          acks++;
        }
      } catch {
        return; // the console was killed
      }
    }
  };
  const done = Promise.all([loop(), loop()]);
  return {
    acked,
    acks: () => acks,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

describe('historian under fault (serve mode)', () => {
  it('refuses poison timestamps per item while other tags keep being committed, and bounds the days one push touches', {
    timeout: 90_000,
  }, async () => {
    const dataDir = path.join(root, 'poison');
    const { app, headers } = await start(siteFile('poison.yaml'), dataDir);
    const now = Date.now();
    const poison: unknown[] = [
      1e308,
      -1e308,
      'NaN',
      Date.UTC(10000, 0, 1),
      '+010000-01-01T00:00:00Z',
      0,
      '1970-01-01T00:00:00Z',
      now + 3_600_000,
    ];
    const items: Item[] = [];
    poison.forEach((timestamp, k) => {
      items.push({ tag: TAGS[0] as string, value: k, timestamp });
      items.push({ tag: TAGS[1] as string, value: 100 + k, timestamp: now - k });
    });
    const r = await push(app, headers, items);
    expect(r.status).toBe(202);
    const body = (await r.json()) as { accepted: number; rejected: { index: number; error: string }[] };
    expect(body.accepted).toBe(poison.length);
    expect(body.rejected.map((x) => x.index)).toEqual(poison.map((_, k) => 2 * k));
    for (const x of body.rejected)
      expect(x.error).toMatch(/source timestamp invalid|source clock (ahead|behind)|the field "timestamp" must be milliseconds/);
    expect(body.rejected[2]?.error).toMatch(/item 4: the field "timestamp" must be milliseconds since 1970 or an ISO 8601 date-time/);
    expect(body.rejected[0]?.error).toMatch(/source timestamp invalid/);
    expect(body.rejected[3]?.error).toMatch(/source clock ahead/);
    expect(body.rejected[5]?.error).toMatch(/source clock behind/);
    // The console keeps serving, and the good samples of the same push are committed already.
    expect((await fetch(`${app.url}/api/tags`, { headers })).status).toBe(200);
    // One push across 1,000 days: only the first days inside the accept window are taken.
    const spread: Item[] = Array.from({ length: 1000 }, (_, d) => ({ tag: TAGS[2] as string, value: d, timestamp: now - d * 86_400_000 }));
    const r2 = await push(app, headers, spread);
    expect(r2.status).toBe(202);
    const b2 = (await r2.json()) as { accepted: number; rejected: { error: string }[] };
    expect(b2.accepted).toBe(7);
    expect(b2.rejected.some((x) => /maxDaysPerPush/.test(x.error))).toBe(true);
    expect(b2.rejected.some((x) => /source clock behind/.test(x.error))).toBe(true);
    const metrics = (await (await fetch(`${app.url}/api/history/metrics`, { headers })).json()) as { writeFailing: boolean };
    expect(metrics.writeFailing).toBe(false);
    await stop(app);
    expect(storedValues(dataDir, TAGS[1] as string).sort((a, b) => a - b)).toEqual(poison.map((_, k) => 100 + k));
    expect(storedValues(dataDir, TAGS[0] as string)).toEqual([]);
    const db = openSqlite(path.join(dataDir, 'historian', 'historian.db'), { readonly: true });
    const raw = db.prepare("SELECT name FROM partition WHERE level = 'raw'").pluck().all() as string[];
    db.close();
    expect(raw.length).toBeLessThanOrEqual(8);
    expect(raw.every((n) => /^raw_\d+$/.test(n))).toBe(true);
  });

  it('a 429 takes nothing of its push, also with concurrent pushes', { timeout: 90_000 }, async () => {
    const dataDir = path.join(root, 'concurrent');
    const { app, headers } = await start(siteFile('concurrent.yaml'), dataDir);
    const now = Date.now();
    // 16 pushes of 5,000 at once against a queue of 20,000: some must be refused, whole.
    const results = await Promise.all(
      Array.from({ length: 16 }, async (_, p) => {
        const items: Item[] = Array.from({ length: 5000 }, (_, i) => ({
          tag: TAGS[i % 10] as string,
          value: p * 10_000 + i,
          timestamp: now - 50_000 + p * 5000 + i,
        }));
        const r = await push(app, headers, items);
        return { p, status: r.status, values: items.map((x) => x.value as number) };
      }),
    );
    expect(results.every((r) => r.status === 202 || r.status === 429)).toBe(true);
    await stop(app);
    const stored = new Set(TAGS.flatMap((t) => storedValues(dataDir, t)));
    for (const r of results) {
      const taken = r.values.filter((v) => stored.has(v)).length;
      // All of an acknowledged push, nothing of a refused one.
      expect({ push: r.p, status: r.status, taken }).toEqual({ push: r.p, status: r.status, taken: r.status === 202 ? 5000 : 0 });
    }
    expect(stored.size).toBe(results.filter((r) => r.status === 202).length * 5000);
  });

  it('kill -9 during ingest loses no acknowledged sample; a truncated WAL is salvaged and reported; a full disk at start gives a read-only historian', {
    timeout: 240_000,
  }, async () => {
    const dataDir = path.join(root, 'kill');
    const config = siteFile('kill.yaml');
    const acked: number[] = [];
    for (let round = 0; round < 3; round++) {
      const { app, headers } = await start(config, dataDir);
      const p = pushers(app, headers, round * 10_000_000);
      await waitFor('a few acknowledged pushes', async () => (p.acks() >= 5 + round * 3 ? true : undefined), 60_000, 20);
      app.child.kill('SIGKILL');
      await p.stop();
      await stop(app, 'SIGKILL');
      acked.push(...p.acked);
    }
    const stored = new Set(TAGS.flatMap((t) => storedValues(dataDir, t)));
    const lost = acked.filter((v) => !stored.has(v));
    expect({ acknowledged: acked.length, lost: lost.length }).toEqual({ acknowledged: acked.length, lost: 0 });

    // A WAL cut short after the last kill: the console starts, says so loudly, and keeps what was whole.
    const wal = path.join(dataDir, 'historian', 'historian.db-wal');
    const size = statSync(wal).size;
    expect(size).toBeGreaterThan(4096);
    truncateSync(wal, Math.floor(size * 0.7) + 100);
    const { app, headers } = await start(config, dataDir, { AURUM_LOG: 'info' });
    await systemAlarm(app, headers, /damaged.*cut short/);
    expect(app.output()).toMatch(/historian database damaged: historian\.db-wal ends \d+ bytes into a frame/);
    const after = new Set(TAGS.flatMap((t) => storedValues(dataDir, t)));
    expect(after.size).toBeGreaterThan(0);
    const p = pushers(app, headers, 90_000_000);
    await waitFor('pushes after the salvage', async () => (p.acks() >= 2 ? true : undefined), 60_000, 20);
    app.child.kill('SIGKILL');
    await p.stop();
    await stop(app, 'SIGKILL');

    // The disk full at start (SQLite's max_page_count): read-only, with a system alarm, still serving history.
    const full = siteFile('kill-full.yaml', 'historian: { maxDbMB: 0.001 }');
    const ro = await start(full, dataDir);
    await systemAlarm(ro.app, ro.headers, /read-only/);
    const r = await push(ro.app, ro.headers, [{ tag: TAGS[0] as string, value: 1 }]);
    expect(r.status).toBe(503);
    expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/nothing of this push was taken/);
    const q = await fetch(
      `${ro.app.url}/api/history?tags=${TAGS[0]}&from=${new Date(Date.now() - 3_600_000).toISOString()}&to=${new Date().toISOString()}&maxPoints=100`,
      { headers: ro.headers },
    );
    expect(q.status).toBe(200);
    if (chromiumAvailable) {
      // The operator sees it without opening the alarm list: a banner while the alarm is active.
      const browser = await launchChromium();
      try {
        const context = await browser.newContext();
        await signInContext(context, ro.app.url);
        const page = await context.newPage();
        await page.goto(ro.app.url);
        await page
          .getByRole('alert')
          .filter({ hasText: /Historian: historian started read-only/ })
          .waitFor({ timeout: 20_000 });
      } finally {
        await browser.close();
      }
    }
    await stop(ro.app);
  });

  const canMount = process.getuid?.() === 0;
  it.skipIf(!canMount)(
    'survives a full disk: stays up, refuses pushes without taking them, raises the alarm, and resumes by itself',
    { timeout: 120_000 },
    async () => {
      const dataDir = path.join(root, 'tmpfs');
      mkdirSync(dataDir, { recursive: true });
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', dataDir]);
      mounts.push(dataDir);
      const { app, headers } = await start(siteFile('tmpfs.yaml'), dataDir);
      const now = () => Date.now();
      const items = (v: number): Item[] => TAGS.map((tag, i) => ({ tag, value: v * 10 + i, timestamp: now() }));
      expect((await push(app, headers, items(0))).status).toBe(202);
      // Fill the disk to the last block.
      const filler = path.join(dataDir, 'filler');
      const fd = openSync(filler, 'w');
      const block = Buffer.alloc(1 << 20);
      try {
        for (let i = 0; i < 100; i++) writeSync(fd, block);
      } catch (err) {
        expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
      }
      try {
        for (;;) writeSync(fd, block.subarray(0, 4096));
      } catch {
        // full
      }
      closeSync(fd);
      // Pushes until the historian notices: each is answered, and only a 2xx means stored.
      let v = 1;
      const status = await waitFor(
        'a push refused on the full disk',
        async () => {
          const r = await push(app, headers, items(v++));
          return r.status === 503 ? r.status : undefined;
        },
        30_000,
        50,
      );
      expect(status).toBe(503);
      await systemAlarm(app, headers, /disk full/);
      expect((await fetch(`${app.url}/api/tags`, { headers })).status).toBe(200);
      expect((await fetch(`${app.url}/api/health`)).status).toBe(200);
      // Space returns: recording resumes without anyone restarting anything.
      rmSync(filler);
      await waitFor(
        'a push acknowledged again',
        async () => ((await push(app, headers, items(v++))).status === 202 ? true : undefined),
        30_000,
        200,
      );
      const m = (await (await fetch(`${app.url}/api/history/metrics`, { headers })).json()) as { writeFailing: boolean };
      expect(m.writeFailing).toBe(false);
      expect(app.child.exitCode).toBeNull();
      await stop(app);
    },
  );

  it.skipIf(!canMount)(
    'starts with the historian read-only on a disk already full, serves history, and records once there is room',
    { timeout: 120_000 },
    async () => {
      // Only the historian's folder on the small disk: the other stores' behaviour on a full disk is theirs.
      const dataDir = path.join(root, 'full-at-start');
      const hdir = path.join(dataDir, 'historian');
      mkdirSync(hdir, { recursive: true });
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', hdir]);
      mounts.push(hdir);
      const config = siteFile('full-at-start.yaml');
      const first = await start(config, dataDir);
      const now = Date.now();
      expect((await push(first.app, first.headers, [{ tag: TAGS[0] as string, value: 41, timestamp: now - 1000 }])).status).toBe(202);
      await stop(first.app);
      const filler = path.join(hdir, 'filler');
      const fd = openSync(filler, 'w');
      try {
        for (let i = 0; i < 10_000; i++) writeSync(fd, Buffer.alloc(4096));
      } catch {
        // full
      }
      closeSync(fd);
      const { app, headers } = await start(config, dataDir);
      await systemAlarm(app, headers, /started read-only/);
      const history = async () =>
        (await (
          await fetch(
            `${app.url}/api/history?tags=${TAGS[0]}&from=${new Date(now - 60_000).toISOString()}&to=${new Date().toISOString()}&maxPoints=100`,
            {
              headers,
            },
          )
        ).json()) as { v: (number | null)[] }[];
      expect((await history())[0]?.v).toContain(41);
      const refused = await push(app, headers, [{ tag: TAGS[0] as string, value: 42 }]);
      expect(refused.status).toBe(503);
      rmSync(filler);
      await waitFor(
        'a push acknowledged once there is room',
        async () => ((await push(app, headers, [{ tag: TAGS[0] as string, value: 43 }])).status === 202 ? true : undefined),
        30_000,
        250,
      );
      expect((await history())[0]?.v).toContain(43);
      await stop(app);
    },
  );
});
