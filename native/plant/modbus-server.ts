// The demo plant's Modbus TCP server (modbus-serial ServerTCP) on 127.0.0.1. Registers are an
// image refreshed from the simulation on every read; writes of whole values go to the simulation.
import { ServerTCP } from 'modbus-serial';
import { decodeRegisters, encodeRegisters, registerCount } from '../drivers/modbus/codec.js';
import { PLANT_MODBUS_MAP } from './modbus-map.js';
import type { PlantSim } from './sim.js';

const REGISTERS = 128;
const COILS = 16;
/** Modbus exception 2: illegal data address. */
const ILLEGAL_ADDRESS = { modbusErrorCode: 0x02, msg: 'illegal data address' };

export interface PlantModbusServer {
  port: number;
  stop(): Promise<void>;
}

export function startPlantModbusServer(sim: PlantSim, opts: { port: number; unitId?: number }): Promise<PlantModbusServer> {
  const holding = new Uint16Array(REGISTERS);
  const coils = new Uint8Array(COILS);
  const holdingPoints = PLANT_MODBUS_MAP.filter((p) => p.table === 'holding');
  let refreshedAt = 0;

  const refresh = () => {
    const now = Date.now();
    if (now === refreshedAt) return;
    refreshedAt = now;
    sim.step(now);
    for (const p of PLANT_MODBUS_MAP) {
      const v = sim.value(p.path);
      if (p.table === 'coil') coils[p.offset] = v ? 1 : 0;
      else holding.set(encodeRegisters(typeof v === 'boolean' ? Number(v) : v, p.type, 'ABCD'), p.offset);
    }
  };

  const vector = {
    getCoil: (addr: number) => {
      if (addr >= COILS) throw ILLEGAL_ADDRESS;
      refresh();
      return coils[addr] === 1;
    },
    getHoldingRegister: (addr: number) => {
      if (addr >= REGISTERS) throw ILLEGAL_ADDRESS;
      refresh();
      return holding[addr] as number;
    },
    getMultipleHoldingRegisters: (addr: number, length: number) => {
      if (addr + length > REGISTERS) throw ILLEGAL_ADDRESS;
      refresh();
      return Array.from(holding.subarray(addr, addr + length));
    },
    setRegisterArray: (addr: number, values: number[]) => {
      const point = holdingPoints.find((p) => p.offset === addr && registerCount(p.type) === values.length);
      if (!point) throw ILLEGAL_ADDRESS;
      sim.write(point.path, decodeRegisters(values, 0, point.type, 'ABCD') as number);
      refreshedAt = 0;
    },
    setRegister: () => {
      // Every writable point is 32-bit: a single-register write would tear a value.
      throw ILLEGAL_ADDRESS;
    },
    setCoil: (addr: number) => {
      if (addr >= COILS) throw ILLEGAL_ADDRESS;
      throw { modbusErrorCode: 0x04, msg: 'read-only coil' };
    },
  };

  return new Promise((resolve, reject) => {
    const server = new ServerTCP(vector, { host: '127.0.0.1', port: opts.port, unitID: opts.unitId ?? 1 });
    server.on('serverError', reject);
    server.on('initialized', () =>
      resolve({
        port: opts.port,
        stop: () =>
          new Promise<void>((res) => {
            for (const sock of server.socks.keys()) sock.destroy();
            server.close(() => res());
          }),
      }),
    );
  });
}
