import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ValueBatch } from '../api/types.js';
import { TagBus } from './bus.js';
import { testTag } from './test-tag.js';
import { startValueStream } from './value-stream.js';

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2026, 11, 1, 12) });
});
afterEach(() => {
  vi.useRealTimers();
});

function setup() {
  const bus = new TagBus([testTag(0, 'S/A/M/Slow'), testTag(1, 'S/A/M/Fast')]);
  const out: ValueBatch[] = [];
  const stream = startValueStream(bus, 100, (b) => out.push(b));
  return { bus, out, stream };
}

describe('UI value stream', () => {
  it('sends every sample of a tag that changes slowly, one message per interval', () => {
    const { bus, out, stream } = setup();
    const t = Date.now();
    bus.update(0, 1, 0, t);
    bus.update(0, 2, 0, t + 10);
    bus.flush();
    vi.advanceTimersByTime(100);
    bus.update(0, 3, 0, t + 150);
    bus.flush();
    vi.advanceTimersByTime(100);
    expect(out).toHaveLength(2);
    expect(out[0]?.v).toEqual([1, 2]);
    expect(out[1]?.v).toEqual([3]);
    expect(stream.dropped()).toBe(0);
    stream.stop();
  });

  it('keeps first, lowest, highest and last of a fast tag in time order, whatever the rate', () => {
    const { bus, out, stream } = setup();
    const t = Date.now();
    // 10,000 samples of one tag in one interval: a slow ramp with a spike down at 3,000 and up at 7,000.
    for (let i = 0; i < 10_000; i++) {
      const v = i === 3_000 ? -100 : i === 7_000 ? 500 : i / 100;
      bus.update(1, v, 0, t + i / 100);
      if (i % 1000 === 999) bus.flush();
    }
    bus.update(0, 42, 0, t);
    bus.flush();
    vi.advanceTimersByTime(100);
    expect(out).toHaveLength(1);
    const b = out[0] as ValueBatch;
    const fast = b.ids.flatMap((id, i) => (id === 1 ? [{ ts: b.ts[i] as number, v: b.v[i] }] : []));
    expect(fast.map((s) => s.v)).toEqual([0, -100, 500, 99.99]);
    expect(fast.map((s) => s.ts)).toEqual([t, t + 30, t + 70, t + 99.99]);
    expect(b.ids.filter((id) => id === 0)).toHaveLength(1);
    expect(stream.dropped()).toBe(10_000 - 4);
    stream.stop();
  });
});
