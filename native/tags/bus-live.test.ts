// The tag bus under live configuration: tags appended with the next ids are readable at once and
// delivered to listeners; existing tags keep their ids, values and quality; a renamed tag keeps its
// id and value under the new name; an id out of order or a name already there is refused; a removed
// tag leaves the table with a last Bad sample, the others keep their ids, its id is never given to
// another name and comes back with its name; consumers are told of each change.
import { describe, expect, it } from 'vitest';
import type { TagInfo } from '../api/types.js';
import { type TableChange, TagBus } from './bus.js';
import { startValueStream } from './value-stream.js';

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

  it('removes tags: a last Bad sample, gone from the table and by name, the other ids kept, later samples not passed on', () => {
    const bus = new TagBus([tag(0, 'S/A/M/P'), tag(1, 'S/A/M/Q'), tag(2, 'S/A/M/R')]);
    const seen: [number, number][] = [];
    bus.onBatch((b) => {
      for (let i = 0; i < b.length; i++) seen.push([b.ids[i] as number, b.quality[i] as number]);
    });
    const told: TableChange[] = [];
    bus.onTable((c) => told.push(c));
    bus.update(1, 5, 0, 1000);
    bus.update(2, 6, 0, 1000);
    bus.flush();
    seen.length = 0;

    bus.removeTags([1], (t) => `${t.name} was removed from the site file`, 2000);
    bus.flush();
    expect(seen).toEqual([[1, 2]]);
    expect(bus.current(1)).toMatchObject({ value: 5, quality: 2, reason: 'S/A/M/Q was removed from the site file' });
    expect(bus.tags.map((t) => [t.id, t.name])).toEqual([
      [0, 'S/A/M/P'],
      [2, 'S/A/M/R'],
    ]);
    expect(bus.idOf('S/A/M/Q')).toBeUndefined();
    expect(bus.tag(1)).toBeUndefined();
    expect(bus.tag(2)?.name).toBe('S/A/M/R');
    expect(bus.idOf('S/A/M/R')).toBe(2);
    expect(bus.current(2).value).toBe(6);
    expect(told).toEqual([{ added: [], removed: [{ id: 1, name: 'S/A/M/Q' }], renamed: [] }]);

    // A reader that had not stopped yet: its sample is counted, not passed on.
    seen.length = 0;
    bus.update(1, 9, 0, 3000);
    bus.flush();
    expect(seen).toEqual([]);
    expect(bus.samplesForRemoved).toBe(1);

    // A new name takes a new id; the removed name, added again, takes its own id back.
    expect(bus.idFor('S/A/M/X')).toBe(3);
    expect(bus.idFor('S/A/M/Q')).toBe(1);
    bus.addTags([tag(3, 'S/A/M/X'), tag(1, 'S/A/M/Q')]);
    expect(bus.tags.map((t) => t.id)).toEqual([0, 1, 2, 3]);
    expect(bus.idOf('S/A/M/Q')).toBe(1);
    expect(bus.idSpan).toBe(4);
    bus.update(1, 10, 0, 4000);
    bus.flush();
    expect(seen).toEqual([[1, 0]]);
    expect(() => bus.addTags([tag(7, 'S/A/M/Y')])).toThrow('tag S/A/M/Y has id 7, expected 4');
  });

  it('the UI stream follows ids beyond the table it started with', () => {
    const bus = new TagBus([tag(0, 'S/A/M/P'), tag(1, 'S/A/M/Q')]);
    const out: number[][] = [];
    const stream = startValueStream(bus, 1_000_000, (b) => out.push(b.ids));
    bus.removeTags([0], () => 'removed');
    bus.addTags([tag(2, 'S/A/M/R'), tag(3, 'S/A/M/S')]);
    for (let i = 0; i < 6; i++) bus.update(3, i, 0, 1000 + i);
    bus.flush();
    stream.stop();
    // Six samples of the new tag fold into four (first, last, lowest, highest), none lost to a short array.
    expect(stream.dropped()).toBe(2);
  });
});
