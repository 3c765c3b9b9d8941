// The built-in demo plant: the simulation, served over OPC UA and Modbus TCP on loopback.
import path from 'node:path';
import { freePort } from '../util/net.js';
import { type PlantModbusServer, startPlantModbusServer } from './modbus-server.js';
import { type PlantOpcuaServer, startPlantOpcuaServer } from './opcua-server.js';
import { PlantSim } from './sim.js';

export { PlantSim } from './sim.js';

export interface DemoPlant {
  sim: PlantSim;
  opcuaEndpoint: string;
  modbusPort: number;
  stop(): Promise<void>;
}

export async function startDemoPlant(opts: {
  dataDir: string;
  seed?: number;
  opcuaPort?: number;
  modbusPort?: number;
}): Promise<DemoPlant> {
  const sim = new PlantSim({ start: Date.now(), seed: opts.seed ?? 42 });
  // The process runs on wall-clock time whether or not anyone is reading it.
  const clock = setInterval(() => sim.step(Date.now()), 100);
  clock.unref();
  let opcua: PlantOpcuaServer | null = null;
  let modbus: PlantModbusServer | null = null;
  try {
    [opcua, modbus] = await Promise.all([
      startPlantOpcuaServer(sim, { port: opts.opcuaPort ?? 0, pkiDir: path.join(opts.dataDir, 'pki', 'demo-plant') }),
      freePort().then((port) => startPlantModbusServer(sim, { port: opts.modbusPort ?? port })),
    ]);
  } catch (err) {
    clearInterval(clock);
    await Promise.allSettled([opcua?.stop(), modbus?.stop()]);
    throw err;
  }
  const o = opcua;
  const m = modbus;
  return {
    sim,
    opcuaEndpoint: o.endpointUrl,
    modbusPort: m.port,
    async stop() {
      clearInterval(clock);
      await Promise.allSettled([o.stop(), m.stop()]);
    },
  };
}
