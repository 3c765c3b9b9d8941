// Interop: the MQTT driver and the demo publisher against Debian's mosquitto broker, an
// independent implementation of the protocol (aedes covers the in-process tests). Skipped, with
// the reason, where /usr/sbin/mosquitto is absent (CI installs it).
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitForPort } from '../../util/net.js';
import type { DriverTag } from '../driver.js';
import { mqttConnectionSchema } from '../mqtt/config.js';
import { startDemoMqttPublisher } from '../mqtt/demo-publisher.js';
import { createMqttDriver } from '../mqtt/driver.js';
import { busFor, until } from '../test-support.js';

const MOSQUITTO = '/usr/sbin/mosquitto';
const available = fs.existsSync(MOSQUITTO);
if (!available) console.warn('[interop] mosquitto tests skipped: /usr/sbin/mosquitto not found (apt-get install -y mosquitto)');

const tag = (id: number, name: string, address: string, options: Record<string, unknown> = {}): DriverTag => ({
  id,
  name,
  address,
  dataType: 'float',
  scaling: null,
  periodMs: 100,
  options,
});

describe.skipIf(!available)('interop: mosquitto broker', () => {
  let dir = '';
  let port = 0;
  let broker: ChildProcess | null = null;

  async function startBroker(): Promise<void> {
    broker = spawn(MOSQUITTO, ['-c', path.join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
    await waitForPort(port, 10_000, 'mosquitto');
  }
  async function stopBroker(): Promise<void> {
    const proc = broker;
    broker = null;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aurum-mosquitto-'));
    port = await freePort();
    fs.writeFileSync(
      path.join(dir, 'mosquitto.conf'),
      `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest none\n`,
    );
    await startBroker();
  });
  afterAll(async () => {
    await stopBroker();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('JSON and Sparkplug B through mosquitto at QoS 1; broker killed → Bad; broker back → Good without a restart', async () => {
    const url = `mqtt://127.0.0.1:${port}`;
    let flow = 3.5;
    const source = () => [
      { name: 'Boiler/Steam', value: flow },
      { name: 'Boiler/Firing', value: true },
    ];
    const jsonTags = [
      tag(0, 'steam', 'plant/+/Steam', { timestamp: 'timestamp' }),
      { ...tag(1, 'firing', 'plant/Boiler/Firing'), dataType: 'bool' as const },
    ];
    const spTags = [tag(0, 'steam', 'Edge1/Boiler/Steam'), { ...tag(1, 'firing', 'Edge1/Boiler/Firing'), dataType: 'bool' as const }];
    const jsonBus = busFor(jsonTags);
    const spBus = busFor(spTags);
    const common = { protocol: 'mqtt', url, qos: 1, reconnect: { initialDelayMs: 100, maxDelayMs: 400 } };
    const json = createMqttDriver(mqttConnectionSchema.parse({ ...common, name: 'json' }), jsonTags, {
      bus: jsonBus,
      log: () => undefined,
      dataDir: dir,
    });
    const spb = createMqttDriver(
      mqttConnectionSchema.parse({ ...common, name: 'spb', mode: 'sparkplug', sparkplug: { groupId: 'Site', rebirthMinIntervalMs: 200 } }),
      spTags,
      { bus: spBus, log: () => undefined, dataDir: dir },
    );
    const pub = await startDemoMqttPublisher(url, source, { periodMs: 100, jsonTopicPrefix: 'plant', groupId: 'Site', edgeNode: 'Edge1' });
    try {
      await json.start();
      await spb.start();
      expect(json.diagnostics().state).toBe('connected');
      await until('values over mosquitto', () => jsonBus.current(0).value === 3.5 && spBus.current(0).value === 3.5, 5000);
      expect(jsonBus.current(1)).toMatchObject({ value: true, quality: 0 });
      expect(spBus.current(1)).toMatchObject({ value: true, quality: 0 });

      await stopBroker();
      await until('Bad after the broker died', () => jsonBus.current(0).quality === 2 && spBus.current(0).quality === 2, 3000);
      expect(spBus.current(0).reason).toMatch(/comm failure/);

      await startBroker();
      flow = 4.25;
      await until(
        'Good again after the broker returned',
        () => jsonBus.current(0).value === 4.25 && spBus.current(0).value === 4.25,
        10_000,
      );
      expect(jsonBus.current(0).quality).toBe(0);
      expect(spBus.current(0).quality).toBe(0);
      expect(json.diagnostics().reconnects).toBe(1);
      expect(spb.diagnostics().reconnects).toBe(1);
      expect(json.diagnostics().errors.json ?? 0).toBe(0);
    } finally {
      await pub.stop();
      await json.stop();
      await spb.stop();
    }
  });
});
