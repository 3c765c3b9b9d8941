// Every sample entering the bus has a source time within the accept window: a driver's sample with
// an impossible or skewed time is recorded at receipt time as Uncertain with the reason, so one
// device's clock can never put a poison timestamp into the historian.
import { describe, expect, it } from 'vitest';
import { type SampleBatch, TagBus } from './bus.js';
import { testTag } from './test-tag.js';

const NOW = Date.UTC(2026, 11, 1, 12);
const DAY = 86_400_000;

function bus() {
  const b = new TagBus(
    Array.from({ length: 8 }, (_, id) => testTag(id, `S/A/M/T${id}`)),
    undefined,
    undefined,
    { acceptWindow: { pastMs: 30 * DAY, futureMs: 300_000 }, now: () => NOW },
  );
  const got: { id: number; ts: number; q: number }[] = [];
  b.onBatch((x: SampleBatch) => {
    for (let i = 0; i < x.length; i++) got.push({ id: x.ids[i] as number, ts: x.ts[i] as number, q: x.quality[i] as number });
  });
  return { b, got };
}

describe('tag bus accept window', () => {
  it('records samples with impossible or skewed source times at receipt time, Uncertain, with the reason', () => {
    const { b, got } = bus();
    const cases: [number, RegExp][] = [
      [1e308, /source timestamp invalid/],
      [-1e308, /source timestamp invalid/],
      [Number.NaN, /source timestamp invalid/],
      [Date.UTC(10000, 0, 1), /source clock ahead/],
      [0, /source clock behind/],
      [NOW + 3_600_000, /source clock ahead.*3600 s/],
    ];
    cases.forEach(([ts], id) => {
      b.update(id, 1, 0, ts);
    });
    b.update(6, 2, 0, NOW - 29 * DAY);
    b.update(7, 3, 0, NOW + 60_000);
    b.flush();
    cases.forEach(([, reason], id) => {
      const cv = b.current(id);
      expect(cv.quality).toBe(1);
      expect(cv.ts).toBe(NOW);
      expect(cv.reason).toMatch(reason);
      expect(cv.reason).toMatch(/recorded at receipt time/);
    });
    expect(b.current(6)).toMatchObject({ quality: 0, ts: NOW - 29 * DAY, reason: '' });
    expect(b.current(7)).toMatchObject({ quality: 0, ts: NOW + 60_000 });
    expect(got.every((s) => Number.isFinite(s.ts) && s.ts >= NOW - 30 * DAY && s.ts <= NOW + 300_000)).toBe(true);
    expect(b.timestampsReplaced).toBe(cases.length);
  });

  it('keeps a Bad quality Bad and names the reason for refusing a time', () => {
    const { b } = bus();
    b.update(0, null, 2, Number.POSITIVE_INFINITY, 'link lost');
    expect(b.current(0)).toMatchObject({ quality: 2, ts: NOW });
    expect(b.current(0).reason).toMatch(/source timestamp invalid.*link lost/);
    expect(b.timestampProblem(NOW)).toBeNull();
    expect(b.timestampProblem(NOW + 301_000)?.kind).toBe('ahead');
  });
});
