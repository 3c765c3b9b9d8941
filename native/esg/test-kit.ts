// Shared test fixtures: a small tag table, batches built from plain arrays, temp databases and
// factor folders with hand-picked numbers.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TagInfo } from '../api/types.js';
import type { SampleBatch } from '../tags/bus.js';
import { testTag } from '../tags/test-tag.js';
import { openSqlite } from '../util/sqlite.js';
import { type EsgConfigInput, esgConfigSchema } from './config.js';
import type { FactorInput } from './factors.js';
import { type EsgService, openEsg } from './service.js';

export const TAGS: TagInfo[] = [
  ['Plant/Utilities/Boiler1/Power', 'kW'],
  ['Plant/Utilities/Boiler1/FuelFlow', 'Nm³/h'],
  ['Plant/Utilities/Boiler1/FeedwaterFlow', 'm³/h'],
  ['Plant/Production/Line1/EnergyTotal', 'kWh'],
  ['Plant/Production/Line1/UnitsProduced', 'units'],
  ['Plant/Production/Line1/Running', ''],
  ['Plant/Production/Line1/Power', 'kW'],
].map(([name, unit], id) => testTag(id, name as string, { unit: unit as string, connection: 'test' }));

export const id = (name: string): number => {
  const t = TAGS.find((x) => x.name.endsWith(name));
  if (!t) throw new Error(`no test tag ${name}`);
  return t.id;
};

export function batch(samples: [tag: string, ts: number, v: number, q?: number][]): SampleBatch {
  return {
    length: samples.length,
    ids: Uint32Array.from(samples.map((s) => id(s[0]))),
    ts: Float64Array.from(samples.map((s) => s[1])),
    values: Float64Array.from(samples.map((s) => s[2])),
    quality: Uint8Array.from(samples.map((s) => s[3] ?? 0)),
  };
}

/** Samples of one tag every `stepMs` over [from, to], value from a function of time. */
export function series(tag: string, from: number, to: number, stepMs: number, v: (t: number) => number): [string, number, number][] {
  const out: [string, number, number][] = [];
  for (let t = from; t <= to; t += stepMs) out.push([tag, t, v(t)]);
  return out;
}

export const TEST_FACTORS: FactorInput[] = [
  {
    id: 'grid.test',
    version: 1,
    label: 'Test grid 2023',
    unit: 'kWh',
    validFrom: '2023-01-01T00:00:00Z',
    validTo: '2024-01-01T00:00:00Z',
    co2e: 0.5,
    gwpSet: 'AR5',
    source: 'hand-picked for tests',
  },
  {
    id: 'grid.test',
    version: 2,
    label: 'Test grid 2024',
    unit: 'kWh',
    validFrom: '2024-01-01T00:00:00Z',
    co2e: 0.4,
    gwpSet: 'AR5',
    source: 'hand-picked for tests',
  },
  {
    id: 'supplier.test',
    version: 1,
    label: 'Supplier',
    unit: 'MWh',
    validFrom: '2020-01-01T00:00:00Z',
    co2e: 100,
    gwpSet: 'AR5',
    source: 'hand-picked for tests',
  },
  {
    id: 'gas.test',
    version: 1,
    label: 'Gas',
    unit: 'Nm3',
    fuel: 'natural-gas',
    validFrom: '2020-01-01T00:00:00Z',
    gases: { co2: 2, ch4: 0.001, n2o: 0.0001 },
    source: 'hand-picked for tests',
  },
];

export interface Fixture {
  dir: string;
  dbFile: string;
  factorsDir: string;
  open(config: EsgConfigInput, opts?: { timeZone?: string; now?: () => number }): EsgService;
  writeFactors(factors: FactorInput[]): void;
  cleanup(): void;
}

export function fixture(): Fixture {
  const dir = mkdtempSync(path.join(tmpdir(), 'aurum-esg-'));
  const factorsDir = path.join(dir, 'factors');
  const dbFile = path.join(dir, 'esg.db');
  const open: { close(): void }[] = [];
  const f: Fixture = {
    dir,
    dbFile,
    factorsDir,
    writeFactors(factors) {
      mkdirSync(factorsDir, { recursive: true });
      writeFileSync(path.join(factorsDir, 'test.json'), JSON.stringify({ description: 'test', factors }));
    },
    open(config, opts = {}) {
      const db = openSqlite(dbFile);
      const svc = openEsg({
        db,
        tags: TAGS,
        config: esgConfigSchema.parse(config),
        factorsDir,
        timeZone: opts.timeZone ?? 'UTC',
        now: opts.now ?? (() => Date.parse('2030-01-01T00:00:00Z')),
      });
      open.push({
        close: () => {
          svc.close();
          db.close();
        },
      });
      return svc;
    },
    cleanup() {
      for (const o of open.splice(0)) o.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  f.writeFactors(TEST_FACTORS);
  return f;
}
