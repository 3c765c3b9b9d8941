// Certificates both ways, against real node-opcua servers on loopback: a server that refuses the
// console's certificate is named as such with the console's thumbprint, and connects once it trusts
// it; a server certificate the console does not trust is logged once (thumbprint, never base64)
// however often the driver retries, and the certificate list names the connection it came from.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DriverTag } from '../driver.js';
import { connectionHandlers } from '../handlers.js';
import { busFor, until } from '../test-support.js';
import { opcuaConnectionSchema } from './config.js';
import { createOpcuaDriver } from './driver.js';
import { clientIdentity, clientPki } from './pki.js';
import { type FixtureServer, startFixtureServer } from './test-server.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  vi.restoreAllMocks();
});

function tempDir(prefix: string): string {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

async function fixtureServer(secureOnly: boolean): Promise<FixtureServer> {
  const s = await startFixtureServer({ pkiDir: tempDir('aurum-opcua-srv-'), secureOnly });
  cleanups.push(() => s.stop());
  return s;
}

const counter = (ns: number): DriverTag => ({
  id: 0,
  name: 'counter',
  address: `ns=${ns};s=Fixture.Counter`,
  dataType: 'float',
  scaling: null,
  periodMs: 100,
  options: {},
});

const secure = (endpoint: string) =>
  opcuaConnectionSchema.parse({
    name: 'line3',
    protocol: 'opcua',
    endpoint,
    securityMode: 'Sign',
    securityPolicy: 'Basic256Sha256',
    reconnect: { initialDelayMs: 100, maxDelayMs: 200 },
  });

describe('OPC UA certificates', () => {
  it("says the server refused the console's certificate, with its thumbprint, and connects once the server trusts it", async () => {
    process.env.HOME = tempDir('aurum-opcua-home-');
    const dataDir = tempDir('aurum-opcua-data-');
    const server = await fixtureServer(true);
    const site = { name: 'Plant7', organization: 'Acme Water' };
    // The console trusts the server, so the only refusal left is the server's.
    const cm = await clientPki(dataDir);
    await cm.trustCertificate(server.server.getCertificate());
    const identity = await clientIdentity(dataDir, site);
    const tags = [counter(server.ns)];
    const bus = busFor(tags);
    const driver = createOpcuaDriver(secure(server.endpointUrl), tags, { bus, dataDir, log: () => undefined, site });
    cleanups.push(() => driver.stop());
    await driver.start();
    await until('a refusal', () => (driver.diagnostics().errors.connect ?? 0) >= 1, 20_000);
    const lastError = driver.diagnostics().lastError ?? '';
    expect(lastError).toContain("refused the console's certificate");
    expect(lastError).toContain(`SHA-1 thumbprint ${identity.thumbprint}`);
    expect(lastError).toContain(identity.certificateFile);
    expect(lastError).toContain('trust it on the server');
    expect(lastError).not.toMatch(/may have been rejected/);
    expect(bus.current(0).quality).toBe(2);
    expect(bus.current(0).reason).toContain("refused the console's certificate");

    await server.serverPki.trustCertificate(new X509Certificate(readFileSync(identity.certificateFile)).raw);
    await until('Good once the server trusts the console', () => bus.current(0).quality === 0, 20_000);
    expect(driver.diagnostics().state).toBe('connected');
  }, 60_000);

  it('logs an untrusted server certificate once with its thumbprint, never the certificate, and lists it under its connection', async () => {
    process.env.HOME = tempDir('aurum-opcua-home-');
    const dataDir = tempDir('aurum-opcua-data-');
    const server = await fixtureServer(false);
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(' ')));
    const stderr = vi.spyOn(process.stderr, 'write');
    const logs: string[] = [];
    const tags = [counter(server.ns)];
    const bus = busFor(tags);
    const driver = createOpcuaDriver(secure(server.endpointUrl), tags, { bus, dataDir, log: (_l, m) => logs.push(m) });
    cleanups.push(() => driver.stop());
    await driver.start();
    await until('four refused attempts', () => (driver.diagnostics().errors.connect ?? 0) >= 4, 30_000);
    const serverThumb = new X509Certificate(server.server.getCertificate()).fingerprint.toLowerCase();
    const refusals = logs.filter((l) => l.includes("does not trust the server's certificate"));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toContain(`SHA-1 thumbprint ${serverThumb}`);
    expect(refusals[0]).toContain('connection line3');
    const base64Run = /[A-Za-z0-9+/]{120,}/;
    for (const line of [...logs, ...printed, ...stderr.mock.calls.map((c) => String(c[0]))]) expect(line).not.toMatch(base64Run);
    expect(driver.diagnostics().lastError).toContain('review it under Connections');

    const handlers = connectionHandlers(new Map([['line3', driver]]), dataDir);
    const list = await handlers['connections.certificates']({}, {} as never);
    expect(list).toEqual([
      expect.objectContaining({ status: 'rejected', thumbprint: serverThumb.replaceAll(':', ''), connections: ['line3'] }),
    ]);
  }, 60_000);

  it('connects once the engineer trusts the server certificate, and is refused again at once when the trust is revoked', async () => {
    process.env.HOME = tempDir('aurum-opcua-home-');
    const dataDir = tempDir('aurum-opcua-data-');
    const server = await fixtureServer(false);
    const tags = [counter(server.ns)];
    const bus = busFor(tags);
    const driver = createOpcuaDriver(secure(server.endpointUrl), tags, { bus, dataDir, log: () => undefined });
    cleanups.push(() => driver.stop());
    await driver.start();
    await until('a refused attempt', () => (driver.diagnostics().errors.connect ?? 0) >= 1, 30_000);
    const handlers = connectionHandlers(new Map([['line3', driver]]), dataDir);
    const thumbprint = new X509Certificate(server.server.getCertificate()).fingerprint.replaceAll(':', '').toLowerCase();
    await handlers['connections.trustCertificate']({ thumbprint }, {} as never);
    await until('connected and Good', () => driver.diagnostics().state === 'connected' && bus.current(0).quality === 0, 30_000);

    const revoked = await handlers['connections.revokeCertificate']({ thumbprint }, {} as never);
    expect(revoked).toMatchObject({ status: 'rejected', thumbprint, connections: ['line3'] });
    // The session that was open with the trusted certificate is closed; the next one is refused.
    expect(bus.current(0).quality).toBe(2);
    const refusedBefore = driver.diagnostics().errors.connect ?? 0;
    await until('refused again', () => (driver.diagnostics().errors.connect ?? 0) > refusedBefore, 30_000);
    expect(driver.diagnostics().state).not.toBe('connected');
    expect(bus.current(0).quality).toBe(2);
    expect(await handlers['connections.certificates']({}, {} as never)).toEqual([
      expect.objectContaining({ status: 'rejected', thumbprint }),
    ]);
    await expect(handlers['connections.revokeCertificate']({ thumbprint: 'ab'.repeat(20) }, {} as never)).rejects.toThrow(
      `no certificate with thumbprint ${'ab'.repeat(20)}`,
    );
  }, 60_000);

  it('keeps a certificate the engineer trusted while an attempt that found it untrusted files its verdict', async () => {
    process.env.HOME = tempDir('aurum-opcua-home-');
    const dataDir = tempDir('aurum-opcua-data-');
    const server = await fixtureServer(false);
    const certificate = server.server.getCertificate();
    const thumbprint = new X509Certificate(certificate).fingerprint.replaceAll(':', '').toLowerCase();
    const cm = await clientPki(dataDir);
    const handlers = connectionHandlers(new Map(), dataDir);
    // node-opcua's check: verify (untrusted: the certificate lands in "rejected") …
    expect(await cm.isCertificateTrusted(certificate)).toBe('BadCertificateUntrusted');
    // … the engineer trusts it from the list …
    await handlers['connections.trustCertificate']({ thumbprint }, {} as never);
    // … and the check, finishing, files the verdict it reached before the trust.
    await cm.rejectCertificate(certificate);
    expect(await cm.isCertificateTrusted(certificate)).toBe('Good');
    expect(await handlers['connections.certificates']({}, {} as never)).toEqual([
      expect.objectContaining({ status: 'trusted', thumbprint }),
    ]);
    // A certificate nobody trusted is still filed as rejected.
    const other = await fixtureServer(false);
    await cm.rejectCertificate(other.server.getCertificate());
    expect((await handlers['connections.certificates']({}, {} as never)).map((c) => c.status).sort()).toEqual(['rejected', 'trusted']);
  }, 60_000);
});

describe('OPC UA users', () => {
  it('logs in with the password the core opened, and names the user the server refused', async () => {
    process.env.HOME = tempDir('aurum-opcua-home-');
    const dataDir = tempDir('aurum-opcua-data-');
    const server = await startFixtureServer({ pkiDir: tempDir('aurum-opcua-srv-'), users: { operator: 's3cret' } });
    cleanups.push(() => server.stop());
    const run = async (password: string) => {
      const tags = [counter(server.ns)];
      const bus = busFor(tags);
      // The core hands the driver the opened (plain) password in passwordSecret, in memory only.
      const config = opcuaConnectionSchema.parse({
        name: 'line4',
        protocol: 'opcua',
        endpoint: server.endpointUrl,
        user: { username: 'operator', passwordSecret: password },
        reconnect: { initialDelayMs: 100, maxDelayMs: 200 },
      });
      const driver = createOpcuaDriver(config, tags, { bus, dataDir, log: () => undefined });
      cleanups.push(() => driver.stop());
      await driver.start();
      return { driver, bus };
    };
    const good = await run('s3cret');
    await until('Good with the right password', () => good.bus.current(0).quality === 0, 20_000);
    const bad = await run('wrong');
    await until('a refused login', () => (bad.driver.diagnostics().errors.connect ?? 0) >= 1, 20_000);
    expect(bad.driver.diagnostics().lastError).toBe(
      'connect: the server refused the login of user "operator" (wrong user name or password?)',
    );
  }, 60_000);
});
