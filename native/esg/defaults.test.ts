import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { TagInfo } from '../api/types.js';
import { openSqlite } from '../util/sqlite.js';
import { esgConfigSchema } from './config.js';
import { readFactorFiles } from './factors.js';
import { DEFAULT_FACTORS_DIR, openEsg } from './service.js';

const DOC = fileURLToPath(new URL('../../docs/esg.md', import.meta.url));

const UNITS: Record<string, string> = {
  Power: 'kW',
  Flow: 'm³/h',
  FuelFlow: 'Nm³/h',
  FeedwaterFlow: 'm³/h',
  EnergyTotal: 'kWh',
  UnitsProduced: 'units',
  Running: '',
};

describe('shipped defaults and the documented example', () => {
  it('loads every default factor file, each factor marked as a default with a source', () => {
    const factors = readFactorFiles(DEFAULT_FACTORS_DIR);
    expect(factors.length).toBeGreaterThanOrEqual(7);
    for (const f of factors) {
      expect(f.isDefault).toBe(true);
      expect(f.source.length).toBeGreaterThan(10);
    }
    // Natural gas, by gas: 56,100 kg CO2/TJ × 36.0 MJ/Nm³.
    expect(factors.find((f) => f.id === 'fuel.natural-gas.stationary')?.co2).toBeCloseTo(56_100e-6 * 36, 9);
  });

  it('opens the example esg block of docs/esg.md against the demo tag names and the default factors', () => {
    const block = /```yaml\n(esg:[\s\S]*?)```/.exec(readFileSync(DOC, 'utf8'))?.[1];
    expect(block).toBeDefined();
    const config = esgConfigSchema.parse((parse(block as string) as { esg: unknown }).esg);
    const tags: TagInfo[] = config.meters.map((m, id) => {
      const [site, area, machine, name] = m.tag.split('/') as [string, string, string, string];
      return {
        id,
        name: m.tag,
        site,
        area,
        machine,
        unit: UNITS[name] ?? '',
        description: '',
        dataType: 'float',
        connection: 'x',
        address: '',
        rangeLo: null,
        rangeHi: null,
        writable: false,
        writeMin: null,
        writeMax: null,
        expectedPeriodMs: 500,
      };
    });
    const dir = mkdtempSync(path.join(tmpdir(), 'aurum-esg-doc-'));
    const db = openSqlite(path.join(dir, 'esg.db'));
    try {
      const svc = openEsg({ db, tags, config, timeZone: 'UTC', now: () => Date.parse('2024-06-01T00:00:00Z') });
      expect(svc.factors().every((f) => f.isDefault)).toBe(true);
      svc.close();
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
