// Partial hours: a summary or series over a range that starts or ends inside an hour counts the part
// of that hour's activity that falls in the range, the current hour so far included (issue 16: a
// summary of the last 70 s read 0 kWh while the plant drew 200 kW, because only hours starting
// inside the range were read). The clock is the test's own.
import { afterEach, describe, expect, it } from 'vitest';
import type { EsgConfigInput } from './config.js';
import { batch, type Fixture, fixture, series } from './test-kit.js';

const S = 1000;
const at = (iso: string) => Date.parse(iso);

const fixtures: Fixture[] = [];
afterEach(() => {
  for (const f of fixtures.splice(0)) f.cleanup();
});

const config: EsgConfigInput = {
  maxGapS: 60,
  sources: [{ id: 'electricity', scope: 2, category: 'electricity', locationFactor: 'grid.test' }],
  meters: [{ tag: 'Plant/Utilities/Boiler1/Power', kind: 'power', source: 'electricity' }],
};

function plant(startIso: string) {
  const f = fixture();
  fixtures.push(f);
  let now = at(startIso);
  const svc = f.open(config, { now: () => now });
  /** 200 kW every second from `from` until `to`, the clock following the samples. */
  const run = (from: number, to: number) => {
    svc.ingest(batch(series('Boiler1/Power', from, to, S, () => 200)));
    now = to;
  };
  return { svc, run, now: () => now };
}

describe('partial hours', () => {
  it('counts the last 70 s of the current hour: energy and CO2e, not 0', () => {
    // The console started at 12:10; it is 12:14 now.
    const p = plant('2024-06-01T12:10:00Z');
    p.run(at('2024-06-01T12:10:00Z'), at('2024-06-01T12:14:00Z'));
    const s = p.svc.summary({ from: p.now() - 70 * S, to: p.now(), groupBy: 'site' });
    // 200 kW × 70 s = 3.888… kWh; the grid factor for 2024 is 0.4 kg/kWh.
    expect(s.totals.energyKWh).toBeCloseTo((200 * 70) / 3600, 6);
    expect(s.totals.co2eKg.scope2Location).toBeCloseTo(((200 * 70) / 3600) * 0.4, 6);
    expect(s.totals.co2eKg.total).toBeCloseTo(((200 * 70) / 3600) * 0.4, 6);
    // The share of the hour is an even split of its measured activity: said, as estimated coverage.
    expect(s.totals.coverage.coveredMs).toBeCloseTo(70 * S, -1);
    expect(s.totals.coverage.estimatedMs).toBeCloseTo(70 * S, -1);
    expect(s.totals.coverage.ratio).toBeCloseTo(1, 3);
  });

  it('includes the current hour so far in a summary from a past hour to now', () => {
    const p = plant('2024-06-01T11:00:00Z');
    p.run(at('2024-06-01T11:00:00Z'), at('2024-06-01T12:30:00Z'));
    // From 11:30 (inside the first hour) to now (inside the current hour): one hour at 200 kW.
    const s = p.svc.summary({ from: at('2024-06-01T11:30:00Z'), to: p.now(), groupBy: 'machine' });
    expect(s.totals.energyKWh).toBeCloseTo(200, 6);
    expect(s.groups[0]?.energyKWh).toBeCloseTo(200, 6);
    // Aligned ranges are read as before: whole hours, nothing estimated.
    const whole = p.svc.summary({ from: at('2024-06-01T11:00:00Z'), to: at('2024-06-01T12:00:00Z'), groupBy: 'site' });
    expect(whole.totals.energyKWh).toBeCloseTo(200, 6);
    expect(whole.totals.coverage.estimatedMs).toBe(0);
  });

  it('gives the partial hours to an hourly series', () => {
    const p = plant('2024-06-01T11:00:00Z');
    p.run(at('2024-06-01T11:00:00Z'), at('2024-06-01T12:15:00Z'));
    const s = p.svc.series({ from: at('2024-06-01T11:45:00Z'), to: p.now(), groupBy: 'site', period: 'hour' });
    expect(s.buckets).toEqual(['2024-06-01 11:00+00:00', '2024-06-01 12:00+00:00']);
    expect(s.groups[0]?.energyKWh).toEqual([expect.closeTo(50, 6), expect.closeTo(50, 6)]);
    expect(s.groups[0]?.co2eKg.total).toEqual([expect.closeTo(20, 6), expect.closeTo(20, 6)]);
  });
});
