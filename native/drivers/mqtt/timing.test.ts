// MQTT time: expected periods (event-driven sources are never stale by time alone; a declared
// period per connection or tag is honoured), source clocks ahead of the console's (Uncertain, with
// the bus's reason), and samples whose timestamp cannot be read (dropped, counted, logged once).
// Staleness is checked with explicit clock values passed to markStale: no sleeps assert time.
import { connect, type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSiteFile } from '../../site/index.js';
import { TagBus } from '../../tags/bus.js';
import { until } from '../test-support.js';
import { type EmbeddedBroker, startEmbeddedBroker } from './broker.js';
import { createMqttDriver } from './driver.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const site = (url: string) => `
version: 1
site: { name: S }
connections:
  - { name: lora, protocol: mqtt, url: "${url}", reconnect: { initialDelayMs: 100, maxDelayMs: 300 } }
  - { name: polled, protocol: mqtt, url: "${url}", expectedPeriodMs: 5000, reconnect: { initialDelayMs: 100, maxDelayMs: 300 } }
areas:
  - name: A
    machines:
      - name: Field
        connection: lora
        tags:
          - { name: Temp, address: "application/1/device/+/event/up", options: { value: object.temperature, timestamp: time } }
          - { name: Level, address: "tank/level", options: { expectedPeriodMs: 60000 } }
      - name: Line
        connection: polled
        tags:
          - { name: Speed, address: "line/speed" }
          - { name: Count, address: "line/count", type: int, options: { expectedPeriodMs: 1000 } }
`;

async function start(opts: { acceptFutureMs?: number } = {}) {
  const broker: EmbeddedBroker = await startEmbeddedBroker();
  cleanups.push(() => broker.close());
  const model = parseSiteFile(site(broker.url), '/tmp/site.yaml');
  const bus = new TagBus(
    model.tags,
    undefined,
    undefined,
    opts.acceptFutureMs === undefined ? {} : { acceptWindow: { pastMs: 365 * 86_400_000, futureMs: opts.acceptFutureMs } },
  );
  const logs: string[] = [];
  const drivers = model.connections.map((c) => {
    const d = createMqttDriver(c as Parameters<typeof createMqttDriver>[0], model.driverTags.get(c.name) ?? [], {
      bus,
      log: (_l, m) => logs.push(m),
      dataDir: '/nonexistent',
    });
    cleanups.push(() => d.stop());
    return d;
  });
  for (const d of drivers) await d.start();
  const device: MqttClient = connect(broker.url, { reconnectPeriod: 0 });
  cleanups.push(() => device.endAsync(true));
  await new Promise<void>((resolve, reject) => {
    device.once('connect', () => resolve());
    device.once('error', reject);
  });
  const id = (name: string) => bus.idOf(`S/A/${name}`) as number;
  return { model, bus, drivers, device, logs, id };
}

describe('MQTT expected periods', () => {
  it('puts the declared period in TagInfo: tag option, else connection, else 0 (event-driven)', async () => {
    const { model } = await start();
    const period = Object.fromEntries(model.tags.map((t) => [t.name, t.expectedPeriodMs]));
    expect(period).toEqual({ 'S/A/Field/Temp': 0, 'S/A/Field/Level': 60_000, 'S/A/Line/Speed': 5000, 'S/A/Line/Count': 1000 });
  });

  it('keeps an event-driven source (a LoRaWAN uplink an hour apart) Good; a declared period turns stale after three periods', async () => {
    const { bus, device, id } = await start();
    const t0 = Date.now();
    await device.publishAsync(
      'application/1/device/a84041/event/up',
      JSON.stringify({ object: { temperature: 21.5 }, time: new Date(t0).toISOString() }),
    );
    await device.publishAsync('line/speed', '1450');
    await device.publishAsync('line/count', '7');
    await until(
      'the three values',
      () =>
        bus.current(id('Line/Count')).value === 7 &&
        bus.current(id('Field/Temp')).value === 21.5 &&
        bus.current(id('Line/Speed')).value === 1450,
      5000,
    );
    const received = Math.max(...['Field/Temp', 'Line/Speed', 'Line/Count'].map((n) => bus.current(id(n)).receivedAt));

    // 3.5 s on: only the 1 s tag is stale.
    expect(bus.markStale(received + 3500)).toBe(1);
    expect(bus.current(id('Line/Count'))).toMatchObject({ quality: 1, reason: 'stale: no update within the expected period' });
    expect(bus.current(id('Line/Speed')).quality).toBe(0);
    // 16 s on: the connection's 5 s period has passed three times.
    expect(bus.markStale(received + 16_000)).toBe(1);
    expect(bus.current(id('Line/Speed')).quality).toBe(1);
    // An hour later the LoRaWAN value is still Good: the sensor reports when it reports.
    expect(bus.markStale(received + 3_600_000)).toBe(0);
    expect(bus.current(id('Field/Temp'))).toMatchObject({ value: 21.5, quality: 0 });
  });
});

describe('MQTT source timestamps', () => {
  it('marks a timestamp in 2031 Uncertain, "source clock ahead", kept at receipt time', async () => {
    const { bus, device, id } = await start({ acceptFutureMs: 60_000 });
    const before = Date.now();
    await device.publishAsync(
      'application/1/device/a84041/event/up',
      JSON.stringify({ object: { temperature: 19 }, time: '2031-06-01T00:00:00Z' }),
    );
    await until('the value with a future timestamp', () => bus.current(id('Field/Temp')).value === 19, 5000);
    const cv = bus.current(id('Field/Temp'));
    expect(cv.quality).toBe(1);
    expect(cv.reason).toMatch(/^source clock ahead \(2031-06-01T00:00:00\.000Z is \d+ s past the console's clock/);
    expect(cv.ts).toBeGreaterThanOrEqual(before);
    expect(cv.ts).toBeLessThan(Date.parse('2030-01-01'));
    // A timestamp within the skew is Good and kept as sent.
    const now = Date.now();
    await device.publishAsync(
      'application/1/device/a84041/event/up',
      JSON.stringify({ object: { temperature: 20 }, time: new Date(now + 5000).toISOString() }),
    );
    await until('the value within the skew', () => bus.current(id('Field/Temp')).value === 20, 5000);
    expect(bus.current(id('Field/Temp'))).toMatchObject({ quality: 0, ts: now + 5000 });
  });

  it('drops samples whose timestamp cannot be read: counted, logged once, cleared by a good sample', async () => {
    const { bus, device, id, drivers, logs } = await start();
    const topic = 'application/1/device/a84041/event/up';
    await device.publishAsync(topic, JSON.stringify({ object: { temperature: 18 }, time: new Date().toISOString() }));
    await until('the first value', () => bus.current(id('Field/Temp')).value === 18, 5000);
    for (let i = 0; i < 5; i++) await device.publishAsync(topic, JSON.stringify({ object: { temperature: 30 + i }, time: 'soon' }));
    await device.publishAsync(topic, JSON.stringify({ object: { temperature: 25 } }));
    const lora = drivers[0] as (typeof drivers)[number];
    await until('six timestamp faults', () => (lora.diagnostics().errors.timestamp ?? 0) === 6, 5000);
    expect(bus.current(id('Field/Temp'))).toMatchObject({ value: 18, quality: 0 });
    const faultLines = logs.filter((l) => l.includes('timestamp'));
    expect(faultLines).toEqual([
      '[mqtt:lora] timestamp: application/1/device/a84041/event/up: "soon" is not a time at time for S/A/Field/Temp; sample dropped',
    ]);
    expect(lora.diagnostics().lastError).toBe(
      'timestamp: application/1/device/a84041/event/up: no timestamp at time for S/A/Field/Temp; sample dropped',
    );
    await device.publishAsync(topic, JSON.stringify({ object: { temperature: 22 }, time: new Date().toISOString() }));
    await until('a good sample', () => bus.current(id('Field/Temp')).value === 22, 5000);
    const cleared = logs.filter((l) => l.includes('good samples again'));
    expect(cleared).toHaveLength(1);
    expect(cleared[0]).toMatch(/^\[mqtt:lora\] S\/A\/Field\/Temp: good samples again \(after 6 occurrences over \d+ s\)$/);
  });
});
