// Values ↔ 16-bit Modbus registers, for every data type and per-device byte/word order.
//
// Orders name where the bytes A (most significant) … D of a 32-bit value land:
//   ABCD  big-endian, the Modicon standard: first register AB, second CD
//   CDAB  word swap ("first word low"): first register CD, second AB
//   BADC  byte swap within each register: BA, DC
//   DCBA  little-endian: DC, BA
// For 64-bit values the same two switches apply to four registers (word swap reverses all four).
// Byte swap also applies to 16-bit values and to string characters, as devices that swap bytes
// swap them in every register; word swap never reorders a string's characters.
// Strings carry stringLength bytes, two per register, NUL-padded; they decode up to the first NUL.
export type ModbusDataType = 'bool' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64' | 'string';
export type WordOrder = 'ABCD' | 'CDAB' | 'BADC' | 'DCBA';

export class ModbusCodecError extends Error {
  override name = 'ModbusCodecError';
}

const WIDTH: Record<Exclude<ModbusDataType, 'string'>, number> = {
  bool: 1,
  int16: 1,
  uint16: 1,
  int32: 2,
  uint32: 2,
  float32: 2,
  float64: 4,
};

const RANGE: Partial<Record<ModbusDataType, [number, number]>> = {
  int16: [-0x8000, 0x7fff],
  uint16: [0, 0xffff],
  int32: [-0x80000000, 0x7fffffff],
  uint32: [0, 0xffffffff],
};

// One scratch buffer: decoding on the poll path allocates nothing.
const scratch = new DataView(new ArrayBuffer(8));
const utf8 = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

const wordSwapped = (order: WordOrder) => order === 'CDAB' || order === 'DCBA';
const byteSwapped = (order: WordOrder) => order === 'BADC' || order === 'DCBA';

function stringRegisters(stringLength: number | undefined): number {
  if (stringLength === undefined || !Number.isInteger(stringLength) || stringLength < 1)
    throw new ModbusCodecError(`string needs a positive integer stringLength (bytes), got ${stringLength}`);
  return Math.ceil(stringLength / 2);
}

export function registerCount(type: ModbusDataType, stringLength?: number): number {
  return type === 'string' ? stringRegisters(stringLength) : WIDTH[type];
}

/** Put `words` registers starting at regs[index] into scratch in canonical big-endian order. */
function load(regs: ArrayLike<number>, index: number, words: number, order: WordOrder): void {
  const swapWords = wordSwapped(order);
  const swapBytes = byteSwapped(order);
  for (let i = 0; i < words; i++) {
    const reg = regs[index + (swapWords ? words - 1 - i : i)] as number;
    scratch.setUint16(i * 2, swapBytes ? ((reg & 0xff) << 8) | ((reg >> 8) & 0xff) : reg & 0xffff);
  }
}

/** The inverse of load: scratch's first `words` big-endian words as registers in device order. */
function store(words: number, order: WordOrder): number[] {
  const swapWords = wordSwapped(order);
  const swapBytes = byteSwapped(order);
  const out = new Array<number>(words);
  for (let i = 0; i < words; i++) {
    const w = scratch.getUint16(i * 2);
    out[swapWords ? words - 1 - i : i] = swapBytes ? ((w & 0xff) << 8) | (w >> 8) : w;
  }
  return out;
}

export function decodeRegisters(
  regs: ArrayLike<number>,
  index: number,
  type: ModbusDataType,
  order: WordOrder,
  stringLength?: number,
): number | string {
  const count = registerCount(type, stringLength);
  if (!Number.isInteger(index) || index < 0 || index + count > regs.length)
    throw new ModbusCodecError(`${type} at register ${index} needs ${count} register(s); ${regs.length} available`);
  if (type === 'string') return decodeString(regs, index, count, order, stringLength as number);
  load(regs, index, count, order);
  switch (type) {
    case 'bool':
      return scratch.getUint16(0) === 0 ? 0 : 1;
    case 'int16':
      return scratch.getInt16(0);
    case 'uint16':
      return scratch.getUint16(0);
    case 'int32':
      return scratch.getInt32(0);
    case 'uint32':
      return scratch.getUint32(0);
    case 'float32':
      return scratch.getFloat32(0);
    default:
      return scratch.getFloat64(0);
  }
}

function decodeString(regs: ArrayLike<number>, index: number, count: number, order: WordOrder, stringLength: number): string {
  const bytes = new Uint8Array(count * 2);
  const swap = byteSwapped(order);
  for (let i = 0; i < count; i++) {
    const reg = regs[index + i] as number;
    const hi = (reg >> 8) & 0xff;
    const lo = reg & 0xff;
    bytes[2 * i] = swap ? lo : hi;
    bytes[2 * i + 1] = swap ? hi : lo;
  }
  const end = bytes.subarray(0, stringLength).indexOf(0);
  return utf8.decode(bytes.subarray(0, end === -1 ? stringLength : end));
}

export function encodeRegisters(value: number | string, type: ModbusDataType, order: WordOrder, stringLength?: number): number[] {
  if (type === 'string') return encodeString(String(value), order, stringLength);
  if (typeof value !== 'number') throw new ModbusCodecError(`${type} needs a number, got ${JSON.stringify(value)}`);
  const n = value;
  const words = WIDTH[type];
  const range = RANGE[type];
  if (range) {
    const int = Math.round(n);
    if (!Number.isFinite(int) || int < range[0] || int > range[1])
      throw new ModbusCodecError(`${value} is outside the ${type} range ${range[0]}…${range[1]}`);
    if (type === 'int16') scratch.setInt16(0, int);
    else if (type === 'uint16') scratch.setUint16(0, int);
    else if (type === 'int32') scratch.setInt32(0, int);
    else scratch.setUint32(0, int);
  } else if (type === 'bool') scratch.setUint16(0, n !== 0 ? 1 : 0);
  else if (type === 'float32') scratch.setFloat32(0, n);
  else scratch.setFloat64(0, n);
  return store(words, order);
}

function encodeString(text: string, order: WordOrder, stringLength: number | undefined): number[] {
  const count = stringRegisters(stringLength);
  const bytes = utf8Encoder.encode(text);
  if (bytes.length > (stringLength as number))
    throw new ModbusCodecError(`"${text}" is ${bytes.length} bytes; the tag holds ${stringLength}`);
  const swap = byteSwapped(order);
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    const a = bytes[2 * i] ?? 0;
    const b = bytes[2 * i + 1] ?? 0;
    out[i] = swap ? (b << 8) | a : (a << 8) | b;
  }
  return out;
}

/** A decoded number as the console shows it: a float32 carries about 7 significant digits; showing more would be noise, not precision. */
export function shownValue(type: ModbusDataType, n: number): number {
  return type === 'float32' ? Number(n.toPrecision(7)) : n;
}

/** One reading of the registers at an address: what a tag of this type and order would show. */
export interface DecodeRow {
  type: Exclude<ModbusDataType, 'bool' | 'string'>;
  order: WordOrder;
  /** null when the type needs more registers than were read, or the bits are no finite number. */
  value: number | null;
  problem: string | null;
}

const TABLE_TYPES = ['int16', 'uint16', 'int32', 'uint32', 'float32', 'float64'] as const;
const ORDERS: readonly WordOrder[] = ['ABCD', 'CDAB', 'BADC', 'DCBA'];

/**
 * The registers read as every numeric type in every byte/word order, for the engineer who does not
 * know the device's. A one-register type has no word order: only ABCD and BADC (bytes swapped) are listed.
 */
export function decodeTableRows(regs: readonly number[]): DecodeRow[] {
  const rows: DecodeRow[] = [];
  for (const type of TABLE_TYPES) {
    const width = WIDTH[type];
    for (const order of width === 1 ? (['ABCD', 'BADC'] as const) : ORDERS) {
      if (regs.length < width) {
        rows.push({ type, order, value: null, problem: `needs ${width} registers; the device answered ${regs.length} from this address` });
        continue;
      }
      const v = decodeRegisters(regs, 0, type, order) as number;
      if (!Number.isFinite(v)) rows.push({ type, order, value: null, problem: `not a finite number (${v})` });
      else rows.push({ type, order, value: shownValue(type, v), problem: null });
    }
  }
  return rows;
}
