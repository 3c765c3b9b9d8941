// The OPC UA driver at the field edge, against a real node-opcua server (test-server.ts) on
// loopback: mistyped and unknown NodeIds stay with their tag (no crash), nsu= NodeIds, Int64 as
// numbers with the 2^53 limit, declared types enforced, deadband filters, browse with access level
// and 400/404, and the console's certificate identity.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DataType } from 'node-opcua';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiFailure } from '../../api/registry.js';
import type { DriverTag } from '../driver.js';
import { connectionHandlers } from '../handlers.js';
import { busFor, until } from '../test-support.js';
import { opcuaConnectionSchema } from './config.js';
import { createOpcuaDriver, int64ToNumber } from './driver.js';
import { clientIdentity } from './pki.js';
import { FIXTURE_NAMESPACE, type FixtureServer, startFixtureServer } from './test-server.js';

const dir = mkdtempSync(path.join(tmpdir(), 'aurum-opcua-edge-'));
let fixture: FixtureServer;
const unhandled: unknown[] = [];
const onUnhandled = (err: unknown) => unhandled.push(err);

beforeAll(async () => {
  process.env.HOME = dir;
  process.on('uncaughtException', onUnhandled);
  process.on('unhandledRejection', onUnhandled);
  fixture = await startFixtureServer({ pkiDir: path.join(dir, 'server-pki') });
}, 60_000);

afterAll(async () => {
  process.off('uncaughtException', onUnhandled);
  process.off('unhandledRejection', onUnhandled);
  await fixture?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const tag = (
  id: number,
  name: string,
  address: string,
  dataType: DriverTag['dataType'] = 'float',
  options: Record<string, unknown> = {},
): DriverTag => ({
  id,
  name,
  address,
  dataType,
  scaling: null,
  periodMs: 50,
  options,
});

const connection = (over: Record<string, unknown> = {}) =>
  opcuaConnectionSchema.parse({
    name: 'edge',
    protocol: 'opcua',
    endpoint: fixture.endpointUrl,
    publishingIntervalMs: 50,
    samplingIntervalMs: 50,
    keepAliveMs: 1000,
    reconnect: { initialDelayMs: 200, maxDelayMs: 1000 },
    ...over,
  });

async function withDriver(tags: DriverTag[], body: (bus: ReturnType<typeof busFor>) => Promise<void>, over: Record<string, unknown> = {}) {
  const bus = busFor(tags);
  const logs: string[] = [];
  const driver = createOpcuaDriver(connection(over), tags, { bus, dataDir: dir, log: (_l, m) => logs.push(m) });
  await driver.start();
  try {
    await body(bus);
  } finally {
    await driver.stop();
  }
  return { driver, logs };
}

describe('NodeIds that are mistyped or unknown', () => {
  it('turns only their own tags Bad, with the connection, endpoint, NodeId and cause; nothing unhandled', async () => {
    const tags = [
      tag(0, 'good', `ns=${fixture.ns};s=Fixture.Counter`),
      tag(1, 'comma', `ns=${fixture.ns},s=Fixture.Counter`),
      tag(2, 'bare', 'Plant.Counter'),
      tag(3, 'byUri', `nsu=${FIXTURE_NAMESPACE};s=Fixture.Counter`),
      tag(4, 'unknownUri', 'nsu=urn:nobody:here;s=Fixture.Counter'),
      tag(5, 'unknown', `ns=${fixture.ns};s=No.Such.Node`),
    ];
    await withDriver(tags, async (bus) => {
      await until('good and nsu= tags Good', () => bus.current(0).quality === 0 && bus.current(3).quality === 0, 15_000);
      await until('unknown NodeId refused', () => /BadNodeIdUnknown/.test(bus.current(5).reason), 5000);
      expect(bus.current(3).value).toBe(1);
      const reason = (id: number) => bus.current(id).reason;
      expect(bus.current(1).quality).toBe(2);
      expect(reason(1)).toContain('connection edge (opc.tcp://');
      expect(reason(1)).toContain("use ';' between ns and s");
      expect(reason(2)).toMatch(/"Plant\.Counter" is not a NodeId.*ns=2;s=Plant\.Counter/);
      expect(reason(4)).toMatch(/NodeId nsu=urn:nobody:here;s=Fixture\.Counter: the server has no namespace "urn:nobody:here"/);
      expect(reason(5)).toMatch(
        /connection edge \(opc\.tcp:.*NodeId ns=\d+;s=No\.Such\.Node: the server has no node with this NodeId \(BadNodeIdUnknown\)/,
      );
      for (const id of [1, 2, 4, 5]) expect(bus.current(id).quality).toBe(2);
      // The good tags keep updating.
      fixture.set('Counter', DataType.Double, 2);
      await until('counter 2 on both good tags', () => bus.current(0).value === 2 && bus.current(3).value === 2, 5000);
    });
    expect(unhandled).toEqual([]);
  }, 60_000);
});

describe('values and declared types', () => {
  it('converts Int64/UInt64 to numbers, exact to 2^53, Uncertain "precision lost" beyond', async () => {
    expect(int64ToNumber([0, 5], true)).toEqual({ value: 5, lost: false });
    expect(int64ToNumber([0xffff_ffff, 0xffff_ffff], true)).toEqual({ value: -1, lost: false });
    expect(int64ToNumber([0x0020_0000, 0], false)).toEqual({ value: 2 ** 53, lost: false });
    expect(int64ToNumber([0x0020_0000, 1], false).lost).toBe(true);
    const tags = [
      tag(0, 'small', `ns=${fixture.ns};s=Fixture.SmallInt64`, 'int'),
      tag(1, 'negative', `ns=${fixture.ns};s=Fixture.NegativeInt64`, 'int'),
      tag(2, 'big', `ns=${fixture.ns};s=Fixture.BigUInt64`, 'float'),
    ];
    await withDriver(tags, async (bus) => {
      await until('all three values', () => tags.every((t) => bus.current(t.id).value !== null), 15_000);
      expect(bus.current(0)).toMatchObject({ value: 123_456, quality: 0 });
      expect(bus.current(1)).toMatchObject({ value: -2, quality: 0 });
      expect(bus.current(2).value).toBe(2 ** 53);
      expect(bus.current(2).quality).toBe(1);
      expect(bus.current(2).reason).toMatch(/precision lost/);
    });
  }, 60_000);

  it('marks a value of another type than declared Bad "type mismatch: server sends …"', async () => {
    const tags = [
      tag(0, 'intGetsText', `ns=${fixture.ns};s=Fixture.Text`, 'int'),
      tag(1, 'floatGetsBool', `ns=${fixture.ns};s=Fixture.Flag`, 'float'),
      tag(2, 'floatGetsDate', `ns=${fixture.ns};s=Fixture.When`, 'float'),
      tag(3, 'intGetsDouble', `ns=${fixture.ns};s=Fixture.Counter`, 'int'),
      tag(4, 'bool', `ns=${fixture.ns};s=Fixture.Flag`, 'bool'),
      tag(5, 'text', `ns=${fixture.ns};s=Fixture.Label`, 'string'),
      tag(6, 'floatFromInt32', `ns=${fixture.ns};s=Fixture.Count32`, 'float'),
    ];
    await withDriver(tags, async (bus) => {
      await until('every tag decided', () => tags.every((t) => bus.current(t.id).reason !== 'comm failure: not connected yet'), 15_000);
      await until('good ones Good', () => [4, 5, 6].every((id) => bus.current(id).quality === 0), 5000);
      expect(bus.current(0)).toMatchObject({ value: null, quality: 2 });
      expect(bus.current(0).reason).toMatch(/^type mismatch: server sends String, the tag is declared int/);
      expect(bus.current(1).reason).toMatch(/^type mismatch: server sends Boolean/);
      expect(bus.current(2).reason).toMatch(/^type mismatch: server sends DateTime/);
      expect(bus.current(3).reason).toMatch(/^type mismatch: server sends Double, the tag is declared int/);
      expect(bus.current(4).value).toBe(true);
      expect(bus.current(5).value).toBe('Pump running');
      expect(bus.current(6).value).toBe(7);
    });
  }, 60_000);
});

describe('writes', () => {
  it("refuse what the node's type cannot hold, in a sentence, and write 64-bit integers exactly", async () => {
    const tags = [
      tag(0, 'count', `ns=${fixture.ns};s=Fixture.Count32`, 'int'),
      tag(1, 'setpoint', `ns=${fixture.ns};s=Fixture.Setpoint`),
      tag(2, 'total', `ns=${fixture.ns};s=Fixture.Total64`, 'int'),
      tag(3, 'typo', `ns=${fixture.ns},s=Fixture.Setpoint`),
    ];
    const bus = busFor(tags);
    const driver = createOpcuaDriver(connection(), tags, { bus, dataDir: dir, log: () => undefined });
    await driver.start();
    try {
      await until('connected', () => driver.diagnostics().state === 'connected', 15_000);
      await expect(driver.write(0, 3.7)).rejects.toThrow(
        /count: the node ns=\d+;s=Fixture\.Count32 is Int32, and 3\.7 is not a whole number/,
      );
      expect(await driver.write(0, 8)).toBe(8);
      await expect(driver.write(1, true)).rejects.toThrow(/is Double; a boolean cannot be written to it/);
      expect(await driver.write(2, -(2 ** 40) - 3)).toBe(-(2 ** 40) - 3);
      await expect(driver.write(2, 2 ** 60)).rejects.toThrow(/beyond ±2\^53/);
      await expect(driver.write(3, 1)).rejects.toThrow(/use ';' between ns and s/);
    } finally {
      await driver.stop();
    }
  }, 60_000);
});

describe('deadband filters', () => {
  it('applies a tag deadband and the connection default; a server without EURange refuses percent for that tag only', async () => {
    const tags = [
      tag(0, 'plain', `ns=${fixture.ns};s=Fixture.Setpoint`, 'float', { deadband: 'none' }),
      tag(1, 'absolute', `ns=${fixture.ns};s=Fixture.Setpoint`, 'float', { deadband: { type: 'absolute', value: 5 } }),
      tag(2, 'connectionDefault', `ns=${fixture.ns};s=Fixture.Setpoint`),
      tag(3, 'percentLevel', `ns=${fixture.ns};s=Fixture.Level`, 'float', { deadband: { type: 'percent', value: 10 } }),
      tag(4, 'plainLevel', `ns=${fixture.ns};s=Fixture.Level`, 'float', { deadband: 'none' }),
      tag(5, 'percentNoRange', `ns=${fixture.ns};s=Fixture.Counter`, 'float', { deadband: { type: 'percent', value: 10 } }),
    ];
    const seen = new Map<number, number[]>();
    await withDriver(
      tags,
      async (bus) => {
        bus.onBatch((b) => {
          for (let i = 0; i < b.length; i++) {
            const id = b.ids[i] as number;
            const list = seen.get(id) ?? [];
            list.push(b.values[i] as number);
            seen.set(id, list);
          }
        });
        await until('initial values', () => [0, 1, 2, 3, 4].every((id) => bus.current(id).quality === 0), 15_000);
        await until('percent without EURange refused', () => bus.current(5).reason.startsWith('config error'), 5000);
        fixture.set('Setpoint', DataType.Double, 12);
        fixture.set('Level', DataType.Double, 55);
        // The undeadbanded items saw the small changes, so the server sampled them for all items.
        await until('small changes seen without deadband', () => bus.current(0).value === 12 && bus.current(4).value === 55, 5000);
        fixture.set('Setpoint', DataType.Double, 20);
        fixture.set('Level', DataType.Double, 70);
        await until(
          'large changes seen everywhere',
          () => bus.current(1).value === 20 && bus.current(2).value === 20 && bus.current(3).value === 70,
          5000,
        );
        expect(seen.get(1)).not.toContain(12);
        expect(seen.get(2)).not.toContain(12);
        expect(seen.get(3)).not.toContain(55);
        expect(bus.current(5).reason).toMatch(/NodeId ns=\d+;s=Fixture\.Counter: .*\(Bad\w+\)/);
      },
      { deadband: { type: 'absolute', value: 3 } },
    );
  }, 60_000);
});

describe('browse', () => {
  it('gives access level and data type; 404 for an unknown NodeId, 400 for a malformed one', async () => {
    const bus = busFor([tag(0, 'c', `ns=${fixture.ns};s=Fixture.Counter`)]);
    const driver = createOpcuaDriver(connection(), [tag(0, 'c', `ns=${fixture.ns};s=Fixture.Counter`)], {
      bus,
      dataDir: dir,
      log: () => undefined,
    });
    await driver.start();
    try {
      await until('connected', () => driver.diagnostics().state === 'connected', 15_000);
      const handlers = connectionHandlers(new Map([['edge', driver]]), dir);
      const browse = (nodeId: string | null) => handlers['connections.browse']({ connection: 'edge', nodeId }, {} as never);
      const root = await browse(null);
      expect(root.map((n) => n.browseName)).toContain(`${fixture.ns}:Fixture`);
      const children = await browse(`nsu=${FIXTURE_NAMESPACE};s=Fixture`);
      const byName = new Map(children.map((n) => [n.displayName, n]));
      expect(byName.get('Setpoint')).toMatchObject({ dataType: 'Double', accessLevel: { readable: true, writable: true } });
      expect(byName.get('Counter')).toMatchObject({ dataType: 'Double', accessLevel: { readable: true, writable: false } });
      expect(byName.get('Text')).toMatchObject({ dataType: 'String' });
      const failure = async (nodeId: string) => {
        try {
          await browse(nodeId);
        } catch (err) {
          if (err instanceof ApiFailure) return { type: err.type, message: err.message };
          throw err;
        }
        throw new Error(`browse ${nodeId} did not fail`);
      };
      expect(await failure(`ns=${fixture.ns};s=No.Such.Node`)).toEqual({
        type: 'not_found',
        message: `connection edge (${fixture.endpointUrl}) has no node ns=${fixture.ns};s=No.Such.Node`,
      });
      const malformed = await failure(`ns=${fixture.ns},s=Fixture`);
      expect(malformed.type).toBe('validation');
      expect(malformed.message).toMatch(/use ';' between ns and s/);
    } finally {
      await driver.stop();
    }
  }, 60_000);
});

describe("the console's application certificate", () => {
  it("carries the site's name, organisation and URI, and is made again when they change", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'aurum-opcua-id-'));
    try {
      const a = await clientIdentity(dataDir, { name: 'Plant7', organization: 'Acme Water', applicationUri: 'urn:acme:plant7:console' });
      const cert = new X509Certificate(readFileSync(a.certificateFile));
      expect(cert.subject).toContain('CN=Aurum Console Plant7');
      expect(cert.subject).toContain('O=Acme Water');
      expect(cert.subject).not.toMatch(/Sterfive|Orleans/);
      expect(cert.subjectAltName).toContain('URI:urn:acme:plant7:console');
      expect(a.applicationUri).toBe('urn:acme:plant7:console');
      const same = await clientIdentity(dataDir, { name: 'Plant7', organization: 'Acme Water', applicationUri: 'urn:acme:plant7:console' });
      expect(same.thumbprint).toBe(a.thumbprint);
      const b = await clientIdentity(dataDir, {
        name: 'Plant7',
        organization: 'Acme Utilities',
        applicationUri: 'urn:acme:plant7:console',
      });
      expect(b.thumbprint).not.toBe(a.thumbprint);
      expect(new X509Certificate(readFileSync(b.certificateFile)).subject).toContain('O=Acme Utilities');
      const c = await clientIdentity(dataDir, { name: 'Plant8' });
      expect(new X509Certificate(readFileSync(c.certificateFile)).subject).toContain('CN=Aurum Console Plant8');
      expect(c.applicationUri).toMatch(/^urn:.+:aurum-console:Plant8$/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
