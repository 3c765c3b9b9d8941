import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Boundary } from '../util/boundary.js';
import type { LogLevel } from '../util/log.js';
import { type SampleBatch, TagBus } from './bus.js';
import { testTag } from './test-tag.js';

const tags = [testTag(0, 's/a/m/t0'), testTag(1, 's/a/m/t1')];

describe('TagBus with a throwing listener', () => {
  // Anything rethrown by the bus (the old queueMicrotask(throw)) would land here and end a real process.
  const escaped: unknown[] = [];
  const onUncaught = (err: unknown) => escaped.push(err);
  beforeEach(() => {
    escaped.length = 0;
    process.prependListener('uncaughtException', onUncaught);
  });
  afterEach(() => {
    process.off('uncaughtException', onUncaught);
  });

  it('contains the fault: logged once with the consumer, counted, one system alarm, others still get every batch', async () => {
    const lines: { level: LogLevel; message: string }[] = [];
    const alarms: { source: string; message: string }[] = [];
    const cleared: string[] = [];
    const boundary = new Boundary({
      log: (level, message) => lines.push({ level, message }),
      raise: (source, message) => alarms.push({ source, message }),
      clear: (source) => cleared.push(source),
    });
    const bus = new TagBus(tags, 16, boundary);
    const before: number[] = [];
    const after: number[] = [];
    let poisoned = true;
    bus.onBatch((b) => before.push(b.length), 'historian');
    bus.onBatch((b: SampleBatch) => {
      if (poisoned && b.values[0] === 13) throw new TypeError('cannot read properties of undefined (reading "limit")');
    }, 'alarms');
    bus.onBatch((b) => after.push(b.length), 'esg');

    for (let i = 0; i < 5; i++) {
      bus.update(0, 13, 0, 1000 + i);
      bus.flush();
    }
    // One macrotask turn: a rethrow in a microtask or setImmediate would have fired by now.
    await new Promise((r) => setImmediate(r));

    expect(escaped).toEqual([]);
    expect(before).toEqual([1, 1, 1, 1, 1]);
    expect(after).toEqual([1, 1, 1, 1, 1]);
    expect(bus.listenerFaults).toBe(5);
    expect(boundary.faultsOf('alarms')).toBe(5);
    const errors = lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toBe('alarms: handling a tag batch failed: cannot read properties of undefined (reading "limit")');
    expect(alarms).toEqual([{ source: 'alarms.fault', message: errors[0]?.message }]);

    // The consumer recovers: the fault clears once (log line and alarm condition).
    poisoned = false;
    bus.update(0, 13, 0, 2000);
    bus.flush();
    expect(cleared).toEqual(['alarms.fault']);
    expect(lines.filter((l) => l.message.includes('works again'))).toHaveLength(1);
  });

  it('without a boundary, still contains the fault and counts it', async () => {
    const bus = new TagBus(tags, 16);
    let got = 0;
    bus.onBatch(() => {
      throw new Error('boom');
    });
    bus.onBatch(() => got++);
    bus.update(1, 1, 0, 1);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(escaped).toEqual([]);
    expect(got).toBe(1);
    expect(bus.listenerFaults).toBe(1);
  });
});

describe('TagBus.updateAll', () => {
  it('records a run of samples exactly as update() one by one: values, window replacements, removed tags, batches', () => {
    const now = Date.UTC(2026, 11, 1, 12);
    // A table of its own per bus: the bus changes its table in place when a tag is removed.
    const three = () => [testTag(0, 's/a/m/t0'), testTag(1, 's/a/m/t1'), testTag(2, 's/a/m/t2')];
    const make = (window: boolean) => {
      const bus = new TagBus(three(), 4, undefined, {
        now: () => now,
        ...(window ? { acceptWindow: { pastMs: 86_400_000, futureMs: 60_000 } } : {}),
      });
      const batches: number[][] = [];
      bus.onBatch((b) => batches.push([...b.ids, ...b.ts, ...b.values, ...b.quality]));
      bus.removeTags([2], () => 'removed', now - 10);
      bus.flush();
      batches.length = 0;
      return { bus, batches };
    };
    // In the window, ahead of it, behind it, NaN, beyond a Date, booleans, text and null, and a removed tag.
    const ids = [0, 1, 0, 1, 0, 1, 2, 0, 1, 0];
    const ts = [now - 1000, now - 500, now + 3_600_000, now - 2 * 86_400_000, Number.NaN, 9e15, now - 1, now, now - 5, now - 2];
    const values = [1.5, true, 2, 'text', 3, null, 4, false, 5, 6];
    const quality = [0, 1, 0, 2, 0, 0, 0, 1, 2, 0] as const;
    for (const window of [true, false]) {
      const one = make(window);
      const all = make(window);
      for (let i = 0; i < ids.length; i++) one.bus.update(ids[i] as number, values[i] as never, quality[i] as never, ts[i] as number);
      all.bus.updateAll(ids, values as never, [...quality], ts);
      one.bus.flush();
      all.bus.flush();
      expect(all.batches).toEqual(one.batches);
      for (const id of [0, 1, 2]) expect(all.bus.current(id)).toEqual(one.bus.current(id));
      expect([all.bus.samplesIn, all.bus.timestampsReplaced, all.bus.samplesForRemoved]).toEqual([
        one.bus.samplesIn,
        one.bus.timestampsReplaced,
        one.bus.samplesForRemoved,
      ]);
    }
    // The run did cross the window and a removed tag (the comparison is not between two empty answers).
    const check = make(true);
    check.bus.updateAll(ids, values as never, [...quality], ts);
    expect([check.bus.timestampsReplaced, check.bus.samplesForRemoved]).toEqual([4, 1]);
  });
});
