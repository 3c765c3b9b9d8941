// Interop: the console's Modbus stack against pymodbus (Debian's python3-pymodbus 3.0), an
// independent implementation. The server packs every value with pymodbus' own
// BinaryPayloadBuilder in each byte/word order; the console must decode exactly those values.
// Skipped, with the reason, where /usr/bin/python3 cannot import pymodbus (CI installs it).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ModbusRTU from 'modbus-serial';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitForPort } from '../../util/net.js';
import type { Driver, DriverTag } from '../driver.js';
import { decodeRegisters, type ModbusDataType, type WordOrder } from '../modbus/codec.js';
import { modbusConnectionSchema } from '../modbus/config.js';
import { createModbusDriver } from '../modbus/driver.js';
import { planReads } from '../modbus/planner.js';
import { busFor, until } from '../test-support.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pymodbus_server.py');
const available = fs.existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import pymodbus.server'], { timeout: 10_000 }).status === 0;
if (!available)
  console.warn('[interop] pymodbus tests skipped: /usr/bin/python3 cannot import pymodbus (apt-get install -y python3-pymodbus)');

interface Point {
  offset: number;
  type: Exclude<ModbusDataType, 'bool'>;
  order: WordOrder;
  value: number | string;
  length?: number;
}

const ORDERS: WordOrder[] = ['ABCD', 'CDAB', 'BADC', 'DCBA'];
const SAMPLES: [Point['type'], number][] = [
  ['int16', -1234],
  ['uint16', 54321],
  ['int32', -123456789],
  ['uint32', 3_000_000_000],
  ['float32', Math.fround(-273.15)],
  ['float64', -Math.E * 1e10],
];

function layout(): Point[] {
  const points: Point[] = [];
  let offset = 0;
  for (const [type, value] of SAMPLES)
    for (const order of ORDERS) {
      points.push({ offset, type, order, value });
      offset += type === 'float64' ? 4 : type.endsWith('32') ? 2 : 1;
    }
  // pymodbus packs strings big-endian whatever the byte order, so only the orders that agree are compared.
  points.push({ offset: 100, type: 'string', order: 'ABCD', value: 'PUMP-101', length: 8 });
  points.push({ offset: 110, type: 'string', order: 'CDAB', value: 'Zone 3', length: 10 });
  return points;
}

const RAMP = { start: 200, count: 2000 };

describe.skipIf(!available)('interop: pymodbus server', () => {
  let dir = '';
  let port = 0;
  let server: ChildProcess | null = null;
  const points = layout();

  async function startServer(): Promise<void> {
    const proc = spawn(PYTHON, [SCRIPT, String(port), path.join(dir, 'spec.json')], { stdio: 'ignore' });
    server = proc;
    await waitForPort(port, 15_000, 'pymodbus');
  }
  async function stopServer(): Promise<void> {
    const proc = server;
    server = null;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aurum-pymodbus-'));
    fs.writeFileSync(
      path.join(dir, 'spec.json'),
      JSON.stringify({
        points,
        ramp: RAMP,
        input: [100, 101, 102],
        coils: [true, false, true, true],
        discrete: [false, true],
      }),
    );
    port = await freePort();
    await startServer();
  });
  afterAll(async () => {
    await stopServer();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the Modbus driver decodes every type and byte order packed by pymodbus, plus bits and input registers', async () => {
    const tags: DriverTag[] = points.map((p, id) => ({
      id,
      name: `${p.type}.${p.order}`,
      address: `hr:${p.offset}`,
      dataType: p.type === 'string' ? 'string' : 'float',
      scaling: null,
      periodMs: 100,
      options: { type: p.type, wordOrder: p.order, ...(p.length ? { stringLength: p.length } : {}) },
    }));
    const extra: [string, string, Record<string, unknown>][] = [
      ['coil3', '00004', {}],
      ['di2', '10002', {}],
      ['ir1', '30002', { type: 'uint16' }],
    ];
    for (const [name, address, options] of extra)
      tags.push({ id: tags.length, name, address, dataType: 'float', scaling: null, periodMs: 100, options });
    const bus = busFor(tags);
    const config = modbusConnectionSchema.parse({ name: 'py', protocol: 'modbus', host: '127.0.0.1', port, timeoutMs: 500 });
    const driver: Driver = createModbusDriver(config, tags, { bus, log: () => undefined, dataDir: dir });
    try {
      await driver.start();
      await until('all values Good', () => tags.every((t) => bus.current(t.id).quality === 0), 5000);
      // The driver shows float32 values to the 7 significant digits they carry.
      const shown = (p: Point) => (p.type === 'float32' ? Number((p.value as number).toPrecision(7)) : p.value);
      for (const [i, p] of points.entries()) expect([p.type, p.order, bus.current(i).value]).toEqual([p.type, p.order, shown(p)]);
      expect(bus.current(points.length).value).toBe(true);
      expect(bus.current(points.length + 1).value).toBe(true);
      expect(bus.current(points.length + 2).value).toBe(101);

      // Kill the peer: Bad within a poll period plus the timeout; bring it back: Good, no restart.
      await stopServer();
      await until('Bad after the peer died', () => bus.current(0).quality === 2, 3000);
      expect(bus.current(0).reason).toMatch(/comm failure/);
      await startServer();
      await until('Good after the peer returned', () => bus.current(0).quality === 0, 15_000);
      expect(driver.diagnostics().reconnects).toBeGreaterThanOrEqual(1);
    } finally {
      await driver.stop();
    }
  });

  it('the planner covers a dense 2,000-register map in 16 requests, every register right', async () => {
    const items = Array.from({ length: RAMP.count }, (_, i) => ({ key: i, table: 'holding' as const, offset: RAMP.start + i, count: 1 }));
    const reads = planReads(items, { maxGap: 10 });
    expect(reads).toHaveLength(16);
    const client = new ModbusRTU();
    await client.connectTCP('127.0.0.1', { port });
    client.setID(1);
    client.setTimeout(1000);
    try {
      const seen = new Array<number>(RAMP.count).fill(-1);
      for (const r of reads) {
        const data = (await client.readHoldingRegisters(r.start, r.count)).data;
        for (const item of r.items) seen[item.key] = decodeRegisters(data, item.offset - r.start, 'uint16', 'ABCD') as number;
      }
      expect(seen).toEqual(items.map((i) => i.offset));
      // pymodbus answers a read past its block with exception 2, which modbus-serial surfaces as modbusCode.
      await expect(client.readHoldingRegisters(3990, 20)).rejects.toMatchObject({ modbusCode: 2 });
    } finally {
      await new Promise<void>((r) => client.close(() => r()));
    }
  });
});
