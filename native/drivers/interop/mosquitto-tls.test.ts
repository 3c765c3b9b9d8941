// Interop: MQTT over TLS against Debian's mosquitto, with the CA named in the site file by a path
// relative to the site file's folder — not the working directory the console happens to start in.
// A CA and a server certificate are made with openssl for each run. Skipped, with the reason, where
// mosquitto or openssl is absent (CI installs both).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadSiteFile } from '../../site/index.js';
import { TagBus } from '../../tags/bus.js';
import { freePort, waitForPort } from '../../util/net.js';
import type { MqttConnectionConfig } from '../mqtt/config.js';
import { createMqttDriver } from '../mqtt/driver.js';
import { until } from '../test-support.js';

const MOSQUITTO = '/usr/sbin/mosquitto';
const openssl = spawnSync('openssl', ['version']).status === 0;
const available = fs.existsSync(MOSQUITTO) && openssl;
if (!available) console.warn('[interop] mosquitto TLS test skipped: needs /usr/sbin/mosquitto and openssl');

function run(cmd: string, args: string[], cwd: string): void {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
}

/** A CA, and a server certificate for 127.0.0.1 signed by it, in `dir`. */
function makePki(dir: string): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run(
    'openssl',
    [
      'req',
      '-x509',
      ...ec,
      '-days',
      '1',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-subj',
      '/CN=Aurum test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  run('openssl', ['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'], dir);
  fs.writeFileSync(
    path.join(dir, 'ext.cnf'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n',
  );
  run(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '1',
      '-out',
      'server.pem',
      '-extfile',
      'ext.cnf',
    ],
    dir,
  );
}

describe.skipIf(!available)('interop: mosquitto over TLS, CA relative to the site file', () => {
  let root = '';
  let port = 0;
  let broker: ChildProcess | null = null;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'aurum-mosquitto-tls-'));
    const certs = path.join(root, 'plant', 'certs');
    fs.mkdirSync(certs, { recursive: true });
    makePki(certs);
    port = await freePort();
    fs.writeFileSync(
      path.join(root, 'mosquitto.conf'),
      [
        `listener ${port} 127.0.0.1`,
        `cafile ${path.join(certs, 'ca.pem')}`,
        `certfile ${path.join(certs, 'server.pem')}`,
        `keyfile ${path.join(certs, 'server.key')}`,
        'allow_anonymous true',
        'persistence false',
        'log_dest none',
        // mosquitto started as root drops to its own account, which could not read the key in a 0700 temp dir.
        ...(process.getuid?.() === 0 ? ['user root'] : []),
        '',
      ].join('\n'),
    );
    broker = spawn(MOSQUITTO, ['-c', path.join(root, 'mosquitto.conf')], { stdio: 'ignore' });
    await waitForPort(port, 10_000, 'mosquitto (TLS)');
  });
  afterAll(async () => {
    const proc = broker;
    if (proc && proc.exitCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGKILL');
      await exited;
    }
    fs.rmSync(root, { recursive: true, force: true });
  });

  const siteText = () => `version: 1
site: { name: S }
connections:
  - { name: secure, protocol: mqtt, url: "mqtts://127.0.0.1:${port}", tls: { ca: certs/ca.pem }, reconnect: { initialDelayMs: 100, maxDelayMs: 300 } }
areas:
  - name: A
    machines:
      - { name: M, connection: secure, tags: [{ name: T, address: secure/t }] }
`;

  it('reads the CA beside the site file, whatever the working directory, and receives over TLS', async () => {
    const file = path.join(root, 'plant', 'site.yaml');
    fs.writeFileSync(file, siteText());
    // The working directory is the repository, not the site file's folder: a path resolved against
    // it would not find certs/ca.pem.
    expect(fs.existsSync(path.resolve('certs/ca.pem'))).toBe(false);
    const model = loadSiteFile(file);
    const conn = model.connections[0] as MqttConnectionConfig;
    expect(conn.tls?.ca).toBe(path.join(root, 'plant', 'certs', 'ca.pem'));

    const bus = new TagBus(model.tags);
    const driver = createMqttDriver(conn, model.driverTags.get('secure') ?? [], { bus, log: () => undefined, dataDir: root });
    try {
      await driver.start();
      await until('the TLS connection', () => driver.diagnostics().state === 'connected', 10_000);
      const device = connect(`mqtts://127.0.0.1:${port}`, {
        ca: fs.readFileSync(path.join(root, 'plant', 'certs', 'ca.pem')),
        reconnectPeriod: 0,
      });
      try {
        await new Promise<void>((resolve, reject) => {
          device.once('connect', () => resolve());
          device.once('error', reject);
        });
        await device.publishAsync('secure/t', '42.5');
        await until('the value over TLS', () => bus.current(0).value === 42.5, 5000);
        expect(bus.current(0).quality).toBe(0);
      } finally {
        await device.endAsync(true);
      }
    } finally {
      await driver.stop();
    }
  });

  it('refuses the same site file in a folder without the CA, naming the path it looked for', () => {
    const elsewhere = path.join(root, 'elsewhere');
    fs.mkdirSync(elsewhere, { recursive: true });
    const file = path.join(elsewhere, 'site.yaml');
    fs.writeFileSync(file, siteText());
    let error: unknown;
    try {
      loadSiteFile(file);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => `${i.line}:${i.field}: ${i.message}`)).toEqual([
      `4:connections[0].tls.ca: file "certs/ca.pem" does not exist: relative names are read from the site file's folder, so it would be ${path.join(elsewhere, 'certs', 'ca.pem')}`,
    ]);
  });
});
