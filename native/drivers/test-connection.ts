// Test connection (connections.test): a connection built from settings that need not be in the site
// file — an engineer's unsaved form — checked with the site file's connection schema, opened by its
// own driver with no tags (so it writes nothing to the bus), watched until the life cycle says the
// link is up or why it is not, and stopped again. Bounded: the answer comes within the timeout
// whatever the peer does. Running connections are not touched (a driver of its own, never theirs).
import type { ConnectionTestResult } from '../api/connection-requests.js';
import { ApiFailure } from '../api/registry.js';
import { describeZodIssue } from '../util/describe.js';
import { describeError } from '../util/errors.js';
import type { LinkState } from './connection.js';
import { type ConnectionConfig, connectionSchema } from './connection-schema.js';
import type { Driver, DriverContext } from './driver.js';
import { createDriver } from './index.js';

/** The settings as a connection, or a validation failure naming each field in a sentence. */
export function testedConnection(settings: Record<string, unknown>): ConnectionConfig {
  const parsed = connectionSchema.safeParse(settings);
  if (parsed.success) return parsed.data;
  const sentences = parsed.error.issues
    .flatMap((issue) => describeZodIssue(issue, connectionSchema, settings))
    .map((d) => `${d.path.join('.') || 'connection'}: ${d.message}`);
  throw new ApiFailure('validation', `the connection settings are not valid: ${sentences.join('; ')}`);
}

const UP: ReadonlySet<LinkState> = new Set(['connected', 'degraded']);
const DOWN: ReadonlySet<LinkState> = new Set(['backoff', 'failed', 'lost']);

/** Where the connection goes, in the words a person would use (demo endpoints are the built-in plant's). */
function target(c: ConnectionConfig): string {
  switch (c.protocol) {
    case 'opcua':
      return c.endpoint;
    case 'mqtt':
      return c.url;
    case 'modbus':
      return c.transport === 'rtu' ? `${c.serialPort} (unit ${c.unitId})` : `${c.host}:${c.port} (unit ${c.unitId})`;
    case 'ingest':
      return 'pushes';
  }
}

function isDemo(c: ConnectionConfig): boolean {
  return (
    (c.protocol === 'opcua' && c.endpoint === 'demo') ||
    (c.protocol === 'mqtt' && c.url === 'demo') ||
    (c.protocol === 'modbus' && c.host === 'demo')
  );
}

/**
 * Open the connection, wait until its link is up, or the first attempt failed, or timeoutMs passed;
 * stop it; answer in a sentence. `make` builds the driver (the drivers capability passes one that
 * opens sealed passwords).
 */
export async function testConnection(
  conn: ConnectionConfig,
  timeoutMs: number,
  ctx: DriverContext,
  make: (c: ConnectionConfig, ctx: DriverContext) => Driver = (c, x) => createDriver(c, [], x),
): Promise<ConnectionTestResult> {
  const name = conn.name;
  if (conn.protocol === 'ingest')
    return {
      connection: name,
      ok: false,
      ms: 0,
      sentence: `${name} is an ingest connection: it receives pushes, there is no peer to open`,
    };
  if (isDemo(conn))
    return {
      connection: name,
      ok: false,
      ms: 0,
      sentence: `${name} names the built-in demo plant ("demo"): it is there whenever the site has demoPlant: true; test a real device's address`,
    };
  const started = Date.now();
  let driver: Driver;
  try {
    driver = make(conn, ctx);
  } catch (err) {
    return { connection: name, ok: false, ms: 0, sentence: `${name} cannot be opened: ${describeError(err)}` };
  }
  const link = driver.connection;
  let settle: (r: { ok: boolean; reason: string | null }) => void = () => undefined;
  const outcome = new Promise<{ ok: boolean; reason: string | null } | null>((resolve) => {
    settle = resolve;
  });
  const off = link?.on((change) => {
    if (UP.has(change.to)) settle({ ok: true, reason: null });
    else if (DOWN.has(change.to)) settle({ ok: false, reason: change.reason });
  });
  // A driver without the shared life cycle is read through its diagnostics.
  const poll = link
    ? undefined
    : setInterval(() => {
        const d = driver.diagnostics();
        if (d.state === 'connected') settle({ ok: true, reason: null });
        else if (d.state === 'error') settle({ ok: false, reason: d.lastError });
      }, 50);
  const timer = setTimeout(() => settle({ ok: false, reason: null }), timeoutMs);
  try {
    void driver.start().catch((err: unknown) => settle({ ok: false, reason: describeError(err) }));
    const r = await outcome;
    const ms = Date.now() - started;
    if (r?.ok) return { connection: name, ok: true, ms, sentence: `${name}: connected to ${target(conn)} in ${ms} ms` };
    const reason = r?.reason ?? link?.snapshot().lastError ?? driver.diagnostics().lastError;
    return {
      connection: name,
      ok: false,
      ms,
      sentence: reason
        ? `${name}: not connected to ${target(conn)}: ${reason}`
        : `${name}: no answer from ${target(conn)} within ${Math.round(timeoutMs / 1000)} s`,
    };
  } finally {
    clearTimeout(timer);
    if (poll) clearInterval(poll);
    off?.();
    await driver.stop().catch(() => undefined);
  }
}
