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

const lineConfig: EsgConfigInput = {
  maxGapS: 120,
  idleAfterS: 300,
  sources: [{ id: 'electricity', scope: 2, category: 'electricity', locationFactor: 'grid.test', marketFactor: 'supplier.test' }],
  meters: [
    { tag: 'Plant/Production/Line1/EnergyTotal', kind: 'energyCounter', rollover: 1000, source: 'electricity' },
    { tag: 'Plant/Production/Line1/UnitsProduced', kind: 'production' },
    { tag: 'Plant/Production/Line1/Running', kind: 'running' },
  ],
};

describe('KPIs', () => {
  it('derives energy from a rolling-over counter, intensity per unit and idle energy', () => {
    const svc = fx().open(lineConfig);
    const t0 = at('2024-06-03T08:00:00Z');
    const samples: [string, number, number][] = [];
    for (let m = 0; m <= 60; m++) {
      const t = t0 + m * MIN;
      samples.push(['Line1/Running', t, 1]);
      samples.push(['Line1/UnitsProduced', t, 5000 + 10 * Math.min(m, 30)]);
      samples.push(['Line1/EnergyTotal', t, (990 + 0.5 * m) % 1000]);
    }
    svc.ingest(batch(samples));
    const s = svc.summary({ from: at('2024-06-03T00:00:00Z'), to: at('2024-06-04T00:00:00Z'), groupBy: 'machine' });
    const line = s.groups.find((g) => g.machine === 'Line1');
    expect(line?.energyKWh).toBeCloseTo(30, 9);
    expect(line?.production).toBe(300);
    expect(line?.kpis.energyIntensityKWhPerUnit).toBeCloseTo(0.1, 9);
    // Last unit counted at 08:30; idle from intervals starting after 08:35: 24 minutes × 0.5 kWh.
    expect(line?.idleEnergyKWh).toBeCloseTo(12, 9);
    expect(line?.kpis.idleShare).toBeCloseTo(0.4, 9);
    // Location 30 kWh × 0.4; market 0.03 MWh × 100 kg/MWh.
    expect(line?.co2eKg.scope2Location).toBeCloseTo(12, 9);
    expect(line?.co2eKg.scope2Market).toBeCloseTo(3, 9);
    expect(line?.kpis.specificEmissionsKgPerUnit).toBeCloseTo(0.04, 9);
    expect(s.marketFallback).toBe(false);
  });

  it('counts energy of a stopped machine as idle (standby)', () => {
    const svc = fx().open({
      ...lineConfig,
      meters: [lineConfig.meters?.[2] ?? { tag: '', kind: 'running' }, { tag: 'Plant/Production/Line1/Power', kind: 'power' }],
    });
    const t0 = at('2024-06-03T08:00:00Z');
    svc.ingest(batch([['Line1/Running', t0, 0], ...series('Line1/Power', t0, t0 + 30 * 60_000, MIN, () => 6)]));
    const s = svc.summary({ from: t0, to: t0 + 3_600_000, groupBy: 'site' });
    expect(s.totals.energyKWh).toBeCloseTo(3, 9);
    expect(s.totals.idleEnergyKWh).toBeCloseTo(3, 9);
  });

  it('finds peak demand inside and outside the tariff window and by hour of day', () => {
    const svc = fx().open({
      maxGapS: 3600,
      tariffWindows: [{ days: [1, 2, 3, 4, 5], from: '08:00', to: '12:00' }],
      meters: [{ tag: 'Plant/Utilities/Boiler1/Power', kind: 'power', integration: 'step' }],
    });
    // Monday 3 June 2024 (UTC): 100 kW 09:00–09:30, 40 kW to 20:00, 60 kW 20:00–20:15, then 0.
    svc.ingest(
      batch([
        ['Boiler1/Power', at('2024-06-03T09:00:00Z'), 100],
        ['Boiler1/Power', at('2024-06-03T09:30:00Z'), 40],
        ...series('Boiler1/Power', at('2024-06-03T10:00:00Z'), at('2024-06-03T19:00:00Z'), 3_600_000, () => 40),
        ['Boiler1/Power', at('2024-06-03T20:00:00Z'), 60],
        ['Boiler1/Power', at('2024-06-03T20:15:00Z'), 0],
        ['Boiler1/Power', at('2024-06-03T21:00:00Z'), 0],
      ]),
    );
    const p = svc.summary({ from: at('2024-06-03T00:00:00Z'), to: at('2024-06-04T00:00:00Z'), groupBy: 'site' }).totals.kpis.peakDemand;
    expect(p.kW).toBeCloseTo(100, 9);
    expect(p.at).toBe('2024-06-03T09:00:00.000Z');
    expect(p.inWindowKW).toBeCloseTo(100, 9);
    expect(p.outsideWindowKW).toBeCloseTo(60, 9);
    expect(p.byHourOfDay[9]).toBeCloseTo(100, 9);
    expect(p.byHourOfDay[15]).toBeCloseTo(40, 9);
    expect(p.byHourOfDay[3]).toBe(0);
  });

  it('compares with a baseline period per unit produced', () => {
    const svc = fx().open({
      ...lineConfig,
      baseline: { from: '2024-05-01T00:00:00Z', to: '2024-05-02T00:00:00Z' },
      meters: [
        { tag: 'Plant/Production/Line1/Power', kind: 'power', source: 'electricity' },
        { tag: 'Plant/Production/Line1/UnitsProduced', kind: 'production' },
      ],
    });
    const hour = (start: number, kw: number, units: number) => {
      const out: [string, number, number][] = [];
      for (let m = 0; m <= 60; m++) {
        out.push(['Line1/UnitsProduced', start + m * MIN, Math.round((units * m) / 60)]);
        out.push(['Line1/Power', start + m * MIN, kw]);
      }
      return out;
    };
    // Baseline: 50 kWh for 100 units (0.5 kWh/unit); now: 40 kWh for 100 units → 10 kWh saved.
    svc.ingest(batch(hour(at('2024-05-01T08:00:00Z'), 50, 100)));
    svc.ingest(batch(hour(at('2024-06-03T08:00:00Z'), 40, 100).map(([t, ts, v]) => [t, ts, t.endsWith('Produced') ? v + 100 : v])));
    const b = svc.summary({ from: at('2024-06-03T00:00:00Z'), to: at('2024-06-04T00:00:00Z'), groupBy: 'site' }).totals.kpis.baseline;
    expect(b).toMatchObject({ basis: 'intensity', production: 100 });
    expect(b?.energyKWh).toBeCloseTo(50, 9);
    expect(b?.expectedEnergyKWh).toBeCloseTo(50, 9);
    expect(b?.savingsKWh).toBeCloseTo(10, 9);
    expect(b?.savingsRatio).toBeCloseTo(0.2, 9);
  });

  it('reports coverage and gaps for Bad data', () => {
    const svc = fx().open({ maxGapS: 120, meters: [{ tag: 'Plant/Utilities/Boiler1/Power', kind: 'power' }] });
    const t0 = at('2024-06-03T00:00:00Z');
    svc.ingest(
      batch(series('Boiler1/Power', t0, t0 + 60 * MIN, MIN, () => 10).map(([tag, ts, v]) => [tag, ts, v, ts === t0 + 20 * MIN ? 2 : 0])),
    );
    const s = svc.summary({ from: t0, to: t0 + 60 * MIN, groupBy: 'site' });
    expect(s.totals.energyKWh).toBeCloseTo((10 * 58) / 60, 9);
    expect(s.totals.coverage).toMatchObject({ expectedMs: 60 * MIN, coveredMs: 58 * MIN, gaps: 1, gapMs: 2 * MIN });
    expect(s.totals.coverage.ratio).toBeCloseTo(58 / 60, 9);
    expect(svc.gaps({ from: t0, to: t0 + 60 * MIN, limit: 10 })).toEqual([
      {
        meter: 'Plant/Utilities/Boiler1/Power',
        start: '2024-06-03T00:19:00.000Z',
        end: '2024-06-03T00:21:00.000Z',
        kind: 'missing',
        reason: 'Bad quality',
      },
    ]);
  });
});
