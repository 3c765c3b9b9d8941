// connections.tagAttributes against a real node-opcua server (test-server.ts): what a tag made from
// each selected variable takes from the server — name, type, access, EUInformation unit, EURange —
// and why a node cannot be a tag (not a variable, unknown, malformed NodeId, a type no tag holds).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionRequests } from '../../api/connection-requests.js';
import { connectionHandlers } from '../handlers.js';
import { busFor, until } from '../test-support.js';
import { tagNameOf } from './attributes.js';
import { opcuaConnectionSchema } from './config.js';
import { createOpcuaDriver } from './driver.js';
import { FIXTURE_NAMESPACE, type FixtureServer, startFixtureServer } from './test-server.js';

const dir = mkdtempSync(path.join(tmpdir(), 'aurum-opcua-attrs-'));
let fixture: FixtureServer;

beforeAll(async () => {
  process.env.HOME = dir;
  fixture = await startFixtureServer({ pkiDir: path.join(dir, 'server-pki') });
}, 60_000);

afterAll(async () => {
  await fixture?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('connections.tagAttributes', () => {
  it('reads name, type, access, unit (EUInformation) and range (EURange) of the selected nodes, in the order asked', async () => {
    const config = opcuaConnectionSchema.parse({
      name: 'edge',
      protocol: 'opcua',
      endpoint: fixture.endpointUrl,
      reconnect: { initialDelayMs: 200, maxDelayMs: 1000 },
    });
    const driver = createOpcuaDriver(config, [], { bus: busFor([]), dataDir: dir, log: () => undefined });
    await driver.start();
    try {
      await until('connected', () => driver.diagnostics().state === 'connected', 15_000);
      const handlers = connectionHandlers(new Map([['edge', driver]]), dir);
      const ns = fixture.ns;
      const args = connectionRequests['connections.tagAttributes'].parse({
        connection: 'edge',
        nodeIds: [
          `ns=${ns};s=Fixture.Level`,
          `nsu=${FIXTURE_NAMESPACE};s=Fixture.Setpoint`,
          `ns=${ns};s=Fixture.Flag`,
          `ns=${ns};s=Fixture.Count32`,
          `ns=${ns};s=Fixture.Text`,
          `ns=${ns};s=Fixture`,
          `ns=${ns};s=No.Such.Node`,
          `ns=${ns},s=Fixture.Level`,
          `ns=${ns};s=Fixture.When`,
        ],
      });
      const r = await handlers['connections.tagAttributes'](args, {} as never);
      expect(r.map((a) => a.nodeId)).toEqual(args.nodeIds.map((n, i) => (i === 1 ? `ns=${ns};s=Fixture.Setpoint` : n)));
      expect(r[0]).toMatchObject({
        name: 'Level',
        dataType: 'Double',
        tagDataType: 'float',
        unit: '%',
        unitDescription: expect.stringMatching(/^Percent/),
        range: { low: 0, high: 100 },
        problem: null,
      });
      expect(r[1]).toMatchObject({ name: 'Setpoint', tagDataType: 'float', unit: null, range: null, writable: true, problem: null });
      expect(r[2]).toMatchObject({ name: 'Flag', dataType: 'Boolean', tagDataType: 'bool' });
      expect(r[3]).toMatchObject({ name: 'Count32', dataType: 'Int32', tagDataType: 'int', writable: true });
      expect(r[4]).toMatchObject({ name: 'Text', tagDataType: 'string' });
      expect(r[5]).toMatchObject({
        name: 'Fixture',
        tagDataType: null,
        problem: 'node class Object, not Variable: it has no value to read',
      });
      expect(r[6]).toMatchObject({ name: null, problem: 'the server has no such node' });
      expect(r[7]?.problem).toMatch(/use ';' between ns and s/);
      expect(r[8]).toMatchObject({
        dataType: 'DateTime',
        tagDataType: null,
        problem: 'its data type DateTime is not one a tag holds (bool, int, float, string)',
      });
    } finally {
      await driver.stop();
    }
  }, 60_000);

  it('refuses more nodes than the limit and a connection that is not OPC UA', async () => {
    const schema = connectionRequests['connections.tagAttributes'];
    expect(schema.safeParse({ connection: 'edge', nodeIds: [] }).success).toBe(false);
    expect(schema.safeParse({ connection: 'edge', nodeIds: Array.from({ length: 501 }, (_, i) => `i=${i}`) }).success).toBe(false);
    const handlers = connectionHandlers(new Map([['mb', { protocol: 'modbus' } as never]]), dir);
    await expect(handlers['connections.tagAttributes']({ connection: 'mb', nodeIds: ['i=85'] }, {} as never)).rejects.toMatchObject({
      type: 'validation',
      message: 'mb (modbus) is not an OPC UA connection: node attributes are read on OPC UA only',
    });
  });

  it('makes a tag name the site file takes out of a browse name', () => {
    expect(tagNameOf('Motor Temp (°C)')).toBe('Motor_Temp_C');
    expect(tagNameOf('Flow.Rate')).toBe('Flow.Rate');
    expect(tagNameOf('°')).toBe('Tag');
  });
});
