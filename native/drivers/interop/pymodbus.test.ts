// Interop: the console's Modbus stack against pymodbus (Debian's python3-pymodbus 3.0), an
// independent implementation. The server packs every value with pymodbus' own
// BinaryPayloadBuilder in each byte/word order; the console must decode exactly those values.
// Then the faults a field device shows: a hole in the register map (exception 2), a unit id nobody
// answers, a frozen process (SIGSTOP), and RTU frames over TCP.
// Skipped, with the reason, where /usr/bin/python3 cannot import pymodbus (CI installs it).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import ModbusRTU from 'modbus-serial';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitForPort } from '../../util/net.js';
import type { Driver, DriverContext, DriverTag } from '../driver.js';
import { decodeRegisters, type ModbusDataType, type WordOrder } from '../modbus/codec.js';
import { modbusConnectionSchema } from '../modbus/config.js';
import { createModbusDriver } from '../modbus/driver.js';
import { planReads } from '../modbus/planner.js';
import { busFor, until } from '../test-support.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pymodbus_server.py');
const available = fs.existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import pymodbus.server'], { timeout: 10_000 }).status === 0;
if (!available)
  console.warn(
    '[interop] pymodbus tests skipped: /usr/bin/python3 cannot import pymodbus (apt-get install -y python3-pymodbus python3-serial-asyncio)',
  );

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
      tags.push({ id: tags.length, name, address, dataType: name === 'ir1' ? 'float' : 'bool', scaling: null, periodMs: 100, options });
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
      expect(bus.current(0).reason).toMatch(/^comm failure: (connection to|cannot connect to) modbus-tcp:/);
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

/** A pymodbus server process serving `spec` (see pymodbus_server.py) on a free port. */
async function spawnPymodbus(dir: string, name: string, spec: Record<string, unknown>) {
  const port = await freePort();
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(spec));
  const proc = spawn(PYTHON, [SCRIPT, String(port), file], { stdio: 'ignore' });
  await waitForPort(port, 15_000, `pymodbus ${name}`);
  return {
    port,
    proc,
    async stop() {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGCONT');
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

const rampTag = (id: number, offset: number): DriverTag => ({
  id,
  name: `hr${offset}`,
  address: `hr:${offset}`,
  dataType: 'int',
  scaling: null,
  periodMs: 100,
  options: { type: 'uint16' },
});

function recorder() {
  const lines: { level: string; message: string }[] = [];
  const log: DriverContext['log'] = (level, message) => void lines.push({ level, message });
  return { lines, log, warnings: () => lines.filter((l) => l.level === 'warn') };
}

describe.skipIf(!available)('interop: pymodbus peer faults', () => {
  let dir = '';
  // Unit 1 only; holding 100…129 hold their own offsets, except 107, which is missing from the map.
  const spec = { ramp: { start: 100, count: 30 }, holes: [107], units: [1] };
  const OFFSETS = Array.from({ length: 12 }, (_, i) => 100 + i);
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aurum-pymodbus-faults-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a hole in the map: only its tag Bad, naming connection, unit, address and exception; a wrong unit id; a frozen peer (SIGSTOP) → timeout, link kept, recovery on SIGCONT', async () => {
    const server = await spawnPymodbus(dir, 'tcp', spec);
    const tags = OFFSETS.map((o, i) => rampTag(i, o));
    const bus = busFor(tags);
    const rec = recorder();
    const config = modbusConnectionSchema.parse({
      name: 'plc1',
      protocol: 'modbus',
      host: '127.0.0.1',
      port: server.port,
      timeoutMs: 300,
      retries: 1,
    });
    const driver = createModbusDriver(config, tags, { bus, log: rec.log, dataDir: dir });
    const wrongTags = [rampTag(0, 100)];
    const wrongBus = busFor(wrongTags);
    const wrongRec = recorder();
    const wrong = createModbusDriver({ ...config, name: 'plc7', unitId: 7 }, wrongTags, { bus: wrongBus, log: wrongRec.log, dataDir: dir });
    const hole = OFFSETS.indexOf(107);
    try {
      await driver.start();
      await wrong.start();
      await until('neighbours Good', () => tags.every((t) => t.id === hole || bus.current(t.id).quality === 0), 10_000);
      for (const [i, o] of OFFSETS.entries()) if (i !== hole) expect(bus.current(i).value).toBe(o);
      expect(bus.current(hole).quality).toBe(2);
      expect(bus.current(hole).reason).toBe('plc1 unit 1 hr:107: exception 2 illegal data address');

      // pymodbus drops requests for a unit it does not serve: no reply at all.
      await until('unit 7 timed out', () => wrongBus.current(0).reason.startsWith('timeout'), 10_000);
      expect(wrongBus.current(0).reason).toBe('timeout: no response from unit 7 within 300 ms (2 attempts)');
      expect(wrong.diagnostics().state).toBe('connected');
      expect(wrong.diagnostics().errors.io).toBeUndefined();
      await wrong.stop();

      // Freeze the peer: its socket stays open, nothing answers.
      const before = driver.diagnostics().errors;
      server.proc.kill('SIGSTOP');
      await until('Bad with a timeout', () => bus.current(0).reason.startsWith('timeout'), 10_000);
      expect(bus.current(0).reason).toBe('timeout: no response from unit 1 within 300 ms (2 attempts)');
      const during = driver.diagnostics();
      expect(during.state).toBe('connected');
      expect(during.errors.timeout).toBeGreaterThanOrEqual(2);
      expect(during.errors.retry ?? 0).toBeGreaterThan(before.retry ?? 0);
      expect(during.errors.io).toBeUndefined();
      server.proc.kill('SIGCONT');
      await until('Good after SIGCONT', () => bus.current(0).quality === 0, 15_000);
      expect(bus.current(0).value).toBe(100);
      expect(driver.diagnostics().reconnects).toBe(0);
      const messages = rec.lines.map((l) => l.message);
      expect(messages.filter((m) => m.includes('no response from unit 1'))).toHaveLength(1);
      expect(messages.filter((m) => m.includes('unit 1 answers again'))).toHaveLength(1);
      // The hole was logged when it started, not per poll.
      expect(messages.filter((m) => m.includes('hr:107: exception 2'))).toHaveLength(1);
      expect(messages.join('\n')).not.toMatch(/object Object/);
    } finally {
      await wrong.stop();
      await driver.stop();
      await server.stop();
    }
  });

  it('RTU over TCP: RTU frames (CRC, no MBAP) through a socket, values and an exception isolated', async () => {
    const server = await spawnPymodbus(dir, 'rtu', { ...spec, framer: 'rtu' });
    const tags = OFFSETS.map((o, i) => rampTag(i, o));
    const bus = busFor(tags);
    const rec = recorder();
    const config = modbusConnectionSchema.parse({
      name: 'gw',
      protocol: 'modbus',
      transport: 'rtu-over-tcp',
      host: '127.0.0.1',
      port: server.port,
      timeoutMs: 500,
    });
    const driver = createModbusDriver(config, tags, { bus, log: rec.log, dataDir: dir });
    const hole = OFFSETS.indexOf(107);
    try {
      await driver.start();
      await until('neighbours Good', () => tags.every((t) => t.id === hole || bus.current(t.id).quality === 0), 10_000);
      for (const [i, o] of OFFSETS.entries()) if (i !== hole) expect(bus.current(i).value).toBe(o);
      expect(bus.current(hole).reason).toBe('gw unit 1 hr:107: exception 2 illegal data address');
      expect(driver.diagnostics().endpoint).toBe(`modbus-rtu-over-tcp://127.0.0.1:${server.port}/1`);
      expect(await driver.testRead?.('hr:101', { type: 'uint16' })).toBe(101);
    } finally {
      await driver.stop();
      await server.stop();
    }
  });
});

describe.skipIf(!available)('interop: pymodbus on a serial line (a pair of pseudo-terminals)', () => {
  it('RTU over a serial port: data bits, parity, stop bits and baud rate set on the line, values read, the hole isolated', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aurum-pymodbus-serial-'));
    const specFile = path.join(dir, 'spec.json');
    fs.writeFileSync(specFile, JSON.stringify({ ramp: { start: 100, count: 30 }, holes: [107], units: [3] }));
    const proc = spawn(PYTHON, [path.join(path.dirname(SCRIPT), 'pymodbus_serial.py'), specFile], { stdio: ['pipe', 'pipe', 'ignore'] });
    const lines = createInterface({ input: proc.stdout as NodeJS.ReadableStream });
    const next = () => new Promise<string>((resolve) => lines.once('line', resolve));
    const tags = Array.from({ length: 12 }, (_, i) => rampTag(i, 100 + i));
    const bus = busFor(tags);
    let driver: Driver | null = null;
    try {
      const { port: serialPort } = JSON.parse(await next()) as { port: string };
      const config = modbusConnectionSchema.parse({
        name: 'line1',
        protocol: 'modbus',
        transport: 'rtu',
        serialPort,
        baudRate: 9600,
        dataBits: 8,
        parity: 'odd',
        stopBits: 2,
        unitId: 3,
        timeoutMs: 500,
      });
      driver = createModbusDriver(config, tags, { bus, log: () => undefined, dataDir: dir });
      await driver.start();
      await until('neighbours Good', () => tags.every((t) => t.id === 7 || bus.current(t.id).quality === 0), 15_000).catch((err) => {
        throw new Error(`${err}; tags: ${tags.map((t) => bus.current(t.id).reason || 'Good').join(' | ')}`);
      });
      for (const t of tags) if (t.id !== 7) expect(bus.current(t.id).value).toBe(100 + t.id);
      expect(bus.current(7).reason).toBe('line1 unit 3 hr:107: exception 2 illegal data address');
      expect(driver.diagnostics().endpoint).toBe(`modbus-rtu://${serialPort}/3`);
      // What the serial port options really set on the line, read back with tcgetattr. A PTY keeps
      // no parity-enable flag (Linux clears PARENB on it), so odd parity is what can be seen there;
      // config.test.ts checks every parity in the options the port is opened with.
      proc.stdin?.write('termios\n');
      expect(JSON.parse(await next())).toEqual({ dataBits: 8, parityOdd: true, stopBits: 2, baudRate: 9600 });
    } finally {
      await driver?.stop();
      lines.close();
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGKILL');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
