// The built-in demo plant: the simulation, served over OPC UA and Modbus TCP on loopback.
import path from 'node:path';
import type { Capability, CapabilityContext } from '../capability.js';
import type { ConnectionConfig } from '../drivers/connection-schema.js';
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

// ── The plant as a capability: its servers started, and the site file's "demo" endpoints pointed at
// them before any connection opens.
/** Point the connections' "demo" endpoints at the embedded plant (in place: the drivers read them next). */
function resolveDemoEndpoints(connections: ConnectionConfig[], plant: DemoPlant): void {
  for (const c of connections) {
    if (c.protocol === 'opcua' && c.endpoint === 'demo') c.endpoint = plant.opcuaEndpoint;
    if (c.protocol === 'mqtt' && c.url === 'demo') c.url = plant.mqttUrl;
    if (c.protocol === 'modbus' && c.host === 'demo') {
      c.host = '127.0.0.1';
      c.port = plant.modbusPort;
    }
  }
}

/** The site file's connections, whose "demo" endpoints this resolves. */
export async function open(ctx: CapabilityContext<ConnectionConfig[]>): Promise<Capability> {
  const plant = await ctx.boundary.for('demo plant').enter(() => startDemoPlant({ dataDir: ctx.dataDir }));
  resolveDemoEndpoints(ctx.config, plant);
  ctx.logger('core')('info', `demo plant on ${plant.opcuaEndpoint}, modbus://127.0.0.1:${plant.modbusPort} and ${plant.mqttUrl}`);
  return {
    // The simulation has no configuration of its own; its ports are chosen at start. A live apply's
    // connections (site/apply.ts) have their "demo" endpoints pointed at it before the drivers see them.
    reconfigure: (next) => {
      resolveDemoEndpoints(next as ConnectionConfig[], plant);
      return 'applied';
    },
    stop: () => plant.stop(),
  };
}
