// The connections as a capability: one driver per site-file connection, each behind the containment
// boundary, which restarts a connection whose event handler threw. The life cycle is connection.ts.
import { type Capability, type CapabilityContext, restartUnlessSame } from '../capability.js';
import type { ConnectionConfig } from './connection-schema.js';
import type { Driver, DriverContext, DriverTag } from './driver.js';
import { connectionHandlers } from './handlers.js';
import { createDriver } from './index.js';

export interface DriversFace {
  readonly drivers: ReadonlyMap<string, Driver>;
}

declare module '../capability.js' {
  interface Faces {
    drivers: DriversFace;
  }
}

/** The site file's connections (demo endpoints resolved), their tags, and the site's identity. */
export interface DriversSection {
  connections: readonly ConnectionConfig[];
  driverTags: ReadonlyMap<string, DriverTag[]>;
  site: DriverContext['site'];
}

/** A connection with its sealed passwords opened, in memory only. */
function unsealed(conn: ConnectionConfig, decrypt: (sealed: string) => string): ConnectionConfig {
  if (conn.protocol === 'mqtt' && conn.passwordSecret !== undefined) return { ...conn, passwordSecret: decrypt(conn.passwordSecret) };
  if (conn.protocol === 'opcua' && conn.user) return { ...conn, user: { ...conn.user, passwordSecret: decrypt(conn.user.passwordSecret) } };
  return conn;
}

export async function open(ctx: CapabilityContext<DriversSection>): Promise<Capability> {
  const secrets = ctx.face('auth').secrets;
  const drivers = new Map<string, Driver>();
  const starts: (() => Promise<void> | undefined)[] = [];
  for (const sealed of ctx.config.connections) {
    const conn = unsealed(sealed, (s) => secrets.decrypt(s));
    // A fault the driver did not catch (an event handler that threw) restarts the connection.
    const boundary = ctx.boundary.for(`connection ${conn.name}`, {
      restart: async () => {
        await driver.stop();
        await driver.start();
      },
    });
    const driver = boundary.enter(() =>
      createDriver(conn, ctx.config.driverTags.get(conn.name) ?? [], {
        bus: ctx.bus,
        dataDir: ctx.dataDir,
        log: ctx.logger(conn.protocol),
        site: ctx.config.site,
      }),
    );
    drivers.set(conn.name, driver);
    starts.push(() => boundary.enter(() => driver.start()));
  }
  // Every driver is built before any starts (a site-file fault in any of them stops the start).
  await Promise.all(starts.map((start) => start()));
  // Every second, the state of every connection goes to the UI.
  const diagnostics = setInterval(
    ctx.boundary.for('core').wrap('housekeeping', () =>
      ctx.emit(
        'connections',
        [...drivers.values()].map((d) => d.diagnostics()),
      ),
    ),
    1000,
  );
  diagnostics.unref();
  return {
    face: { drivers } satisfies DriversFace,
    handlers: connectionHandlers(drivers, ctx.dataDir),
    streams: ['connections'],
    // Endpoints, security and tag addresses are read when a driver is built.
    reconfigure: (next) => restartUnlessSame(ctx.config.connections, (next as DriversSection | undefined)?.connections),
    async stop() {
      clearInterval(diagnostics);
      await Promise.allSettled([...drivers.values()].map((d) => d.stop()));
    },
  };
}
