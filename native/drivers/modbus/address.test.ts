import { describe, expect, it } from 'vitest';
import { formatModbusAddress, ModbusAddressError, parseModbusAddress } from './address.js';

describe('parseModbusAddress', () => {
  it.each([
    ['00001', 'coil', 0],
    ['09999', 'coil', 9998],
    ['000001', 'coil', 0],
    ['065536', 'coil', 65535],
    ['10001', 'discrete', 0],
    ['100010', 'discrete', 9],
    ['30001', 'input', 0],
    ['30100', 'input', 99],
    ['365536', 'input', 65535],
    ['40001', 'holding', 0],
    ['49999', 'holding', 9998],
    ['400001', 'holding', 0],
    ['410000', 'holding', 9999],
    ['465536', 'holding', 65535],
    ['4x0001', 'holding', 0],
    ['4X10', 'holding', 9],
    ['3x0005', 'input', 4],
    ['0x1', 'coil', 0],
    ['1x0002', 'discrete', 1],
    ['hr:0', 'holding', 0],
    ['HR0', 'holding', 0],
    ['ir:10', 'input', 10],
    ['co:3', 'coil', 3],
    ['di:7', 'discrete', 7],
    ['holding:65535', 'holding', 65535],
    [' Input : 12 ', 'input', 12],
  ] as const)('%s → %s %i', (text, table, offset) => {
    expect(parseModbusAddress(text)).toEqual({ table, offset });
  });

  it.each([
    ['', /empty/],
    ['40000', /start at 1/],
    ['400000', /start at 1/],
    ['465537', /above 65536/],
    ['20001', /first digit 2/],
    ['4001', /5 or 6 digits/],
    ['4000001', /5 or 6 digits/],
    ['hr:65536', /above 65535/],
    ['xx:1', /unknown table "xx"/],
    ['hr:-1', /not a recognised notation/],
    ['4x0', /start at 1/],
    ['ns=2;s=Pump', /not a recognised notation/],
  ])('rejects %j with a clear message', (text, why) => {
    let caught: unknown;
    try {
      parseModbusAddress(text);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ModbusAddressError);
    expect((caught as Error).message).toMatch(why);
    expect((caught as Error).message).toContain(`"${text}"`);
  });
});

describe('formatModbusAddress', () => {
  it('writes 5-digit Modicon where the register number fits, 6-digit above', () => {
    expect(formatModbusAddress({ table: 'holding', offset: 0 })).toBe('40001');
    expect(formatModbusAddress({ table: 'coil', offset: 0 })).toBe('00001');
    expect(formatModbusAddress({ table: 'discrete', offset: 9998 })).toBe('19999');
    expect(formatModbusAddress({ table: 'input', offset: 9999 })).toBe('310000');
    expect(formatModbusAddress({ table: 'holding', offset: 65535 })).toBe('465536');
  });

  it('round-trips every table at the edges of both forms', () => {
    for (const table of ['coil', 'discrete', 'input', 'holding'] as const)
      for (const offset of [0, 1, 9998, 9999, 10000, 65535])
        expect(parseModbusAddress(formatModbusAddress({ table, offset }))).toEqual({ table, offset });
  });

  it('rejects offsets outside the protocol range', () => {
    expect(() => formatModbusAddress({ table: 'holding', offset: 65536 })).toThrow(ModbusAddressError);
    expect(() => formatModbusAddress({ table: 'holding', offset: -1 })).toThrow(ModbusAddressError);
  });
});
