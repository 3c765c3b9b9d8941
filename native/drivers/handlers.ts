import type { ConnectionTestResult } from '../api/connection-requests.js';
import type { Handlers } from '../api/contract.js';
import { ApiFailure } from '../api/registry.js';
import { describeError } from '../util/errors.js';
import type { Driver } from './driver.js';
import { ModbusConfigError } from './modbus/driver.js';
import { DiscoverInputError } from './mqtt/discover.js';
import { OpcuaRequestError } from './opcua/driver.js';
import { clientPki, fileCertificate, listCertificates } from './opcua/pki.js';

type ConnectionHandlers = Pick<
  Handlers,
  | 'connections.browse'
  | 'connections.testRead'
  | 'connections.discoverMqtt'
  | 'connections.tagAttributes'
  | 'connections.decodeModbus'
  | 'connections.certificates'
  | 'connections.trustCertificate'
  | 'connections.revokeCertificate'
  | 'connections.test'
>;

/** Test connection, given by the capability (it builds drivers with the bus, the logger and the sealed passwords opened). */
export type ConnectionTester = (settings: Record<string, unknown>, timeoutMs: number) => Promise<ConnectionTestResult>;

export function connectionHandlers(
  drivers: ReadonlyMap<string, Driver>,
  dataDir: string,
  test: ConnectionTester = async () => {
    throw new ApiFailure('unavailable', 'Test connection needs the running drivers capability');
  },
): ConnectionHandlers {
  const driver = (name: string) => {
    const d = drivers.get(name);
    if (!d) throw new ApiFailure('not_found', `no connection named "${name}"`);
    return d;
  };
  const strip = ({
    file: _file,
    ...rest
  }: {
    file: string;
    status: 'trusted' | 'rejected';
    thumbprint: string;
    subject: string;
    validTo: string;
    connections: string[];
  }) => rest;
  return {
    'connections.browse': async ({ connection, nodeId }) => {
      const d = driver(connection);
      if (!d.browse) throw new ApiFailure('validation', `${connection} (${d.protocol}) has no address space to browse`);
      try {
        return await d.browse(nodeId);
      } catch (err) {
        // A malformed NodeId is the caller's (400), an unknown one is not there (404), a link down 503.
        if (err instanceof OpcuaRequestError)
          throw new ApiFailure(err.kind === 'invalid' ? 'validation' : err.kind === 'not_found' ? 'not_found' : 'unavailable', err.message);
        throw new ApiFailure('unavailable', `browsing ${connection} failed: ${describeError(err)}`);
      }
    },
    'connections.testRead': async ({ connection, address, options }) => {
      const d = driver(connection);
      if (!d.testRead) throw new ApiFailure('validation', `${connection} (${d.protocol}) does not support test reads`);
      try {
        return { address, value: await d.testRead(address, options) };
      } catch (err) {
        throw new ApiFailure('unavailable', describeError(err));
      }
    },
    'connections.discoverMqtt': async ({ connection, filter, listenS, maxTopics }) => {
      const d = driver(connection);
      if (!d.discover)
        throw new ApiFailure('validation', `${connection} (${d.protocol}) is not an MQTT connection: topics are discovered on MQTT only`);
      try {
        return await d.discover({ ...(filter === undefined ? {} : { filter }), listenMs: listenS * 1000, maxTopics });
      } catch (err) {
        if (err instanceof DiscoverInputError) throw new ApiFailure('validation', err.message);
        throw new ApiFailure('unavailable', describeError(err));
      }
    },
    'connections.tagAttributes': async ({ connection, nodeIds }) => {
      const d = driver(connection);
      if (!d.tagAttributes)
        throw new ApiFailure(
          'validation',
          `${connection} (${d.protocol}) is not an OPC UA connection: node attributes are read on OPC UA only`,
        );
      try {
        return await d.tagAttributes(nodeIds);
      } catch (err) {
        if (err instanceof OpcuaRequestError)
          throw new ApiFailure(err.kind === 'invalid' ? 'validation' : err.kind === 'not_found' ? 'not_found' : 'unavailable', err.message);
        throw new ApiFailure('unavailable', `reading node attributes on ${connection} failed: ${describeError(err)}`);
      }
    },
    'connections.decodeModbus': async ({ connection, address }) => {
      const d = driver(connection);
      if (!d.decodeTable)
        throw new ApiFailure(
          'validation',
          `${connection} (${d.protocol}) is not a Modbus connection: registers are decoded on Modbus only`,
        );
      try {
        return await d.decodeTable(address);
      } catch (err) {
        if (err instanceof ModbusConfigError) throw new ApiFailure('validation', err.message);
        throw new ApiFailure('unavailable', describeError(err));
      }
    },
    'connections.certificates': async () => listCertificates(await clientPki(dataDir)).map(strip),
    'connections.trustCertificate': async ({ thumbprint }) => {
      try {
        return strip(await fileCertificate(await clientPki(dataDir), thumbprint, 'trusted'));
      } catch (err) {
        throw new ApiFailure('not_found', describeError(err));
      }
    },
    'connections.revokeCertificate': async ({ thumbprint }) => {
      let entry: Awaited<ReturnType<typeof fileCertificate>>;
      try {
        entry = await fileCertificate(await clientPki(dataDir), thumbprint, 'rejected');
      } catch (err) {
        throw new ApiFailure('not_found', describeError(err));
      }
      // A server's certificate is checked when a session opens: the connections that use it are
      // restarted so the revoke holds now, not at their next reconnect.
      const failed: string[] = [];
      for (const name of entry.connections) {
        const d = drivers.get(name);
        if (!d) continue;
        try {
          await d.stop();
          await d.start();
        } catch (err) {
          failed.push(`${name} (${describeError(err)})`);
        }
      }
      if (failed.length > 0)
        throw new ApiFailure(
          'unavailable',
          `the trust in certificate ${entry.thumbprint} is revoked, but ${failed.join(', ')} did not restart: its open session stays until it reconnects`,
        );
      return strip(entry);
    },
    'connections.test': ({ connection, timeoutS }) => test(connection, timeoutS * 1000),
  };
}
