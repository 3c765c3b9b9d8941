// zod issues as sentences naming each field: the kinds request schemas raise besides those of the
// site file (a record's key, a date and time, a bound's own wording), and the whole error as an
// API client is answered.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { closest, describeZodError, fieldPath } from './describe.js';

const problems = (schema: z.ZodType, data: unknown) => {
  const r = schema.safeParse(data);
  return r.success ? [] : describeZodError(r.error, schema, data);
};

describe('describeZodError', () => {
  it('names each field by its path and says the cause in a sentence', () => {
    const schema = z
      .object({
        at: z.string().datetime({ offset: true }),
        items: z.array(z.object({ value: z.number().int() })),
        note: z.string().min(3, 'say what the note is for').optional(),
        renames: z.record(z.string().min(1), z.string()).optional(),
      })
      .strict()
      .refine((a) => a.items.length !== 2, { message: 'two items are never sent together' });
    expect(problems(schema, { at: 'noon', items: [{ value: 1 }, { value: 1.5 }], note: 'x', renames: { '': 'b' }, extra: 1 })).toEqual([
      { path: 'at', message: 'the field "at" must be a date and time such as 2026-12-01T08:00:00Z, but it is the text "noon"' },
      { path: 'items[1].value', message: 'the field "items[1].value" must be a whole number, but it is the number 1.5' },
      { path: 'note', message: 'the field "note" is refused: say what the note is for' },
      { path: 'renames.', message: 'in "renames", the key "" must not be empty' },
      { path: 'extra', message: 'unknown field "extra"; the fields here are at, items, note, renames' },
    ]);
    expect(problems(schema, { at: '2026-12-01T08:00:00Z', items: [{ value: 1 }, { value: 2 }] })).toEqual([
      { path: '', message: 'two items are never sent together' },
    ]);
    expect(problems(schema, [1])).toEqual([{ path: '', message: 'the arguments must be a mapping of fields, but it is a list of 1' }]);
  });

  it('never passes on zod’s own "Invalid input" for a refinement that declares no message', () => {
    const schema = z.object({ n: z.number().refine((n) => n !== 7) });
    expect(problems(schema, { n: 7 })).toEqual([{ path: 'n', message: 'the field "n" is not valid here (it is the number 7)' }]);
  });
});

describe('describeZodError, general', () => {
  const schema = z.object({ name: z.string(), options: z.object({ a: z.number() }).strict().optional() }).strict();

  it('words an empty or missing whole as what it must be, about nothing in particular (no site-file sentence)', () => {
    expect(problems(schema, null)).toEqual([{ path: '', message: 'the arguments must be a mapping of fields, but it is empty' }]);
    expect(problems(schema, undefined)).toEqual([{ path: '', message: 'the arguments are required and must be a mapping of fields' }]);
  });

  it('names the thing the caller names: the whole, its fields, and where an unknown field stands', () => {
    const data = { name: 3, options: { b: 1 }, extra: true };
    const r = schema.safeParse(data);
    if (r.success) throw new Error('expected a refusal');
    const named = describeZodError(r.error, schema, data, {
      whole: 'tag "T"',
      field: (p) => (p === 'name' ? { name: 'the Tag Name column of tag "T"' } : { name: `the field "${p}" of tag "T"` }),
    });
    expect(named.map((p) => p.message)).toEqual([
      'the Tag Name column of tag "T" must be text, but it is the number 3',
      'the field "options.a" of tag "T" is required and must be a number',
      'in "options" of tag "T", unknown field "b"; the fields here are a',
      'in tag "T", unknown field "extra"; the fields here are name, options',
    ]);
    const whole = z.object({ a: z.number() }).refine(() => false, { message: 'never this' });
    const w = whole.safeParse({ a: 1 });
    if (w.success) throw new Error('expected a refusal');
    expect(describeZodError(w.error, whole, { a: 1 }, { whole: 'entry 2' })[0]?.message).toBe('entry 2 is refused: never this');
  });
});

describe('fieldPath and closest', () => {
  it('writes keys with dots and indices in brackets', () => {
    expect(fieldPath([])).toBe('');
    expect(fieldPath(['changes', 'writeMin'])).toBe('changes.writeMin');
    expect(fieldPath(['ids', 1])).toBe('ids[1]');
    expect(fieldPath([0, 'value'])).toBe('[0].value');
  });

  it('suggests a near word, but not one of which every letter differs', () => {
    expect(closest('enginer', ['viewer', 'engineer'])).toBe('engineer');
    expect(closest('d', ['ns', 'n', 'ms', 's', 'h'])).toBeUndefined();
  });
});
