// The editor's state logic without a browser: snap, connectors re-routed when an end moves, align and
// distribute, z-order within the layer, copy/paste ids (connectors between copies connect the
// copies), delete keeping lines, and undo/redo as steps.
import { describe, expect, it } from 'vitest';
import { historyOf, push, redo, undo } from './history';
import {
  addElement,
  align,
  connect,
  copy,
  type Doc,
  deleteElements,
  distribute,
  type El,
  freeSpot,
  hitTest,
  inRect,
  lineEnds,
  moveElements,
  paste,
  renameElement,
  resizeElement,
  setBackground,
  snap,
  uniqueId,
  zOrder,
} from './ops';

const el = (id: string, x: number, y: number, w = 40, h = 40, kind: El['kind'] = 'pump'): El => ({
  id,
  kind,
  x,
  y,
  w,
  h,
  bind: {},
  props: {},
});
const doc = (...elements: El[]): Doc => ({ id: 'd', title: 'D', size: { w: 1000, h: 800 }, elements });
const byId = (d: Doc, id: string) => d.elements.find((e) => e.id === id) as El;
const ends = (d: Doc, id: string) => {
  const l = lineEnds(byId(d, id));
  return [l.x1, l.y1, l.x2, l.y2].map((v) => Math.round(v * 10) / 10);
};

describe('snap and add', () => {
  it('snaps to the grid, and a new element gets the next free id of its kind', () => {
    expect([snap(14, 10), snap(15, 10), snap(-4, 10), snap(7, 0)]).toEqual([10, 20, -0, 7]);
    const r = addElement(doc(el('pump1', 0, 0)), 'pump', { x: 33, y: 47 }, { w: 80, h: 80 }, 10);
    expect(r.id).toBe('pump2');
    expect(byId(r.doc, 'pump2')).toMatchObject({ x: 30, y: 50, w: 80, h: 80, bind: {}, props: {} });
    expect(uniqueId('control-valve', new Set(['control-valve1']))).toBe('control-valve2');
    expect(uniqueId('p1', new Set(['p1']))).toBe('p2');
  });

  it('finds a free place for a new box near the one asked for', () => {
    const d = doc(el('a', 100, 100, 80, 80));
    expect(freeSpot(doc(), { w: 80, h: 80 }, { x: 100, y: 100 }, 10)).toEqual({ x: 100, y: 100 });
    const p = freeSpot(d, { w: 80, h: 80 }, { x: 100, y: 100 }, 10);
    expect(p.x + 80 <= 100 || p.x >= 180 || p.y + 80 <= 100 || p.y >= 180).toBe(true);
    expect(Math.abs(p.x - 100) + Math.abs(p.y - 100)).toBeLessThanOrEqual(200);
  });

  it('moves a selection so its first element lands on the grid, the others keeping their offsets', () => {
    const d = moveElements(doc(el('a', 10, 10), el('b', 53, 10), el('c', 0, 200)), ['a', 'b'], 17, 4, 10);
    expect([byId(d, 'a').x, byId(d, 'a').y, byId(d, 'b').x, byId(d, 'b').y, byId(d, 'c').x]).toEqual([30, 10, 73, 10, 0]);
  });
});

describe('resize and rubber-band selection', () => {
  it('resizes from the bottom-right corner onto the grid, at least one step; a connected line follows', () => {
    const c = connect(doc(el('a', 0, 0), el('b', 200, 0)), 'a', 'b');
    if (!c) throw new Error('not connected');
    const r = resizeElement(c.doc, 'a', 33, 2, 10);
    expect([byId(r, 'a').w, byId(r, 'a').h]).toEqual([70, 40]);
    expect(ends(r, 'line1')[0]).toBe(70);
    expect([byId(resizeElement(c.doc, 'a', -500, -500, 10), 'a').w, byId(resizeElement(c.doc, 'a', -500, -500, 0), 'a').h]).toEqual([
      10, 1,
    ]);
    expect(resizeElement(c.doc, 'line1', 10, 10, 10)).toBe(c.doc);
  });
  it('selects the boxes wholly inside a rectangle dragged either way; the background only when unlocked', () => {
    const d = setBackground(doc(el('a', 0, 0), el('b', 100, 0), el('c', 300, 300), el('bg', 0, 0, 500, 500)), ['bg'], true);
    expect(inRect(d, { x: 150, y: 50 }, { x: -5, y: -5 }, false)).toEqual(['a', 'b']);
    expect(inRect(d, { x: -5, y: -5 }, { x: 600, y: 600 }, true)).toEqual(['bg', 'a', 'b', 'c']);
  });
});

describe('connectors', () => {
  it('a connector runs edge to edge, and follows either end when it moves', () => {
    const c = connect(doc(el('a', 0, 0), el('b', 200, 0)), 'a', 'b');
    if (!c) throw new Error('not connected');
    expect(c.id).toBe('line1');
    expect(ends(c.doc, 'line1')).toEqual([40, 20, 200, 20]);
    const moved = moveElements(c.doc, ['b'], 0, 100, 0);
    expect(ends(moved, 'line1')).toEqual([40, 30, 200, 110]);
    const up = moveElements(c.doc, ['b'], -200, -200, 0);
    // b is now straight above a: the line leaves a's top edge and reaches b's bottom edge, pointing up.
    expect(ends(up, 'line1')).toEqual([20, 0, 20, -160]);
    expect(byId(up, 'line1').h).toBe(0);
    expect(byId(up, 'line1').w).toBeGreaterThanOrEqual(0);
  });

  it('a connector itself is not moved by a move of it; renaming an end keeps it connected; deleting an end leaves a plain line', () => {
    const c = connect(doc(el('a', 0, 0), el('b', 200, 0)), 'a', 'b');
    if (!c) throw new Error('not connected');
    expect(moveElements(c.doc, ['line1'], 50, 50, 10)).toBe(c.doc);
    const renamed = renameElement(c.doc, 'a', 'P101');
    expect(byId(renamed, 'line1').props).toEqual({ from: 'P101', to: 'b' });
    expect(renameElement(c.doc, 'a', 'b')).toBe(c.doc);
    expect(renameElement(c.doc, 'a', 'bad id')).toBe(c.doc);
    const gone = deleteElements(c.doc, ['b']);
    expect(byId(gone, 'line1').props).toEqual({});
    expect(ends(gone, 'line1')).toEqual([40, 20, 200, 20]);
    expect(connect(c.doc, 'a', 'line1')).toBeNull();
    expect(connect(c.doc, 'a', 'a')).toBeNull();
  });
});

describe('align and distribute', () => {
  const d = doc(el('a', 10, 0, 40, 40), el('b', 100, 30, 20, 60), el('c', 300, 5, 60, 20));
  it('aligns to the common bounds', () => {
    const xs = (x: Doc) => ['a', 'b', 'c'].map((id) => byId(x, id).x);
    const ys = (x: Doc) => ['a', 'b', 'c'].map((id) => byId(x, id).y);
    expect(xs(align(d, ['a', 'b', 'c'], 'left'))).toEqual([10, 10, 10]);
    expect(xs(align(d, ['a', 'b', 'c'], 'right'))).toEqual([320, 340, 300]);
    expect(xs(align(d, ['a', 'b', 'c'], 'center'))).toEqual([165, 175, 155]);
    expect(ys(align(d, ['a', 'b', 'c'], 'top'))).toEqual([0, 0, 0]);
    expect(ys(align(d, ['a', 'b', 'c'], 'bottom'))).toEqual([50, 30, 70]);
    expect(ys(align(d, ['a', 'b', 'c'], 'middle'))).toEqual([25, 15, 35]);
    expect(align(d, ['a'], 'left')).toBe(d);
  });
  it('distributes with equal gaps, the outermost staying', () => {
    const h = distribute(d, ['c', 'a', 'b'], 'horizontal');
    // span 10..360 = 350, widths 120: gap 115.
    expect(['a', 'b', 'c'].map((id) => byId(h, id).x)).toEqual([10, 165, 300]);
    expect(distribute(d, ['a', 'b'], 'horizontal')).toBe(d);
    const v = distribute(d, ['a', 'b', 'c'], 'vertical');
    // sorted by y: a(0,h40) c(5,h20) b(30,h60): span 0..90, heights 120: gap -15.
    expect(['a', 'c', 'b'].map((id) => byId(v, id).y)).toEqual([0, 25, 30]);
  });
});

describe('z-order and the background layer', () => {
  const d = doc(el('a', 0, 0), el('b', 0, 0), el('c', 0, 0), el('d', 0, 0));
  const order = (x: Doc) => x.elements.map((e) => e.id).join('');
  it('front, back, forward, backward', () => {
    expect(order(zOrder(d, ['b'], 'front'))).toBe('acdb');
    expect(order(zOrder(d, ['c'], 'back'))).toBe('cabd');
    expect(order(zOrder(d, ['a', 'b'], 'forward'))).toBe('cabd');
    expect(order(zOrder(d, ['d'], 'backward'))).toBe('abdc');
    expect(order(zOrder(d, ['a'], 'backward'))).toBe('abcd');
  });
  it('background elements are drawn first whatever the z-order, and are not hit unless unlocked', () => {
    const bg = setBackground(d, ['c'], true);
    expect(order(bg)).toBe('cabd');
    expect(order(zOrder(bg, ['c'], 'front'))).toBe('cabd');
    expect(order(zOrder(bg, ['a'], 'back'))).toBe('cabd');
    expect(hitTest(bg, 10, 10, false)?.id).toBe('d');
    const only = setBackground(doc(el('x', 0, 0)), ['x'], true);
    expect(hitTest(only, 10, 10, false)).toBeNull();
    expect(hitTest(only, 10, 10, true)?.id).toBe('x');
    expect(byId(setBackground(only, ['x'], false), 'x').props).toEqual({});
  });
});

describe('copy and paste', () => {
  it('pastes with new unique ids, offset; a connector between copies connects the copies; one without its ends is a plain line', () => {
    const c = connect(doc(el('p1', 0, 0), el('p2', 200, 0), el('v1', 0, 100, 80, 30, 'value')), 'p1', 'p2');
    if (!c) throw new Error('not connected');
    const withBind = { ...c.doc, elements: c.doc.elements.map((e) => (e.id === 'p1' ? { ...e, bind: { state: 'S/A/M/Run' } } : e)) };
    const clip = copy(withBind, ['p1', 'p2', 'line1']);
    const r = paste(withBind, clip, 20, 20);
    expect(r.ids).toEqual(['p3', 'p4', 'line2']);
    expect(byId(r.doc, 'p3')).toMatchObject({ x: 20, y: 20, bind: { state: 'S/A/M/Run' } });
    expect(byId(r.doc, 'line2').props).toEqual({ from: 'p3', to: 'p4' });
    expect(byId(r.doc, 'line1').props).toEqual({ from: 'p1', to: 'p2' });
    const again = paste(r.doc, clip, 40, 40);
    expect(again.ids).toEqual(['p5', 'p6', 'line3']);
    const lone = paste(withBind, copy(withBind, ['line1', 'v1']), 10, 10);
    expect(lone.ids).toEqual(['v2', 'line2']);
    expect(byId(lone.doc, 'line2').props).toEqual({});
    expect(new Set(again.doc.elements.map((e) => e.id)).size).toBe(again.doc.elements.length);
  });
});

describe('imported drawings and their parts', () => {
  const part = (id: string, drawing: string): El => ({ ...el(id, 0, 0, 0, 0, 'part'), props: { drawing, ref: 'tank-level' } });
  const d = doc(el('drawing1', 0, 0, 200, 100, 'drawing'), part('part1', 'drawing1'));
  it('a part follows its drawing: pasted with it, it binds the copy; renamed, it keeps it; deleted, it goes too', () => {
    const both = paste(d, copy(d, ['drawing1', 'part1']), 10, 10);
    expect(both.ids).toEqual(['drawing2', 'part2']);
    expect(byId(both.doc, 'part2').props.drawing).toBe('drawing2');
    const alone = paste(d, copy(d, ['part1']), 10, 10);
    expect(byId(alone.doc, 'part2').props.drawing).toBe('drawing1');
    expect(byId(renameElement(d, 'drawing1', 'tank'), 'part1').props.drawing).toBe('tank');
    expect(deleteElements(d, ['drawing1']).elements).toEqual([]);
  });
});

describe('undo and redo', () => {
  it('steps back and forward through documents; a new step after an undo drops the redo; bounded', () => {
    const d0 = doc();
    const d1 = addElement(d0, 'pump', { x: 0, y: 0 }, { w: 80, h: 80 }, 10).doc;
    const d2 = moveElements(d1, ['pump1'], 30, 0, 10);
    let h = push(push(historyOf(d0), d1), d2);
    h = undo(h);
    expect(h.present).toBe(d1);
    h = undo(h);
    expect(h.present).toBe(d0);
    expect(undo(h)).toBe(h);
    h = redo(h);
    expect(h.present).toBe(d1);
    const d3 = deleteElements(d1, ['pump1']);
    h = push(h, d3);
    expect(h.future).toEqual([]);
    expect(redo(h)).toBe(h);
    expect(push(h, d3)).toBe(h);
    let many = historyOf(0);
    for (let i = 1; i <= 10; i++) many = push(many, i, 4);
    expect(many.past).toEqual([6, 7, 8, 9]);
  });
});
