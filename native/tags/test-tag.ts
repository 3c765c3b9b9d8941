// A complete TagInfo from a path-like name, for tests and benchmarks that build their own tag tables.
import type { TagInfo } from '../api/types.js';

/** `name` is Site/Area/Machine/Tag; site, area and machine are taken from it. */
export function testTag(id: number, name: string, overrides: Partial<TagInfo> = {}): TagInfo {
  const [site = '', area = '', machine = ''] = name.split('/');
  return {
    id,
    name,
    site,
    area,
    machine,
    unit: '',
    description: '',
    dataType: 'float',
    connection: 'c',
    address: '',
    rangeLo: null,
    rangeHi: null,
    writable: false,
    writeMin: null,
    writeMax: null,
    expectedPeriodMs: 1000,
    ...overrides,
  };
}
