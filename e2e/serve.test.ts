// Serve mode from the built bundle, as an engineer or CI runs it: health, the demo plant's tags
// read over OPC UA and Modbus changing with Good quality, history, and a clean shutdown.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningConsole, startConsole, waitFor } from './harness.js';

interface Snapshot {
  name: string;
  value: number | boolean | string | null;
  quality: string;
  timestamp: string;
  unit: string;
}

let app: RunningConsole;
let auth: Record<string, string>;

beforeAll(async () => {
  app = await startConsole({ script: 'bin/aurum.mjs', args: ['serve'], timeoutMs: 40_000 });
  auth = { Authorization: `Bearer ${await app.signIn()}` };
}, 60_000);

afterAll(async () => {
  const code = await app?.stop();
  if (app) rmSync(app.dataDir, { recursive: true, force: true });
  expect(code).toBe(0);
});

const tags = async (): Promise<Snapshot[]> => (await (await fetch(`${app.url}/api/tags`, { headers: auth })).json()) as Snapshot[];

describe('serve mode on the demo plant', () => {
  it('answers the health check with the core version', async () => {
    const body = (await (await fetch(`${app.url}/api/health`)).json()) as { status: string; version: string };
    expect(body.status).toBe('ok');
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('refuses every API request but the health check without a session', async () => {
    for (const p of ['/api/tags', '/api/connections', '/api/alarms', '/metrics']) expect((await fetch(`${app.url}${p}`)).status).toBe(401);
    const bad = await fetch(`${app.url}/api/login`, {
      method: 'POST',
      body: JSON.stringify({ user: 'admin', password: 'wrong-password' }),
    });
    expect(bad.status).toBe(401);
  });

  it('serves at least 40 tags with name, value, quality, ISO timestamp and unit', async () => {
    const list = await tags();
    expect(list.length).toBeGreaterThanOrEqual(40);
    for (const t of list) {
      expect(typeof t.name).toBe('string');
      expect(['Good', 'Uncertain', 'Bad']).toContain(t.quality);
      expect(new Date(t.timestamp).toISOString()).toBe(t.timestamp);
      expect(typeof t.unit).toBe('string');
    }
  });

  it('reads values over OPC UA and Modbus that change over time with Good quality', async () => {
    // One tag per protocol: OPC UA, Modbus TCP, MQTT JSON, Sparkplug B.
    const names = [
      'Demo/PumpStation/Pump102/Flow',
      'Demo/Utilities/Boiler1/FuelFlow',
      'Demo/Infrastructure/Weather/AmbientTemp',
      'Demo/Infrastructure/MainMeter/EnergyTotal',
    ];
    const first = await waitFor(
      'Good values on every protocol',
      async () => {
        const pick = (await tags()).filter((t) => names.includes(t.name));
        return pick.length === names.length && pick.every((t) => t.quality === 'Good') ? pick : undefined;
      },
      20_000,
    );
    await new Promise((r) => setTimeout(r, 3000));
    const later = (await tags()).filter((t) => names.includes(t.name));
    for (const t of later) {
      const before = first.find((f) => f.name === t.name);
      expect(t.quality).toBe('Good');
      expect(t.value).not.toEqual(before?.value);
      expect(Date.parse(t.timestamp)).toBeGreaterThan(Date.parse(before?.timestamp ?? ''));
    }
    const all = await tags();
    expect(all.filter((t) => t.quality === 'Good').length).toBeGreaterThanOrEqual(40);
    // A value that does not change on a live subscription is current, not stale.
    expect(all.find((t) => t.name === 'Demo/PumpStation/Pump102/RunCommand')?.quality).toBe('Good');
  });

  it('reports every demo connection (OPC UA, Modbus, MQTT JSON, Sparkplug B) as connected', async () => {
    const conns = (await (await fetch(`${app.url}/api/connections`, { headers: auth })).json()) as {
      name: string;
      protocol: string;
      state: string;
      lastError: string | null;
    }[];
    expect(conns.map((c) => c.protocol).sort()).toEqual(['modbus', 'mqtt', 'mqtt', 'opcua']);
    for (const c of conns) expect(c.state).toBe('connected');
  });

  it('refuses invalid requests with a clear error and status', async () => {
    const r = await fetch(`${app.url}/api/tags/write`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ tag: 'Demo/PumpStation/Pump101/SpeedSetpoint', value: 'fast' }),
    });
    expect(r.status).toBe(400);
    const body = (await r.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('validation');
  });

  it('writes a setpoint over OPC UA and over Modbus and reads the new value back', async () => {
    for (const [tag, value] of [
      ['Demo/PumpStation/Pump102/SpeedSetpoint', 77],
      ['Demo/Utilities/Boiler1/SteamPressureSetpoint', 9.5],
    ] as const) {
      const r = await fetch(`${app.url}/api/tags/write`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ tag, value, confirmed: true }),
      });
      const body = (await r.json()) as { ok: boolean; readBack: number; error: string | null };
      expect(body.error).toBeNull();
      expect(body.ok).toBe(true);
      expect(body.readBack).toBeCloseTo(value, 4);
    }
    const outside = await fetch(`${app.url}/api/tags/write`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ tag: 'Demo/Utilities/Boiler1/SteamPressureSetpoint', value: 99, confirmed: true }),
    });
    expect(outside.status).toBe(400);
  });
});
