// The Modbus driver against a real modbus-serial ServerTCP on loopback: data types and word
// order end to end, exception responses, loss of the peer → Bad within one poll period plus the
// timeout, and recovery without a restart.
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

function startPeer(port: number): Promise<Peer> {
  const holding = new Uint16Array(64);
  const vector = {
    getHoldingRegister: (addr: number) => {
      if (addr >= 40) throw { modbusErrorCode: 2, msg: 'illegal data address' };
      return holding[addr] as number;
    },
    setRegister: (addr: number, value: number) => {
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
      tag(4, 'coil', '00001', {}),
      tag(5, 'bad', '40041', { type: 'uint16' }),
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
    // The out-of-range register answers with an exception: only its tag is Bad, with the reason.
    await until('exception', () => bus.current(5).quality === 2 && bus.current(5).reason.includes('exception 2'), 5000);
    expect(bus.current(5).reason).toMatch(/illegal data address/);
    expect(driver.diagnostics().errors.exception).toBeGreaterThan(0);

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
    expect(bus.current(0).reason).toMatch(/comm failure/);
    expect(badAfter).toBeLessThan(3000);
    expect(driver.diagnostics().state).not.toBe('connected');

    peer = await startPeer(port);
    peer.holding[0] = 9;
    await until('Good again', () => bus.current(0).quality === 0 && bus.current(0).value === 9, 8000);
    expect(driver.diagnostics().state).toBe('connected');
    expect(driver.diagnostics().reconnects).toBeGreaterThanOrEqual(1);
  });
});
