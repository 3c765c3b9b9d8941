// A real node-opcua server for driver tests, on 127.0.0.1 and a free port: a namespace with a known
// URI and variables of every type the type rules care about (Int64 within and beyond 2^53, a String
// where a number is expected, a DateTime, a read-only and a writable Double, an AnalogItem with an
// EURange for percent deadbands and an EUInformation unit, %). Optionally secure-only and refusing unknown client certificates.
import path from 'node:path';
import {
  DataType,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAServer,
  SecurityPolicy,
  standardUnits,
  type UAVariable,
  Variant,
  VariantArrayType,
} from 'node-opcua';

export const FIXTURE_NAMESPACE = 'urn:aurum:test:fixture';

export interface FixtureServer {
  endpointUrl: string;
  /** Index of FIXTURE_NAMESPACE on this server. */
  ns: number;
  server: OPCUAServer;
  /** The server's own certificate manager (to trust the console's certificate on the server). */
  serverPki: OPCUACertificateManager;
  /** Set a variable's value as the server's device would. */
  set(name: string, dataType: DataType, value: unknown): void;
  stop(): Promise<void>;
}

export interface FixtureOptions {
  pkiDir: string;
  /** Only Sign/Basic256Sha256, and client certificates must be trusted on the server. */
  secureOnly?: boolean;
  /** User name → password: sessions need one of them (no anonymous sessions). */
  users?: Record<string, string>;
}

export async function startFixtureServer(opts: FixtureOptions): Promise<FixtureServer> {
  const serverPki = new OPCUACertificateManager({
    rootFolder: path.join(opts.pkiDir, 'server'),
    automaticallyAcceptUnknownCertificate: !opts.secureOnly,
  });
  await serverPki.initialize();
  const server = new OPCUAServer({
    port: 0,
    host: '127.0.0.1',
    hostname: '127.0.0.1',
    serverCertificateManager: serverPki,
    buildInfo: { productName: 'Aurum test fixture' },
    ...(opts.users
      ? { allowAnonymous: false, userManager: { isValidUser: (user: string, password: string) => opts.users?.[user] === password } }
      : {}),
    ...(opts.secureOnly
      ? { securityModes: [MessageSecurityMode.Sign], securityPolicies: [SecurityPolicy.Basic256Sha256], allowAnonymous: true }
      : {}),
  });
  await server.initialize();
  const addressSpace = server.engine.addressSpace;
  if (!addressSpace) throw new Error('OPC UA address space not initialised');
  const ns = addressSpace.registerNamespace(FIXTURE_NAMESPACE);
  const folder = ns.addObject({ organizedBy: addressSpace.rootFolder.objects, browseName: 'Fixture', nodeId: 's=Fixture' });
  const vars = new Map<string, UAVariable>();
  const add = (name: string, dataType: DataType, value: unknown, writable = false) => {
    const v = ns.addVariable({
      componentOf: folder,
      browseName: name,
      nodeId: `s=Fixture.${name}`,
      dataType: DataType[dataType],
      minimumSamplingInterval: 50,
      accessLevel: writable ? 'CurrentRead | CurrentWrite' : 'CurrentRead',
      userAccessLevel: writable ? 'CurrentRead | CurrentWrite' : 'CurrentRead',
    });
    v.setValueFromSource(new Variant({ dataType, arrayType: VariantArrayType.Scalar, value }));
    vars.set(name, v);
  };
  add('Counter', DataType.Double, 1);
  add('Setpoint', DataType.Double, 10, true);
  add('Count32', DataType.Int32, 7, true);
  add('SmallInt64', DataType.Int64, [0, 123_456]);
  add('Total64', DataType.Int64, [0, 0], true);
  add('NegativeInt64', DataType.Int64, [0xffff_ffff, 0xffff_fffe]);
  add('BigUInt64', DataType.UInt64, [0x0020_0000, 1]);
  add('Text', DataType.String, 'hello');
  add('Flag', DataType.Boolean, true);
  add('When', DataType.DateTime, new Date('2026-01-01T00:00:00Z'));
  add('Label', DataType.LocalizedText, { text: 'Pump running' });
  const analog = ns.addAnalogDataItem({
    componentOf: folder,
    browseName: 'Level',
    nodeId: 's=Fixture.Level',
    dataType: 'Double',
    engineeringUnitsRange: { low: 0, high: 100 },
    engineeringUnits: standardUnits.percent,
    minimumSamplingInterval: 50,
  });
  analog.setValueFromSource(new Variant({ dataType: DataType.Double, value: 50 }));
  vars.set('Level', analog);
  await server.start();
  return {
    endpointUrl: server.getEndpointUrl(),
    ns: ns.index,
    server,
    serverPki,
    set(name, dataType, value) {
      const v = vars.get(name);
      if (!v) throw new Error(`no fixture variable ${name}`);
      v.setValueFromSource(new Variant({ dataType, arrayType: VariantArrayType.Scalar, value }));
    },
    stop: () => server.shutdown(0),
  };
}
