// OPC UA: 10,000 monitored items sampled every 100 ms on a node-opcua server in a separate process,
// delivered through the console's driver into the tag bus. Baseline in the same run: a bare
// node-opcua client subscription on the same server, counting notifications and doing nothing else.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AttributeIds, ClientMonitoredItemGroup, ClientSubscription, OPCUAClient, TimestampsToReturn } from 'node-opcua';
import { opcuaConnectionSchema } from '../native/drivers/opcua/config.js';
import { createOpcuaDriver } from '../native/drivers/opcua/driver.js';
import { busFor } from '../native/drivers/test-support.js';
import type { Bench } from './types.js';

async function startServer(count: number): Promise<{ endpoint: string; stop(): void }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, 'support', 'opcua-load-server.ts'), String(count)],
    {
      stdio: ['pipe', 'pipe', 'ignore'],
    },
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('OPC UA load server did not start within 120 s')), 120_000);
    child.stdout.on('data', (d) => {
      out += String(d);
      const m = /READY (\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`OPC UA load server exited with ${code}`)));
  });
  return { endpoint, stop: () => child.stdin.end() };
}

const cpuPercent = (start: NodeJS.CpuUsage, ms: number) => {
  const u = process.cpuUsage(start);
  return ((u.user + u.system) / 1000 / ms) * 100;
};

async function bareClient(endpoint: string, count: number, seconds: number): Promise<{ rate: number; cpu: number }> {
  const client = OPCUAClient.create({ endpointMustExist: false, connectionStrategy: { maxRetry: 1 } });
  await client.connect(endpoint);
  const session = await client.createSession();
  const sub = await ClientSubscription.create(session, {
    requestedPublishingInterval: 100,
    requestedMaxKeepAliveCount: 10,
    requestedLifetimeCount: 100,
    maxNotificationsPerPublish: 0,
    publishingEnabled: true,
  });
  let n = 0;
  for (let start = 0; start < count; start += 500) {
    const group = ClientMonitoredItemGroup.create(
      sub,
      Array.from({ length: Math.min(500, count - start) }, (_, i) => ({
        nodeId: `ns=1;s=Load.${start + i}`,
        attributeId: AttributeIds.Value,
      })),
      { samplingInterval: 100, queueSize: 1, discardOldest: true },
      TimestampsToReturn.Both,
    );
    group.on('changed', () => {
      n++;
    });
    await new Promise((r) => group.once('initialized', r));
  }
  await new Promise((r) => setTimeout(r, 3000));
  const before = n;
  const cpu0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const result = { rate: (n - before) / seconds, cpu: cpuPercent(cpu0, seconds * 1000) };
  await sub.terminate();
  await session.close();
  await client.disconnect();
  return result;
}

const bench: Bench = async ({ quick }) => {
  const count = quick ? 2000 : 10_000;
  const seconds = quick ? 5 : 15;
  const dir = mkdtempSync(path.join(tmpdir(), 'aurum-bench-opcua-'));
  process.env.HOME = dir;
  const server = await startServer(count);
  try {
    const baseline = await bareClient(server.endpoint, count, seconds);
    const tags = Array.from({ length: count }, (_, i) => ({
      id: i,
      name: `Load/${i}`,
      address: `ns=1;s=Load.${i}`,
      dataType: 'float' as const,
      scaling: null,
      periodMs: 100,
      options: {},
    }));
    const bus = busFor(tags);
    const config = opcuaConnectionSchema.parse({
      name: 'load',
      protocol: 'opcua',
      endpoint: server.endpoint,
      publishingIntervalMs: 100,
      samplingIntervalMs: 100,
      queueSize: 1,
    });
    const driver = createOpcuaDriver(config, tags, { bus, dataDir: dir, log: () => undefined });
    await driver.start();
    await new Promise((r) => setTimeout(r, 3000));
    const before = bus.samplesIn;
    const cpu0 = process.cpuUsage();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const rate = (bus.samplesIn - before) / seconds;
    const cpu = cpuPercent(cpu0, seconds * 1000);
    await driver.stop();
    return [
      {
        bench: 'opcua',
        metric: `notifications/s into the tag bus, ${count} items @ 100 ms, server in another process`,
        value: rate,
        unit: 'notif/s',
        baseline: 'bare node-opcua subscription, same server',
        baselineValue: baseline.rate,
        target: '≥ 30,000',
      },
      {
        bench: 'opcua',
        metric: 'console process CPU while receiving',
        value: cpu,
        unit: '% of a core',
        baseline: 'bare node-opcua subscription',
        baselineValue: baseline.cpu,
      },
    ];
  } finally {
    server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};

export default bench;
