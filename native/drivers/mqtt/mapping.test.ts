import { describe, expect, it } from 'vitest';
import { coerce, compilePath, defaultValue, pick, toEpochMs } from './json-mapping.js';
import { isValidTopicFilter, TopicIndex, topicMatches } from './topic.js';

describe('topic filters', () => {
  it.each([
    ['a/b', 'a/b', true],
    ['a/+', 'a/b', true],
    ['a/+', 'a/b/c', false],
    ['a/#', 'a', true],
    ['a/#', 'a/b/c', true],
    ['+/+/up', 'app/dev/up', true],
    ['+/+/up', 'app/dev/down', false],
    ['#', '$SYS/broker/uptime', false],
    ['a/b', 'a/b/c', false],
    ['a/b/c', 'a/b', false],
  ])('%s vs %s → %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });

  it('validates filters', () => {
    for (const ok of ['a', 'a/+/b', '#', 'a/#', '+']) expect(isValidTopicFilter(ok)).toBe(true);
    for (const bad of ['', 'a/#/b', 'a/b#', 'a+/b']) expect(isValidTopicFilter(bad)).toBe(false);
  });

  it('routes a topic to every tag of every matching filter', () => {
    const index = new TopicIndex<string>();
    index.add('s/t1', 'exact');
    index.add('s/+', 'plus');
    index.add('s/+', 'plus2');
    index.add('s/#', 'hash');
    const got: string[] = [];
    index.match('s/t1', (v) => got.push(v));
    expect(got.sort()).toEqual(['exact', 'hash', 'plus', 'plus2']);
    expect(index.filters().sort()).toEqual(['s/#', 's/+', 's/t1']);
    expect(() => index.add('s/#/x', 'bad')).toThrow(/not a valid MQTT topic filter/);
  });
});

describe('JSON field mapping', () => {
  it('picks nested fields and array items', () => {
    const doc = { a: { b: [{ c: 1 }, { c: 2 }] }, 'dev-eui': 'x' };
    expect(pick(doc, compilePath('a.b[1].c'))).toBe(2);
    expect(pick(doc, compilePath('a.b.0.c'))).toBe(1);
    expect(pick(doc, compilePath('dev-eui'))).toBe('x');
    expect(pick(doc, compilePath('$'))).toBe(doc);
    expect(pick(doc, compilePath('a.x.y'))).toBeUndefined();
    expect(pick(42, compilePath('a'))).toBeUndefined();
  });

  it('defaults to a scalar payload or its "value" field', () => {
    expect(defaultValue(3)).toBe(3);
    expect(defaultValue({ value: 4 })).toBe(4);
    expect(defaultValue({ v: 4 })).toBeUndefined();
  });

  it('converts to the tag type exactly, or refuses (never rounds an integer)', () => {
    expect(coerce('12.5', 'float')).toBe(12.5);
    expect(coerce(true, 'float')).toBe(1);
    expect(coerce(3, 'int')).toBe(3);
    expect(coerce('4', 'int')).toBe(4);
    expect(coerce(2.6, 'int')).toBeUndefined();
    expect(coerce('2.6', 'int')).toBeUndefined();
    expect(coerce(5, 'bool')).toBeUndefined();
    expect(coerce(1, 'bool')).toBe(true);
    expect(coerce('', 'float')).toBeUndefined();
    expect(coerce('abc', 'float')).toBeUndefined();
    expect(coerce({}, 'float')).toBeUndefined();
    expect(coerce('OFF', 'bool')).toBe(false);
    expect(coerce('on', 'bool')).toBe(true);
    expect(coerce(0, 'bool')).toBe(false);
    expect(coerce('maybe', 'bool')).toBeUndefined();
    expect(coerce(5, 'string')).toBe('5');
    expect(coerce([1], 'string')).toBeUndefined();
  });

  it('reads ISO and epoch second/millisecond timestamps', () => {
    expect(toEpochMs('2024-05-01T10:00:00Z')).toBe(Date.UTC(2024, 4, 1, 10));
    expect(toEpochMs(1714557600)).toBe(1714557600_000);
    expect(toEpochMs(1714557600_123)).toBe(1714557600_123);
    expect(toEpochMs('1714557600')).toBe(1714557600_000);
    expect(toEpochMs('soon')).toBeUndefined();
    expect(toEpochMs(-5)).toBeUndefined();
  });
});
