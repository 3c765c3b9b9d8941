// connections.decodeModbus against a real modbus-serial ServerTCP: the registers at an address
// shown as every numeric type in every byte/word order (the driver's codec), fewer registers where
// the device's map ends, and coils and bad addresses refused in a sentence.
import { ServerTCP } from 'modbus-serial';
import { afterEach, describe, expect, it } from 'vitest';
import { connectionRequests } from '../../api/connection-requests.js';
import { freePort } from '../../util/net.js';
import { connectionHandlers } from '../handlers.js';
import { busFor, until } from '../test-support.js';
import { decodeTableRows, encodeRegisters } from './codec.js';
import { modbusConnectionSchema } from './config.js';
import { createModbusDriver } from './driver.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A peer with 10 holding registers: a request past hr:9 answers exception 2. */
async function peer(port: number, holding: Uint16Array): Promise<void> {
  const illegal = { modbusErrorCode: 2, msg: 'illegal data address' };
  const vector = {
    getHoldingRegister: (addr: number) => {
      if (addr >= holding.length) throw illegal;
      return holding[addr] as number;
    },
    getMultipleHoldingRegisters: (addr: number, length: number) => {
      if (addr + length > holding.length) throw illegal;
      return Array.from(holding.subarray(addr, addr + length));
    },
  };
  await new Promise<void>((resolve) => {
    const server = new ServerTCP(vector, { host: '127.0.0.1', port, unitID: 1 });
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

const row = (rows: ReturnType<typeof decodeTableRows>, type: string, order: string) =>
  rows.find((r) => r.type === type && r.order === order);

describe('connections.decodeModbus', () => {
  it('shows the registers as each type in each word order; the device order gives the value written', async () => {
    const port = await freePort();
    const holding = new Uint16Array(10);
    holding.set(encodeRegisters(1234.5678, 'float64', 'CDAB'), 0);
    holding.set(encodeRegisters(12.5, 'float32', 'BADC'), 4);
    holding.set(encodeRegisters(-70000, 'int32', 'ABCD'), 6);
    await peer(port, holding);
    const config = modbusConnectionSchema.parse({ name: 'm', protocol: 'modbus', host: '127.0.0.1', port, timeoutMs: 500 });
    const driver = createModbusDriver(config, [], { bus: busFor([]), dataDir: '/tmp', log: () => undefined });
    cleanups.push(() => driver.stop());
    await driver.start();
    await until('connected', () => driver.diagnostics().state === 'connected', 10_000);
    const handlers = connectionHandlers(new Map([['m', driver]]), '/tmp');
    const call = (address: string) =>
      handlers['connections.decodeModbus'](connectionRequests['connections.decodeModbus'].parse({ connection: 'm', address }), {} as never);

    const a = await call('40001');
    expect(a.address).toBe('40001');
    expect(a.registers).toEqual(Array.from(holding.subarray(0, 4)));
    expect(row(a.rows, 'float64', 'CDAB')?.value).toBeCloseTo(1234.5678, 10);
    expect(row(a.rows, 'float64', 'ABCD')?.value).not.toBeCloseTo(1234.5678, 3);
    // 16-bit types have no word order: two rows each (bytes as sent, bytes swapped).
    expect(a.rows.filter((r) => r.type === 'int16').map((r) => r.order)).toEqual(['ABCD', 'BADC']);
    expect(a.rows).toHaveLength(2 + 2 + 4 * 4);

    expect(row((await call('hr:4')).rows, 'float32', 'BADC')?.value).toBe(12.5);
    expect(row((await call('hr:6')).rows, 'int32', 'ABCD')?.value).toBe(-70000);

    // At hr:8 only two registers exist: 64-bit rows say why they have no value; 32-bit ones decode.
    const end = await call('hr:8');
    expect(end.registers).toHaveLength(2);
    expect(row(end.rows, 'float64', 'ABCD')).toEqual({
      type: 'float64',
      order: 'ABCD',
      value: null,
      problem: 'needs 4 registers; the device answered 2 from this address',
    });
    expect(row(end.rows, 'uint32', 'ABCD')?.value).toBe(0);

    await expect(call('hr:20')).rejects.toMatchObject({
      type: 'unavailable',
      message: expect.stringMatching(/^decode read of m unit 1 hr:20: Modbus exception 2 illegal data address$/),
    });
    await expect(call('00001')).rejects.toMatchObject({ type: 'validation', message: 'm: 00001 is a coil, one bit: test-read it as bool' });
    await expect(call('40000')).rejects.toMatchObject({
      type: 'validation',
      message: expect.stringMatching(/^m: Modbus address "40000": register numbers in this notation start at 1/),
    });
  });

  it('names a NaN or infinite float instead of showing it as a number', () => {
    const rows = decodeTableRows(encodeRegisters(Number.NaN, 'float32', 'ABCD'));
    expect(row(rows, 'float32', 'ABCD')).toMatchObject({ value: null, problem: 'not a finite number (NaN)' });
    expect(row(rows, 'uint16', 'ABCD')?.value).toBe(0x7fc0);
  });
});
