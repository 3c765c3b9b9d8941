import { describe, expect, it } from 'vitest';
import { formatNumber, formatValue, formatWithUnit } from './format';
import { testTag } from './test-tag';

describe('formatValue', () => {
  it('shows a value with its tag’s decimals, never 17 significant digits', () => {
    const t = testTag(0, 'S/A/M/Flow', { unit: 'm³/h', decimals: 1 });
    expect(formatValue(29.226919174194336, t)).toBe('29.2');
    expect(formatValue(1234.56, t)).toBe('1,234.6');
    expect(formatValue(7, testTag(1, 'S/A/M/Count', { dataType: 'int', decimals: 0 }))).toBe('7');
    expect(formatValue(0.123456, testTag(2, 'S/A/M/Ratio', { decimals: 3 }))).toBe('0.123');
  });

  it('shows a missing value as an em dash, never NaN', () => {
    const t = testTag(0, 'S/A/M/Flow', { decimals: 1 });
    for (const v of [Number.NaN, Number.POSITIVE_INFINITY, null, undefined, '']) expect(formatValue(v, t)).toBe('—');
    expect(formatWithUnit(Number.NaN, { ...t, unit: 'm³/h' })).toBe('—');
    expect(formatWithUnit(4.2, { ...t, unit: 'm³/h' })).toBe('4.2 m³/h');
  });

  it('names states and booleans', () => {
    const run = testTag(0, 'S/A/M/Run', {
      dataType: 'bool',
      states: [
        { value: false, label: 'Stop' },
        { value: true, label: 'Start' },
      ],
    });
    expect(formatValue(1, run)).toBe('Start');
    expect(formatValue(false, run)).toBe('Stop');
    expect(formatValue(1, testTag(1, 'S/A/M/Flag', { dataType: 'bool' }))).toBe('ON');
  });

  it('writes no sign on a value that rounds to zero', () => {
    expect(formatNumber(-0.04, 1)).toBe('0.0');
    expect(formatNumber(-0.06, 1)).toBe('-0.1');
  });
});
