// The tag bus under live configuration: tags appended with the next ids are readable at once and
// delivered to listeners; existing tags keep their ids, values and quality; a renamed tag keeps its
// id and value under the new name; an id out of order or a name already there is refused.
import { describe, expect, it } from 'vitest';
import type { TagInfo } from '../api/types.js';
import { TagBus } from './bus.js';

const tag = (id: number, name: string): TagInfo => ({
  id,
  name,
  site: 'S',
  area: 'A',
  machine: 'M',
  unit: '',
  description: '',
  dataType: 'float',
  connection: 'c',
  address: name,
  rangeLo: null,
  rangeHi: null,
  writable: false,
  writeMin: null,
  writeMax: null,
  expectedPeriodMs: 1000,
});

describe('TagBus live configuration', () => {
  it('appends tags, renames in place, and keeps every existing value', () => {
    const bus = new TagBus([tag(0, 'S/A/M/P'), tag(1, 'S/A/M/Q')]);
    const seen: number[] = [];
    bus.onBatch((b) => seen.push(...b.ids));
    bus.update(0, 1.5, 0, 1000);
    bus.update(1, 2.5, 0, 1000);
    bus.flush();
    const p = { ...bus.current(0) };

    bus.addTags([tag(2, 'S/A/M/R')]);
    bus.rename(1, 'S/A/M/Q2');
    expect(bus.idOf('S/A/M/R')).toBe(2);
    expect(bus.current(2)).toMatchObject({ value: null, quality: 2, reason: 'not yet received' });
    expect(bus.current(0)).toEqual(p);
    expect(bus.idOf('S/A/M/Q')).toBeUndefined();
    expect(bus.idOf('S/A/M/Q2')).toBe(1);
    expect(bus.tags[1]?.name).toBe('S/A/M/Q2');
    expect(bus.current(1).value).toBe(2.5);

    bus.update(2, 7, 0, 2000);
    bus.flush();
    expect(seen).toEqual([0, 1, 2]);
    expect(bus.current(2)).toMatchObject({ value: 7, quality: 0 });

    expect(() => bus.addTags([tag(5, 'S/A/M/X')])).toThrow('tag S/A/M/X has id 5, expected 3');
    expect(() => bus.addTags([tag(3, 'S/A/M/P')])).toThrow('tag S/A/M/P is already on the bus');
    expect(() => bus.rename(0, 'S/A/M/R')).toThrow('tag S/A/M/R is already on the bus');
  });
});
