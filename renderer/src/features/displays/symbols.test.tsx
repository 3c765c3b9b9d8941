// The markup each symbol kind draws, in the variants a display gives it (unbound; bound, naming a
// machine, rotated, acting; a bar lying down), against a snapshot taken before the shared shape
// helpers were written: changing how the symbols are written must not change what they draw.
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { DisplayElementInfo } from '../../../../native/api/display-requests';
import type { TagInfo } from '../../../../native/api/types';
import { DisplaySymbol, SYMBOL_LIST } from './symbols';

const TAG = {
  unit: 'm³/h',
  rangeLo: 80,
  rangeHi: 120,
  alarmLimits: [
    { type: 'lo', limit: 60, priority: 'High' },
    { type: 'hi', limit: 140, priority: 'Medium' },
  ],
} as unknown as TagInfo;

const plain = (kind: DisplayElementInfo['kind'], w: number, h: number): DisplayElementInfo => ({
  id: `${kind}-1`,
  kind,
  x: 10,
  y: 20,
  w,
  h,
  bind: {},
  props: {},
});

const bound = (kind: DisplayElementInfo['kind'], w: number, h: number): DisplayElementInfo => ({
  ...plain(kind, w, h),
  rotation: 90,
  label: 'Pump101',
  bind: { value: 'S/A/M/Flow', state: 'S/A/M/Running', alarm: 'S/A/M/Trip', command: 'S/A/M/Command' },
  props: {
    machine: 'S/A/M',
    letters: 'FT',
    loop: '101',
    caption: 'Flow',
    priority: 'Critical',
    text: 'Open',
    display: 'overview',
    size: 18,
    minutes: 5,
    max: 200,
    viewBox: '0 0 10 10',
  },
  svg: '<rect width="5" height="5"/>',
});

describe('the symbols draw the same markup', () => {
  for (const def of SYMBOL_LIST) {
    it(`${def.kind}`, () => {
      const { w, h } = def.size;
      const markup = [
        renderToStaticMarkup(<DisplaySymbol el={plain(def.kind, w, h)} tag={undefined} />),
        renderToStaticMarkup(<DisplaySymbol el={bound(def.kind, w, h)} tag={TAG} onActivate={() => undefined} />),
        renderToStaticMarkup(<DisplaySymbol el={bound(def.kind, h + 40, w)} tag={TAG} onActivate={() => undefined} />),
      ];
      expect(markup).toMatchSnapshot();
    });
  }
});
