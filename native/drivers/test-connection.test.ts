// Test connection (connections.test) against a real modbus-serial ServerTCP: the form's unsaved
// settings open a driver of their own, the answer is a sentence; a port where nothing listens says
// why it did not connect; a silent peer is answered within the timeout (the timeout is the test's
// own bound, not a wall-clock assertion); invalid settings are refused naming the field.
import net from 'node:net';
import { ServerTCP } from 'modbus-serial';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiFailure } from '../api/registry.js';
import { freePort } from '../util/net.js';
import { connectionHandlers } from './handlers.js';
import { testConnection, testedConnection } from './test-connection.js';
import { busFor } from './test-support.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function peer(port: number): Promise<void> {
  await new Promise<void>((resolve) => {
    const server = new ServerTCP({ getHoldingRegister: () => 7 }, { host: '127.0.0.1', port, unitID: 1 });
    server.on('initialized', () => resolve());
    cleanups.push(
      () =>
        new Promise<void>((done) => {
          for (const s of server.socks.keys()) s.destroy();
          server.close(() => done());
        }),
    );
  });
}

const ctx = { bus: busFor([]), dataDir: '/tmp', log: () => undefined };
const handlers = () =>
  connectionHandlers(new Map(), '/tmp', (settings, timeoutMs) => testConnection(testedConnection(settings), timeoutMs, ctx));

describe('connections.test', () => {
  it('opens a Modbus TCP connection from unsaved settings and says it connected', async () => {
    const port = await freePort();
    await peer(port);
    const r = await handlers()['connections.test'](
      { connection: { name: 'boiler', protocol: 'modbus', host: '127.0.0.1', port }, timeoutS: 10 },
      {
        user: 'enzo',
      } as never,
    );
    expect(r.ok).toBe(true);
    expect(r.sentence).toMatch(new RegExp(`^boiler: connected to 127\\.0\\.0\\.1:${port} \\(unit 1\\) in \\d+ ms$`));
  });

  it('says why a port where nothing listens did not connect', async () => {
    const port = await freePort();
    const r = await testConnection(testedConnection({ name: 'boiler', protocol: 'modbus', host: '127.0.0.1', port }), 10_000, ctx);
    expect(r.ok).toBe(false);
    expect(r.sentence).toMatch(new RegExp(`^boiler: not connected to 127\\.0\\.0\\.1:${port} \\(unit 1\\): .*ECONNREFUSED|refused`, 'i'));
  });

  it('answers within its timeout when the peer takes the socket but an OPC UA hello is never answered', async () => {
    const port = await freePort();
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => {
      sockets.add(s);
    });
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((done) => {
          for (const s of sockets) s.destroy();
          silent.close(() => done());
        }),
    );
    const r = await testConnection(
      testedConnection({ name: 'line3', protocol: 'opcua', endpoint: `opc.tcp://127.0.0.1:${port}` }),
      1500,
      ctx,
    );
    expect(r.ok).toBe(false);
    expect(r.sentence).toMatch(
      /^line3: (no answer from opc\.tcp:\/\/127\.0\.0\.1:\d+ within 2 s|not connected to opc\.tcp:\/\/127\.0\.0\.1:\d+: .+)$/,
    );
  }, 30_000);

  it('refuses settings the site file would refuse, naming the field', () => {
    expect(() => testedConnection({ name: 'boiler', protocol: 'modbus', host: '127.0.0.1', port: 70000 })).toThrow(ApiFailure);
    expect(() => testedConnection({ name: 'boiler', protocol: 'modbus', host: '127.0.0.1', port: 70000 })).toThrow(
      /^the connection settings are not valid: port: /,
    );
  });

  it('does not open the demo plant or an ingest connection, and says why', async () => {
    const demo = await testConnection(testedConnection({ name: 'd', protocol: 'modbus', host: 'demo' }), 1000, ctx);
    expect(demo).toMatchObject({ ok: false, sentence: expect.stringMatching(/built-in demo plant/) });
    const push = await testConnection(testedConnection({ name: 'gw', protocol: 'ingest' }), 1000, ctx);
    expect(push).toMatchObject({ ok: false, sentence: expect.stringMatching(/receives pushes/) });
  });
});
