import { describe, expect, it } from 'vitest';
import type { TagInfo } from '../../../native/api/types';
import { sameTags } from '../platform/sync';
import { limitState } from './format';
import { searchTags } from './search';

const t = (id: number, name: string, unit: string, description = ''): TagInfo => ({
  id,
  name,
  site: 'Demo',
  area: 'A',
  machine: 'M',
  unit,
  description,
  dataType: 'float',
  connection: 'plc',
  address: `ns=1;i=${id}`,
  rangeLo: 1,
  rangeHi: 5,
  writable: false,
  writeMin: null,
  writeMax: null,
  expectedPeriodMs: 1000,
});

const tags = [t(0, 'Demo/A/Pump1/Flow', 'm³/h', 'Outlet flow'), t(1, 'Demo/A/Pump1/BearingTemp', '°C'), t(2, 'Demo/A/Boiler/Flow', 't/h')];

describe('tag search', () => {
  it('matches every word in any field, ignoring case', () => {
    expect(searchTags(tags, 'flow').map((x) => x.id)).toEqual([0, 2]);
    expect(searchTags(tags, 'PUMP1 outlet').map((x) => x.id)).toEqual([0]);
    expect(searchTags(tags, '°c').map((x) => x.id)).toEqual([1]);
    expect(searchTags(tags, '  ')).toHaveLength(3);
    expect(searchTags(tags, 'nothing')).toHaveLength(0);
  });
});

describe('limit state', () => {
  it('says high or low outside the normal range', () => {
    const tag = tags[0] as TagInfo;
    expect([0.5, 1, 5, 5.5, Number.NaN].map((v) => limitState(v, tag))).toEqual(['low', 'normal', 'normal', 'high', 'none']);
  });
});

describe('resync', () => {
  it('keeps live history only when the tag table is the same', () => {
    expect(sameTags(tags, [...tags])).toBe(true);
    expect(sameTags(tags, tags.slice(1))).toBe(false);
    expect(sameTags(tags, [tags[0] as TagInfo, tags[2] as TagInfo, tags[1] as TagInfo])).toBe(false);
  });
});
