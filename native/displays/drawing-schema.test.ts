// Imported drawings in a display document: a drawing holds the markup the SVG import made safe and is
// refused when its file says something else (a hand-edited script or event handler); a part names a
// drawing of the display and an id inside it.
import { describe, expect, it } from 'vitest';
import { parseDisplay } from './schema.js';
import { sanitizeSvg } from './svg.js';

const clean = sanitizeSvg('<svg viewBox="0 0 100 50"><rect id="body" width="10" height="10"/><text id="level">0</text></svg>');
const drawing = (svg: string, viewBox = clean.viewBox) => ({
  id: 'd1',
  kind: 'drawing',
  x: 0,
  y: 0,
  w: 200,
  h: 100,
  svg,
  props: { viewBox, layer: 'background' },
});
const part = (ref: string, drawingId = 'd1') => ({
  id: 'p1',
  kind: 'part',
  x: 0,
  y: 0,
  w: 0,
  h: 0,
  bind: { value: 'S/A/M/Level' },
  props: { drawing: drawingId, ref },
});
const text = (elements: unknown[]) => JSON.stringify({ id: 'x', title: 'X', size: { w: 800, h: 600 }, elements }, null, 2);

describe('drawings and parts', () => {
  it('a drawing as the import made it, and a part bound to one of its ids, are valid', () => {
    const r = parseDisplay(text([drawing(clean.markup), part('level')]), 'displays/x.json');
    expect(r.ok && r.display.elements.map((e) => e.kind)).toEqual(['drawing', 'part']);
  });

  it('a drawing whose markup holds a script or an event handler (a hand-edited file) is refused naming the field', () => {
    for (const svg of [
      `${clean.markup}<script>alert(1)</script>`,
      '<rect id="body" onclick="alert(1)"/>',
      '<image href="http://e.example/x.png"/>',
    ]) {
      const r = parseDisplay(text([drawing(svg)]), 'displays/x.json');
      expect(r.ok).toBe(false);
      expect(!r.ok && r.problems).toEqual([
        expect.stringMatching(/^displays\/x\.json:\d+: elements\[0\]\.svg: the drawing is not as the SVG import makes it safe/),
      ]);
    }
  });

  it('a drawing without its markup or viewBox, svg on another kind, and parts that name nothing are each a sentence', () => {
    const r = parseDisplay(
      text([
        { ...drawing(clean.markup), svg: undefined },
        { ...drawing(clean.markup), id: 'd2', props: {} },
        { id: 'v', kind: 'value', x: 0, y: 0, w: 1, h: 1, svg: '<rect/>' },
        { ...part('nothere'), id: 'p2' },
        { ...part('level', 'nodrawing'), id: 'p3' },
        { ...part('level'), id: 'p4', props: {} },
      ]),
      'displays/x.json',
    );
    expect(!r.ok && r.problems.map((p) => p.replace(/^displays\/x\.json:\d+: /, ''))).toEqual([
      "elements[0].svg: a drawing holds its SVG's markup (svg)",
      "elements[1].props.viewBox: a drawing names its SVG's viewBox (props.viewBox)",
      'elements[2].svg: only a drawing holds SVG markup',
      'elements[5].props.drawing: a part names its drawing element (props.drawing)',
      'elements[5].props.ref: a part names the id of the drawing element it binds (props.ref)',
      'elements[3].props.ref: drawing "d1" has no element with id "nothere"',
      'elements[4].props.drawing: there is no drawing "nodrawing" in this display',
    ]);
    const refs = parseDisplay(
      text([drawing(clean.markup), { ...part('nothere'), id: 'p2' }, { ...part('level', 'nodrawing'), id: 'p3' }]),
      'displays/x.json',
    );
    expect(!refs.ok && refs.problems.map((p) => p.replace(/^displays\/x\.json:\d+: /, ''))).toEqual([
      'elements[1].props.ref: drawing "d1" has no element with id "nothere"',
      'elements[2].props.drawing: there is no drawing "nodrawing" in this display',
    ]);
  });
});
