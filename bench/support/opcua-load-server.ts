// A node-opcua server in its own process for the OPC UA benchmark: N Double variables
// ns=1;s=Load.<i>, all given a new value every 100 ms (as a PLC scan would), so every sampling
// at 100 ms yields a notification.
// Prints "READY <endpoint>" when listening; exits when its parent closes stdin.
import os from 'node:os';
import path from 'node:path';
import { DataType, OPCUACertificateManager, OPCUAServer, Variant } from 'node-opcua';

const count = Number(process.argv[2] ?? 10_000);
const pki = path.join(os.tmpdir(), `aurum-bench-opcua-${process.pid}`);
const server = new OPCUAServer({
  port: 0,
  host: '127.0.0.1',
  hostname: '127.0.0.1',
  serverCertificateManager: new OPCUACertificateManager({ rootFolder: pki, automaticallyAcceptUnknownCertificate: true }),
  maxConnectionsPerEndpoint: 10,
  serverCapabilities: { maxMonitoredItemsPerSubscription: 100_000, maxMonitoredItems: 100_000 },
});
await server.initialize();
const addressSpace = server.engine.addressSpace;
if (!addressSpace) throw new Error('no address space');
const ns = addressSpace.getOwnNamespace();
const folder = ns.addObject({ organizedBy: addressSpace.rootFolder.objects, browseName: 'Load' });
const variables = Array.from({ length: count }, (_, i) =>
  ns.addVariable({
    componentOf: folder,
    browseName: `V${i}`,
    nodeId: `s=Load.${i}`,
    dataType: 'Double',
    minimumSamplingInterval: 50,
    value: new Variant({ dataType: DataType.Double, value: i }),
  }),
);
let tick = 0;
setInterval(() => {
  tick++;
  for (let i = 0; i < variables.length; i++)
    variables[i]?.setValueFromSource(new Variant({ dataType: DataType.Double, value: i + (tick % 1000) / 1000 }));
}, 100);
await server.start();
process.stdout.write(`READY ${server.getEndpointUrl()}\n`);
process.stdin.on('close', () => void server.shutdown(0).then(() => process.exit(0)));
process.stdin.resume();
