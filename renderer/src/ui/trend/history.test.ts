import { describe, expect, it } from 'vitest';
import type { TagInfo } from '../../../../native/api/types';
import { Ring } from '../../platform/live';
import { toCsv } from './export';
import { gridFromSeries, loadHistory } from './history';

const tag = (id: number, name: string, unit = 'bar'): TagInfo => ({
  id,
  name,
  site: 'S',
  area: 'A',
  machine: 'M',
  unit,
  description: '',
  dataType: 'float',
  connection: 'c',
  address: '',
  rangeLo: 0,
  rangeHi: 10,
  writable: false,
  writeMin: null,
  writeMax: null,
  expectedPeriodMs: 1000,
});

describe('history data', () => {
  const pens = [tag(0, 'S/A/M/P'), tag(1, 'S/A/M/T', '°C')];
  const range = { from: 0, to: 10_000 };

  it('puts the historian’s bucket extremes onto the chart’s pixel grid', () => {
    const h = gridFromSeries(
      [{ tag: 'S/A/M/P', ts: [0, 5000], v: [1, 2], min: [0.5, 1.5], max: [4, 2.5], source: 'rollup-1m' }],
      pens,
      range,
      2,
    );
    expect(h.source).toBe('rollup-1m');
    expect(Array.from(h.data.x)).toEqual([0, 2.5, 5, 7.5]);
    expect(h.data.ys[0]).toEqual([0.5, 4, 1.5, 2.5]);
    expect(h.data.ys[1]?.every((v) => v === null || v === undefined)).toBe(true);
    expect(h.rows()).toHaveLength(2);
    expect(h.points).toBe(2);
  });

  it('falls back to the live rings, saying why, when the historian cannot answer', async () => {
    const ring = new Ring(16);
    ring.push(1000, 3);
    ring.push(9000, 4);
    ring.push(12_000, 99);
    const h = await loadHistory(() => Promise.reject(new Error('unknown request "history.query"')), [ring, undefined], pens, range, 2);
    expect(h.source).toBe('live buffer');
    // errorText words it as a sentence (capitalised); the reason is what matters.
    expect(h.note).toMatch(/unknown request/i);
    expect(h.data.ys[0]).toEqual([3, 3, 4, 4]);
    expect(h.rows().map((r) => r.v)).toEqual([3, 4]);
  });

  it('asks the historian for the pens, the range and one point per pixel', async () => {
    let asked: unknown;
    await loadHistory(
      async (args) => {
        asked = args;
        return [];
      },
      [],
      pens,
      range,
      640,
    );
    expect(asked).toEqual({ tags: ['S/A/M/P', 'S/A/M/T'], from: 0, to: 10_000, maxPoints: 640 });
  });
});

describe('CSV export', () => {
  it('writes one row per sample in time order, quoting where needed', () => {
    const csv = toCsv([
      { t: 2000, tag: 'b', unit: 'bar', v: 2, min: null, max: null },
      { t: 1000, tag: 'a,"x"', unit: '°C', v: null, min: 1, max: 3 },
    ]);
    expect(csv).toBe('time,tag,unit,value,min,max\n1970-01-01T00:00:01.000Z,"a,""x""",°C,,1,3\n1970-01-01T00:00:02.000Z,b,bar,2,,\n');
  });
});
