// End-to-end sample throughput from the demo plant's protocols into the tag bus: the demo plant's
// OPC UA server and Modbus server on loopback, the console's drivers at their fastest rates.
// Baseline: the bare TagBus.update loop in the same run (what the bus alone can absorb).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEMO_SITE_FILE } from '../native/core.js';
import { createDriver } from '../native/drivers/index.js';
import { startDemoPlant } from '../native/plant/index.js';
import { loadSiteFile } from '../native/site/index.js';
import { TagBus } from '../native/tags/bus.js';
import { testTag } from '../native/tags/test-tag.js';
import type { Bench } from './types.js';

function busBaseline(tagCount: number, ms: number): number {
  const bus = new TagBus(Array.from({ length: tagCount }, (_, id) => testTag(id, `s/a/m/t${id}`)));
  let received = 0;
  bus.onBatch((b) => {
    received += b.length;
  });
  const end = Date.now() + ms;
  let n = 0;
  while (Date.now() < end) {
    for (let i = 0; i < 1000; i++) bus.update(n++ % tagCount, i, 0, Date.now());
    bus.flush();
  }
  return (received * 1000) / ms;
}

const bench: Bench = async ({ quick }) => {
  const seconds = quick ? 3 : 10;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'aurum-bench-plant-'));
  process.env.HOME = dataDir;
  const plant = await startDemoPlant({ dataDir });
  const model = loadSiteFile(DEMO_SITE_FILE);
  const bus = new TagBus(model.tags);
  const drivers = model.connections.map((c) => {
    if (c.protocol === 'opcua') Object.assign(c, { endpoint: plant.opcuaEndpoint, publishingIntervalMs: 50, samplingIntervalMs: 50 });
    if (c.protocol === 'modbus') Object.assign(c, { host: '127.0.0.1', port: plant.modbusPort, pollMs: 20 });
    const tags = (model.driverTags.get(c.name) ?? []).map((t) => ({ ...t, periodMs: c.protocol === 'modbus' ? 20 : 50 }));
    return createDriver(c, tags, { bus, dataDir, log: () => undefined });
  });
  await Promise.all(drivers.map((d) => d.start()));
  await new Promise((r) => setTimeout(r, 1500));
  const before = bus.samplesIn;
  const cpu0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = process.cpuUsage(cpu0);
  const rate = (bus.samplesIn - before) / seconds;
  await Promise.all(drivers.map((d) => d.stop()));
  await plant.stop();
  rmSync(dataDir, { recursive: true, force: true });
  const baseline = busBaseline(model.tags.length, 1000);
  return [
    {
      bench: 'plant',
      metric: `samples/s into the bus from OPC UA (50 ms) + Modbus (20 ms), ${model.tags.length} tags`,
      value: rate,
      unit: 'samples/s',
      baseline: 'bare TagBus.update',
      baselineValue: baseline,
      notes: `process CPU ${(((cpu.user + cpu.system) / 1e6 / seconds) * 100).toFixed(0)} % of a core (plant servers and drivers in one process)`,
    },
  ];
};

export default bench;
