// The uplink against Debian's mosquitto over TLS with a client certificate, from a test CA the
// test makes with openssl. Skipped, with the reason, where mosquitto or openssl is absent (CI has both).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitForPort } from '../util/net.js';
import { openSync, syncConfigSchema } from './index.js';
import { collect, decodeJson, until } from './test-kit.js';

const MOSQUITTO = '/usr/sbin/mosquitto';
const OPENSSL = '/usr/bin/openssl';
const available = fs.existsSync(MOSQUITTO) && fs.existsSync(OPENSSL);
if (!available)
  console.warn('[sync] mosquitto TLS test skipped: needs /usr/sbin/mosquitto and /usr/bin/openssl (apt-get install -y mosquitto openssl)');

/** A CA, and a server and a client certificate it signed (P-256 keys: quick to make). */
function makePki(dir: string, name: string): void {
  const ssl = (...args: string[]) => execFileSync(OPENSSL, args, { cwd: dir, stdio: 'ignore' });
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...key, '-keyout', `${name}-ca.key`, '-out', `${name}-ca.crt`, '-days', '2', '-subj', `/CN=${name} test CA`);
  fs.writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  fs.writeFileSync(path.join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [who, cn] of [
    ['server', 'localhost'],
    ['client', 'aurum-sync'],
  ] as const) {
    ssl('req', ...key, '-keyout', `${name}-${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=${cn}`);
    ssl(
      'x509',
      '-req',
      '-in',
      `${who}.csr`,
      '-CA',
      `${name}-ca.crt`,
      '-CAkey',
      `${name}-ca.key`,
      '-CAcreateserial',
      '-out',
      `${name}-${who}.crt`,
      '-days',
      '2',
      '-extfile',
      `${who}.ext`,
    );
  }
}

describe.skipIf(!available)('sync over TLS to mosquitto', () => {
  let dir = '';
  let port = 0;
  let broker: ChildProcess | null = null;
  const file = (f: string) => path.join(dir, f);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aurum-sync-tls-'));
    makePki(dir, 'good');
    makePki(dir, 'other');
    port = await freePort();
    fs.writeFileSync(
      file('mosquitto.conf'),
      [
        `user ${os.userInfo().username}`,
        `listener ${port} 127.0.0.1`,
        `cafile ${file('good-ca.crt')}`,
        `certfile ${file('good-server.crt')}`,
        `keyfile ${file('good-server.key')}`,
        'require_certificate true',
        'use_identity_as_username true',
        'persistence false',
        'log_dest none',
        '',
      ].join('\n'),
    );
    broker = spawn(MOSQUITTO, ['-c', file('mosquitto.conf')], { stdio: 'ignore' });
    await waitForPort(port, 10_000, 'mosquitto');
  }, 30_000);
  afterAll(async () => {
    const proc = broker;
    if (proc && proc.exitCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGKILL');
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const tls = (ca: string) => ({ ca: file(`${ca}-ca.crt`), cert: file('good-client.crt'), key: file('good-client.key') });

  it('delivers with a client certificate, verifying the broker against the configured CA', async () => {
    const url = `mqtts://127.0.0.1:${port}`;
    const sub = await collect(url, 'site/#', {
      ca: fs.readFileSync(file('good-ca.crt')),
      cert: fs.readFileSync(file('good-client.crt')),
      key: fs.readFileSync(file('good-client.key')),
      clientId: 'test-consumer',
    });
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aurum-sync-tls-data-'));
    const svc = openSync({
      config: syncConfigSchema.parse({ enabled: true, url, namespace: 'site', tls: tls('good'), protocolVersion: 5 }),
      dataDir,
      siteName: 'North',
    });
    try {
      for (let n = 0; n < 25; n++) svc.enqueue('esg', { n, co2eKg: n * 1.5 });
      await until(() => svc.status().delivered.messages === 25, 10_000, 'delivery over TLS');
      const received = () => sub.raw.flatMap((r) => decodeJson(r.payload).messages.map((m) => (m.data as { n: number }).n));
      await until(() => received().length >= 25, 5000, 'the consumer to receive');
      const got = received();
      expect(got).toEqual(Array.from({ length: 25 }, (_, i) => i));
      expect(sub.raw[0]?.topic).toBe('site/North/esg');
    } finally {
      await svc.stop();
      await sub.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 20_000);

  it('refuses a broker whose certificate the configured CA did not sign, and keeps the messages', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aurum-sync-tls-data-'));
    const svc = openSync({
      config: syncConfigSchema.parse({
        enabled: true,
        url: `mqtts://127.0.0.1:${port}`,
        tls: tls('other'),
        backoff: { initialMs: 50, maxMs: 100 },
      }),
      dataDir,
      siteName: 'North',
    });
    try {
      svc.enqueue('alarms', { id: 'A1' });
      await until(() => svc.status().errors > 0, 10_000, 'a TLS error');
      const s = svc.status();
      expect(s.link).not.toBe('connected');
      expect(s.lastError?.message).toMatch(/certificate|self.signed|verify/i);
      expect(s.backlog.alarms).toBe(1);
    } finally {
      await svc.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 20_000);
});
