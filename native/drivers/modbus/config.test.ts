// The Modbus rules one tag must pass, shared by the driver (which refuses to poll a tag with
// problems) and the site-file validator (which reports them); and the RTU settings as they reach
// the serial port. There is no serial hardware here: the test checks the options object the port
// is opened with, which is what modbus-serial hands to the serialport package.
import { describe, expect, it } from 'vitest';
import type { DriverTag } from '../driver.js';
import { busFor } from '../test-support.js';
import { modbusConnectionSchema, resolveModbusPoint, serialOptions } from './config.js';
import { createModbusDriver, ModbusConfigError } from './driver.js';

const conn = { wordOrder: 'ABCD' as const };
const problemsOf = (
  address: string,
  dataType: 'float' | 'int' | 'bool' | 'string',
  options: Record<string, unknown> = {},
  writable = false,
) => resolveModbusPoint({ address, dataType, writable, options }, conn).problems.map((p) => `${p.field.join('.')}: ${p.message}`);

describe('resolveModbusPoint', () => {
  it('accepts every register kind with a type that fits it', () => {
    expect(problemsOf('40001', 'float', { type: 'float32', wordOrder: 'CDAB' })).toEqual([]);
    expect(problemsOf('hr:65534', 'float', { type: 'float32' })).toEqual([]);
    expect(problemsOf('hr:65532', 'float', { type: 'float64' })).toEqual([]);
    expect(problemsOf('30001', 'int', { type: 'uint32' })).toEqual([]);
    expect(problemsOf('00001', 'bool', {}, true)).toEqual([]);
    expect(problemsOf('10001', 'bool')).toEqual([]);
    expect(problemsOf('40001', 'bool', { bit: 15 })).toEqual([]);
    expect(problemsOf('40001', 'bool', {}, true)).toEqual([]);
    expect(problemsOf('40001', 'string', { type: 'string', stringLength: 8 })).toEqual([]);
    const { point } = resolveModbusPoint({ address: '40001', dataType: 'float', writable: false, options: { type: 'float64' } }, conn);
    expect(point).toMatchObject({ address: { table: 'holding', offset: 0 }, type: 'float64', order: 'ABCD', count: 4, bit: null });
  });

  it.each([
    ['40000', 'float', {}, false, /^address: .*start at 1: the first holding register is 40001/],
    ['hr:65536', 'float', {}, false, /^address: .*offset 65536 is above 65535/],
    ['hr:65535', 'float', { type: 'float32' }, false, /^address: float32 at hr:65535 needs 2 registers/],
    ['40001', 'float', { type: 'float' }, false, /^options.type: Modbus type must be one of .*: did you mean float32\?$/],
    [
      '40001',
      'float',
      { type: 'float32', wordorder: 'CDAB' },
      false,
      /^options.wordorder: unknown Modbus tag option "wordorder": did you mean wordOrder\?$/,
    ],
    ['40001', 'float', { type: 'float32', wordOrder: 'CDBA' }, false, /^options.wordOrder: .*did you mean CDAB\?$/],
    ['30001', 'float', {}, true, /^writable: 30001 is an input register, which Modbus makes read-only/],
    ['10001', 'bool', {}, true, /^writable: 10001 is a discrete input/],
    ['00001', 'float', {}, false, /^type: 00001 is a coil \(one bit\): the tag's type must be bool/],
    ['00001', 'bool', { type: 'uint16' }, false, /^options.type: 00001 is a coil \(one bit\): its only type is bool/],
    ['40001', 'int', { type: 'float32' }, false, /^options.type: an int tag needs an integer type/],
    ['40001', 'bool', { type: 'float32' }, false, /^options.type: a bool tag on a holding register is read as type bool/],
    ['40001', 'string', { type: 'string' }, false, /^options.stringLength: a string needs options.stringLength/],
    ['40001', 'float', { stringLength: 4 }, false, /^options.stringLength: stringLength is only for type string/],
    ['40001', 'bool', { bit: 16 }, false, /^options.bit: bit must be a whole number 0–15/],
    ['40001', 'bool', { bit: 2 }, true, /^writable: bit 2 of 40001 cannot be written on its own/],
  ] as const)('%s as %s %o (writable %s) is refused', (address, dataType, options, writable, expected) => {
    const problems = problemsOf(address, dataType, options, writable);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(expected);
  });

  it('reports every problem of one tag at once', () => {
    expect(problemsOf('30001', 'int', { type: 'float32', wordorder: 'CDAB' }, true)).toHaveLength(3);
  });
});

describe('Modbus connection settings', () => {
  it('RTU settings reach the serial port options: data bits, parity, stop bits, baud rate', () => {
    const rtu = modbusConnectionSchema.parse({
      name: 'line1',
      protocol: 'modbus',
      transport: 'rtu',
      serialPort: '/dev/ttyUSB0',
      baudRate: 9600,
      parity: 'none',
      stopBits: 2,
    });
    expect(serialOptions(rtu)).toEqual({ baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 2 });
    const defaults = modbusConnectionSchema.parse({ name: 'line2', protocol: 'modbus', transport: 'rtu', serialPort: 'COM3' });
    expect(serialOptions(defaults)).toEqual({ baudRate: 19200, dataBits: 8, parity: 'even', stopBits: 1 });
  });

  it('refuses settings a serial line cannot have, and a transport without its endpoint', () => {
    const base = { name: 'l', protocol: 'modbus', transport: 'rtu', serialPort: '/dev/ttyS0' };
    expect(modbusConnectionSchema.safeParse({ ...base, stopBits: 3 }).success).toBe(false);
    expect(modbusConnectionSchema.safeParse({ ...base, dataBits: 9 }).success).toBe(false);
    expect(modbusConnectionSchema.safeParse({ ...base, parity: 'mark' }).success).toBe(false);
    const noPort = modbusConnectionSchema.safeParse({ name: 'l', protocol: 'modbus', transport: 'rtu', host: 'x' });
    expect(noPort.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['serialPort', 'transport rtu needs "serialPort" (e.g. /dev/ttyUSB0 or COM3)'],
    ]);
    const noHost = modbusConnectionSchema.safeParse({ name: 'l', protocol: 'modbus', transport: 'rtu-over-tcp' });
    expect(noHost.error?.issues.map((i) => i.path.join('.'))).toEqual(['host']);
  });

  it('the driver refuses a tag the validator would refuse, naming connection and tag', () => {
    const config = modbusConnectionSchema.parse({ name: 'plc1', protocol: 'modbus', host: '127.0.0.1' });
    const tag: DriverTag = {
      id: 0,
      name: 'Plant/North/P1/Speed',
      address: '40001',
      dataType: 'float',
      scaling: null,
      periodMs: 100,
      options: { type: 'float32', wordorder: 'CDAB' },
    };
    const make = () => createModbusDriver(config, [tag], { bus: busFor([tag]), log: () => undefined, dataDir: '/tmp' });
    expect(make).toThrow(ModbusConfigError);
    expect(make).toThrow('plc1: Plant/North/P1/Speed: unknown Modbus tag option "wordorder": did you mean wordOrder?');
  });
});
