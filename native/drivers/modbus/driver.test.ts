// The Modbus driver against a real modbus-serial ServerTCP on loopback: data types and word
// order end to end, exception responses, loss of the peer → Bad within one poll period plus the
// timeout, and recovery without a restart; a peer that accepts and never answers, a wrong unit id,
// and a register map with a hole (the failing register isolated, its neighbours Good).
import net from 'node:net';
import { ServerTCP } from 'modbus-serial';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../util/net.js';
import type { Driver, DriverTag } from '../driver.js';
import { busFor, until } from '../test-support.js';
import { encodeRegisters } from './codec.js';
import { modbusConnectionSchema } from './config.js';
import { createModbusDriver } from './driver.js';

interface Peer {
  holding: Uint16Array;
  close(): Promise<void>;
}

interface PeerOptions {
  /** Holding offsets missing from the map: a request covering one answers exception 2. */
  holes?: Set<number>;
  /** Every holding-register request, as [start, count]. */
  requests?: [number, number][];
  /** While set, every holding-register request answers this exception code (a gateway's 11, a busy device's 6). */
  answer?: { code: number | null };
}

function startPeer(port: number, opts: PeerOptions = {}): Promise<Peer> {
  const holding = new Uint16Array(64);
  const missing = (addr: number) => addr >= 40 || (opts.holes?.has(addr) ?? false);
  const illegal = { modbusErrorCode: 2, msg: 'illegal data address' };
  const vector = {
    getHoldingRegister: (addr: number) => {
      opts.requests?.push([addr, 1]);
      if (opts.answer?.code) throw { modbusErrorCode: opts.answer.code, msg: 'exception' };
      if (missing(addr)) throw illegal;
      return holding[addr] as number;
    },
    getMultipleHoldingRegisters: (addr: number, length: number) => {
      opts.requests?.push([addr, length]);
      if (opts.answer?.code) throw { modbusErrorCode: opts.answer.code, msg: 'exception' };
      for (let a = addr; a < addr + length; a++) if (missing(a)) throw illegal;
      return Array.from(holding.subarray(addr, addr + length));
    },
    setRegister: (addr: number, value: number) => {
      if (missing(addr)) throw illegal;
      holding[addr] = value;
    },
    setRegisterArray: (addr: number, values: number[]) => {
      holding.set(values, addr);
    },
    getCoil: () => true,
  };
  return new Promise((resolve) => {
    const server = new ServerTCP(vector, { host: '127.0.0.1', port, unitID: 1 });
    server.on('initialized', () =>
      resolve({
        holding,
        close: () =>
          new Promise<void>((done) => {
            for (const s of server.socks.keys()) s.destroy();
            server.close(() => done());
          }),
      }),
    );
  });
}

/**
 * A TCP peer that accepts connections and reads requests but never answers: a hung device. With
 * `garbled`, it answers each request with a frame too short to be a reply (a broken gateway).
 */
async function startSilentPeer(port: number, garbled = false) {
  const counts = { connections: 0, requests: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    counts.connections++;
    sockets.add(s);
    // Each Modbus TCP read request is one 12-byte frame.
    let pending = Buffer.alloc(0);
    s.on('data', (d) => {
      pending = Buffer.concat([pending, d]);
      while (pending.length >= 12) {
        const frame = pending.subarray(0, 12);
        pending = pending.subarray(12);
        counts.requests++;
        // Transaction id, protocol 0, length 2, then only unit and function code: no data at all.
        if (garbled) s.write(Buffer.from([frame[0] as number, frame[1] as number, 0, 0, 0, 2, frame[6] as number, frame[7] as number]));
      }
    });
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return {
    counts,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A driver log that keeps every line, for counting what a person would read. */
function recorder() {
  const lines: { level: string; message: string }[] = [];
  return { lines, log: (level: string, message: string) => void lines.push({ level, message }) };
}

const tag = (id: number, name: string, address: string, options: Record<string, unknown>): DriverTag => ({
  id,
  name,
  address,
  dataType: 'float',
  scaling: null,
  periodMs: 100,
  options,
});

let driver: Driver | null = null;
let peer: Peer | null = null;
afterEach(async () => {
  await driver?.stop();
  await peer?.close();
  driver = null;
  peer = null;
});

describe('Modbus driver', () => {
  it('reads every data type with the device word order, and writes with read-back', async () => {
    const port = await freePort();
    peer = await startPeer(port);
    const tags = [
      tag(0, 'f32', '40001', { type: 'float32' }),
      tag(1, 'i16', '40003', { type: 'int16' }),
      tag(2, 'u32', '40004', { type: 'uint32' }),
      tag(3, 'f64', '40006', { type: 'float64' }),
      { ...tag(4, 'coil', '00001', {}), dataType: 'bool' as const },
      tag(5, 'bad', '40041', { type: 'uint16' }),
      // Bits 0 and 1 of the int16 register (-42 = 0xFFD6: bit 0 clear, bit 1 set).
      { ...tag(6, 'bit0', '40003', { bit: 0 }), dataType: 'bool' as const },
      { ...tag(7, 'bit1', '40003', { bit: 1 }), dataType: 'bool' as const },
    ];
    peer.holding.set(encodeRegisters(12.5, 'float32', 'CDAB'), 0);
    peer.holding.set(encodeRegisters(-42, 'int16', 'CDAB'), 2);
    peer.holding.set(encodeRegisters(70000, 'uint32', 'CDAB'), 3);
    peer.holding.set(encodeRegisters(1234.5678, 'float64', 'CDAB'), 5);
    const bus = busFor(tags);
    const config = modbusConnectionSchema.parse({
      name: 'm',
      protocol: 'modbus',
      host: '127.0.0.1',
      port,
      wordOrder: 'CDAB',
      timeoutMs: 300,
    });
    driver = createModbusDriver(config, tags, { bus, dataDir: '/tmp', log: () => undefined });
    await driver.start();
    await until('first poll', () => bus.current(3).quality === 0, 5000);
    expect(bus.current(0).value).toBe(12.5);
    expect(bus.current(1).value).toBe(-42);
    expect(bus.current(2).value).toBe(70000);
    expect(bus.current(3).value).toBeCloseTo(1234.5678, 10);
    expect(bus.current(4).value).toBe(true);
    expect([bus.current(6).value, bus.current(7).value]).toEqual([false, true]);
    // The out-of-range register answers with an exception: only its tag is Bad, with the reason.
    await until('exception', () => bus.current(5).quality === 2 && bus.current(5).reason.includes('exception 2'), 5000);
    expect(bus.current(5).reason).toMatch(/illegal data address/);
    expect(driver.diagnostics().errors.exception).toBeGreaterThan(0);

    // A write the device refuses: the message names connection, unit, registers and exception, never [object Object].
    await expect(driver.write(5, 3)).rejects.toThrow(/^m unit 1 hr:40: Modbus exception 2 illegal data address$/);
    await expect(driver.testRead?.('hr:45', { type: 'uint16' })).rejects.toThrow(
      /^test read of m unit 1 hr:45: Modbus exception 2 illegal data address$/,
    );
    await expect(driver.testRead?.('40000', {})).rejects.toThrow(
      /^m: 40000: Modbus address "40000": register numbers in this notation start at 1/,
    );

    const readBack = await driver.write(0, 7.25);
    expect(readBack).toBe(7.25);
    expect(Array.from(peer.holding.subarray(0, 2))).toEqual(encodeRegisters(7.25, 'float32', 'CDAB'));
  });

  it('turns values Bad when the peer goes away, and recovers by itself when it returns', async () => {
    const port = await freePort();
    peer = await startPeer(port);
    peer.holding[0] = 5;
    const tags = [tag(0, 'u16', '40001', { type: 'uint16' })];
    const bus = busFor(tags);
    const config = modbusConnectionSchema.parse({
      name: 'm',
      protocol: 'modbus',
      host: '127.0.0.1',
      port,
      timeoutMs: 300,
      retries: 0,
      reconnect: { initialDelayMs: 100, maxDelayMs: 400 },
    });
    driver = createModbusDriver(config, tags, { bus, dataDir: '/tmp', log: () => undefined });
    await driver.start();
    await until('Good', () => bus.current(0).quality === 0, 5000);

    await peer.close();
    peer = null;
    // Promised: Bad within one poll period (100 ms) plus the request timeout (300 ms), with margin.
    const badAfter = await until('Bad after the peer stops', () => bus.current(0).quality === 2, 3000);
    // The loss itself, or (if a reconnect attempt came first) the refused reconnect: never a timeout.
    expect(bus.current(0).reason).toMatch(/^comm failure: (connection to|cannot connect to) modbus-tcp:\/\/127\.0\.0\.1:\d+\/1/);
    expect(bus.current(0).reason).not.toMatch(/object Object/);
    expect(badAfter).toBeLessThan(3000);
    expect(driver.diagnostics().state).not.toBe('connected');

    peer = await startPeer(port);
    peer.holding[0] = 9;
    await until('Good again', () => bus.current(0).quality === 0 && bus.current(0).value === 9, 8000);
    expect(driver.diagnostics().state).toBe('connected');
    expect(driver.diagnostics().reconnects).toBeGreaterThanOrEqual(1);
  });
});

describe('Modbus driver: silence, wrong unit, exceptions', () => {
  it('a peer that never answers: timeouts counted, retries sent, then Bad "timeout" — link kept, no reconnect, no flapping', async () => {
    const port = await freePort();
    const silent = await startSilentPeer(port);
    const tags = [tag(0, 'a', '40001', { type: 'uint16' }), tag(1, 'b', '40010', { type: 'float32' })];
    const bus = busFor(tags);
    const rec = recorder();
    // The driver's counts when it first says "no response": the retries went out before anything went Bad.
    let countsWhenBad: Record<string, number> | null = null;
    const log = (level: string, message: string) => {
      rec.log(level, message);
      if (!countsWhenBad && message.includes('no response')) countsWhenBad = driver?.diagnostics().errors ?? null;
    };
    const config = modbusConnectionSchema.parse({ name: 'plc1', protocol: 'modbus', host: '127.0.0.1', port, timeoutMs: 100, retries: 2 });
    driver = createModbusDriver(config, tags, { bus, dataDir: '/tmp', log });
    try {
      await driver.start();
      await until('Bad with a timeout', () => bus.current(0).reason.startsWith('timeout'), 10_000);
      expect(countsWhenBad).toEqual({ timeout: 3, retry: 2 });
      expect(bus.current(0).quality).toBe(2);
      expect(bus.current(0).reason).toBe('timeout: no response from unit 1 within 100 ms (3 attempts)');
      expect(bus.current(1).reason).toBe(bus.current(0).reason);
      // Four more polls, each three attempts: counted, never a reconnect.
      await until('four more polls', () => silent.counts.requests >= 15, 20_000);
      const d = driver.diagnostics();
      expect(d.state).toBe('connected');
      expect(d.reconnects).toBe(0);
      expect(silent.counts.connections).toBe(1);
      // Every request went unanswered (the last may still be waiting), every poll retried twice.
      expect(d.errors.timeout).toBeGreaterThanOrEqual(14);
      expect(d.errors.timeout).toBeLessThanOrEqual(silent.counts.requests);
      expect(d.errors.retry).toBeGreaterThanOrEqual(8);
      expect(d.errors.io).toBeUndefined();
      expect(d.lastError).toBe('timeout: no response from unit 1 within 100 ms (3 attempts)');
      const states = rec.lines.filter((l) => l.message.includes(' state ')).map((l) => l.message.replace(/^.*state /, ''));
      expect(states).toEqual(['disconnected → connecting', 'connecting → connected']);
      // The repeated fault is logged once, not once per poll.
      expect(rec.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
      expect(rec.lines.map((l) => l.message).join('\n')).not.toMatch(/object Object/);
    } finally {
      await driver.stop();
      driver = null;
      await silent.close();
    }
  });

  it('a wrong unit id: "no response from unit 7", the connection stays up', async () => {
    const port = await freePort();
    peer = await startPeer(port);
    const tags = [tag(0, 'a', '40001', { type: 'uint16' })];
    const bus = busFor(tags);
    const rec = recorder();
    const config = modbusConnectionSchema.parse({
      name: 'plc1',
      protocol: 'modbus',
      host: '127.0.0.1',
      port,
      unitId: 7,
      timeoutMs: 100,
      retries: 1,
    });
    driver = createModbusDriver(config, tags, { bus, dataDir: '/tmp', log: rec.log });
    await driver.start();
    await until('Bad with a timeout', () => bus.current(0).reason.startsWith('timeout'), 10_000);
    expect(bus.current(0).reason).toBe('timeout: no response from unit 7 within 100 ms (2 attempts)');
    await until('three failed polls', () => (driver?.diagnostics().errors.timeout ?? 0) >= 6, 10_000);
    expect(driver.diagnostics().state).toBe('connected');
    expect(driver.diagnostics().reconnects).toBe(0);
    expect(rec.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
  });

  it('an exception on one register: the read is split until that register is isolated, neighbours Good, the split kept, logged once', async () => {
    const port = await freePort();
    const holes = new Set([7]);
    const requests: [number, number][] = [];
    peer = await startPeer(port, { holes, requests });
    for (let i = 0; i < 13; i++) peer.holding[i] = 100 + i;
    const tags = Array.from({ length: 13 }, (_, i) => tag(i, `r${i}`, `hr:${i}`, { type: 'uint16' }));
    const bus = busFor(tags);
    const rec = recorder();
    const config = modbusConnectionSchema.parse({ name: 'plc1', protocol: 'modbus', host: '127.0.0.1', port, timeoutMs: 300 });
    driver = createModbusDriver(config, tags, { bus, dataDir: '/tmp', log: rec.log });
    await driver.start();
    await until('the neighbours Good', () => tags.every((t) => t.id === 7 || bus.current(t.id).quality === 0), 10_000);
    for (const t of tags) if (t.id !== 7) expect(bus.current(t.id).value).toBe(100 + t.id);
    expect(bus.current(7).quality).toBe(2);
    expect(bus.current(7).reason).toBe('plc1 unit 1 hr:7: exception 2 illegal data address');

    // Polls after the split reuse it: the same three reads each time, the hole alone in its own, its
    // neighbours joined again on either side.
    const pollStarts = () => requests.filter(([start]) => start === 0).length;
    const firstSplitPoll = pollStarts();
    await until('four more polls', () => pollStarts() >= firstSplitPoll + 5, 10_000);
    const steady = requests.slice(
      requests.findIndex(([s], i) => s === 0 && requests.slice(0, i + 1).filter(([x]) => x === 0).length === firstSplitPoll + 1),
    );
    const onePoll = steady.slice(
      0,
      steady.findIndex(([s], i) => i > 0 && s === 0),
    );
    expect(onePoll).toEqual([
      [0, 7],
      [7, 1],
      [8, 5],
    ]);
    const warnings = rec.lines.filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain('plc1 unit 1 hr:7: exception 2 illegal data address');
    expect(driver.diagnostics().state).toBe('connected');

    // The register comes back: Good, and the fault is logged as cleared, once.
    holes.clear();
    await until('the hole Good', () => bus.current(7).quality === 0, 10_000);
    expect(bus.current(7).value).toBe(107);
    expect(rec.lines.filter((l) => l.level === 'info' && l.message.includes('hr:7 reads again'))).toHaveLength(1);
  });

  it('exceptions that do not depend on the address: a gateway that cannot reach the unit (11) is a timeout, a busy device (6) is not bisected', async () => {
    const port = await freePort();
    const requests: [number, number][] = [];
    const answer = { code: null as number | null };
    peer = await startPeer(port, { requests, answer });
    const tags = Array.from({ length: 4 }, (_, i) => tag(i, `r${i}`, `hr:${i}`, { type: 'uint16' }));
    const bus = busFor(tags);
    const rec = recorder();
    const config = modbusConnectionSchema.parse({ name: 'plc1', protocol: 'modbus', host: '127.0.0.1', port, timeoutMs: 300 });
    driver = createModbusDriver(config, tags, { bus, dataDir: '/tmp', log: rec.log });
    await driver.start();
    await until('Good', () => tags.every((t) => bus.current(t.id).quality === 0), 10_000);

    answer.code = 11;
    await until('Bad through the gateway', () => bus.current(3).quality === 2, 10_000);
    expect(bus.current(0).reason).toBe(
      'timeout: unit 1 unreachable through the gateway: exception 11 gateway target device failed to respond',
    );
    expect(driver.diagnostics().state).toBe('connected');

    answer.code = 6;
    await until('Bad busy', () => bus.current(0).reason.includes('exception 6'), 10_000);
    const from = requests.length;
    await until('three more polls', () => requests.length >= from + 3, 10_000);
    // Every request is the whole block: a busy device is asked again next poll, not bisected.
    expect(requests.slice(from).every(([start, count]) => start === 0 && count === 4)).toBe(true);
    expect(bus.current(3).reason).toBe('plc1 unit 1 hr:0-3: exception 6 server device busy');

    answer.code = null;
    await until('Good again', () => tags.every((t) => bus.current(t.id).quality === 0), 10_000);
    expect(driver.diagnostics().reconnects).toBe(0);
  });

  it('replies that cannot be read: counted as io, retried, then Bad with what was wrong, link kept', async () => {
    const port = await freePort();
    const garbled = await startSilentPeer(port, true);
    const tags = [tag(0, 'a', '40001', { type: 'uint16' })];
    const bus = busFor(tags);
    const rec = recorder();
    const config = modbusConnectionSchema.parse({ name: 'plc1', protocol: 'modbus', host: '127.0.0.1', port, timeoutMs: 300, retries: 1 });
    driver = createModbusDriver(config, tags, { bus, dataDir: '/tmp', log: rec.log });
    try {
      await driver.start();
      await until('Bad', () => bus.current(0).reason.startsWith('no valid response'), 10_000);
      expect(bus.current(0).reason).toMatch(/^no valid response from unit 1: Data length error, expected \d+ got \d+$/);
      await until('three polls', () => garbled.counts.requests >= 6, 10_000);
      const d = driver.diagnostics();
      expect(d.errors.io).toBeGreaterThanOrEqual(4);
      expect(d.errors.retry).toBeGreaterThanOrEqual(2);
      expect(d.errors.timeout).toBeUndefined();
      expect(d.state).toBe('connected');
      expect(garbled.counts.connections).toBe(1);
      expect(rec.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    } finally {
      await driver.stop();
      driver = null;
      await garbled.close();
    }
  });
});
