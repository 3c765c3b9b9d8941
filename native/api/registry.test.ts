// The registry's argument check answers every client (scripts, Telegraf, the renderer) with
// sentences naming each field and its cause, worded once in the core — never zod's own output
// ("✖ … → at …", "Expected …, received …", issue codes), which a zod upgrade may change.
import { describe, expect, it } from 'vitest';
import type { CallContext } from './contract.js';
import { HandlerRegistry } from './registry.js';

const ctx: CallContext = { user: 'admin', role: 'admin', origin: 'internal' };
const registry = new HandlerRegistry();
const ran: string[] = [];
registry.register({
  'alarms.shelve': () => {
    ran.push('alarms.shelve');
    return undefined as never;
  },
  'alarms.ack': () => {
    ran.push('alarms.ack');
    return undefined as never;
  },
  'alarms.journal': () => {
    ran.push('alarms.journal');
    return undefined as never;
  },
  'auth.users.create': () => {
    ran.push('auth.users.create');
    return undefined as never;
  },
  'config.validate': () => {
    ran.push('config.validate');
    return undefined as never;
  },
});

/** What zod writes and a person must never see. */
const RAW = /✖|→|Expected|expected|received|Invalid|Too (small|big)|Unrecognized|invalid_|too_|unrecognized_|\[object|undefined|NaN/;

describe('a request with a bad argument is answered with sentences naming each field', () => {
  it.each([
    ['a missing field', 'alarms.shelve', { id: 'P1', minutes: 30 }, [['reason', 'the field "reason" is required and must be text']]],
    [
      'a wrong type',
      'alarms.shelve',
      { id: 'P1', minutes: 'ten', reason: 'valve work' },
      [['minutes', 'the field "minutes" must be a number, but it is the text "ten"']],
    ],
    [
      'a number out of bounds',
      'alarms.shelve',
      { id: 'P1', minutes: 1441, reason: 'valve work' },
      [['minutes', 'the field "minutes" must be at most 1440, but it is 1441']],
    ],
    [
      'a too-long string',
      'alarms.ack',
      { ids: ['P1'], comment: 'x'.repeat(1001) },
      [['comment', 'the field "comment" must be at most 1000 characters long']],
    ],
    [
      'an enumeration value',
      'auth.users.create',
      { user: 'ana', role: 'enginer', password: 'blue-valve-7734' },
      [
        [
          'role',
          'the field "role" must be one of "viewer", "operator", "engineer", "esg_analyst", "admin", but it is the text "enginer": did you mean engineer?',
        ],
      ],
    ],
    [
      "a schema's own wording",
      'auth.users.create',
      { user: 'a b', role: 'viewer', password: 'blue-valve-7734' },
      [['user', 'the field "user" must be letters, digits and . _ @ - only, but it is the text "a b"']],
    ],
    [
      'a union (a time as ms or ISO 8601)',
      'alarms.journal',
      { from: true },
      [['from', 'the field "from" must be a number or text, but it is true']],
    ],
    [
      'a date and time that does not parse',
      'alarms.journal',
      { from: 'yesterday' },
      [['from', 'the field "from" must be a date and time such as 2026-12-01T08:00:00Z, but it is the text "yesterday"']],
    ],
    ['a nested array item', 'alarms.ack', { ids: ['P1', 5] }, [['ids[1]', 'the field "ids[1]" must be text, but it is the number 5']]],
    ['an unknown field', 'alarms.ack', { ids: ['P1'], comentt: 'x' }, [['comentt', 'unknown field "comentt": did you mean comment?']]],
    [
      'a record key',
      'config.validate',
      { text: 'version: 1', renames: { '': 'A/B' } },
      [['renames.', 'in "renames", the key "" must not be empty']],
    ],
    ['arguments that are not a mapping', 'alarms.ack', 'P1', [['', 'the arguments must be a mapping of fields, but it is the text "P1"']]],
  ])('%s', async (_what, name, args, expected) => {
    ran.length = 0;
    const r = await registry.call(name, args, ctx);
    expect(r.error?.type).toBe('validation');
    expect(r.error?.fields).toEqual(expected.map(([path, message]) => ({ path, message })));
    expect(r.error?.message).toBe(expected.map(([, message]) => message).join('; '));
    expect(r.error?.message).not.toMatch(RAW);
    expect(ran).toEqual([]);
  });

  it('words every issue of one request, in the order found, as one message and one entry per field', async () => {
    const r = await registry.call('alarms.shelve', { id: '', minutes: 0, oneShot: 'yes' }, ctx);
    expect(r.error?.fields?.map((f) => f.path)).toEqual(['id', 'minutes', 'reason', 'oneShot']);
    expect(r.error?.message).toBe(
      [
        'the field "id" must not be empty',
        'the field "minutes" must be greater than 0, but it is 0',
        'the field "reason" is required and must be text',
        'the field "oneShot" must be true or false, but it is the text "yes"',
      ].join('; '),
    );
    expect(r.error?.message).not.toMatch(RAW);
  });

  it("keeps a refinement's own sentence as the schema words it", async () => {
    const r = await registry.call('alarms.journal', { from: '0000-01-01T00:00:00Z', to: '9999-12-31T23:59:59Z' }, ctx);
    expect(r.error?.type).toBe('validation');
    expect(r.error?.fields?.map((f) => f.path)).toEqual(['to']);
    expect(r.error?.message).toMatch(
      /^the field "to" is refused: from\/to span 9,999.8 years exceeds the limit of \d[\d,]* days for alarms.journal/,
    );
    expect(r.error?.message).not.toMatch(RAW);
  });
});
