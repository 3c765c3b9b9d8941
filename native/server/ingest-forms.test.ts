// The three ingest forms over HTTP on a real core: JSON items (POST /api/ingest), columnar series
// (POST /api/ingest/series) and InfluxDB line protocol (POST /api/write) store identical samples for
// the same input, read back from each console's own historian.db (a real SQLite file) once the push
// is acknowledged. Line protocol answers as InfluxDB does: 204, per-line refusals (the good lines
// are stored), gzip bodies, precisions, and the limits answered before any line is read.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INGEST_LIMITS } from '../api/tag-requests.js';
import { type Core, startCore } from '../core.js';
import type { IngestDriver } from '../drivers/ingest/driver.js';
import { StoreReader } from '../historian/reader.js';
import { openSqlite } from '../util/sqlite.js';
import { type RunningServer, serve } from './server.js';

const site = `version: 1
site: { name: Edge }
connections:
  - name: gateway
    protocol: ingest
    lineProtocol:
      name: "{measurement}/{tag:area}/{tag:machine}/{field}"
      overrides:
        - { measurement: legacy, field: v, tags: { id: "7" }, to: Edge/Yard/Bank/Flow }
areas:
  - name: Yard
    machines:
      - name: Bank
        connection: gateway
        tags:
          - { name: Temp, address: Temp }
          - { name: Pressure, address: Pressure, type: int }
          - { name: Flow, address: Flow }
          - { name: Running, address: Running, type: bool }
          - { name: State, address: State, type: string }
`;

const ADMIN = { user: 'admin', password: 'test-Operator-Pass-2026' };

interface Console {
  core: Core;
  server: RunningServer;
  dir: string;
  auth: Record<string, string>;
}

async function start(prefix: string, siteText = site): Promise<Console> {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  writeFileSync(path.join(dir, 'site.yaml'), siteText);
  process.env.AURUM_ADMIN_USER = ADMIN.user;
  process.env.AURUM_ADMIN_PASSWORD = ADMIN.password;
  const core = await startCore({
    siteFile: path.join(dir, 'site.yaml'),
    dataDir: path.join(dir, 'data'),
    shell: 'test',
    log: () => undefined,
  });
  const server = await serve(core, { port: 0, staticDir: path.join(dir, 'no-ui') });
  const login = await fetch(`${server.url}/api/login`, { method: 'POST', body: JSON.stringify(ADMIN) });
  return { core, server, dir, auth: { Authorization: `Bearer ${((await login.json()) as { token: string }).token}` } };
}

/** Every stored sample of every tag, from the console's historian.db, by tag name. */
function stored(c: Console): Record<string, { ts: number[]; values: number[]; quality: number[] }> {
  const db = openSqlite(path.join(c.dir, 'data', 'historian', 'historian.db'), { readonly: true });
  try {
    const reader = new StoreReader(db);
    const out: Record<string, { ts: number[]; values: number[]; quality: number[] }> = {};
    for (const { id, name } of db.prepare('SELECT id, name FROM tag ORDER BY name').all() as { id: number; name: string }[]) {
      const s = reader.raw(id, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
      if (s.length > 0) out[name] = { ts: [...s.ts], values: [...s.values], quality: [...s.quality] };
    }
    return out;
  } finally {
    db.close();
  }
}

// The same input: 50 instants, each with a Temp (decimals), a Pressure (integer), a Flow (through
// the override) and Running (boolean), a millisecond apart at the end of a fraction of a millisecond.
const T0 = Math.floor(Date.now() / 1000) * 1000 - 60_000;
const N = 50;
const at = (k: number) => T0 + k * 1000 + (k % 4) * 0.25;
const temp = (k: number) => 20 + k / 8;
const pressure = (k: number) => 3 * k - 40;
const flow = (k: number) => k * 1.5;
const running = (k: number) => k % 3 === 0;
const tag = (name: string) => `Edge/Yard/Bank/${name}`;

let consoles: Console[] = [];

beforeAll(async () => {
  consoles = await Promise.all(['aurum-items-', 'aurum-series-', 'aurum-lines-'].map((p) => start(p)));
}, 120_000);

afterAll(async () => {
  for (const c of consoles) await stop(c);
});

async function stop(c: Console): Promise<void> {
  await c.server.close();
  await c.core.stop();
  rmSync(c.dir, { recursive: true, force: true });
}

const post = (c: Console, p: string, body: string | Uint8Array, headers: Record<string, string> = {}) =>
  fetch(`${c.server.url}${p}`, {
    method: 'POST',
    headers: { ...c.auth, ...headers },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });

describe('three ingest forms', () => {
  it('store identical samples for the same input, read back from each historian.db', async () => {
    const [items, series, lines] = consoles as [Console, Console, Console];
    const ks = Array.from({ length: N }, (_, k) => k);
    const itemBody = ks.flatMap((k) => [
      { tag: tag('Temp'), value: temp(k), timestamp: at(k) },
      { tag: tag('Pressure'), value: pressure(k), timestamp: at(k) },
      { tag: tag('Flow'), value: flow(k), timestamp: at(k) },
      { tag: tag('Running'), value: running(k), timestamp: at(k) },
    ]);
    const r1 = await post(items, '/api/ingest', JSON.stringify(itemBody));
    expect(r1.status).toBe(202);
    expect(await r1.json()).toEqual({ accepted: 4 * N, rejected: [] });

    const seriesBody = {
      series: [
        { tag: tag('Temp'), t: ks.map(at), v: ks.map(temp) },
        { tag: tag('Pressure'), t: ks.map(at), v: ks.map(pressure), q: 'Good' },
        { tag: tag('Flow'), t: ks.map(at), v: ks.map(flow), q: ks.map(() => 'Good') },
        { tag: tag('Running'), t: ks.map(at), v: ks.map(running) },
      ],
    };
    const r2 = await post(series, '/api/ingest/series', JSON.stringify(seriesBody));
    expect(r2.status).toBe(202);
    expect(await r2.json()).toEqual({ accepted: 4 * N, rejected: [] });

    // Nanoseconds: the millisecond fraction is written out in digits, as a gateway would.
    const ns = (k: number) => `${Math.floor(at(k))}${String(Math.round((at(k) % 1) * 1e6)).padStart(6, '0')}`;
    const text = ks
      .map(
        (k) =>
          `Edge,area=Yard,machine=Bank Temp=${temp(k)},Pressure=${pressure(k)}i,Running=${running(k) ? 't' : 'F'} ${ns(k)}\n` +
          `legacy,id=7 v=${flow(k)} ${ns(k)}`,
      )
      .join('\n');
    const r3 = await post(lines, '/api/write', text, { 'Content-Type': 'text/plain; charset=utf-8' });
    expect(r3.status).toBe(204);
    expect(await r3.text()).toBe('');

    // Acknowledged means committed: each file holds the samples now, without a flush or a stop.
    const [a, b, c] = [stored(items), stored(series), stored(lines)];
    expect(Object.keys(a)).toEqual([tag('Flow'), tag('Pressure'), tag('Running'), tag('Temp')]);
    expect(a[tag('Temp')]?.ts).toEqual(ks.map(at));
    expect(a[tag('Temp')]?.values).toEqual(ks.map(temp));
    expect(a[tag('Running')]?.values).toEqual(ks.map((k) => (running(k) ? 1 : 0)));
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });
});

describe('POST /api/write', () => {
  const now = () => `${Date.now()}000000`;

  it('refuses bad lines by number with InfluxDB\'s "partial write" while the good lines are stored', async () => {
    const c = consoles[2] as Console;
    const text = [
      `Edge,area=Yard,machine=Bank Temp=1 ${now()}`,
      'Edge,area=Yard,machine=Bank Temp=',
      `Edge,area=Yard,machine=Bank State="on" ${now()}`,
      `Edge,area=Yard,machine=Bank Nope=1 ${now()}`,
    ].join('\n');
    const r = await post(c, '/api/write', text);
    expect(r.status).toBe(400);
    const body = (await r.json()) as { error: string; accepted: number; rejected: { line: number; error: string }[] };
    expect(body.error).toMatch(
      /^partial write: 2 lines refused, the other lines are stored \(2 samples\): line 2: field "Temp" has no value/,
    );
    expect(body.accepted).toBe(2);
    expect(body.rejected.map((x) => x.line)).toEqual([2, 4]);
    expect(body.rejected[1]?.error).toMatch(/^line 4: measurement "Edge" field "Nope" is named "Edge\/Yard\/Bank\/Nope"/);
    expect(stored(c)[tag('State')]).toBeDefined();

    const none = await post(c, '/api/write', 'x');
    expect(none.status).toBe(400);
    expect(((await none.json()) as { error: string }).error).toMatch(/^unable to parse: 1 line refused, nothing stored: line 1: no fields/);
  });

  it('takes a gzip body and ?precision=, ignores db-less InfluxDB parameters, refuses credentials in the query', async () => {
    const c = consoles[2] as Console;
    const seconds = Math.floor(Date.now() / 1000) - 5;
    const zipped = await post(
      c,
      '/api/write?precision=s&rp=autogen&consistency=one&db=gateway',
      gzipSync(`Edge,area=Yard,machine=Bank Flow=42 ${seconds}`),
      {
        'Content-Encoding': 'gzip',
      },
    );
    expect(zipped.status).toBe(204);
    expect(stored(c)[tag('Flow')]?.ts).toContain(seconds * 1000);

    const creds = await post(c, '/api/write?u=admin&p=secret', 'x v=1');
    expect(creds.status).toBe(400);
    expect(((await creds.json()) as { error: string }).error).toMatch(/credentials in the query string \("u"\) are not taken/);
    const unknown = await post(c, '/api/write?db=nope', `Edge,area=Yard,machine=Bank Flow=1`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toMatch(
      /no push \(ingest\) connection named "nope"; line protocol is taken by gateway/,
    );
    const badPrecision = await post(c, '/api/write?precision=d', 'x v=1');
    expect(badPrecision.status).toBe(400);
  });

  it('needs a session like every write, and answers its limits before any line is read', async () => {
    const c = consoles[2] as Console;
    const anonymous = await fetch(`${c.server.url}/api/write`, { method: 'POST', body: 'x v=1' });
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: string }).error).toEqual(expect.any(String));

    const lines = Array.from({ length: INGEST_LIMITS.lines + 1 }, () => 'not a line').join('\n');
    const tooMany = await post(c, '/api/write', lines);
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as { error: string }).error).toMatch(
      /10,001 lines exceeds the limit of 10,000 lines for tags\.ingestLines/,
    );

    const bomb = gzipSync(Buffer.alloc(INGEST_LIMITS.lineChars + 1, 'a'));
    const big = await post(c, '/api/write', bomb, { 'Content-Encoding': 'gzip' });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: string }).error).toMatch(/unzips to more than 4,194,304 bytes/);
  });
});

describe('POST /api/write with two connections taking line protocol', () => {
  it('needs ?db= to choose; refuses a push over maxQueue at once (413, in every form) and answers a queue full for now with 503 and Retry-After (Telegraf resends a 5xx), taking nothing', async () => {
    const two = site
      .replace(
        'areas:',
        `  - { name: small, protocol: ingest, maxQueue: 100, lineProtocol: { name: "Edge/Yard/Spare/{field}" } }
areas:`,
      )
      .replace(
        '          - { name: State, address: State, type: string }',
        `          - { name: State, address: State, type: string }
      - name: Spare
        connection: small
        tags:
          - { name: X, address: X }`,
      );
    const c = await start('aurum-lines-two-', two);
    try {
      const which = await post(c, '/api/write', 'X v=1');
      expect(which.status).toBe(400);
      expect(((await which.json()) as { error: string }).error).toBe(
        'several connections take line protocol (gateway, small): name one with ?db=<connection>',
      );
      const X = 'Edge/Yard/Spare/X';
      const t = Date.now() - 10_000;
      const lines = (n: number, v0: number, t0: number) => Array.from({ length: n }, (_, i) => `m X=${v0 + i} ${t0 + i}`).join('\n');
      // 101 samples can never fit under maxQueue 100: answered "too large" at once, never "retry".
      const tooLarge =
        'this push holds 101 samples for connection small, more than its maxQueue of 100 (the samples it holds awaiting their commit), ' +
        'so it could never be taken and nothing of it was taken: split it into pushes of at most 100 samples';
      const big = await post(c, '/api/write?db=small&precision=ms', lines(101, 0, t));
      expect(big.status).toBe(413);
      expect(big.headers.get('retry-after')).toBeNull();
      expect(await big.json()).toEqual({ error: tooLarge });
      const bigItems = Array.from({ length: 101 }, (_, i) => ({ tag: X, value: i, timestamp: t + i }));
      const items = await post(c, '/api/ingest', JSON.stringify(bigItems));
      expect(items.status).toBe(413);
      expect(await items.json()).toEqual({ error: { type: 'too_large', message: tooLarge } });
      const series = await post(
        c,
        '/api/ingest/series',
        JSON.stringify({ series: [{ tag: X, t: bigItems.map((x) => x.timestamp), v: bigItems.map((x) => x.value) }] }),
      );
      expect(series.status).toBe(413);
      expect(await series.json()).toEqual({ error: { type: 'too_large', message: tooLarge } });
      // A queue full for now: 60 samples taken and held awaiting their commit (the test releases
      // them) leave no room for 50 more.
      const small = c.core.drivers.get('small') as IngestDriver;
      const held = await small.checkLines(lines(60, 1000, t - 1000), 'ms');
      small.take(held);
      const full = await post(c, '/api/write?db=small&precision=ms', lines(50, 500, t + 500));
      expect(full.status).toBe(503);
      expect(full.headers.get('retry-after')).toBe('1');
      expect(((await full.json()) as { error: string }).error).toMatch(/ingest queue full, retry later; nothing of this write was taken/);
      small.release(held.ids.length);
      const fits = await post(c, '/api/write?db=small&precision=ms', lines(100, 0, t));
      expect(fits.status).toBe(204);
      // The refused pushes stored nothing: only the 100 that fit and the 60 held.
      const values = [...(stored(c)[X]?.values ?? [])].sort((a, b) => a - b);
      expect(values).toEqual([...Array.from({ length: 100 }, (_, i) => i), ...Array.from({ length: 60 }, (_, i) => 1000 + i)]);
    } finally {
      await stop(c);
    }
  }, 60_000);
});

describe('POST /api/ingest/series', () => {
  it('refuses samples one by one with their series and position, and a series whose columns differ in length whole', async () => {
    const c = consoles[1] as Console;
    const t = Date.now() - 1000;
    const r = await post(
      c,
      '/api/ingest/series',
      JSON.stringify({
        series: [
          { tag: tag('Temp'), t: [t, 'soon', t + 2], v: [1, 2, { x: 1 }] },
          { tag: tag('Nope'), t: [t], v: [1] },
          { tag: tag('Flow'), t: [t], v: [1], q: ['good'] },
        ],
      }),
    );
    expect(r.status).toBe(202);
    expect(await r.json()).toEqual({
      accepted: 1,
      rejected: [
        { index: 1, ok: false, error: 'series 0 (Edge/Yard/Bank/Temp) sample 1: t: a time is milliseconds since 1970 (a finite number)' },
        {
          index: 2,
          ok: false,
          error:
            'series 0 (Edge/Yard/Bank/Temp) sample 2: v: a value is a finite number, a boolean, a text of at most 1,024 characters or null',
        },
        {
          index: 3,
          ok: false,
          error: 'series 1 (Edge/Yard/Bank/Nope) sample 0: no pushed tag named "Edge/Yard/Bank/Nope" on connection gateway',
        },
        { index: 4, ok: false, error: 'series 2 (Edge/Yard/Bank/Flow) sample 0: q: a quality is "Good", "Uncertain" or "Bad"' },
      ],
    });
    const uneven = await post(c, '/api/ingest/series', JSON.stringify({ series: [{ tag: tag('Temp'), t: [t, t + 1], v: [1] }] }));
    expect(uneven.status).toBe(400);
    expect(await uneven.text()).toMatch(/series 0 \(Edge\/Yard\/Bank\/Temp\) has 2 times and 1 values; give one time per value/);
    const tooMany = await post(
      c,
      '/api/ingest/series',
      JSON.stringify({ series: [{ tag: tag('Temp'), t: Array(10_001).fill(t), v: Array(10_001).fill(1) }] }),
    );
    expect(tooMany.status).toBe(400);
    expect(await tooMany.text()).toMatch(/10,001 samples exceeds the limit of 10,000 samples for tags\.ingestSeries/);
  });
});
