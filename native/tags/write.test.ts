// Typed writes: the core refuses any value that is not exactly of the tag's declared type, for
// every transport (they all reach tags.write through the registry), before a driver sees it.
import { connect } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HandlerRegistry } from '../api/registry.js';
import type { TagInfo, WriteResult } from '../api/types.js';
import { createDriver } from '../drivers/index.js';
import { type EmbeddedBroker, startEmbeddedBroker } from '../drivers/mqtt/broker.js';
import { ConfigError, parseSiteFile } from '../site/index.js';
import { TagBus } from './bus.js';
import { tagHandlers } from './handlers.js';
import { testTag } from './test-tag.js';
import { checkWrite } from './write-check.js';

const site = (url: string) => `
version: 1
site: { name: Plant }
connections:
  - { name: mq, protocol: mqtt, url: "${url}", reconnect: { initialDelayMs: 100, maxDelayMs: 300 } }
areas:
  - name: Water
    machines:
      - name: Pump101
        connection: mq
        tags:
          - { name: RunCommand, address: p101/run, type: bool, writable: true, states: { false: Stop, true: Start }, options: { writeTopic: p101/run/set } }
          - { name: Speed, address: p101/speed, type: int, unit: rpm, writable: true, writeLimits: [0, 3000], options: { writeTopic: p101/speed/set } }
          - { name: Flow, address: p101/flow, type: float, unit: m3/h, writable: true, options: { writeTopic: p101/flow/set } }
          - { name: Mode, address: p101/mode, type: int, writable: true, states: { 0: Off, 1: Auto, 2: Manual }, options: { writeTopic: p101/mode/set } }
          - { name: Lamp, address: p101/lamp, type: bool, writable: true, options: { writeTopic: p101/lamp/set } }
`;

describe('checkWrite', () => {
  const bool = testTag(0, 'S/A/P/Run', {
    dataType: 'bool',
    writable: true,
    states: [
      { value: false, label: 'Stop' },
      { value: true, label: 'Start' },
    ],
  });
  const int = testTag(1, 'Plant/Water/Pump101/Speed', { dataType: 'int', writable: true, writeMin: 0, writeMax: 3000, unit: 'rpm' });
  const float = testTag(2, 'S/A/P/Flow', { dataType: 'float', writable: true });
  const mode = testTag(3, 'S/A/P/Mode', {
    dataType: 'int',
    writable: true,
    states: [
      { value: 0, label: 'Off' },
      { value: 1, label: 'Auto' },
    ],
  });

  it('passes values of the declared type through unchanged', () => {
    expect(checkWrite(bool, true)).toBe(true);
    expect(checkWrite(bool, false)).toBe(false);
    expect(checkWrite(int, 1500)).toBe(1500);
    expect(checkWrite(float, 12.25)).toBe(12.25);
    expect(checkWrite(mode, 1)).toBe(1);
  });

  it('refuses text, numbers and null for a boolean, naming the tag and its states', () => {
    expect(() => checkWrite(bool, 'maybe')).toThrow(
      'S/A/P/Run is a boolean tag: "maybe" is not true or false (true = Start, false = Stop)',
    );
    expect(() => checkWrite(bool, 1)).toThrow('S/A/P/Run is a boolean tag: 1 is not true or false');
    expect(() => checkWrite(bool, 'true')).toThrow('"true" is not true or false');
    expect(() => checkWrite(bool, null)).toThrow('null is not true or false');
  });

  it('refuses 3.7 into an integer tag instead of rounding it', () => {
    expect(() => checkWrite(int, 3.7)).toThrow('Plant/Water/Pump101/Speed is an integer tag: 3.7 is not an integer');
    expect(() => checkWrite(int, '37')).toThrow('Plant/Water/Pump101/Speed is an integer tag: "37" is not a number');
    expect(() => checkWrite(int, true)).toThrow('is an integer tag: true is not a number');
  });

  it('refuses strings and non-finite numbers into a number tag', () => {
    expect(() => checkWrite(float, '12.5')).toThrow('S/A/P/Flow is a number tag: "12.5" is not a number');
    expect(() => checkWrite(float, Number.NaN)).toThrow('S/A/P/Flow is a number tag: NaN is not a finite number');
    expect(() => checkWrite(float, Number.POSITIVE_INFINITY)).toThrow('is not a finite number');
    expect(() => checkWrite(float, { value: 1 })).toThrow('S/A/P/Flow is a number tag: an object is not a number');
  });

  it('refuses an enumeration value that is not one of its states', () => {
    expect(() => checkWrite(mode, 2)).toThrow('S/A/P/Mode takes one of its states 0 (Off), 1 (Auto): 2 is not one of them');
  });

  it('applies the write limits with the unit', () => {
    expect(() => checkWrite(int, 3500)).toThrow('3500 rpm is outside the write limits of Plant/Water/Pump101/Speed (0 … 3000 rpm)');
  });

  it('refuses read-only tags', () => {
    expect(() => checkWrite({ ...float, writable: false }, 1)).toThrow('S/A/P/Flow is read-only');
  });
});

describe('states in the site file', () => {
  const withTag = (tag: string) => `
version: 1
site: { name: Plant }
connections:
  - { name: gw, protocol: ingest }
areas:
  - name: Water
    machines:
      - name: P1
        connection: gw
        tags:
          - ${tag}
`;
  const problems = (tag: string): string[] => {
    try {
      parseSiteFile(withTag(tag), '/tmp/site.yaml');
      return [];
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      return err.issues.map((i) => `${i.field}: ${i.message}`);
    }
  };

  it('accepts two named states for a boolean and integer-keyed states for an enumeration', () => {
    expect(problems('{ name: Run, address: r, type: bool, states: { false: Stop, true: Start } }')).toEqual([]);
    expect(problems('{ name: Mode, address: m, type: int, states: { 0: Off, 1: Auto, 2: Manual } }')).toEqual([]);
  });

  it('refuses states that do not fit the tag type', () => {
    expect(problems('{ name: Run, address: r, type: bool, states: { on: Start, off: Stop } }')).toEqual([
      'areas[0].machines[0].tags[0].states: a boolean tag names exactly its two states: { false: <name>, true: <name> } (found on, off)',
    ]);
    expect(problems('{ name: Mode, address: m, type: int, states: { auto: Auto } }')).toEqual([
      'areas[0].machines[0].tags[0].states: an integer tag\'s states are keyed by integers: "auto" is not one',
    ]);
    expect(problems('{ name: Label, address: l, type: string, writable: true }')).toEqual([
      'areas[0].machines[0].tags[0].writable: a text tag cannot be writable: the console writes numbers and booleans only',
    ]);
    expect(problems('{ name: Flow, address: f, states: { 0: Off } }')).toEqual([
      'areas[0].machines[0].tags[0].states: only bool and int tags have named states (this tag is float)',
    ]);
  });
});

describe('tags.write through the registry, to an MQTT device on a real broker', () => {
  let broker: EmbeddedBroker;
  let registry: HandlerRegistry;
  let stop: () => Promise<void>;
  const published: { topic: string; payload: string }[] = [];

  beforeAll(async () => {
    broker = await startEmbeddedBroker();
    const model = parseSiteFile(site(broker.url), '/tmp/site.yaml');
    const bus = new TagBus(model.tags);
    const drivers = new Map(
      model.connections.map((c) => [
        c.name,
        createDriver(c, model.driverTags.get(c.name) ?? [], { bus, log: () => {}, dataDir: '/nonexistent' }),
      ]),
    );
    // The device: echoes every command on <tag>/set back as the tag's value, and records what it got.
    const device = connect(broker.url, { reconnectPeriod: 0 });
    await new Promise<void>((resolve, reject) => {
      device.once('connect', () => resolve());
      device.once('error', reject);
    });
    await device.subscribeAsync('p101/+/set');
    device.on('message', (topic, payload) => {
      published.push({ topic, payload: payload.toString() });
      const v = (JSON.parse(payload.toString()) as { value: unknown }).value;
      device.publish(topic.replace(/\/set$/, ''), JSON.stringify({ value: v }));
    });
    for (const d of drivers.values()) await d.start();
    registry = new HandlerRegistry();
    registry.register(tagHandlers({ bus, machines: model.machines, drivers }));
    stop = async () => {
      for (const d of drivers.values()) await d.stop();
      await device.endAsync(true);
      await broker.close();
    };
  });
  afterAll(() => stop());

  const internal = { user: null, role: null, origin: 'internal' as const };
  const write = (tag: string, value: unknown) =>
    registry.call('tags.write', { tag: `Plant/Water/Pump101/${tag}`, value, confirmed: true }, internal);

  it('exposes the state names in TagInfo (declared, default OFF / ON, enumeration)', async () => {
    const list = (await registry.call('tags.list', {}, internal)).data as { tags: TagInfo[] };
    const byName = new Map(list.tags.map((t) => [t.name.split('/').pop(), t.states]));
    expect(byName.get('RunCommand')).toEqual([
      { value: false, label: 'Stop' },
      { value: true, label: 'Start' },
    ]);
    expect(byName.get('Lamp')).toEqual([
      { value: false, label: 'OFF' },
      { value: true, label: 'ON' },
    ]);
    expect(byName.get('Mode')).toEqual([
      { value: 0, label: 'Off' },
      { value: 1, label: 'Auto' },
      { value: 2, label: 'Manual' },
    ]);
    expect(byName.get('Flow')).toBeUndefined();
  });

  it('refuses "maybe" for a boolean, 3.7 for an integer and a string for a number, and nothing reaches the device', async () => {
    expect((await write('RunCommand', 'maybe')).error).toEqual({
      type: 'validation',
      message: 'Plant/Water/Pump101/RunCommand is a boolean tag: "maybe" is not true or false (true = Start, false = Stop)',
    });
    expect((await write('Speed', 3.7)).error).toEqual({
      type: 'validation',
      message: 'Plant/Water/Pump101/Speed is an integer tag: 3.7 is not an integer',
    });
    expect((await write('Flow', '12.5')).error?.message).toBe('Plant/Water/Pump101/Flow is a number tag: "12.5" is not a number');
    expect((await write('Mode', 5)).error?.message).toBe(
      'Plant/Water/Pump101/Mode takes one of its states 0 (Off), 1 (Auto), 2 (Manual): 5 is not one of them',
    );
    // A write that is accepted goes through the same broker after the refused ones: when its echo
    // is back, anything the refused writes had sent would have arrived before it.
    const ok = (await write('Speed', 1200)).data as WriteResult;
    expect(ok).toMatchObject({ ok: true, requested: 1200, readBack: 1200 });
    expect(published).toEqual([{ topic: 'p101/speed/set', payload: '{"value":1200}' }]);
  });

  it('writes a boolean as a JSON boolean and reads it back', async () => {
    const r = (await write('RunCommand', true)).data as WriteResult;
    expect(r).toMatchObject({ ok: true, requested: true, readBack: true });
    expect(published.at(-1)).toEqual({ topic: 'p101/run/set', payload: '{"value":true}' });
  });
});
