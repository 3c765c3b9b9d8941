import { describe, expect, it } from 'vitest';
import type { TagInfo } from '../../../../native/api/types';
import { changesOf, draftOf } from './tagEdit';

const tag: TagInfo = {
  id: 1,
  name: 'S/A/M/T',
  site: 'S',
  area: 'A',
  machine: 'M',
  unit: '°C',
  description: 'Bearing',
  dataType: 'float',
  connection: 'c',
  address: 'x',
  rangeLo: 20,
  rangeHi: 75,
  writable: false,
  writeMin: null,
  writeMax: null,
  expectedPeriodMs: 1000,
};

describe('tag edit', () => {
  it('sends only what changed', () => {
    expect(changesOf(tag, { ...draftOf(tag), rangeHi: '80' })).toEqual({ changes: { range: [20, 80] } });
    expect(changesOf(tag, { ...draftOf(tag), description: 'Drive-end bearing', writable: true, writeMin: '0', writeMax: '1' })).toEqual({
      changes: { description: 'Drive-end bearing', writable: true, writeLimits: [0, 1] },
    });
    expect(changesOf(tag, { ...draftOf(tag), rangeLo: '', rangeHi: '' })).toEqual({ changes: { range: null } });
  });

  it('refuses input that is not a number, and an edit that changes nothing', () => {
    expect(changesOf(tag, { ...draftOf(tag), rangeHi: 'hot' })).toEqual({
      error: 'Normal range: give both ends as numbers, or leave both empty',
    });
    expect(changesOf(tag, { ...draftOf(tag), rangeLo: '' })).toHaveProperty('error');
    expect(changesOf(tag, draftOf(tag))).toEqual({ error: 'Nothing changed' });
  });

  it('leaves value rules to the core: a reversed range is sent as typed', () => {
    expect(changesOf(tag, { ...draftOf(tag), rangeLo: '90', rangeHi: '10' })).toEqual({ changes: { range: [90, 10] } });
  });
});
