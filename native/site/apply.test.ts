// Live, versioned configuration on a real core over HTTP (serveSite), with real modbus-serial
// ServerTCP peers: applying a site file that adds a Modbus connection with tags makes them read
// Good without a restart, while the other connection's driver is not touched and its history has
// a sample in every second across the apply; the site file is written as given; a rollback is a new
// version and restores the file byte for byte; two applies on the same base, the second refused
// naming the first; the versions and the diff between any two; every apply and rollback audited.
import { readFileSync } from 'node:fs';
import { ServerTCP } from 'modbus-serial';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigApplyResult, ConfigVersionInfo } from '../api/config-requests.js';
import type { CallContext } from '../api/contract.js';
import type { HistorySeries } from '../api/history-requests.js';
import { type ServedCore, serveSite } from '../server/test-server.js';
import { freePort } from '../util/net.js';

interface Peer {
  port: number;
  close(): Promise<void>;
}

/** A Modbus peer whose holding registers count up at every read: each poll is a new sample. */
async function startPeer(): Promise<Peer> {
  const port = await freePort();
  const reads = new Uint16Array(64);
  const vector = {
    getHoldingRegister: (addr: number) => {
      reads[addr] = ((reads[addr] ?? 0) + 1) & 0xffff;
      return reads[addr] as number;
    },
    getInputRegister: () => 0,
    getCoil: () => false,
    getDiscreteInput: () => false,
    setRegister: () => undefined,
    setCoil: () => undefined,
  };
  return new Promise((resolve) => {
    const server = new ServerTCP(vector, { host: '127.0.0.1', port, unitID: 1 });
    server.on('initialized', () =>
      resolve({
        port,
        close: () =>
          new Promise<void>((done) => {
            for (const s of server.socks.keys()) s.destroy();
            server.close(() => done());
          }),
      }),
    );
  });
}

const siteText = (linePort: number) => `version: 1
# The line's PLC: polled every 100 ms.
site: { name: Plant }
connections:
  - { name: line, protocol: modbus, host: 127.0.0.1, port: ${linePort}, unitId: 1, pollMs: 100 }
areas:
  - name: Hall
    machines:
      - name: Line1
        connection: line
        tags:
          - { name: Count, address: "40001", type: int }   # counts up at every read
`;

/** The same file with a second Modbus connection and a machine of two tags on it. */
const withBoiler = (text: string, boilerPort: number) =>
  text
    .replace(
      '  - { name: line,',
      `  # Added from the console.\n  - { name: boiler, protocol: modbus, host: 127.0.0.1, port: ${boilerPort}, unitId: 1, pollMs: 100 }\n  - { name: line,`,
    )
    .concat(`      - name: Boiler1
        connection: boiler
        tags:
          - { name: Pressure, address: "40001", type: int }
          - { name: Flow, address: "40002", type: int }
`);

const ADMIN: CallContext = { user: 'admin', role: 'admin', origin: 'internal' };

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, tries = 600): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

let served: ServedCore;
let line: Peer;
let boiler: Peer;
let original: string;

beforeAll(async () => {
  line = await startPeer();
  boiler = await startPeer();
  original = siteText(line.port);
  served = await serveSite(original, 'aurum-config-apply-');
}, 120_000);

afterAll(async () => {
  await served?.stop();
  await line?.close();
  await boiler?.close();
});

const get = async <T>(p: string): Promise<T> => {
  const r = await fetch(`${served.server.url}${p}`, { headers: served.auth });
  expect(r.status).toBe(200);
  return (await r.json()) as T;
};
const snapshot = (names: string[]) => get<{ name: string; quality: string; value: unknown }[]>(`/api/tags?names=${names.join(',')}`);

describe('config.apply on a running core', () => {
  it('starts at version 1, the site file as loaded', async () => {
    const cur = await get<{ version: ConfigVersionInfo; text: string }>('/api/config/current');
    expect(cur.version).toMatchObject({ version: 1, kind: 'initial', author: null });
    expect(cur.text).toBe(original);
  });

  it('adds a Modbus connection with tags that read Good without a restart; the other connection is not touched and its history has no gap', async () => {
    const countTag = 'Plant/Hall/Line1/Count';
    await until('the line connection to read Good', async () => ((await snapshot([countTag]))[0]?.quality === 'Good' ? true : undefined));
    const lineDriver = served.core.drivers.get('line');
    const lineStates: string[] = [];
    const offState = lineDriver?.connection?.on((e) => lineStates.push(e.to));
    const countId = served.core.bus.idOf(countTag);
    const from = Date.now();

    const next = withBoiler(original, boiler.port);
    const r = await served.post('/api/config/apply', { text: next, baseVersion: 1, comment: 'boiler PLC commissioned' });
    expect(r.status).toBe(200);
    const applied = (await r.json()) as ConfigApplyResult;
    expect(applied.version).toMatchObject({ version: 2, author: 'admin', comment: 'boiler PLC commissioned', kind: 'apply' });
    expect(applied.diff.summary).toEqual(
      expect.arrayContaining([
        'connection boiler added',
        'machine Plant/Hall/Boiler1 added',
        'tag Plant/Hall/Boiler1/Pressure added',
        'tag Plant/Hall/Boiler1/Flow added',
      ]),
    );
    expect(applied.applied.find((a) => a.capability === 'drivers')).toMatchObject({
      result: 'applied',
      detail: 'started boiler; 1 connection untouched',
    });
    expect(applied.applied.find((a) => a.capability === 'tags')).toMatchObject({ result: 'applied' });
    // New tags are read at once and kept in history from their first sample, without a restart.
    expect(applied.applied.find((a) => a.capability === 'historian')).toMatchObject({
      result: 'applied',
      detail: '2 new tags stored from their first sample',
    });
    expect(readFileSync(served.core.model.file, 'utf8')).toBe(next);

    const boilerTags = ['Plant/Hall/Boiler1/Pressure', 'Plant/Hall/Boiler1/Flow'];
    const good = await until('the boiler tags to read Good', async () => {
      const s = await snapshot(boilerTags);
      return s.length === 2 && s.every((t) => t.quality === 'Good') ? s : undefined;
    });
    expect(good.map((t) => typeof t.value)).toEqual(['number', 'number']);
    // The unchanged connection: the same driver, never left connected, and its tag kept its id.
    expect(served.core.drivers.get('line')).toBe(lineDriver);
    expect(served.core.bus.idOf(countTag)).toBe(countId);
    offState?.();
    expect(lineStates).toEqual([]);

    // Its history: a sample in every whole second from before the apply to three seconds after it began.
    const series = await until('three seconds of line history from before the apply', async () => {
      const h = await served.core.call('history.query', { tags: [countTag], from, to: Date.now(), maxPoints: 20_000 }, ADMIN);
      const s = (h.data as HistorySeries[] | undefined)?.[0];
      return s && s.ts.length > 0 && (s.ts.at(-1) as number) >= from + 3000 ? s : undefined;
    });
    const seconds = new Set(series.ts.map((t) => Math.floor(t / 1000)));
    const missing: number[] = [];
    for (let s = Math.floor(from / 1000) + 1; s < Math.floor((series.ts.at(-1) as number) / 1000); s++)
      if (!seconds.has(s)) missing.push(s);
    expect(seconds.size).toBeGreaterThanOrEqual(3);
    expect(missing).toEqual([]);
    // The new tags' history, stored by the same historian that kept running.
    const stored = await until('the boiler tags in history', async () => {
      const h = await served.core.call('history.query', { tags: boilerTags, from, to: Date.now(), maxPoints: 1000 }, ADMIN);
      const s = h.data as HistorySeries[] | undefined;
      return s && s.length === 2 && s.every((x) => x.ts.length > 0) ? s : undefined;
    });
    expect(stored.map((x) => x.tag)).toEqual(boilerTags);
  }, 120_000);

  it('refuses the second of two applies made on the same version, naming the first and what it changed', async () => {
    const cur = await get<{ version: ConfigVersionInfo; text: string }>('/api/config/current');
    const a = cur.text.replace('# counts up at every read', '# counts up at every read (engineer A)');
    const b = cur.text.replace('pollMs: 100 }\n  - { name: line', 'pollMs: 200 }\n  - { name: line');
    const first = await served.post('/api/config/apply', { text: a, baseVersion: cur.version.version, comment: 'note from A' });
    expect(first.status).toBe(200);
    const second = await served.post('/api/config/apply', { text: b, baseVersion: cur.version.version, comment: 'slower boiler poll' });
    expect(second.status).toBe(409);
    const { message } = ((await second.json()) as { error: { message: string } }).error;
    expect(message).toContain(`this edit was made on version ${cur.version.version}, but version ${cur.version.version + 1} is in force`);
    expect(message).toContain('applied by admin');
    expect(message).toContain('"note from A"');
    expect(message).toContain('nothing was changed');
    expect(readFileSync(served.core.model.file, 'utf8')).toBe(a);
  });

  it('refuses an invalid text with the position of each problem and changes nothing', async () => {
    const cur = await get<{ version: ConfigVersionInfo; text: string }>('/api/config/current');
    const bad = cur.text.replace('pollMs: 100 }\n  - { name: line', 'pollMs: 1 }\n  - { name: line');
    const v = await served.post('/api/config/validate', { text: bad });
    const checked = (await v.json()) as { valid: boolean; issues: { text: string }[] };
    expect(checked.valid).toBe(false);
    expect(checked.issues[0]?.text).toMatch(/^6:\d+ connections\[0\]\.pollMs: /);
    const r = await served.post('/api/config/apply', { text: bad, baseVersion: cur.version.version, comment: 'too fast' });
    expect(r.status).toBe(400);
    expect(await r.text()).toMatch(/connections\[0\]\.pollMs/);
    expect(readFileSync(served.core.model.file, 'utf8')).toBe(cur.text);
  });

  it('rolls back to version 1 as a new version: the site file is restored byte for byte and the boiler stops', async () => {
    const cur = await get<{ version: ConfigVersionInfo }>('/api/config/current');
    const r = await served.post('/api/config/rollback', { version: 1, baseVersion: cur.version.version, comment: 'back to the line only' });
    expect(r.status).toBe(200);
    const rolled = (await r.json()) as ConfigApplyResult;
    expect(rolled.version).toMatchObject({ version: cur.version.version + 1, kind: 'rollback', author: 'admin' });
    expect(rolled.diff.summary).toContain('connection boiler removed');
    expect(readFileSync(served.core.model.file, 'utf8')).toBe(original);
    expect(served.core.drivers.has('boiler')).toBe(false);
    // Its tags left the tag table: not listed, not found by name; the line's tag kept its id.
    const gone = await fetch(`${served.server.url}/api/tags?names=Plant/Hall/Boiler1/Pressure`, { headers: served.auth });
    expect(gone.status).toBe(404);
    expect(served.core.bus.tags.map((t) => t.name)).toEqual(['Plant/Hall/Line1/Count']);
    expect(served.core.bus.idOf('Plant/Hall/Line1/Count')).toBe(0);
    expect(rolled.applied.find((a) => a.capability === 'tags')).toMatchObject({ result: 'applied' });

    const list = await get<{ versions: ConfigVersionInfo[]; total: number }>('/api/config/versions?limit=2');
    expect(list.total).toBe(4);
    expect(list.versions.map((v) => v.version)).toEqual([4, 3]);
    const older = await get<{ versions: ConfigVersionInfo[] }>('/api/config/versions?limit=2&before=3');
    expect(older.versions.map((v) => [v.version, v.kind])).toEqual([
      [2, 'apply'],
      [1, 'initial'],
    ]);
    const d = await get<{ diff: { summary: string[] } }>('/api/config/diff?from=1&to=2');
    expect(d.diff.summary).toContain('connection boiler added');
    const v1 = await get<{ text: string }>('/api/config/versions/1');
    expect(v1.text).toBe(original);
  });

  it('audits every apply and rollback with its comment and version', async () => {
    const q = await served.core.call('audit.query', { action: 'config.apply' }, ADMIN);
    const applies = q.data as { action: string; result: string; details: unknown }[];
    expect(applies.length).toBeGreaterThanOrEqual(3);
    const all = JSON.stringify(applies);
    expect(all).toContain('boiler PLC commissioned');
    expect(all).toContain('slower boiler poll');
    // The accepted apply's entry carries the version it made; the refused one the conflict.
    const made = applies.find((e) => JSON.stringify(e).includes('boiler PLC commissioned')) as {
      result: string;
      details: { result?: { version?: { version?: number } } };
    };
    expect(made.result).toBe('ok');
    expect(made.details.result?.version?.version).toBe(2);
    const refused = applies.find((e) => JSON.stringify(e).includes('slower boiler poll')) as {
      result: string;
      details: { error?: string };
    };
    expect(refused.result).toBe('failed');
    expect(refused.details.error).toContain('is in force');
    const rb = await served.core.call('audit.query', { action: 'config.rollback' }, ADMIN);
    expect(JSON.stringify(rb.data)).toContain('back to the line only');
  });
});
