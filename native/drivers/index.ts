// Builds the driver for a connection from the site file.
import type { ConnectionConfig } from './connection-schema.js';
import type { Driver, DriverContext, DriverTag } from './driver.js';
import { createIngestDriver } from './ingest/driver.js';
import { createModbusDriver } from './modbus/driver.js';
import { createMqttDriver } from './mqtt/driver.js';
import { createOpcuaDriver } from './opcua/driver.js';

export function createDriver(config: ConnectionConfig, tags: DriverTag[], ctx: DriverContext): Driver {
  switch (config.protocol) {
    case 'opcua':
      return createOpcuaDriver(config, tags, ctx);
    case 'modbus':
      return createModbusDriver(config, tags, ctx);
    case 'mqtt':
      return createMqttDriver(config, tags, ctx);
    case 'ingest':
      return createIngestDriver(config, tags, ctx);
  }
}
