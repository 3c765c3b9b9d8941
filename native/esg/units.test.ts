import { describe, expect, it } from 'vitest';
import { conversionFactor, parseAmountUnit, parseRateUnit, UnitError } from './units.js';

describe('units', () => {
  it('turns rates into canonical units per second', () => {
    expect(parseRateUnit('kW')).toEqual({ kind: 'energy', canonical: 'kWh', perSecond: 1 / 3600 });
    expect(parseRateUnit('MW').perSecond).toBeCloseTo(1000 / 3600, 12);
    expect(parseRateUnit('W').perSecond).toBeCloseTo(0.001 / 3600, 15);
    expect(parseRateUnit('Nm³/h')).toEqual({ kind: 'normal-volume', canonical: 'Nm3', perSecond: 1 / 3600 });
    // 60 L/min = 1 L/s = 0.001 m³/s
    expect(parseRateUnit('L/min').perSecond * 60).toBeCloseTo(0.001, 12);
    expect(parseRateUnit('m3/h').canonical).toBe('m3');
    expect(parseRateUnit('t/h').perSecond).toBeCloseTo(1000 / 3600, 12);
  });

  it('converts amounts within a kind and refuses across kinds', () => {
    expect(conversionFactor('MWh', 'kWh')).toBe(1000);
    expect(conversionFactor('GJ', 'kWh')).toBeCloseTo(277.7777778, 6);
    expect(conversionFactor('kWh', 'MJ')).toBeCloseTo(3.6, 12);
    expect(conversionFactor('L', 'm³')).toBe(0.001);
    expect(conversionFactor('t', 'kg')).toBe(1000);
    expect(() => conversionFactor('Nm3', 'm3')).toThrow(UnitError);
    expect(() => conversionFactor('kg', 'L')).toThrow(UnitError);
    expect(() => parseAmountUnit('bar')).toThrow(UnitError);
    expect(() => parseRateUnit('m3')).toThrow(UnitError);
  });
});
