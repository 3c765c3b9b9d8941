// The built-in demo plant: the simulation, served over OPC UA and Modbus TCP on loopback.
import path from 'node:path';
import { type DemoMqttPublisher, type EmbeddedBroker, startDemoMqttPublisher, startEmbeddedBroker } from '../drivers/mqtt/index.js';
import { freePort } from '../util/net.js';
import { type PlantModbusServer, startPlantModbusServer } from './modbus-server.js';
import { type PlantOpcuaServer, startPlantOpcuaServer } from './opcua-server.js';
import { PlantSim } from './sim.js';

export { PlantSim } from './sim.js';

/** Points of the plant published over MQTT (JSON topics aurum/demo/<point>, Sparkplug B node AurumDemo/Plant). */
export const MQTT_POINTS = ['Site/Weather/AmbientTemp', 'Site/Weather/Humidity', 'Site/MainMeter/Power', 'Site/MainMeter/EnergyTotal'];

export interface DemoPlant {
  sim: PlantSim;
  opcuaEndpoint: string;
  modbusPort: number;
  mqttUrl: string;
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
  let broker: EmbeddedBroker | null = null;
  let publisher: DemoMqttPublisher | null = null;
  const stopAll = async () => {
    clearInterval(clock);
    await publisher?.stop().catch(() => undefined);
    await Promise.allSettled([opcua?.stop(), modbus?.stop(), broker?.close()]);
  };
  try {
    [opcua, modbus, broker] = await Promise.all([
      startPlantOpcuaServer(sim, { port: opts.opcuaPort ?? 0, pkiDir: path.join(opts.dataDir, 'pki', 'demo-plant') }),
      freePort().then((port) => startPlantModbusServer(sim, { port: opts.modbusPort ?? port })),
      startEmbeddedBroker(),
    ]);
    publisher = await startDemoMqttPublisher(broker.url, () => MQTT_POINTS.map((name) => ({ name, value: sim.value(name) })), {
      periodMs: 1000,
    });
  } catch (err) {
    await stopAll();
    throw err;
  }
  return {
    sim,
    opcuaEndpoint: opcua.endpointUrl,
    modbusPort: modbus.port,
    mqttUrl: broker.url,
    stop: stopAll,
  };
}
