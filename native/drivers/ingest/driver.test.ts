// The ingest driver's checks: the allocation-free path for plain items accepts exactly what the
// schema accepts (anything it is unsure of goes through the schema, which words the refusal), and
// times outside the accept window are refused per item with the bus's reason.
import { describe, expect, it } from 'vitest';
import { TagBus } from '../../tags/bus.js';
import { testTag } from '../../tags/test-tag.js';
import { ingestConnectionSchema } from './config.js';
import { createIngestDriver, ingestItemSchema } from './driver.js';

const NOW = Date.now();
const tags = [testTag(0, 'S/A/M/T0', { connection: 'gw' }), testTag(1, 'S/A/M/T1', { connection: 'gw' })];
const bus = new TagBus(tags, undefined, undefined, { acceptWindow: { pastMs: 30 * 86_400_000, futureMs: 300_000 } });
const driver = createIngestDriver(
  ingestConnectionSchema.parse({ name: 'gw', protocol: 'ingest' }),
  tags.map((t) => ({ id: t.id, name: t.name, address: t.address, options: {} }) as never),
  { bus, dataDir: '', log: () => undefined } as never,
);

const items: unknown[] = [
  { tag: 'S/A/M/T0', value: 1 },
  { tag: 'S/A/M/T0', value: 1.5, timestamp: NOW },
  { tag: 'S/A/M/T0', value: true, quality: 'Uncertain' },
  { tag: 'S/A/M/T0', value: null, quality: 'Bad', timestamp: NOW - 1000 },
  { tag: 'S/A/M/T0', value: 'x'.repeat(1024) },
  { tag: 'S/A/M/T0', value: 'x'.repeat(1025) },
  { tag: 'S/A/M/T0', value: 1, timestamp: new Date(NOW).toISOString() },
  { tag: 'S/A/M/T0', value: 1, timestamp: 'NaN' },
  { tag: 'S/A/M/T0', value: 1, quality: 'good' },
  { tag: 'S/A/M/T0', value: 1, extra: 1 },
  { tag: 'S/A/M/T0' },
  { tag: '', value: 1 },
  { tag: 1, value: 1 },
  { value: 1 },
  [1, 2],
  null,
  'S/A/M/T0',
  { tag: 'S/A/M/T0', value: { nested: 1 } },
  { tag: 'S/A/M/T0', value: 1, timestamp: null },
];

describe('ingest driver checks', () => {
  it('accepts exactly the items the schema accepts, with the schema reason for the others', async () => {
    const checked = await driver.check(items);
    const refused = new Set(checked.rejected.map((r) => r.index));
    items.forEach((item, i) => {
      expect({ i, accepted: !refused.has(i) }).toEqual({ i, accepted: ingestItemSchema.safeParse(item).success });
    });
    expect(checked.ids).toHaveLength(items.length - refused.size);
    expect(checked.quality.slice(0, 4)).toEqual([0, 0, 1, 2]);
    expect(checked.rejected.find((r) => r.index === 7)?.error).toBe(
      'item 7: the field "timestamp" must be milliseconds since 1970 or an ISO 8601 date-time with an offset (2026-01-31T12:00:00Z), but it is the text "NaN"',
    );
  });

  it("words each refusal as a sentence naming the item and the field, never in zod's own words", async () => {
    const checked = await driver.check(items);
    const errorOf = (i: number) => checked.rejected.find((r) => r.index === i)?.error;
    expect(errorOf(5)).toBe('item 5: the field "value" must be at most 1024 characters long');
    expect(errorOf(8)).toBe(
      'item 8: the field "quality" must be one of "Good", "Uncertain", "Bad", but it is the text "good": did you mean Good?',
    );
    expect(errorOf(9)).toBe('item 9: unknown field "extra"; the fields here are tag, value, timestamp, quality');
    expect(errorOf(10)).toBe('item 10: the field "value" is required and must be a number, true/false, text or null');
    expect(errorOf(12)).toBe('item 12: the field "tag" must be text, but it is the number 1');
    expect(errorOf(14)).toBe('item 14 must be an object { "tag", "value", "timestamp"?, "quality"? }, but it is a list of 2');
    expect(errorOf(15)).toBe('item 15 must be an object { "tag", "value", "timestamp"?, "quality"? }, but it is empty');
    for (const r of checked.rejected) expect(r.error).not.toMatch(/Invalid|expected .*received|Too (big|small)|Unrecognized|✖|→/);
    // The connection's last error (diagnostics, the log) is the same sentence.
    expect(driver.diagnostics().lastError).toBe(`malformed: ${errorOf(18)}`);
  });

  it('refuses times outside the accept window per item, with the reason', async () => {
    const checked = await driver.check([
      { tag: 'S/A/M/T1', value: 1, timestamp: 1e308 },
      { tag: 'S/A/M/T1', value: 1, timestamp: NOW + 3_600_000 },
      { tag: 'S/A/M/T1', value: 1, timestamp: 0 },
      { tag: 'S/A/M/T1', value: 2, timestamp: NOW },
    ]);
    expect(checked.ids).toEqual([1]);
    expect(checked.rejected.map((r) => r.error)).toEqual([
      expect.stringMatching(/source timestamp invalid.*not stored/),
      expect.stringMatching(/source clock ahead.*not stored/),
      expect.stringMatching(/source clock behind.*not stored/),
    ]);
  });
});
