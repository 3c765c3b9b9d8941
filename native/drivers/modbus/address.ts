// Modbus addresses as engineers write them, turned into (table, 0-based protocol offset).
//
// Accepted notations:
//   Modicon 5-digit, 1-based:  00001–09999 coils, 10001–19999 discrete inputs,
//                              30001–39999 input registers, 40001–49999 holding registers
//   Modicon 6-digit, 1-based:  000001–065536, 100001–165536, 300001–365536, 400001–465536
//   "x" notation, 1-based:     0x0001, 1x0001, 3x0001, 4x0001 (any number of digits after the x)
//   Explicit, 0-based:         co:3, di:7, ir:10, hr:0 — the colon is optional (HR0), case-insensitive,
//                              and the long names coil/discrete/input/holding work too.
// The length of a Modicon number decides its form: 40001 is holding offset 0, 400001 too.
export type ModbusTable = 'coil' | 'discrete' | 'input' | 'holding';

export interface ModbusAddress {
  table: ModbusTable;
  /** 0-based protocol offset, as sent on the wire. */
  offset: number;
}

export class ModbusAddressError extends Error {
  override name = 'ModbusAddressError';
}

const MAX_OFFSET = 65535;

const BY_DIGIT: Record<string, ModbusTable> = { '0': 'coil', '1': 'discrete', '3': 'input', '4': 'holding' };
const DIGIT_OF: Record<ModbusTable, string> = { coil: '0', discrete: '1', input: '3', holding: '4' };
const BY_NAME: Record<string, ModbusTable> = {
  co: 'coil',
  coil: 'coil',
  di: 'discrete',
  discrete: 'discrete',
  ir: 'input',
  input: 'input',
  hr: 'holding',
  holding: 'holding',
};

const EXPECTED =
  'expected Modicon 40001 / 400001 (1-based; first digit 0 coil, 1 discrete, 3 input, 4 holding), 4x0001 (1-based), or hr:0 / ir:0 / co:0 / di:0 (0-based)';

function fail(text: string, why: string): never {
  throw new ModbusAddressError(`Modbus address "${text}": ${why}; ${EXPECTED}`);
}

const FIRST_OF: Record<ModbusTable, string> = {
  coil: 'coil',
  discrete: 'discrete input',
  input: 'input register',
  holding: 'holding register',
};

function fromOneBased(text: string, table: ModbusTable, oneBased: number, max: number): ModbusAddress {
  if (oneBased < 1) fail(text, `register numbers in this notation start at 1: the first ${FIRST_OF[table]} is ${DIGIT_OF[table]}0001`);
  if (oneBased > max) fail(text, `register number ${oneBased} is above ${max}`);
  return { table, offset: oneBased - 1 };
}

export function parseModbusAddress(text: string): ModbusAddress {
  const s = text.trim();
  if (s === '') fail(text, 'empty');

  const modicon = /^([0134])(\d{4,5})$/.exec(s);
  if (modicon) {
    const table = BY_DIGIT[modicon[1] as string] as ModbusTable;
    const digits = modicon[2] as string;
    return fromOneBased(text, table, Number(digits), digits.length === 4 ? 9999 : MAX_OFFSET + 1);
  }
  if (/^\d+$/.test(s)) {
    if (s.length === 5 || s.length === 6) fail(text, `first digit ${s[0]} is not a Modbus table`);
    fail(text, `a plain number needs 5 or 6 digits, got ${s.length}`);
  }

  const xForm = /^([0134])x(\d+)$/i.exec(s);
  if (xForm) return fromOneBased(text, BY_DIGIT[xForm[1] as string] as ModbusTable, Number(xForm[2]), MAX_OFFSET + 1);

  const named = /^([a-z]+)\s*:?\s*(\d+)$/i.exec(s);
  if (named) {
    const table = BY_NAME[(named[1] as string).toLowerCase()];
    if (!table) fail(text, `unknown table "${named[1]}"`);
    const offset = Number(named[2]);
    if (offset > MAX_OFFSET) fail(text, `offset ${offset} is above ${MAX_OFFSET}`);
    return { table, offset };
  }
  return fail(text, 'not a recognised notation');
}

/** Modicon 1-based notation: 5 digits where the register number fits (40001), 6 otherwise (410000). */
export function formatModbusAddress(a: ModbusAddress): string {
  if (!Number.isInteger(a.offset) || a.offset < 0 || a.offset > MAX_OFFSET)
    throw new ModbusAddressError(`Modbus offset ${a.offset} is outside 0–${MAX_OFFSET}`);
  const n = a.offset + 1;
  return DIGIT_OF[a.table] + String(n).padStart(n <= 9999 ? 4 : 5, '0');
}
