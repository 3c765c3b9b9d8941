// Every protocol runs the one life cycle (./connection.ts), so a fault is handled alike in each:
// the real Modbus, MQTT and OPC UA clients, pointed at a port where nothing listens, back off by
// the same sequence from their `reconnect` config (on a clock the test drives), log the refusal
// once, count every attempt, and classify it as "refused". Before the shared life cycle each
// driver had its own loop and its own fault handling, and they did not agree.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../util/net.js';
import type { Driver, DriverTag } from './driver.js';
import { createDriver } from './index.js';
import { modbusConnectionSchema } from './modbus/config.js';
import { mqttConnectionSchema } from './mqtt/config.js';
import { opcuaConnectionSchema } from './opcua/config.js';
import { startFixtureServer } from './opcua/test-server.js';
import { busFor, ManualClock, until } from './test-support.js';

const dir = mkdtempSync(path.join(tmpdir(), 'aurum-life-cycle-'));
process.env.HOME = dir;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const reconnect = { initialDelayMs: 100, maxDelayMs: 400 };

const configs = {
  modbus: (port: number) => modbusConnectionSchema.parse({ name: 'plc', protocol: 'modbus', host: '127.0.0.1', port, reconnect }),
  mqtt: (port: number) => mqttConnectionSchema.parse({ name: 'broker', protocol: 'mqtt', url: `mqtt://127.0.0.1:${port}`, reconnect }),
  opcua: (port: number) =>
    opcuaConnectionSchema.parse({ name: 'ua', protocol: 'opcua', endpoint: `opc.tcp://127.0.0.1:${port}`, reconnect }),
};

const addresses = { modbus: '40001', mqtt: 'dev/t', opcua: 'ns=1;s=T' };

describe('one life cycle for every protocol', () => {
  for (const protocol of ['modbus', 'mqtt', 'opcua'] as const) {
    it(`${protocol}: a refused peer backs off 100, 200, 400, 400 ms, logged once, every attempt counted and classed`, async () => {
      const port = await freePort();
      const tags: DriverTag[] = [
        {
          id: 0,
          name: 't',
          address: addresses[protocol],
          dataType: 'float',
          scaling: null,
          periodMs: 100,
          options: protocol === 'modbus' ? { type: 'uint16' } : {},
        },
      ];
      const bus = busFor(tags);
      const clock = new ManualClock();
      const lines: { level: string; message: string }[] = [];
      const driver: Driver = createDriver(configs[protocol](port), tags, {
        bus,
        dataDir: dir,
        log: (level, message) => void lines.push({ level, message }),
        clock,
      });
      const link = driver.connection;
      expect(link).toBeDefined();
      if (!link) return;
      try {
        await driver.start();
        expect(link.state).toBe('backoff');
        for (let n = 1; n < 4; n++) {
          await clock.advance(clock.delays.at(-1) ?? 0);
          // The attempt itself is real I/O: wait (bounded) until it has been refused and backed off.
          await until(`attempt ${n + 1} refused`, () => clock.delays.length === n + 1 && link.state === 'backoff', 20_000);
        }
        expect(clock.delays).toEqual([100, 200, 400, 400]);
        const d = driver.diagnostics();
        expect(d.state).toBe('error');
        expect(d.errors.connect).toBe(4);
        expect(link.snapshot().byClass).toEqual({ refused: 4 });
        expect(bus.current(0).quality).toBe(2);
        const warnings = lines.filter((l) => l.level === 'warn');
        expect(warnings).toHaveLength(1);
        expect(warnings[0]?.message).toContain(`127.0.0.1:${port}`);
      } finally {
        await driver.stop();
      }
      expect(link.state).toBe('stopped');
      expect(bus.current(0).reason).toBe('comm failure: driver stopped');
    }, 60_000);
  }
});

describe('error classes of a real peer', () => {
  it('OPC UA: a refused login is "auth", a server certificate the console does not trust is "certificate"', async () => {
    const server = await startFixtureServer({ pkiDir: mkdtempSync(path.join(dir, 'srv-')), users: { operator: 's3cret' } });
    const tag: DriverTag = {
      id: 0,
      name: 'counter',
      address: `ns=${server.ns};s=Fixture.Counter`,
      dataType: 'float',
      scaling: null,
      periodMs: 100,
      options: {},
    };
    const drivers: Driver[] = [];
    const run = (over: Record<string, unknown>) => {
      const driver = createDriver(
        opcuaConnectionSchema.parse({ name: 'ua', protocol: 'opcua', endpoint: server.endpointUrl, reconnect, ...over }),
        [tag],
        { bus: busFor([tag]), dataDir: mkdtempSync(path.join(dir, 'data-')), log: () => undefined, clock: new ManualClock() },
      );
      drivers.push(driver);
      return driver;
    };
    try {
      const login = run({ user: { username: 'operator', passwordSecret: 'wrong' } });
      const untrusted = run({ securityMode: 'Sign', securityPolicy: 'Basic256Sha256' });
      await Promise.all([login.start(), untrusted.start()]);
      expect(login.diagnostics().lastError).toMatch(/refused the login/);
      expect(login.connection?.snapshot()).toMatchObject({ state: 'backoff', byClass: { auth: 1 }, lastErrorClass: 'auth' });
      expect(untrusted.diagnostics().lastError).toMatch(/certificate/);
      expect(untrusted.connection?.snapshot()).toMatchObject({
        state: 'backoff',
        byClass: { certificate: 1 },
        lastErrorClass: 'certificate',
      });
    } finally {
      for (const d of drivers) await d.stop();
      await server.stop();
    }
  }, 60_000);
});
