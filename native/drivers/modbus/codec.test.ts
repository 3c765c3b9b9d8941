import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRegisters, encodeRegisters, ModbusCodecError, type ModbusDataType, registerCount, type WordOrder } from './codec.js';

const ORDERS: readonly WordOrder[] = ['ABCD', 'CDAB', 'BADC', 'DCBA'];

/** Big-endian words of a buffer: the canonical ABCD register image, computed with Node's own Buffer. */
function words(buf: Buffer): number[] {
  const out: number[] = [];
  for (let i = 0; i < buf.length; i += 2) out.push(buf.readUInt16BE(i));
  return out;
}

describe('registerCount', () => {
  it('knows each type’s width', () => {
    const widths: [ModbusDataType, number][] = [
      ['bool', 1],
      ['int16', 1],
      ['uint16', 1],
      ['int32', 2],
      ['uint32', 2],
      ['float32', 2],
      ['float64', 4],
    ];
    for (const [type, n] of widths) expect(registerCount(type)).toBe(n);
    expect(registerCount('string', 1)).toBe(1);
    expect(registerCount('string', 10)).toBe(5);
    expect(registerCount('string', 11)).toBe(6);
    expect(() => registerCount('string')).toThrow(/stringLength/);
  });
});

describe('known vectors', () => {
  // 123.456f = 0x42F6E979; 0x12345678; -2 = 0xFFFFFFFE; π = 0x400921FB54442D18.
  const vectors: { type: ModbusDataType; value: number; regs: Record<WordOrder, number[]> }[] = [
    {
      type: 'float32',
      value: Math.fround(123.456),
      regs: { ABCD: [0x42f6, 0xe979], CDAB: [0xe979, 0x42f6], BADC: [0xf642, 0x79e9], DCBA: [0x79e9, 0xf642] },
    },
    {
      type: 'uint32',
      value: 0x12345678,
      regs: { ABCD: [0x1234, 0x5678], CDAB: [0x5678, 0x1234], BADC: [0x3412, 0x7856], DCBA: [0x7856, 0x3412] },
    },
    {
      type: 'int32',
      value: -2,
      regs: { ABCD: [0xffff, 0xfffe], CDAB: [0xfffe, 0xffff], BADC: [0xffff, 0xfeff], DCBA: [0xfeff, 0xffff] },
    },
    {
      type: 'float64',
      value: Math.PI,
      regs: {
        ABCD: [0x4009, 0x21fb, 0x5444, 0x2d18],
        CDAB: [0x2d18, 0x5444, 0x21fb, 0x4009],
        BADC: [0x0940, 0xfb21, 0x4454, 0x182d],
        DCBA: [0x182d, 0x4454, 0xfb21, 0x0940],
      },
    },
    { type: 'int16', value: -1, regs: { ABCD: [0xffff], CDAB: [0xffff], BADC: [0xffff], DCBA: [0xffff] } },
    { type: 'int16', value: -300, regs: { ABCD: [0xfed4], CDAB: [0xfed4], BADC: [0xd4fe], DCBA: [0xd4fe] } },
    { type: 'uint16', value: 0x1234, regs: { ABCD: [0x1234], CDAB: [0x1234], BADC: [0x3412], DCBA: [0x3412] } },
    { type: 'bool', value: 1, regs: { ABCD: [1], CDAB: [1], BADC: [0x0100], DCBA: [0x0100] } },
  ];
  for (const v of vectors)
    for (const order of ORDERS)
      it(`${v.type} ${v.value} in ${order}`, () => {
        expect(encodeRegisters(v.value, v.type, order)).toEqual(v.regs[order]);
        expect(decodeRegisters([0xaaaa, ...v.regs[order], 0xbbbb], 1, v.type, order)).toBe(v.value);
      });

  it('strings: two characters per register, NUL padded, byte swap per register, no word swap', () => {
    expect(encodeRegisters('ABC', 'string', 'ABCD', 4)).toEqual([0x4142, 0x4300]);
    expect(encodeRegisters('ABC', 'string', 'CDAB', 4)).toEqual([0x4142, 0x4300]);
    expect(encodeRegisters('ABC', 'string', 'BADC', 4)).toEqual([0x4241, 0x0043]);
    expect(encodeRegisters('ABC', 'string', 'DCBA', 5)).toEqual([0x4241, 0x0043, 0]);
    expect(decodeRegisters([0x5055, 0x4d50, 0x2d31], 0, 'string', 'ABCD', 6)).toBe('PUMP-1');
    expect(decodeRegisters([0x5055, 0x4d50, 0x2d31], 0, 'string', 'ABCD', 5)).toBe('PUMP-');
    expect(decodeRegisters([0x5550, 0x504d, 0x312d], 0, 'string', 'DCBA', 6)).toBe('PUMP-1');
    expect(decodeRegisters([0x4f4b, 0, 0x4142], 0, 'string', 'ABCD', 6)).toBe('OK');
  });

  it('decodes any non-zero register as true', () => {
    expect(decodeRegisters([0x8000], 0, 'bool', 'ABCD')).toBe(1);
    expect(decodeRegisters([0], 0, 'bool', 'DCBA')).toBe(0);
  });
});

describe('agrees with Node Buffer for every order', () => {
  // The reference image for each order is built from Buffer's BE/LE writers, independently of the codec.
  function reference(type: ModbusDataType, value: number, order: WordOrder): number[] {
    const size = registerCount(type) * 2;
    const be = Buffer.alloc(size);
    if (type === 'int16') be.writeInt16BE(value);
    else if (type === 'uint16') be.writeUInt16BE(value);
    else if (type === 'int32') be.writeInt32BE(value);
    else if (type === 'uint32') be.writeUInt32BE(value);
    else if (type === 'float32') be.writeFloatBE(value);
    else be.writeDoubleBE(value);
    const w = words(be);
    const wordSwapped = order === 'CDAB' || order === 'DCBA' ? w.reverse() : w;
    return order === 'BADC' || order === 'DCBA' ? wordSwapped.map((x) => ((x & 0xff) << 8) | (x >> 8)) : wordSwapped;
  }
  const cases: [ModbusDataType, fc.Arbitrary<number>][] = [
    ['int16', fc.integer({ min: -0x8000, max: 0x7fff })],
    ['uint16', fc.integer({ min: 0, max: 0xffff })],
    ['int32', fc.integer({ min: -0x80000000, max: 0x7fffffff })],
    ['uint32', fc.integer({ min: 0, max: 0xffffffff })],
    ['float32', fc.float({ noNaN: true })],
    ['float64', fc.double({ noNaN: true })],
  ];
  for (const [type, arb] of cases)
    it(`${type}: encode matches the reference and decode inverts it`, () => {
      fc.assert(
        fc.property(arb, fc.constantFrom(...ORDERS), (value, order) => {
          const regs = encodeRegisters(value, type, order);
          expect(regs).toEqual(reference(type, value, order));
          expect(Object.is(decodeRegisters(regs, 0, type, order), value)).toBe(true);
        }),
        { numRuns: 300 },
      );
    });

  it('string round trips for ASCII text up to the declared length', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20, unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) }),
        fc.constantFrom(...ORDERS),
        (text, order) => {
          const regs = encodeRegisters(text, 'string', order, 20);
          expect(regs).toHaveLength(10);
          expect(decodeRegisters(regs, 0, 'string', order, 20)).toBe(text);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('NaN and infinities survive float round trips', () => {
    for (const order of ORDERS)
      for (const type of ['float32', 'float64'] as const)
        for (const v of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0])
          expect(Object.is(decodeRegisters(encodeRegisters(v, type, order), 0, type, order), v)).toBe(true);
  });
});

describe('errors', () => {
  it('rejects out-of-range integers instead of wrapping them', () => {
    expect(() => encodeRegisters(32768, 'int16', 'ABCD')).toThrow(/outside the int16 range/);
    expect(() => encodeRegisters(-1, 'uint16', 'ABCD')).toThrow(ModbusCodecError);
    expect(() => encodeRegisters(2 ** 32, 'uint32', 'ABCD')).toThrow(ModbusCodecError);
    expect(() => encodeRegisters(Number.NaN, 'int32', 'ABCD')).toThrow(ModbusCodecError);
    expect(() => encodeRegisters('12', 'int16', 'ABCD')).toThrow(/needs a number/);
  });

  it('rounds fractional values for integer types', () => {
    expect(encodeRegisters(12.6, 'int16', 'ABCD')).toEqual([13]);
  });

  it('rejects strings longer than the tag', () => {
    expect(() => encodeRegisters('TOO LONG', 'string', 'ABCD', 4)).toThrow(/8 bytes; the tag holds 4/);
  });

  it('rejects reads past the end of the register block', () => {
    expect(() => decodeRegisters([1, 2, 3], 2, 'float32', 'ABCD')).toThrow(/needs 2 register/);
    expect(() => decodeRegisters([1], -1, 'int16', 'ABCD')).toThrow(ModbusCodecError);
  });
});
