// The demo plant's OPC UA server: every simulated tag of the pump station and utilities as a
// variable `ns=1;s=<Area>.<Machine>.<Tag>` under Objects/<Area>/<Machine>, on 127.0.0.1.
// Setpoints and run commands are writable; writes go to the simulation's "PLC" logic.
import path from 'node:path';
import { DataType, OPCUACertificateManager, OPCUAServer, StatusCodes, type UAObject, Variant } from 'node-opcua';
import type { PlantSim, SimTag } from './sim.js';

export interface PlantOpcuaServer {
  endpointUrl: string;
  port: number;
  stop(): Promise<void>;
  /** The underlying server, for tests that restart or inspect it. */
  server: OPCUAServer;
}

/** Tags of these areas are served over OPC UA; the rest over Modbus. */
export const OPCUA_AREAS = new Set(['PumpStation', 'Utilities']);
const MODBUS_MACHINES = new Set(['Boiler1']);

export function servedOverOpcua(tag: SimTag): boolean {
  const [area, machine] = tag.path.split('/');
  return OPCUA_AREAS.has(area as string) && !MODBUS_MACHINES.has(machine as string);
}

export async function startPlantOpcuaServer(sim: PlantSim, opts: { port: number; pkiDir: string }): Promise<PlantOpcuaServer> {
  const serverCertificateManager = new OPCUACertificateManager({
    rootFolder: path.join(opts.pkiDir, 'server'),
    automaticallyAcceptUnknownCertificate: true,
  });
  const server = new OPCUAServer({
    port: opts.port,
    host: '127.0.0.1',
    hostname: '127.0.0.1',
    serverCertificateManager,
    buildInfo: { productName: 'Aurum demo plant', manufacturerName: 'Aurum Console', softwareVersion: '1.0.0' },
    maxConnectionsPerEndpoint: 20,
  });
  await server.initialize();
  const addressSpace = server.engine.addressSpace;
  if (!addressSpace) throw new Error('OPC UA address space not initialised');
  const ns = addressSpace.getOwnNamespace();
  const folders = new Map<string, UAObject>();
  const folderFor = (area: string, machine: string): UAObject => {
    const key = `${area}/${machine}`;
    let obj = folders.get(key);
    if (!obj) {
      let areaObj = folders.get(area);
      if (!areaObj) {
        areaObj = ns.addObject({ organizedBy: addressSpace.rootFolder.objects, browseName: area, nodeId: `s=${area}` });
        folders.set(area, areaObj);
      }
      obj = ns.addObject({ componentOf: areaObj, browseName: machine, nodeId: `s=${area}.${machine}` });
      folders.set(key, obj);
    }
    return obj;
  };

  for (const tag of sim.tags.filter(servedOverOpcua)) {
    const [area, machine, name] = tag.path.split('/') as [string, string, string];
    const isBool = tag.kind === 'bool';
    const dataType = isBool ? DataType.Boolean : DataType.Double;
    ns.addVariable({
      componentOf: folderFor(area, machine),
      browseName: name,
      nodeId: `s=${area}.${machine}.${name}`,
      dataType: isBool ? 'Boolean' : 'Double',
      description: tag.description,
      // Without it node-opcua clamps sampling to 1000 ms.
      minimumSamplingInterval: 50,
      accessLevel: tag.writable ? 'CurrentRead | CurrentWrite' : 'CurrentRead',
      userAccessLevel: tag.writable ? 'CurrentRead | CurrentWrite' : 'CurrentRead',
      value: {
        get: () => {
          sim.step(Date.now());
          return new Variant({ dataType, value: sim.value(tag.path) });
        },
        set: (variant: Variant) => {
          try {
            sim.write(tag.path, variant.value as number | boolean);
            return StatusCodes.Good;
          } catch {
            return StatusCodes.BadOutOfRange;
          }
        },
      },
    });
  }
  await server.start();
  const endpointUrl = server.getEndpointUrl();
  const port = Number(new URL(endpointUrl.replace('opc.tcp:', 'http:')).port);
  return {
    endpointUrl,
    port,
    server,
    stop: () => server.shutdown(0),
  };
}
