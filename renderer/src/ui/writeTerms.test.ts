import { describe, expect, it } from 'vitest';
import type { TagInfo } from '../../../native/api/types';
import { numberProblem, valueInTerms } from './writeTerms';

const base: TagInfo = {
  id: 1,
  name: 'Plant/Water/Pump101/Speed',
  site: 'Plant',
  area: 'Water',
  machine: 'Pump101',
  unit: 'rpm',
  description: '',
  dataType: 'int',
  connection: 'c',
  address: 'x',
  rangeLo: null,
  rangeHi: null,
  writable: true,
  writeMin: 0,
  writeMax: 3000,
  expectedPeriodMs: 1000,
};
const run: TagInfo = {
  ...base,
  name: 'Plant/Water/Pump101/RunCommand',
  dataType: 'bool',
  unit: '',
  writeMin: null,
  writeMax: null,
  states: [
    { value: false, label: 'Stop' },
    { value: true, label: 'Start' },
  ],
};
const mode: TagInfo = {
  ...base,
  name: 'Plant/Water/Pump101/Mode',
  unit: '',
  writeMin: null,
  writeMax: null,
  states: [
    { value: 0, label: 'Off' },
    { value: 1, label: 'Auto' },
    { value: 2, label: 'Manual' },
  ],
};

describe('values in the tag’s terms', () => {
  it('names boolean and enumeration values by their states, whether live (0/1) or as written (true)', () => {
    expect(valueInTerms(run, true)).toBe('Start');
    expect(valueInTerms(run, 0)).toBe('Stop');
    expect(valueInTerms(mode, 2)).toBe('Manual');
    expect(valueInTerms(run, Number.NaN)).toBe('—');
    expect(valueInTerms(run, null)).toBe('—');
  });

  it('shows numbers with their unit', () => {
    expect(valueInTerms(base, 1200)).toBe('1,200 rpm');
  });
});

describe('numberProblem', () => {
  it('accepts a number within the limits', () => {
    expect(numberProblem(base, '1500')).toBeNull();
    expect(numberProblem({ ...base, dataType: 'float' }, '-1.5e2')).toBe('-1.5e2 is outside 0–3000 rpm');
  });

  it('refuses text, fractions for an integer tag and values outside the limits before sending', () => {
    expect(numberProblem(base, 'maybe')).toBe('"maybe" is not a number');
    expect(numberProblem(base, '12abc')).toBe('"12abc" is not a number');
    expect(numberProblem(base, '0x10')).toBe('"0x10" is not a number');
    expect(numberProblem(base, '3.7')).toBe('3.7 is not an integer: Speed takes whole numbers');
    expect(numberProblem(base, '3500')).toBe('3500 is outside 0–3000 rpm');
    expect(numberProblem(base, ' ')).toBe('Enter a value');
  });
});
