// The connections as a capability: one driver per site-file connection, each behind the containment
// boundary, which restarts a connection whose event handler threw. The life cycle is connection.ts.
import type { Capability, CapabilityContext } from '../capability.js';
import type { ConnectionConfig } from './connection-schema.js';
import type { Driver, DriverContext, DriverTag } from './driver.js';
import { connectionHandlers } from './handlers.js';
import { createDriver } from './index.js';
import { testConnection, testedConnection } from './test-connection.js';

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
  // What each running driver was built from: a reconfigure rebuilds only the connections whose
  // configuration or tags differ (the others keep running: no gap in their readings).
  const builtFrom = new Map<string, string>();
  const fingerprint = (conn: ConnectionConfig, tags: readonly DriverTag[] | undefined) => JSON.stringify([conn, tags ?? []]);
  const build = (sealed: ConnectionConfig, tags: readonly DriverTag[], site: DriverContext['site']): (() => Promise<void> | undefined) => {
    const conn = unsealed(sealed, (s) => secrets.decrypt(s));
    // A fault the driver did not catch (an event handler that threw) restarts the connection.
    const boundary = ctx.boundary.for(`connection ${conn.name}`, {
      restart: async () => {
        await driver.stop();
        await driver.start();
      },
    });
    const driver = boundary.enter(() =>
      createDriver(conn, [...tags], { bus: ctx.bus, dataDir: ctx.dataDir, log: ctx.logger(conn.protocol), site }),
    );
    drivers.set(conn.name, driver);
    builtFrom.set(conn.name, fingerprint(sealed, tags));
    return () => boundary.enter(() => driver.start());
  };
  const starts = ctx.config.connections.map((c) => build(c, ctx.config.driverTags.get(c.name) ?? [], ctx.config.site));
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

  /**
   * Live configuration: a removed connection stops, a changed one (its settings or any of its tags)
   * is stopped and rebuilt, an added one starts; every other driver is not touched. The tags of a
   * removed connection turn Bad with the reason.
   */
  async function reconfigure(next: DriversSection): Promise<'applied'> {
    const wanted = new Map(next.connections.map((c) => [c.name, c]));
    const stale = [...drivers.keys()].filter((name) => {
      const c = wanted.get(name);
      return !c || builtFrom.get(name) !== fingerprint(c, next.driverTags.get(name));
    });
    await Promise.allSettled(stale.map((name) => drivers.get(name)?.stop()));
    for (const name of stale) {
      drivers.delete(name);
      builtFrom.delete(name);
      if (wanted.has(name)) continue;
      const now = Date.now();
      for (const t of ctx.bus.tags)
        if (t.connection === name) ctx.bus.setQuality(t.id, 2, `connection ${name} was removed from the site file`, now);
    }
    const added = next.connections.filter((c) => !drivers.has(c.name));
    const startsNext = added.map((c) => build(c, next.driverTags.get(c.name) ?? [], next.site));
    await Promise.all(startsNext.map((start) => start()));
    return 'applied';
  }

  return {
    face: { drivers } satisfies DriversFace,
    handlers: connectionHandlers(drivers, ctx.dataDir, (settings, timeoutMs) =>
      testConnection(
        testedConnection(settings),
        timeoutMs,
        { bus: ctx.bus, dataDir: ctx.dataDir, log: ctx.logger('connection test'), site: ctx.config.site },
        (c, x) =>
          createDriver(
            unsealed(c, (s) => secrets.decrypt(s)),
            [],
            x,
          ),
      ),
    ),
    streams: ['connections'],
    reconfigure: (next) => reconfigure(next as DriversSection),
    async stop() {
      clearInterval(diagnostics);
      await Promise.allSettled([...drivers.values()].map((d) => d.stop()));
    },
  };
}
