import { afterEach, describe, expect, it } from 'vitest';
import type { EsgConfigInput } from './config.js';
import { batch, type Fixture, fixture, series } from './test-kit.js';

const MIN = 60_000;
const at = (iso: string) => Date.parse(iso);

const fixtures: Fixture[] = [];
function fx(): Fixture {
  const f = fixture();
  fixtures.push(f);
  return f;
}
afterEach(() => {
  for (const f of fixtures.splice(0)) f.cleanup();
});

const boilerConfig: EsgConfigInput = {
  maxGapS: 600,
  sources: [
    { id: 'electricity', scope: 2, category: 'electricity', locationFactor: 'grid.test' },
    { id: 'boiler-gas', scope: 1, category: 'stationary', factor: 'gas.test' },
  ],
  meters: [
    { tag: 'Plant/Utilities/Boiler1/Power', kind: 'power', source: 'electricity' },
    { tag: 'Plant/Utilities/Boiler1/FuelFlow', kind: 'fuelFlow', fuel: 'natural-gas', source: 'boiler-gas' },
    { tag: 'Plant/Utilities/Boiler1/FeedwaterFlow', kind: 'waterFlow' },
  ],
};

describe('emission records and factors', () => {
  it('applies each factor version inside its validity and recomputes, audited, after a correction', () => {
    const f = fx();
    const svc = f.open(boilerConfig);
    // 100 kW from 22:00 on 31 Dec 2023 to 02:00 on 1 Jan 2024: 200 kWh under each year's grid factor.
    svc.ingest(batch(series('Boiler1/Power', at('2023-12-31T22:00:00Z'), at('2024-01-01T02:00:00Z'), MIN, () => 100)));
    const range = { from: at('2023-12-31T00:00:00Z'), to: at('2024-01-02T00:00:00Z'), groupBy: 'site' as const };
    const s = svc.summary(range);
    expect(s.totals.energyKWh).toBeCloseTo(400, 9);
    // 200 × 0.5 + 200 × 0.4
    expect(s.totals.co2eKg.scope2Location).toBeCloseTo(180, 9);
    expect(s.totals.co2eKg.scope2Market).toBeCloseTo(180, 9);
    expect(s.totals.co2eKg.total).toBeCloseTo(180, 9);
    expect(s.marketFallback).toBe(true);
    expect(s.totals.factors.map((x) => [x.id, x.version, x.records])).toEqual([
      ['grid.test', 1, 4],
      ['grid.test', 2, 4],
    ]);

    const change = svc.correctFactor(
      {
        id: 'grid.test',
        label: 'Test grid 2024, corrected',
        unit: 'kWh',
        validFrom: '2024-01-01T00:00:00Z',
        co2e: 0.3,
        gwpSet: 'AR5',
        source: 'erratum',
      },
      'publisher erratum',
      'alice',
    );
    expect(change).toMatchObject({ factorId: 'grid.test', newVersion: 3, user: 'alice', records: 4, reason: 'publisher erratum' });
    // Both methods of the two 2024 hours: before 2 × 180, after 2 × (100 + 60).
    expect(change.co2eBeforeKg).toBeCloseTo(360, 9);
    expect(change.co2eAfterKg).toBeCloseTo(320, 9);
    const after = svc.summary(range);
    expect(after.totals.co2eKg.total).toBeCloseTo(160, 9);
    expect(after.totals.factors.map((x) => `${x.id}@${x.version}`)).toEqual(['grid.test@1', 'grid.test@3']);
    expect(svc.factorChanges()).toHaveLength(1);
    // Hours recorded after the correction use it directly.
    svc.ingest(batch(series('Boiler1/Power', at('2024-01-01T02:01:00Z'), at('2024-01-01T03:00:00Z'), MIN, () => 100)));
    expect(svc.summary(range).totals.co2eKg.total).toBeCloseTo(160 + 30, 9);
  });

  it('computes scope 1 from fuel by gas with the chosen GWP set, and totals water', () => {
    for (const [gwpSet, perNm3] of [
      ['AR5', 2 + 0.001 * 28 + 0.0001 * 265],
      ['AR6', 2 + 0.001 * 27.9 + 0.0001 * 273],
    ] as const) {
      const f = fx();
      const svc = f.open({ ...boilerConfig, gwpSet });
      svc.ingest(
        batch([
          ...series('Boiler1/FuelFlow', at('2024-02-01T00:00:00Z'), at('2024-02-01T01:00:00Z'), MIN, () => 100),
          ...series('Boiler1/FeedwaterFlow', at('2024-02-01T00:00:00Z'), at('2024-02-01T01:00:00Z'), MIN, () => 3),
        ]),
      );
      const s = svc.summary({ from: at('2024-02-01T00:00:00Z'), to: at('2024-02-02T00:00:00Z'), groupBy: 'machine' });
      const boiler = s.groups.find((g) => g.key === 'Plant/Utilities/Boiler1');
      expect(boiler?.fuel).toEqual([{ fuel: 'natural-gas', unit: 'Nm3', quantity: expect.closeTo(100, 9) }]);
      expect(boiler?.waterM3).toBeCloseTo(3, 9);
      expect(boiler?.co2eKg.scope1).toBeCloseTo(100 * perNm3, 9);
      expect(s.gwpSet).toBe(gwpSet);
    }
  });
});

describe('integration in local time', () => {
  it('gives a 25-hour and a 23-hour local day on DST changes (Europe/London)', () => {
    const f = fx();
    const svc = f.open(boilerConfig, { timeZone: 'Europe/London' });
    svc.ingest(batch(series('Boiler1/Power', at('2024-03-31T00:00:00Z'), at('2024-03-31T23:00:00Z'), 5 * MIN, () => 10)));
    svc.ingest(batch(series('Boiler1/Power', at('2024-10-26T23:00:00Z'), at('2024-10-28T00:00:00Z'), 5 * MIN, () => 10)));
    const autumn = svc.series({ from: at('2024-10-26T23:00:00Z'), to: at('2024-10-28T00:00:00Z'), groupBy: 'site', period: 'day' });
    expect(autumn.buckets).toEqual(['2024-10-27']);
    expect(autumn.groups[0]?.energyKWh[0]).toBeCloseTo(250, 9);
    const spring = svc.series({ from: at('2024-03-31T00:00:00Z'), to: at('2024-03-31T23:00:00Z'), groupBy: 'site', period: 'day' });
    expect(spring.groups[0]?.energyKWh).toEqual([expect.closeTo(230, 9)]);
    const hours = svc.series({ from: at('2024-10-27T00:00:00Z'), to: at('2024-10-27T02:00:00Z'), groupBy: 'site', period: 'hour' });
    expect(hours.buckets).toEqual(['2024-10-27 01:00+01:00', '2024-10-27 01:00+00:00']);
    expect(hours.groups[0]?.energyKWh).toEqual([expect.closeTo(10, 9), expect.closeTo(10, 9)]);
    // The silence between March and October is a reported gap, not filled energy.
    const gaps = svc.gaps({ from: at('2024-01-01T00:00:00Z'), to: at('2025-01-01T00:00:00Z'), limit: 10 });
    expect(gaps).toEqual([
      {
        meter: 'Plant/Utilities/Boiler1/Power',
        start: '2024-03-31T23:00:00.000Z',
        end: '2024-10-26T23:00:00.000Z',
        kind: 'missing',
        reason: expect.stringMatching(/^no sample for/),
      },
    ]);
  });

  it('splits days at local midnight in a +05:30 zone', () => {
    const f = fx();
    const svc = f.open(boilerConfig, { timeZone: 'Asia/Kolkata' });
    svc.ingest(batch(series('Boiler1/Power', at('2024-05-01T00:00:00Z'), at('2024-05-02T00:00:00Z'), 5 * MIN, () => 10)));
    const s = svc.series({ from: at('2024-04-30T18:30:00Z'), to: at('2024-05-02T18:30:00Z'), groupBy: 'machine', period: 'day' });
    expect(s.buckets).toEqual(['2024-05-01', '2024-05-02']);
    expect(s.groups[0]?.energyKWh[0]).toBeCloseTo(185, 9);
    expect(s.groups[0]?.energyKWh[1]).toBeCloseTo(55, 9);
  });
});
