// The OPC UA driver against a real node-opcua server (the demo plant's) on loopback: values with
// quality and source time, a write with read-back, and a server restart → Bad → recovery of
// session and subscription without restarting the driver.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PlantOpcuaServer, startPlantOpcuaServer } from '../../plant/opcua-server.js';
import { PlantSim } from '../../plant/sim.js';
import type { DriverTag } from '../driver.js';
import { busFor, until } from '../test-support.js';
import { opcuaConnectionSchema } from './config.js';
import { createOpcuaDriver, qualityOf } from './driver.js';
import { clientPki, fileCertificate, listCertificates } from './pki.js';

const dir = mkdtempSync(path.join(tmpdir(), 'aurum-opcua-'));
const serverStartedAt = Date.now();
const sim = new PlantSim({ start: serverStartedAt });
let server: PlantOpcuaServer;

beforeAll(async () => {
  process.env.HOME = dir;
  server = await startPlantOpcuaServer(sim, { port: 0, pkiDir: path.join(dir, 'pki') });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const tag = (id: number, name: string, address: string, scaling: DriverTag['scaling'] = null): DriverTag => ({
  id,
  name,
  address,
  dataType: 'float',
  scaling,
  periodMs: 100,
  options: {},
});

describe('qualityOf', () => {
  it('maps the StatusCode severity bits', () => {
    expect(qualityOf(0)).toBe(0);
    expect(qualityOf(0x40000000)).toBe(1);
    expect(qualityOf(0x80340000)).toBe(2);
  });
});

describe('OPC UA driver', () => {
  it('subscribes, scales, writes with read-back, and recovers from a server restart', async () => {
    const tags = [
      tag(0, 'speed', 'ns=1;s=PumpStation.Pump101.Speed'),
      tag(1, 'sp', 'ns=1;s=PumpStation.Pump101.SpeedSetpoint', { rawLo: 0, rawHi: 100, engLo: 0, engHi: 1, clamp: false }),
      tag(2, 'missing', 'ns=1;s=No.Such.Node'),
    ];
    const bus = busFor(tags);
    const config = opcuaConnectionSchema.parse({
      name: 'u',
      protocol: 'opcua',
      endpoint: server.endpointUrl,
      publishingIntervalMs: 100,
      samplingIntervalMs: 100,
      keepAliveMs: 1000,
      reconnect: { initialDelayMs: 200, maxDelayMs: 1000 },
    });
    const driver = createOpcuaDriver(config, tags, { bus, dataDir: dir, log: () => undefined });
    await driver.start();
    try {
      await until('Good speed', () => bus.current(0).quality === 0, 10_000);
      expect(typeof bus.current(0).value).toBe('number');
      // The source time is the server's, taken after it started and before now (ordering, not a threshold).
      expect(bus.current(0).ts).toBeGreaterThanOrEqual(serverStartedAt);
      expect(bus.current(0).ts).toBeLessThanOrEqual(Date.now());
      // Scaling: raw 85 % → engineering 0.85.
      await until('scaled setpoint', () => bus.current(1).quality === 0, 5000);
      expect(bus.current(1).value).toBeCloseTo(0.85, 6);
      // A NodeId the server does not know is Bad with the server's reason, not a crash.
      await until(
        'missing node Bad',
        () => bus.current(2).quality === 2 && bus.current(2).reason !== 'comm failure: not connected yet',
        5000,
      );
      expect(bus.current(2).reason).toMatch(/BadNodeIdUnknown/);

      const back = await driver.write(1, 0.6);
      expect(back).toBeCloseTo(0.6, 6);
      expect(sim.value('PumpStation/Pump101/SpeedSetpoint')).toBeCloseTo(60, 6);

      await server.stop();
      await until('Bad after server stop', () => bus.current(0).quality === 2, 10_000);
      expect(bus.current(0).reason).toMatch(/comm failure/);

      server = await startPlantOpcuaServer(sim, { port: server.port, pkiDir: path.join(dir, 'pki') });
      const before = bus.samplesIn;
      await until('Good again after restart', () => bus.current(0).quality === 0 && bus.samplesIn > before + 5, 20_000);
      const d = driver.diagnostics();
      expect(d.state).toBe('connected');
      expect(d.reconnects).toBeGreaterThanOrEqual(1);
    } finally {
      await driver.stop();
    }
  }, 60_000);

  it('refuses an untrusted server certificate, lists it, and connects once an engineer trusts it', async () => {
    const pkiDir = mkdtempSync(path.join(tmpdir(), 'aurum-opcua-pki-'));
    const tags = [tag(0, 'speed', 'ns=1;s=PumpStation.Pump102.Speed')];
    const bus = busFor(tags);
    const config = opcuaConnectionSchema.parse({
      name: 'secure',
      protocol: 'opcua',
      endpoint: server.endpointUrl,
      securityMode: 'SignAndEncrypt',
      securityPolicy: 'Basic256Sha256',
      reconnect: { initialDelayMs: 200, maxDelayMs: 500 },
    });
    const driver = createOpcuaDriver(config, tags, { bus, dataDir: pkiDir, log: () => undefined });
    try {
      await driver.start();
      await until('the certificate to be rejected', () => (driver.diagnostics().lastError ?? '').length > 0, 15_000);
      expect(driver.diagnostics().state).not.toBe('connected');
      expect(driver.diagnostics().lastError).toMatch(/certificate/i);
      expect(bus.current(0).quality).toBe(2);
      const cm = await clientPki(pkiDir);
      const rejected = listCertificates(cm).filter((c) => c.status === 'rejected');
      expect(rejected).toHaveLength(1);
      expect(rejected[0]?.subject).toMatch(/Aurum demo plant|CN=/);

      await fileCertificate(cm, rejected[0]!.thumbprint, 'trusted');
      expect(listCertificates(cm).map((c) => c.status)).toEqual(['trusted']);
      await until('Good over SignAndEncrypt', () => bus.current(0).quality === 0, 20_000);
      expect(driver.diagnostics().state).toBe('connected');
    } finally {
      await driver.stop();
      rmSync(pkiDir, { recursive: true, force: true });
    }
  }, 60_000);
});
