// Bounded work for every request, against a real serve-mode console on the demo plant: each request
// that takes a range, given an absurd one, is refused with a 400 whose message names the limit
// and its maximum, before any work starts, and the console keeps serving (health and tags answer
// right after each refusal). Finding: GET /api/alarms/kpis over 0000…9999 stalled the event loop
// for 24 s and then aborted the process; POST /api/models/learn from 0 grew it past 23 GB.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningConsole, startConsole } from './harness.js';

let app: RunningConsole;
let admin: Record<string, string>;
let viewer: Record<string, string>;

const FROM = '0000-01-01T00:00:00Z';
const TO = '9999-12-31T23:59:59Z';
const ABSURD = `from=${encodeURIComponent(FROM)}&to=${encodeURIComponent(TO)}`;
const TAG = 'Demo/PumpStation/Pump102/Flow';

beforeAll(async () => {
  app = await startConsole({ script: 'bin/aurum.mjs', args: ['serve'], timeoutMs: 40_000 });
  admin = { Authorization: `Bearer ${await app.signIn()}` };
  const created = await fetch(`${app.url}/api/call/auth.users.create`, {
    method: 'POST',
    headers: { ...admin, 'Content-Type': 'application/json' },
    body: JSON.stringify({ user: 'viewer1', role: 'viewer', password: 'e2e-Viewer-Pass-2026' }),
  });
  expect(created.status).toBe(200);
  viewer = { Authorization: `Bearer ${await app.signIn('viewer1', 'e2e-Viewer-Pass-2026')}` };
}, 60_000);

afterAll(async () => {
  const code = await app?.stop();
  if (app) rmSync(app.dataDir, { recursive: true, force: true });
  expect(code).toBe(0);
});

interface Refusal {
  status: number;
  type: string;
  message: string;
}

async function send(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: unknown): Promise<Refusal> {
  const r = await fetch(`${app.url}${path}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  let parsed: { error?: { type: string; message: string } } = {};
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    // A CSV download: no error envelope.
  }
  return { status: r.status, type: parsed.error?.type ?? '', message: parsed.error?.message ?? text.slice(0, 200) };
}

/** The console still serves: health and the tag snapshot answer at once after a refusal. */
async function stillServing(): Promise<void> {
  const health = await fetch(`${app.url}/api/health`);
  expect(health.status).toBe(200);
  expect(((await health.json()) as { status: string }).status).toBe('ok');
  const tags = await fetch(`${app.url}/api/tags`, { headers: viewer });
  expect(tags.status).toBe(200);
  expect(((await tags.json()) as unknown[]).length).toBeGreaterThan(40);
}

// [what, method, path, who, body, the limit the message must name]
const absurd: [string, 'GET' | 'POST', string, () => Record<string, string>, unknown, string][] = [
  ['alarm KPIs', 'GET', `/api/alarms/kpis?${ABSURD}`, () => viewer, undefined, 'exceeds the limit of 400 days for alarms.kpis'],
  ['alarm journal', 'GET', `/api/alarms/journal?${ABSURD}`, () => viewer, undefined, 'exceeds the limit of 400 days for alarms.journal'],
  [
    'alarm journal CSV',
    'GET',
    `/api/alarms/journal.csv?${ABSURD}`,
    () => viewer,
    undefined,
    'exceeds the limit of 400 days for alarms.export',
  ],
  ['maintenance log', 'GET', `/api/events?${ABSURD}`, () => viewer, undefined, 'exceeds the limit of 3,660 days for events.list'],
  ['maintenance log CSV', 'GET', `/api/events.csv?${ABSURD}`, () => viewer, undefined, 'exceeds the limit of 3,660 days for events.export'],
  ['audit query', 'GET', `/api/audit?${ABSURD}`, () => admin, undefined, 'exceeds the limit of 3,660 days for audit.query'],
  ['audit CSV', 'GET', `/api/audit.csv?${ABSURD}`, () => admin, undefined, 'exceeds the limit of 3,660 days for audit.export'],
  [
    'history query',
    'GET',
    `/api/history?tags=${encodeURIComponent(TAG)}&${ABSURD}`,
    () => viewer,
    undefined,
    'exceeds the limit of 3,660 days for history.query',
  ],
  [
    'history aggregate',
    'GET',
    `/api/history/aggregate?tags=${encodeURIComponent(TAG)}&${ABSURD}&intervalMs=3600000`,
    () => viewer,
    undefined,
    'exceeds the limit of 3,660 days for history.aggregate',
  ],
  [
    'history export',
    'POST',
    '/api/history/export',
    () => viewer,
    { tags: [TAG], from: FROM, to: TO },
    'exceeds the limit of 400 days for history.export of raw samples',
  ],
  ['ESG summary', 'GET', `/api/esg/summary?${ABSURD}`, () => admin, undefined, 'exceeds the limit of 400 days for esg.summary'],
  ['ESG series', 'GET', `/api/esg/series?${ABSURD}&period=day`, () => admin, undefined, 'exceeds the limit of 400 days for esg.series'],
  ['ESG report', 'GET', '/api/esg/report?period=year&start=9999&format=csv', () => admin, undefined, 'outside the years 1970–'],
  [
    'model learning',
    'POST',
    '/api/models/learn',
    () => admin,
    { machine: 'Demo/PumpStation/Pump102', from: 0, to: Date.now() },
    'exceeds the limit of 366 days for models.learn',
  ],
];

describe('every range-taking request refuses an absurd range before any work', () => {
  for (const [what, method, path, who, body, limit] of absurd) {
    it(`${what}: 400 naming the limit, and the console keeps serving`, async () => {
      const r = await send(method, path, who(), body);
      expect(r.status).toBe(400);
      expect(r.type).toBe('validation');
      expect(r.message).toContain(limit);
      await stillServing();
    });
  }

  it('refuses a history request for more points than the limit, naming it', async () => {
    const tags = Array.from({ length: 20 }, () => TAG).join(',');
    const r = await send(
      'GET',
      `/api/history?tags=${encodeURIComponent(tags)}&from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z&maxPoints=20000`,
      viewer,
    );
    expect(r.status).toBe(400);
    expect(r.message).toContain('400,000 points exceeds the limit of 200,000 points for history.query');
    await stillServing();
  });

  it('holds a viewer to two running exports, and says so', async () => {
    const meta = (await (await fetch(`${app.url}/api/tags/meta`, { headers: viewer })).json()) as { tags: { name: string }[] };
    const tags = meta.tags.slice(0, 50).map((t) => t.name);
    // Hourly aggregates of 50 tags over 1,600 days: within the row limit, and thousands of steps long.
    const body = { tags, from: Date.now() - 1_600 * 86_400_000, to: Date.now(), intervalMs: 3_600_000 };
    const started: string[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const r = await fetch(`${app.url}/api/history/export`, {
          method: 'POST',
          headers: { ...viewer, 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        });
        expect(r.status).toBe(200);
        const p = (await r.json()) as { id: string; state: string };
        expect(p.state).toBe('running');
        started.push(p.id);
      }
      const third = await send('POST', '/api/history/export', viewer, body);
      expect(third.status).toBe(429);
      expect(third.message).toBe('viewer1 already has 2 exports running, the limit of 2 per user; wait for one to finish or cancel one');
      await stillServing();
    } finally {
      for (const id of started) await fetch(`${app.url}/api/history/export/${id}/cancel`, { method: 'POST', headers: viewer });
    }
  });

  it('still answers requests within the limits', async () => {
    const day = `from=${encodeURIComponent(new Date(Date.now() - 86_400_000).toISOString())}&to=${encodeURIComponent(new Date().toISOString())}`;
    const kpis = await fetch(`${app.url}/api/alarms/kpis?${day}`, { headers: viewer });
    expect(kpis.status).toBe(200);
    expect(((await kpis.json()) as { activations: number }).activations).toBeGreaterThanOrEqual(0);
    const year = `from=${encodeURIComponent(new Date(Date.now() - 365 * 86_400_000).toISOString())}&to=${encodeURIComponent(new Date().toISOString())}`;
    // A year of KPIs is within the limit and computed a day at a time.
    expect((await fetch(`${app.url}/api/alarms/kpis?${year}`, { headers: viewer })).status).toBe(200);
    await stillServing();
  });
});
