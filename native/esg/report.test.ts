import { afterEach, describe, expect, it } from 'vitest';
import type { CallContext } from '../api/contract.js';
import { esgRequests } from '../api/esg-requests.js';
import { ApiFailure } from '../api/registry.js';
import type { EsgConfigInput } from './config.js';
import { FactorError } from './factors.js';
import { esgHandlers } from './handlers.js';
import { EsgConfigError } from './service.js';
import { batch, type Fixture, fixture, series, TEST_FACTORS } from './test-kit.js';

const MIN = 60_000;
const at = (iso: string) => Date.parse(iso);
const ctx: CallContext = { user: 'bob', role: 'engineer', origin: 'internal' };

const fixtures: Fixture[] = [];
function fx(): Fixture {
  const f = fixture();
  fixtures.push(f);
  return f;
}
afterEach(() => {
  for (const f of fixtures.splice(0)) f.cleanup();
});

const config: EsgConfigInput = {
  maxGapS: 600,
  sources: [
    { id: 'electricity', scope: 2, category: 'electricity', locationFactor: 'grid.test', marketFactor: 'supplier.test' },
    { id: 'boiler-gas', scope: 1, category: 'stationary', factor: 'gas.test' },
    { id: 'upstream-gas', scope: 3, category: '3.3 fuel- and energy-related activities', factor: 'gas.test' },
  ],
  meters: [
    { tag: 'Plant/Utilities/Boiler1/Power', kind: 'power', source: 'electricity' },
    { tag: 'Plant/Utilities/Boiler1/FuelFlow', kind: 'fuelFlow', fuel: 'natural-gas', source: ['boiler-gas', 'upstream-gas'] },
    { tag: 'Plant/Production/Line1/EnergyTotal', kind: 'energyCounter', source: 'electricity' },
  ],
};

function parseCsv(body: string): Record<string, string>[] {
  const [head, ...rows] = body.trim().split('\r\n');
  const cols = (head ?? '').split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [cols[i], v])));
}

describe('report', () => {
  it('exports a month whose totals are the sums of its records and match the summary, across two factor versions', () => {
    const svc = fx().open(config, { timeZone: 'Europe/London' });
    const from = at('2023-12-31T12:00:00Z');
    const to = at('2024-01-02T12:00:00Z');
    svc.ingest(
      batch([
        ...series('Boiler1/Power', from, to, 5 * MIN, (t) => 20 + ((t / MIN) % 7)),
        ...series('Boiler1/FuelFlow', from, to, 5 * MIN, () => 80),
        ...series('Line1/EnergyTotal', from, to, 5 * MIN, (t) => 1000 + (t - from) / 60_000),
      ]),
    );
    const file = svc.report({ period: 'month', start: '2024-01', format: 'csv' });
    expect(file.filename).toBe('esg-Plant-2024-01.csv');
    expect(file.contentType).toMatch(/^text\/csv/);
    const rows = parseCsv(file.body);
    const records = rows.filter((r) => r.record_type === 'emission');
    const sum = (pred: (r: Record<string, string>) => boolean) => records.filter(pred).reduce((a, r) => a + Number(r.co2e_kg), 0);
    const total = (name: string) => Number(rows.find((r) => r.record_type === name)?.co2e_kg);
    const s1 = sum((r) => r.scope === '1');
    const s2l = sum((r) => r.scope2_method === 'location');
    const s3 = sum((r) => r.scope === '3');
    expect(records.length).toBeGreaterThan(0);
    expect(total('total_scope1')).toBeCloseTo(s1, 6);
    expect(total('total_scope2_location')).toBeCloseTo(s2l, 6);
    expect(total('total_scope2_market')).toBeCloseTo(
      sum((r) => r.scope2_method === 'market'),
      6,
    );
    expect(total('total_scope3')).toBeCloseTo(s3, 6);
    expect(total('total')).toBeCloseTo(s1 + s2l + s3, 6);
    // Only January (local) is in the report; the summary of the same range agrees.
    expect(new Set(records.map((r) => r.day))).toEqual(new Set(['2024-01-01', '2024-01-02']));
    const summary = svc.summary({ from: at('2024-01-01T00:00:00Z'), to: at('2024-02-01T00:00:00Z'), groupBy: 'site' });
    expect(total('total')).toBeCloseTo(summary.totals.co2eKg.total, 5);
    expect(total('total_scope1')).toBeGreaterThan(0);
    expect(total('total_scope3')).toBeCloseTo(total('total_scope1'), 6);

    const html = svc.report({ period: 'quarter', start: '2024-02', format: 'html' });
    expect(html.filename).toBe('esg-Plant-2024-Q1.html');
    expect(html.body).toContain('<h2>Methodology</h2>');
    expect(html.body).toContain('hand-picked for tests');
    expect(html.body).toContain('Data gaps and coverage');
    expect(html.body).not.toContain('<script');
    // December 2023 falls under the 2023 grid factor only.
    const dec = parseCsv(svc.report({ period: 'month', start: '2023-12', format: 'csv' }).body).filter(
      (r) => r.record_type === 'emission' && r.scope2_method === 'location',
    );
    expect(new Set(dec.map((r) => `${r.factor_id}@${r.factor_version}`))).toEqual(new Set(['grid.test@1']));
  });
});

describe('configuration and factor files', () => {
  it('refuses unknown tags, unit mismatches and factors that do not fit the meter', () => {
    const f = fx();
    expect(() => f.open({ meters: [{ tag: 'Plant/Nowhere/X/Power', kind: 'power' }] })).toThrow(/no such tag/);
    expect(() => f.open({ meters: [{ tag: 'Plant/Utilities/Boiler1/FeedwaterFlow', kind: 'power' }] })).toThrow(EsgConfigError);
    expect(() =>
      f.open({
        sources: [{ id: 'e', scope: 2, category: 'electricity', locationFactor: 'grid.test' }],
        meters: [{ tag: 'Plant/Utilities/Boiler1/FeedwaterFlow', kind: 'waterFlow', source: 'e' }],
      }),
    ).toThrow(/cannot use factor grid.test/);
  });

  it('refuses a factor edited in place, and audits a new version loaded from a file', () => {
    const f = fx();
    const svc = f.open(config);
    svc.ingest(batch(series('Boiler1/FuelFlow', at('2024-03-01T00:00:00Z'), at('2024-03-01T01:00:00Z'), MIN, () => 100)));
    svc.flush();
    const edited = TEST_FACTORS.map((x) => (x.id === 'gas.test' ? { ...x, gases: { co2: 3, ch4: 0, n2o: 0 } } : x));
    f.writeFactors(edited);
    expect(() => f.open(config)).toThrow(FactorError);
    f.writeFactors([...TEST_FACTORS, { ...TEST_FACTORS[3]!, version: 2, gases: { co2: 3, ch4: 0, n2o: 0 } }]);
    const reopened = f.open(config);
    const changes = reopened.factorChanges();
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      factorId: 'gas.test',
      newVersion: 2,
      user: null,
      records: 2,
      reason: 'new version loaded from test.json',
    });
    // Scope 1 and scope 3 records of the hour: 100 Nm³ × 3 kg each.
    expect(changes[0]?.co2eAfterKg).toBeCloseTo(600, 9);
  });

  it('keeps counter baselines across a restart', () => {
    const f = fx();
    const first = f.open(config);
    first.ingest(batch([['Line1/EnergyTotal', at('2024-03-01T00:00:00Z'), 100]]));
    first.close();
    const second = f.open(config);
    second.ingest(batch([['Line1/EnergyTotal', at('2024-03-01T00:10:00Z'), 130]]));
    expect(
      second.summary({ from: at('2024-03-01T00:00:00Z'), to: at('2024-03-02T00:00:00Z'), groupBy: 'site' }).totals.energyKWh,
    ).toBeCloseTo(30, 9);
  });

  it('serves the requests through handlers with validated arguments', async () => {
    const f = fx();
    const h = esgHandlers(f.open(config));
    const summary = await h['esg.summary'](
      esgRequests['esg.summary'].parse({ from: '2024-01-01T00:00:00Z', to: '2024-01-02T00:00:00Z', groupBy: 'area' }),
      ctx,
    );
    expect(summary.groupBy).toBe('area');
    expect((await h['esg.factors.list']({}, ctx)).map((x) => `${x.id}@${x.version}`)).toContain('grid.test@2');
    const bad = esgRequests['esg.factors.correct'].parse({
      id: 'grid.test',
      label: 'x',
      unit: 'bar',
      validFrom: '2024-01-01T00:00:00Z',
      co2e: 1,
      gwpSet: 'AR5',
      source: 's',
      reason: 'typo fix',
    });
    expect(() => h['esg.factors.correct'](bad, ctx)).toThrow(ApiFailure);
    const ok = h['esg.factors.correct']({ ...bad, unit: 'MWh' }, ctx);
    expect(ok).toMatchObject({ user: 'bob', newVersion: 3 });
    expect(() => esgRequests['esg.summary'].parse({ from: 10, to: 5 })).toThrow();
    expect((await h['esg.report']({ period: 'year', start: '2024', format: 'html' }, ctx)).contentType).toMatch(/^text\/html/);
  });
});

describe('long periods, a week of records at a time', () => {
  it('give the one-shot summary, series and report, yielding after every week', async () => {
    const svc = fx().open(config, { timeZone: 'Europe/London' });
    const from = at('2024-01-01T00:00:00Z');
    const to = at('2024-03-01T00:00:00Z');
    // Two months of hourly power and fuel, with a gap across a week boundary (2024-01-08 is a week in).
    const up = (t: number) => t < at('2024-01-07T20:00:00Z') || t > at('2024-01-08T05:00:00Z');
    svc.ingest(
      batch([
        ...series('Boiler1/Power', from, to, 5 * MIN, (t) => 20 + ((t / 3_600_000) % 5)).filter(([, t]) => up(t)),
        ...series('Boiler1/FuelFlow', from, to, 5 * MIN, () => 80),
      ]),
    );
    const count = (steps: Generator<void, unknown>) => {
      let n = 0;
      while (!steps.next().done) n++;
      return n;
    };
    const weeks = Math.ceil((to - from) / (7 * 86_400_000));
    const args = { from, to, groupBy: 'machine' as const };
    expect(count(svc.summarySteps(args))).toBeGreaterThanOrEqual(2 * weeks);
    expect(count(svc.seriesSteps({ ...args, period: 'day' }))).toBeGreaterThanOrEqual(2 * weeks);
    expect(count(svc.reportSteps({ period: 'quarter', start: '2024-01', format: 'csv' }))).toBeGreaterThanOrEqual(weeks);

    // Sliced through the handlers, the answers are those of the one-shot calls; the gap counts once.
    const h = esgHandlers(svc);
    const sliced = await h['esg.summary'](args, ctx);
    expect(sliced).toEqual(svc.summary(args));
    const boiler = sliced.groups.find((g) => g.machine === 'Boiler1');
    // One gap of 9 h (the samples either side bound it), counted once although it crosses a week boundary.
    expect(boiler?.coverage.gaps).toBe(1);
    expect(boiler?.coverage.gapMs).toBe(at('2024-01-08T05:05:00Z') - at('2024-01-07T19:55:00Z'));
    expect(await h['esg.series']({ ...args, period: 'day' }, ctx)).toEqual(svc.series({ ...args, period: 'day' }));
    const report = { period: 'quarter' as const, start: '2024-01', format: 'html' as const };
    expect(await h['esg.report'](report, ctx)).toEqual(svc.report(report));
  });
});
