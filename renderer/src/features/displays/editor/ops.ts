// The editor's operations on a display document, pure: each takes a document and answers a new one
// (never changes its argument), so undo/redo is keeping documents (history.ts) and every operation is
// tested without a browser. Connectors are lines whose props `from` and `to` name two elements: they
// run between the edges of those elements' boxes and are routed again whenever either moves. The
// static background is the elements with props.layer = 'background': always drawn first, below the rest.
import type { DisplayDocumentInfo, DisplayElementInfo, DisplaySymbolKind } from '../../../../../native/api/display-requests';

export type Doc = DisplayDocumentInfo;
export type El = DisplayElementInfo;

/** The canvas bound of the schema (native/displays/schema.ts DISPLAY_LIMITS.canvas). */
export const CANVAS_LIMIT = 20_000;
export const DEFAULT_GRID = 10;

const clamp = (v: number) => Math.min(CANVAS_LIMIT, Math.max(-CANVAS_LIMIT, v));
const round = (v: number) => Math.round(v * 100) / 100;

export const snap = (v: number, grid: number): number => (grid > 0 ? Math.round(v / grid) * grid : v);

export const isBackground = (e: El): boolean => e.props.layer === 'background';
export const isConnector = (e: El): boolean => e.kind === 'line' && typeof e.props.from === 'string' && typeof e.props.to === 'string';

/** The first id `<base><n>` (n = 1, 2, …) that is not in `taken`; the base made a valid element id. */
export function uniqueId(base: string, taken: ReadonlySet<string>): string {
  const clean =
    base
      .replace(/[^\w-]/g, '')
      .replace(/^[^A-Za-z0-9]+/, '')
      .replace(/\d+$/, '')
      .slice(0, 56) || 'el';
  for (let n = 1; ; n++) {
    const id = `${clean}${n}`;
    if (!taken.has(id)) return id;
  }
}

/** Background first, then the rest, each in its own order (z-order never crosses the layer). */
function layered(elements: readonly El[]): El[] {
  return [...elements.filter(isBackground), ...elements.filter((e) => !isBackground(e))];
}

const withElements = (d: Doc, elements: El[]): Doc => ({ ...d, elements: layered(routeConnectors(elements)) });

/** A new element of `kind` at (x, y) snapped to the grid, with its registry size; its id unique. */
export function addElement(
  d: Doc,
  kind: DisplaySymbolKind,
  at: { x: number; y: number },
  size: { w: number; h: number },
  grid: number,
  extra: Partial<El> = {},
): { doc: Doc; id: string } {
  const id = uniqueId(kind, new Set(d.elements.map((e) => e.id)));
  const el: El = {
    id,
    kind,
    x: clamp(snap(at.x, grid)),
    y: clamp(snap(at.y, grid)),
    w: size.w,
    h: size.h,
    bind: {},
    props: {},
    ...extra,
  };
  return { doc: withElements(d, [...d.elements, el]), id };
}

/**
 * Where a new box of `size` can go without covering another: the first free place on a spiral of
 * grid-sized steps around `around` (bounded: after 400 places it answers `around`).
 */
export function freeSpot(d: Doc, size: { w: number; h: number }, around: { x: number; y: number }, grid: number): { x: number; y: number } {
  const step = Math.max(grid, 10) * 2;
  const boxes = d.elements.filter((e) => e.kind !== 'line' && e.kind !== 'part');
  const free = (x: number, y: number) => boxes.every((e) => x + size.w <= e.x || x >= e.x + e.w || y + size.h <= e.y || y >= e.y + e.h);
  for (let ring = 0, tried = 0; tried < 400; ring++) {
    for (let i = -ring; i <= ring && tried < 400; i++)
      for (const [dx, dy] of [
        [i, -ring],
        [i, ring],
        [-ring, i],
        [ring, i],
      ] as const) {
        tried++;
        const x = snap(around.x + dx * step, grid);
        const y = snap(around.y + dy * step, grid);
        if (free(x, y)) return { x, y };
      }
  }
  return around;
}

/** Replace one element's fields (properties panel); connectors attached to it follow. */
export function updateElement(d: Doc, id: string, patch: Partial<El>): Doc {
  return withElements(
    d,
    d.elements.map((e) => (e.id === id ? { ...e, ...patch } : e)),
  );
}

/** Rename an element, keeping the connectors that name it; refused (same doc) when the id is taken or not valid. */
export function renameElement(d: Doc, from: string, to: string): Doc {
  if (from === to || !/^[A-Za-z0-9][\w-]{0,63}$/.test(to) || d.elements.some((e) => e.id === to)) return d;
  return withElements(
    d,
    d.elements.map((e) => {
      const props = { ...e.props };
      if (props.from === from) props.from = to;
      if (props.to === from) props.to = to;
      if (e.kind === 'part' && props.drawing === from) props.drawing = to;
      return { ...e, id: e.id === from ? to : e.id, props };
    }),
  );
}

/**
 * Move the elements `ids` by (dx, dy). With a grid, the delta is chosen so that the first of them
 * lands on the grid and the others keep their places relative to it. Connectors follow.
 */
export function moveElements(d: Doc, ids: readonly string[], dx: number, dy: number, grid: number): Doc {
  const moving = new Set(ids.filter((id) => !d.elements.find((e) => e.id === id && isConnector(e))));
  const lead = d.elements.find((e) => moving.has(e.id));
  if (!lead) return d;
  const sx = snap(lead.x + dx, grid) - lead.x;
  const sy = snap(lead.y + dy, grid) - lead.y;
  if (sx === 0 && sy === 0) return d;
  return withElements(
    d,
    d.elements.map((e) => (moving.has(e.id) ? { ...e, x: clamp(round(e.x + sx)), y: clamp(round(e.y + sy)) } : e)),
  );
}

/**
 * Resize an element from its bottom-right corner by (dw, dh): the corner lands on the grid, the size
 * stays at least one grid step (one unit without a grid). Connectors follow. Lines are not resized.
 */
export function resizeElement(d: Doc, id: string, dw: number, dh: number, grid: number): Doc {
  const e = d.elements.find((x) => x.id === id);
  if (!e || e.kind === 'line') return d;
  const min = grid > 0 ? grid : 1;
  const w = Math.min(CANVAS_LIMIT, Math.max(min, snap(e.x + e.w + dw, grid) - e.x));
  const h = Math.min(CANVAS_LIMIT, Math.max(min, snap(e.y + e.h + dh, grid) - e.y));
  if (w === e.w && h === e.h) return d;
  return updateElement(d, id, { w: round(w), h: round(h) });
}

/** The ids of the selectable elements whose boxes lie wholly inside the rectangle (rubber-band selection). */
export function inRect(d: Doc, a: { x: number; y: number }, b: { x: number; y: number }, background: boolean): string[] {
  const left = Math.min(a.x, b.x);
  const right = Math.max(a.x, b.x);
  const top = Math.min(a.y, b.y);
  const bottom = Math.max(a.y, b.y);
  return d.elements
    .filter((e) => (background || !isBackground(e)) && e.kind !== 'part')
    .filter((e) => {
      const box =
        e.kind === 'line'
          ? (() => {
              const l = lineEnds(e);
              return { x1: Math.min(l.x1, l.x2), y1: Math.min(l.y1, l.y2), x2: Math.max(l.x1, l.x2), y2: Math.max(l.y1, l.y2) };
            })()
          : { x1: e.x, y1: e.y, x2: e.x + e.w, y2: e.y + e.h };
      return box.x1 >= left && box.x2 <= right && box.y1 >= top && box.y2 <= bottom;
    })
    .map((e) => e.id);
}

/**
 * Delete elements; connectors that named one of them stay as plain lines (their ends no longer
 * follow); the parts of a deleted drawing go with it (they bind nothing without it).
 */
export function deleteElements(d: Doc, ids: readonly string[]): Doc {
  const gone = new Set(ids);
  return withElements(
    d,
    d.elements
      .filter((e) => !gone.has(e.id) && !(e.kind === 'part' && gone.has(String(e.props.drawing))))
      .map((e) => {
        if (!isConnector(e) || (!gone.has(String(e.props.from)) && !gone.has(String(e.props.to)))) return e;
        const { from: _f, to: _t, ...props } = e.props;
        return { ...e, props };
      }),
  );
}

/** A line from element `a` to element `b` that follows them. */
export function connect(d: Doc, a: string, b: string): { doc: Doc; id: string } | null {
  const ea = d.elements.find((e) => e.id === a);
  const eb = d.elements.find((e) => e.id === b);
  if (!ea || !eb || a === b || ea.kind === 'line' || eb.kind === 'line') return null;
  const id = uniqueId('line', new Set(d.elements.map((e) => e.id)));
  const line: El = { id, kind: 'line', x: 0, y: 0, w: 0, h: 0, bind: {}, props: { from: a, to: b } };
  return { doc: withElements(d, [...d.elements, line]), id };
}

const centre = (e: El) => ({ x: e.x + e.w / 2, y: e.y + e.h / 2 });

/** Where the ray from the box's centre toward (tx, ty) leaves the box. */
function edgePoint(e: El, tx: number, ty: number): { x: number; y: number } {
  const c = centre(e);
  const dx = tx - c.x;
  const dy = ty - c.y;
  if (dx === 0 && dy === 0) return c;
  const t = Math.min(
    dx === 0 ? Number.POSITIVE_INFINITY : e.w / 2 / Math.abs(dx),
    dy === 0 ? Number.POSITIVE_INFINITY : e.h / 2 / Math.abs(dy),
  );
  return { x: c.x + dx * Math.min(1, t), y: c.y + dy * Math.min(1, t) };
}

/**
 * Each connector drawn from the edge of its `from` element to the edge of its `to` element. A line
 * runs from (x, y) to (x + w, y + h) with w, h ≥ 0 (the schema), so a connector is a horizontal
 * line of its length turned by `rotation` about its centre: any direction, the flow arrow along it.
 */
export function routeConnectors(elements: readonly El[]): El[] {
  const byId = new Map(elements.map((e) => [e.id, e]));
  return elements.map((e) => {
    if (!isConnector(e)) return e;
    const a = byId.get(String(e.props.from));
    const b = byId.get(String(e.props.to));
    if (!a || !b) return e;
    const ca = centre(a);
    const cb = centre(b);
    const p = edgePoint(a, cb.x, cb.y);
    const q = edgePoint(b, ca.x, ca.y);
    const len = Math.hypot(q.x - p.x, q.y - p.y);
    const angle = (Math.atan2(q.y - p.y, q.x - p.x) * 180) / Math.PI;
    const mid = { x: (p.x + q.x) / 2, y: (p.y + q.y) / 2 };
    const next = { x: clamp(round(mid.x - len / 2)), y: clamp(round(mid.y)), w: round(len), h: 0, rotation: round(angle) };
    if (next.x === e.x && next.y === e.y && next.w === e.w && next.h === e.h && next.rotation === (e.rotation ?? 0)) return e;
    return { ...e, ...next };
  });
}

/** The ends of a line as drawn (rotation about its box's centre applied), for the editor's handles and tests. */
export function lineEnds(e: El): { x1: number; y1: number; x2: number; y2: number } {
  const cx = e.x + e.w / 2;
  const cy = e.y + e.h / 2;
  const r = ((e.rotation ?? 0) * Math.PI) / 180;
  const rot = (x: number, y: number) => ({
    x: cx + (x - cx) * Math.cos(r) - (y - cy) * Math.sin(r),
    y: cy + (x - cx) * Math.sin(r) + (y - cy) * Math.cos(r),
  });
  const a = rot(e.x, e.y);
  const b = rot(e.x + e.w, e.y + e.h);
  return { x1: a.x, y1: a.y, x2: b.x, y2: b.y };
}

export type Align = 'left' | 'center' | 'right' | 'top' | 'middle' | 'bottom';

/** Align the selected boxes (two or more, connectors excluded) to their common bounds' edge or centre. */
export function align(d: Doc, ids: readonly string[], how: Align): Doc {
  const sel = d.elements.filter((e) => ids.includes(e.id) && !isConnector(e));
  if (sel.length < 2) return d;
  const left = Math.min(...sel.map((e) => e.x));
  const right = Math.max(...sel.map((e) => e.x + e.w));
  const top = Math.min(...sel.map((e) => e.y));
  const bottom = Math.max(...sel.map((e) => e.y + e.h));
  const to = (e: El): Partial<El> => {
    switch (how) {
      case 'left':
        return { x: left };
      case 'right':
        return { x: right - e.w };
      case 'center':
        return { x: round((left + right) / 2 - e.w / 2) };
      case 'top':
        return { y: top };
      case 'bottom':
        return { y: bottom - e.h };
      case 'middle':
        return { y: round((top + bottom) / 2 - e.h / 2) };
    }
  };
  const chosen = new Set(sel.map((e) => e.id));
  return withElements(
    d,
    d.elements.map((e) => (chosen.has(e.id) ? { ...e, ...to(e) } : e)),
  );
}

/** Spread three or more selected boxes so the gaps between them are equal; the outermost two stay. */
export function distribute(d: Doc, ids: readonly string[], axis: 'horizontal' | 'vertical'): Doc {
  const sel = d.elements.filter((e) => ids.includes(e.id) && !isConnector(e));
  if (sel.length < 3) return d;
  const pos = axis === 'horizontal' ? (e: El) => e.x : (e: El) => e.y;
  const size = axis === 'horizontal' ? (e: El) => e.w : (e: El) => e.h;
  const sorted = [...sel].sort((a, b) => pos(a) - pos(b) || a.id.localeCompare(b.id));
  const first = sorted[0] as El;
  const last = sorted[sorted.length - 1] as El;
  const span = pos(last) + size(last) - pos(first);
  const gap = (span - sorted.reduce((s, e) => s + size(e), 0)) / (sorted.length - 1);
  const placed = new Map<string, number>();
  let at = pos(first);
  for (const e of sorted) {
    placed.set(e.id, round(at));
    at += size(e) + gap;
  }
  return withElements(
    d,
    d.elements.map((e) => {
      const p = placed.get(e.id);
      if (p === undefined) return e;
      return axis === 'horizontal' ? { ...e, x: p } : { ...e, y: p };
    }),
  );
}

export type ZMove = 'front' | 'back' | 'forward' | 'backward';

/** Change the drawing order of the selected elements within their layer (later is on top). */
export function zOrder(d: Doc, ids: readonly string[], move: ZMove): Doc {
  const chosen = new Set(ids);
  const reorder = (list: El[]): El[] => {
    const picked = list.filter((e) => chosen.has(e.id));
    const rest = list.filter((e) => !chosen.has(e.id));
    if (move === 'front') return [...rest, ...picked];
    if (move === 'back') return [...picked, ...rest];
    const out = [...list];
    const step = move === 'forward' ? 1 : -1;
    const order = move === 'forward' ? [...out.keys()].reverse() : [...out.keys()];
    for (const i of order) {
      const e = out[i] as El;
      const j = i + step;
      if (!chosen.has(e.id) || j < 0 || j >= out.length || chosen.has((out[j] as El).id)) continue;
      out[i] = out[j] as El;
      out[j] = e;
    }
    return out;
  };
  const bg = d.elements.filter(isBackground);
  const fg = d.elements.filter((e) => !isBackground(e));
  return { ...d, elements: [...reorder(bg), ...reorder(fg)] };
}

/** Put the selected elements on the static background layer (below everything) or back on top of it. */
export function setBackground(d: Doc, ids: readonly string[], on: boolean): Doc {
  const chosen = new Set(ids);
  return withElements(
    d,
    d.elements.map((e) => {
      if (!chosen.has(e.id)) return e;
      const { layer: _l, ...props } = e.props;
      return { ...e, props: on ? { ...props, layer: 'background' } : props };
    }),
  );
}

/** What Copy keeps: the elements, in drawing order. */
export type Clip = readonly El[];

export function copy(d: Doc, ids: readonly string[]): Clip {
  const chosen = new Set(ids);
  return d.elements.filter((e) => chosen.has(e.id));
}

/**
 * Paste a copy: each element gets a new unique id and is offset by (dx, dy); a connector between two
 * copied elements connects their copies; a connector copied without both its ends is a plain line;
 * a part copied with its drawing binds the drawing's copy.
 * Answers the new document and the pasted ids (the new selection).
 */
export function paste(d: Doc, clip: Clip, dx: number, dy: number): { doc: Doc; ids: string[] } {
  const taken = new Set(d.elements.map((e) => e.id));
  const renamed = new Map<string, string>();
  for (const e of clip) {
    const id = uniqueId(e.id, taken);
    taken.add(id);
    renamed.set(e.id, id);
  }
  const pasted = clip.map((e): El => {
    const props = { ...e.props };
    // A part pasted with its drawing binds the copy of the drawing; without it, the original.
    if (e.kind === 'part' && renamed.has(String(e.props.drawing))) props.drawing = renamed.get(String(e.props.drawing)) as string;
    if (isConnector(e)) {
      const from = renamed.get(String(e.props.from));
      const to = renamed.get(String(e.props.to));
      if (from && to) Object.assign(props, { from, to });
      else {
        delete props.from;
        delete props.to;
      }
    }
    return { ...e, id: renamed.get(e.id) as string, x: clamp(e.x + dx), y: clamp(e.y + dy), props, bind: { ...e.bind } };
  });
  return { doc: withElements(d, [...d.elements, ...pasted]), ids: pasted.map((e) => e.id) };
}

/** The selectable element at the top under a point, or null; the background only when `background` is unlocked. */
export function hitTest(d: Doc, x: number, y: number, background: boolean): El | null {
  for (let i = d.elements.length - 1; i >= 0; i--) {
    const e = d.elements[i] as El;
    if (isBackground(e) && !background) continue;
    if (e.kind === 'line') {
      const l = lineEnds(e);
      if (distanceToSegment(x, y, l) <= 6) return e;
      continue;
    }
    if (x >= e.x && x <= e.x + e.w && y >= e.y && y <= e.y + e.h) return e;
  }
  return null;
}

function distanceToSegment(px: number, py: number, l: { x1: number; y1: number; x2: number; y2: number }): number {
  const dx = l.x2 - l.x1;
  const dy = l.y2 - l.y1;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - l.x1) * dx + (py - l.y1) * dy) / len2));
  return Math.hypot(px - (l.x1 + t * dx), py - (l.y1 + t * dy));
}
