// The form mechanism's reading of a JSON Schema (as zod writes it for the site file) and its path
// helpers: a discriminated union is a choice of its constant, literals a choice, tuples, records and
// lists; a new entry starts with its required fields; labels from field names.
import { describe, expect, it } from 'vitest';
import type { FormSchema } from '../../../native/api/config-requests';
import { fieldPath, initialValue, kindOf, labelOf, scalarOf, setAt } from './schema-form';

const modbus: FormSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    protocol: { type: 'string', const: 'modbus' },
    port: { type: 'integer', default: 502 },
    dataBits: {
      anyOf: [
        { type: 'number', const: 7 },
        { type: 'number', const: 8 },
      ],
    },
  },
  required: ['name', 'protocol'],
};
const connection: FormSchema = {
  oneOf: [
    {
      type: 'object' as const,
      properties: {
        name: { type: 'string' as const },
        protocol: { type: 'string' as const, const: 'opcua' },
        endpoint: { type: 'string' as const },
      },
      required: ['name', 'protocol', 'endpoint'],
    },
    modbus,
  ],
};

describe('schema-form', () => {
  it('reads a discriminated union as a choice of its constant, and literals as a choice', () => {
    const k = kindOf(connection);
    expect(k.kind === 'union' && k.key).toBe('protocol');
    expect(k.kind === 'union' && k.variants.map((v) => v.value)).toEqual(['opcua', 'modbus']);
    expect(kindOf(modbus.properties?.dataBits ?? {})).toEqual({ kind: 'choice', values: [7, 8] });
  });

  it('starts a new entry with its required fields, constants and defaults', () => {
    expect(initialValue(connection, 'modbus')).toEqual({ name: '', protocol: 'modbus' });
    expect(initialValue(connection)).toEqual({ name: '', protocol: 'opcua', endpoint: '' });
    expect(initialValue({ type: 'array', prefixItems: [{ type: 'number' }, { type: 'number' }] })).toEqual([0, 0]);
  });

  it('writes the validator’s field paths and sets values at a path without changing the original', () => {
    expect(fieldPath(['areas', 0, 'machines', 1, 'connection'])).toBe('areas[0].machines[1].connection');
    const before = { a: [{ x: 1 }, { x: 2 }] };
    expect(setAt(before, ['a', 1, 'x'], 3)).toEqual({ a: [{ x: 1 }, { x: 3 }] });
    expect(setAt(before, ['a', 0], undefined)).toEqual({ a: [{ x: 2 }] });
    expect(before).toEqual({ a: [{ x: 1 }, { x: 2 }] });
  });

  it('labels fields from their names', () => {
    expect(labelOf('pollMs')).toBe('Poll (ms)');
    expect(labelOf('unitId')).toBe('Unit id');
    expect(labelOf('timeZone')).toBe('Time zone');
    expect(labelOf('demoPlant')).toBe('Demo plant');
    expect(labelOf('esg')).toBe('ESG');
  });

  it('reads a value of several plain types as the schema allows: a number only if it is one', () => {
    expect(kindOf({ anyOf: [{ type: 'string' }, { type: 'number' }] })).toEqual({ kind: 'scalar', types: ['string', 'number'] });
    expect(kindOf({ type: ['number', 'boolean'] })).toEqual({ kind: 'scalar', types: ['number', 'boolean'] });
    expect(scalarOf('40001', ['string', 'number'])).toBe(40001);
    expect(scalarOf('ns=1;s=Pump', ['string', 'number'])).toBe('ns=1;s=Pump');
    expect(scalarOf('true', ['number', 'boolean'])).toBe(true);
    expect(scalarOf('10x', ['number', 'boolean'])).toBe('10x');
  });
});
