// A complete TagInfo from a path-like name, for renderer tests: the renderer may import native/ only
// type-only (scripts/layering.test.ts), so native/tags/test-tag.ts cannot serve it. Tests only.
import type { TagInfo } from '../../../native/api/types';

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
