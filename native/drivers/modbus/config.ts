// The Modbus connection entry of the site file, the per-tag options, and the Modbus rules the one
// site-file validator applies. The driver resolves each tag with `resolveModbusPoint` below, and the
// validator calls the same function, so check-config refuses exactly what the driver would fail on.
import { z } from 'zod';
import type { TagDataType } from '../../api/types.js';
import { closest } from '../../util/describe.js';
import { reconnectSchema } from '../connection.js';
import type { ConnectionRules, SitePath } from '../site-rules.js';
import { type ModbusAddress, ModbusAddressError, type ModbusTable, parseModbusAddress } from './address.js';
import { type ModbusDataType, registerCount, type WordOrder } from './codec.js';

const WORD_ORDERS = ['ABCD', 'CDAB', 'BADC', 'DCBA'] as const;

export const modbusConnectionSchema = z
  .object({
    name: z.string().min(1),
    protocol: z.literal('modbus'),
    /** tcp: Modbus TCP (MBAP framing). rtu: serial line. rtu-over-tcp: RTU frames (with CRC) through a TCP socket, as serial-to-Ethernet converters pass them. */
    transport: z.enum(['tcp', 'rtu', 'rtu-over-tcp']).default('tcp'),
    /** TCP host (tcp, rtu-over-tcp), or "demo" for the built-in plant. */
    host: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65535).default(502),
    /** RTU serial settings. */
    serialPort: z.string().min(1).optional(),
    baudRate: z.number().int().min(300).max(4_000_000).default(19200),
    dataBits: z.literal([7, 8]).default(8),
    parity: z.enum(['none', 'even', 'odd']).default('even'),
    stopBits: z.literal([1, 2]).default(1),
    unitId: z.number().int().min(0).max(255).default(1),
    /** Byte/word order of 32/64-bit values on this device. */
    wordOrder: z.enum(WORD_ORDERS).default('ABCD'),
    /** Default poll period for tags without their own periodMs. */
    pollMs: z.number().int().min(20).max(3_600_000).default(1000),
    /** How long one request waits for its reply. */
    timeoutMs: z.number().int().min(50).max(30_000).default(1000),
    /** How often a request that got no reply is sent again before its tags turn Bad. */
    retries: z.number().int().min(0).max(5).default(1),
    /** Largest run of unused registers the planner reads through to save a request. */
    maxGap: z.number().int().min(0).max(100).default(10),
    reconnect: reconnectSchema,
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.transport === 'rtu' && !c.serialPort)
      ctx.addIssue({ code: 'custom', path: ['serialPort'], message: 'transport rtu needs "serialPort" (e.g. /dev/ttyUSB0 or COM3)' });
    if (c.transport !== 'rtu' && !c.host)
      ctx.addIssue({
        code: 'custom',
        path: ['host'],
        message: `transport ${c.transport} needs "host" (the device's or gateway's address)`,
      });
  });

export type ModbusConnectionConfig = z.output<typeof modbusConnectionSchema>;

export const MODBUS_TYPES = ['bool', 'int16', 'uint16', 'int32', 'uint32', 'float32', 'float64', 'string'] as const;

/** A tag's `options:` on a Modbus connection. Strict: a misspelt key is refused, never ignored. */
export const modbusTagOptionsSchema = z
  .object({
    /** How the registers are decoded; defaults follow the tag's type (int → int16, float → float32, bool → bool). */
    type: z.enum(MODBUS_TYPES).optional(),
    /** This tag's byte/word order, overriding the connection's. */
    wordOrder: z.enum(WORD_ORDERS).optional(),
    /** Bytes of a string (two per register). */
    stringLength: z.number().int().min(1).max(250).optional(),
    /** A bool tag that is one bit (0 = least significant) of a holding or input register. */
    bit: z.number().int().min(0).max(15).optional(),
  })
  .strict();

export type ModbusTagOptions = z.output<typeof modbusTagOptionsSchema>;

/** One tag resolved to what goes on the wire. */
export interface ModbusPoint {
  address: ModbusAddress;
  type: ModbusDataType;
  order: WordOrder;
  stringLength: number | undefined;
  /** Bit of a register for a bool tag, or null. */
  bit: number | null;
  /** Registers (or bits, for coils and discrete inputs) the tag occupies. */
  count: number;
}

/** A problem with one field of a tag; `field` is relative to the tag entry (['options', 'type']). */
export interface ModbusTagProblem {
  field: SitePath;
  message: string;
}

export interface ModbusTagInput {
  address: string;
  dataType: TagDataType;
  writable: boolean;
  options: Record<string, unknown>;
}

const TABLE_NAMES: Record<ModbusTable, string> = {
  coil: 'a coil (one bit)',
  discrete: 'a discrete input (one bit)',
  input: 'an input register',
  holding: 'a holding register',
};
const BIT_TABLE = (t: ModbusTable) => t === 'coil' || t === 'discrete';
const INTEGER_TYPES: readonly ModbusDataType[] = ['int16', 'uint16', 'int32', 'uint32'];
const NUMERIC_TYPES: readonly ModbusDataType[] = [...INTEGER_TYPES, 'float32', 'float64'];

function defaultType(dataType: TagDataType): ModbusDataType {
  return dataType === 'int' ? 'int16' : dataType === 'bool' ? 'bool' : dataType === 'string' ? 'string' : 'float32';
}

/**
 * Every problem with one tag on a Modbus connection, or the point the driver polls. Used by the
 * driver (which refuses to start a tag with problems) and by the site-file validator (which reports them).
 */
export function resolveModbusPoint(
  tag: ModbusTagInput,
  conn: Pick<ModbusConnectionConfig, 'wordOrder'>,
): { point: ModbusPoint | null; problems: ModbusTagProblem[] } {
  const problems: ModbusTagProblem[] = [];
  const problem = (field: SitePath, message: string) => problems.push({ field, message });

  let address: ModbusAddress | null = null;
  try {
    address = parseModbusAddress(tag.address);
  } catch (err) {
    problem(['address'], err instanceof ModbusAddressError ? err.message : `Modbus address "${tag.address}" cannot be read`);
  }

  const parsed = modbusTagOptionsSchema.safeParse(tag.options);
  let options: ModbusTagOptions = {};
  if (parsed.success) options = parsed.data;
  else {
    const known = Object.keys(modbusTagOptionsSchema.shape);
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys')
        for (const key of issue.keys) {
          const near = closest(key, known);
          problem(
            ['options', key],
            `unknown Modbus tag option "${key}": ${near ? `did you mean ${near}?` : `the options are ${known.join(', ')}`}`,
          );
        }
      else if (issue.code === 'invalid_value' && issue.path[0] === 'type') problem(['options', 'type'], typeMessage(tag.options.type));
      else if (issue.code === 'invalid_value' && issue.path[0] === 'wordOrder')
        problem(['options', 'wordOrder'], wordOrderMessage(tag.options.wordOrder));
      else problem(['options', ...(issue.path as SitePath)], optionMessage(String(issue.path[0]), tag.options[String(issue.path[0])]));
    }
    // Keep the options that did parse, so the checks below still say what else is wrong.
    for (const key of Object.keys(modbusTagOptionsSchema.shape) as (keyof ModbusTagOptions)[]) {
      const one = modbusTagOptionsSchema.shape[key].safeParse(tag.options[key]);
      if (one.success && one.data !== undefined) Object.assign(options, { [key]: one.data });
    }
  }
  if (!address || problems.some((p) => p.field[0] === 'options' && p.field[1] === 'type')) return { point: null, problems };

  const table = address.table;
  const where = `${tag.address} is ${TABLE_NAMES[table]}`;
  let type: ModbusDataType;
  let bit: number | null = null;
  if (BIT_TABLE(table)) {
    type = 'bool';
    if (options.type !== undefined && options.type !== 'bool')
      problem(['options', 'type'], `${where}: its only type is bool, not ${options.type}`);
    if (tag.dataType !== 'bool') problem(['type'], `${where}: the tag's type must be bool, but it is ${tag.dataType}`);
    if (options.bit !== undefined)
      problem(['options', 'bit'], `${where}: "bit" selects a bit of a register, and a coil or discrete input is already one bit`);
  } else {
    type = options.type ?? defaultType(tag.dataType);
    if (options.bit !== undefined) {
      bit = options.bit;
      if (tag.dataType !== 'bool')
        problem(['type'], `bit ${bit} of ${tag.address} is one bit: the tag's type must be bool, but it is ${tag.dataType}`);
      if (options.type !== undefined && options.type !== 'uint16')
        problem(
          ['options', 'type'],
          `bit ${bit} of ${tag.address} is read from one 16-bit register, so the type must be left out (or uint16), not ${options.type}`,
        );
      type = 'uint16';
      if (tag.writable)
        problem(
          ['writable'],
          `bit ${bit} of ${tag.address} cannot be written on its own (a read-modify-write would race the device); use a coil or a whole register`,
        );
    } else if (tag.dataType === 'bool' && type !== 'bool')
      problem(
        ['options', 'type'],
        `a bool tag on ${TABLE_NAMES[table]} is read as type bool (register non-zero) or one bit with "bit: 0…15", not as ${type}`,
      );
    else if (tag.dataType === 'string' && type !== 'string')
      problem(['options', 'type'], `a string tag needs options.type string, not ${type}`);
    else if (tag.dataType === 'int' && !INTEGER_TYPES.includes(type))
      problem(
        ['options', 'type'],
        `an int tag needs an integer type (${INTEGER_TYPES.join(', ')}), not ${type}; declare the tag float to read ${type}`,
      );
    else if (tag.dataType === 'float' && !NUMERIC_TYPES.includes(type))
      problem(['options', 'type'], `a float tag needs a numeric type (${NUMERIC_TYPES.join(', ')}), not ${type}`);
    if (type === 'string' && options.stringLength === undefined)
      problem(['options', 'stringLength'], 'a string needs options.stringLength (bytes, two per register)');
    if (type !== 'string' && options.stringLength !== undefined)
      problem(['options', 'stringLength'], `stringLength is only for type string (this tag is ${type})`);
  }
  if (tag.writable && (table === 'input' || table === 'discrete'))
    problem(
      ['writable'],
      `${where}, which Modbus makes read-only; a writable tag needs a holding register (4xxxx, hr:) or a coil (0xxxx, co:)`,
    );

  const count = type === 'string' ? registerCount('string', options.stringLength ?? 2) : BIT_TABLE(table) ? 1 : registerCount(type);
  if (address.offset + count > 65536) {
    const unit = BIT_TABLE(table) ? 'bit' : 'register';
    problem(
      ['address'],
      `${type} at ${tag.address} needs ${count} ${unit}s (offsets ${address.offset}–${address.offset + count - 1}), past the last one (65535)`,
    );
  }
  const point: ModbusPoint = {
    address,
    type,
    order: options.wordOrder ?? conn.wordOrder,
    stringLength: options.stringLength,
    bit,
    count,
  };
  return { point: problems.length === 0 ? point : null, problems };
}

function typeMessage(value: unknown): string {
  const aliases: Record<string, string> = {
    float: 'float32',
    double: 'float64',
    real: 'float32',
    int: 'int16',
    word: 'uint16',
    dword: 'uint32',
    short: 'int16',
    long: 'int32',
    boolean: 'bool',
    text: 'string',
  };
  const hint = typeof value === 'string' ? aliases[value.toLowerCase()] : undefined;
  return `Modbus type must be one of ${MODBUS_TYPES.join(', ')}, but it is ${JSON.stringify(value)}${hint ? `: did you mean ${hint}?` : ''}`;
}

function wordOrderMessage(value: unknown): string {
  const near = typeof value === 'string' ? closest(value, WORD_ORDERS) : undefined;
  return `Modbus word order must be one of ${WORD_ORDERS.join(', ')}, but it is ${JSON.stringify(value)}${near ? `: did you mean ${near}?` : ''}`;
}

function optionMessage(key: string, value: unknown): string {
  switch (key) {
    case 'stringLength':
      return `stringLength must be a whole number of bytes 1–250, but it is ${JSON.stringify(value)}`;
    case 'bit':
      return `bit must be a whole number 0–15 (0 = least significant), but it is ${JSON.stringify(value)}`;
    default:
      return `Modbus tag option ${key} is not valid: ${JSON.stringify(value)}`;
  }
}

/** The serial port options an RTU connection opens its port with. */
export function serialOptions(conn: ModbusConnectionConfig): {
  baudRate: number;
  dataBits: 7 | 8;
  parity: 'none' | 'even' | 'odd';
  stopBits: 1 | 2;
} {
  return { baudRate: conn.baudRate, dataBits: conn.dataBits, parity: conn.parity, stopBits: conn.stopBits };
}

/**
 * The Modbus rules the site-file validator (native/site/) applies to each Modbus connection and the
 * tags that use it, so check-config refuses what this driver would fail on at run time.
 */
export const modbusSiteRules: ConnectionRules<ModbusConnectionConfig> = (conn, connPath, tags, ctx) => {
  const serial = conn.transport === 'rtu' || conn.transport === 'rtu-over-tcp';
  if (serial && (conn.unitId === 0 || conn.unitId > 247))
    ctx.report(
      [...connPath, 'unitId'],
      `on an RTU line unit ${conn.unitId} ${conn.unitId === 0 ? 'is the broadcast address, which devices never answer' : 'is reserved'}; use 1–247`,
    );
  if (serial && conn.dataBits === 7)
    ctx.report(
      [...connPath, 'dataBits'],
      'Modbus RTU frames are 8-bit bytes; 7 data bits belong to Modbus ASCII, which this driver does not speak: use dataBits 8',
    );
  if (conn.transport !== 'rtu') {
    if (conn.serialPort !== undefined)
      ctx.report(
        [...connPath, 'serialPort'],
        `serialPort is only used with transport rtu (this connection is ${conn.transport}, over "host")`,
      );
  } else if (conn.host !== undefined)
    ctx.report([...connPath, 'host'], 'host is only used with transport tcp or rtu-over-tcp (this connection is rtu, over "serialPort")');
  for (const tag of tags) {
    const { problems } = resolveModbusPoint(tag, conn);
    for (const p of problems) ctx.report([...tag.path, ...p.field], `${tag.name}: ${p.message}`);
  }
};
