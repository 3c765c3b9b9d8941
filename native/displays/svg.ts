// An SVG drawn elsewhere (Inkscape, Illustrator…) made safe to show inside a display: parsed by a
// strict, small XML reader of our own (no DOCTYPE, so no entity expansion; only the five XML entities
// and character references) and rebuilt from an allow-list. What is not on the list is dropped:
// scripts, <style>, <foreignObject>, <image>, event handlers (on*), any href that is not a reference
// inside the drawing (#id), any url(…) that is not url(#id), Inkscape/Sodipodi metadata. The result
// is the drawing's inner markup in one canonical form, so sanitising it again gives the same text —
// which is how a display file read from disk is checked (`isCleanSvg`).

export const SVG_LIMITS = {
  /** Characters of SVG text one import may carry. */
  chars: 1_000_000,
  /** Elements one drawing may hold. */
  elements: 20_000,
  /** Nesting depth. */
  depth: 64,
} as const;

const ELEMENTS = new Set([
  'g',
  'path',
  'rect',
  'circle',
  'ellipse',
  'line',
  'polyline',
  'polygon',
  'text',
  'tspan',
  'title',
  'desc',
  'defs',
  'linearGradient',
  'radialGradient',
  'stop',
  'clipPath',
  'mask',
  'use',
  'symbol',
  'marker',
  'pattern',
]);

/** Presentation properties: kept in a style attribute, and as attributes of the same name (ATTRIBUTES). */
const STYLE_PROPERTIES = new Set([
  'fill',
  'fill-opacity',
  'fill-rule',
  'stroke',
  'stroke-width',
  'stroke-opacity',
  'stroke-dasharray',
  'stroke-dashoffset',
  'stroke-linecap',
  'stroke-linejoin',
  'stroke-miterlimit',
  'opacity',
  'font-family',
  'font-size',
  'font-weight',
  'font-style',
  'text-anchor',
  'dominant-baseline',
  'letter-spacing',
  'stop-color',
  'stop-opacity',
  'display',
  'visibility',
  'clip-path',
  'mask',
  'marker-start',
  'marker-mid',
  'marker-end',
  'paint-order',
  'vector-effect',
]);

/** The attributes kept: geometry, references, gradient/pattern/marker settings and, as attributes, every presentation property. */
const ATTRIBUTES = new Set([
  'id',
  'x',
  'y',
  'x1',
  'y1',
  'x2',
  'y2',
  'cx',
  'cy',
  'r',
  'rx',
  'ry',
  'fx',
  'fy',
  'dx',
  'dy',
  'width',
  'height',
  'd',
  'points',
  'transform',
  'viewBox',
  'preserveAspectRatio',
  'style',
  'offset',
  'gradientUnits',
  'gradientTransform',
  'spreadMethod',
  'clip-rule',
  'clipPathUnits',
  'maskUnits',
  'patternUnits',
  'patternTransform',
  'markerWidth',
  'markerHeight',
  'refX',
  'refY',
  'orient',
  'href',
  'xlink:href',
  ...STYLE_PROPERTIES,
]);

/** url(#id) only: a reference inside the drawing. Anything else in a url() is an external reference. */
const URL = /url\s*\(/gi;
const LOCAL_URL = /url\(\s*#[\w.:-]+\s*\)/gi;
/** A plain CSS value: no quotes, backslashes (escapes), semicolons, braces, at-rules or comments. */
const SAFE_VALUE = /^[\w\s#.,%()+-]*$/;

interface Node {
  name: string;
  attrs: [string, string][];
  children: (Node | string)[];
}

export class SvgError extends Error {}

/** The drawing made safe: its inner markup, its viewBox, the ids it has (to bind) and what was removed. */
export interface CleanSvg {
  markup: string;
  viewBox: string;
  ids: { id: string; element: string }[];
  /** One sentence per kind of thing dropped ("2 event handler attributes (onclick, onload)"). */
  removed: string[];
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(s: string, where: () => string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|\w+);|&/g, (m, ent: string | undefined) => {
    if (ent === undefined) throw new SvgError(`a bare & ${where()} (write &amp;)`);
    if (ent.startsWith('#x')) return codePoint(Number.parseInt(ent.slice(2), 16), m, where);
    if (ent.startsWith('#')) return codePoint(Number.parseInt(ent.slice(1), 10), m, where);
    const v = ENTITIES[ent];
    if (v === undefined) throw new SvgError(`the entity ${m} ${where()} is not one of XML's five (&lt; &gt; &amp; &quot; &apos;)`);
    return v;
  });
}

function codePoint(n: number, m: string, where: () => string): string {
  if (!Number.isInteger(n) || n < 1 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff))
    throw new SvgError(`the character reference ${m} ${where()} is not a character`);
  return String.fromCodePoint(n);
}

/** A strict XML reader for one document: elements, attributes, text; comments and PIs skipped; no DOCTYPE. */
function parse(text: string): Node {
  let i = 0;
  let line = 1;
  const at = () => `at line ${line}`;
  const advance = (to: number) => {
    for (let k = i; k < to; k++) if (text.charCodeAt(k) === 10) line++;
    i = to;
  };
  const root: Node = { name: '#document', attrs: [], children: [] };
  const stack: Node[] = [root];
  let count = 0;
  while (i < text.length) {
    const top = stack[stack.length - 1] as Node;
    const lt = text.indexOf('<', i);
    if (lt !== i) {
      const end = lt === -1 ? text.length : lt;
      const raw = text.slice(i, end);
      if (stack.length > 1) top.children.push(decode(raw, at));
      else if (raw.trim() !== '') throw new SvgError(`text outside the <svg> element ${at()}`);
      advance(end);
      continue;
    }
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end === -1) throw new SvgError(`a comment that is never closed ${at()}`);
      advance(end + 3);
    } else if (text.startsWith('<![CDATA[', i)) {
      const end = text.indexOf(']]>', i + 9);
      if (end === -1) throw new SvgError(`a CDATA section that is never closed ${at()}`);
      if (stack.length > 1) top.children.push(text.slice(i + 9, end));
      advance(end + 3);
    } else if (text.startsWith('<!', i)) {
      throw new SvgError(`a DOCTYPE or other declaration ${at()} is not accepted (entities could expand or reach outside the file)`);
    } else if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i + 2);
      if (end === -1) throw new SvgError(`a processing instruction that is never closed ${at()}`);
      advance(end + 2);
    } else if (text.startsWith('</', i)) {
      const m = /^<\/([\w:.-]+)\s*>/.exec(text.slice(i, i + 300));
      if (!m) throw new SvgError(`a malformed closing tag ${at()}`);
      if (stack.length === 1 || top.name !== m[1])
        throw new SvgError(`</${m[1]}> ${at()} closes ${stack.length === 1 ? 'nothing' : `<${top.name}>`}`);
      stack.pop();
      advance(i + m[0].length);
    } else {
      const m = /^<([A-Za-z_][\w:.-]*)/.exec(text.slice(i, i + 300));
      if (!m?.[1]) throw new SvgError(`a malformed tag ${at()}`);
      const node: Node = { name: m[1], attrs: [], children: [] };
      advance(i + m[0].length);
      for (;;) {
        const ws = /^\s*/.exec(text.slice(i, i + 10_000))?.[0].length ?? 0;
        advance(i + ws);
        if (text.startsWith('/>', i)) {
          advance(i + 2);
          break;
        }
        if (text.startsWith('>', i)) {
          advance(i + 1);
          stack.push(node);
          break;
        }
        const a = /^([A-Za-z_][\w:.-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/.exec(text.slice(i, i + 200_000));
        if (!a?.[1]) throw new SvgError(`a malformed attribute in <${node.name}> ${at()}`);
        if (node.attrs.some(([k]) => k === a[1])) throw new SvgError(`the attribute ${a[1]} is given twice in <${node.name}> ${at()}`);
        node.attrs.push([a[1], decode(a[3] ?? a[4] ?? '', at)]);
        advance(i + a[0].length);
      }
      if (stack.length > SVG_LIMITS.depth + 1) throw new SvgError(`elements nested deeper than ${SVG_LIMITS.depth} ${at()}`);
      if (++count > SVG_LIMITS.elements) throw new SvgError(`more than ${SVG_LIMITS.elements} elements`);
      if (top === root && root.children.length > 0) throw new SvgError(`a second top-level element <${node.name}> ${at()}`);
      top.children.push(node);
    }
  }
  if (stack.length > 1) throw new SvgError(`<${(stack[stack.length - 1] as Node).name}> is never closed`);
  const svg = root.children[0];
  if (typeof svg !== 'object' || svg.name !== 'svg') throw new SvgError('the file is not an SVG drawing (its top element is not <svg>)');
  return svg;
}

const esc = (s: string, attr: boolean) => {
  const t = s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  return attr ? t.replaceAll('"', '&quot;') : t;
};

/** Keeps a style attribute's plain declarations of listed properties; null when nothing is left. */
function cleanStyle(style: string, drop: (what: string) => void): string | null {
  const kept: string[] = [];
  for (const decl of style.split(';')) {
    if (decl.trim() === '') continue;
    const colon = decl.indexOf(':');
    const prop = (colon === -1 ? decl : decl.slice(0, colon)).trim().toLowerCase();
    const value = colon === -1 ? '' : decl.slice(colon + 1).trim();
    if (!STYLE_PROPERTIES.has(prop)) {
      drop(`style property ${prop}`);
      continue;
    }
    if (!safeValue(value)) {
      drop(`style value of ${prop} (an external reference or not a plain value)`);
      continue;
    }
    kept.push(`${prop}:${value}`);
  }
  return kept.length > 0 ? kept.join(';') : null;
}

function safeValue(v: string): boolean {
  if (!SAFE_VALUE.test(v)) return false;
  const urls = v.match(URL)?.length ?? 0;
  return urls === (v.match(LOCAL_URL)?.length ?? 0);
}

/** Makes SVG text safe to show: throws SvgError (a sentence) for text that is not a well-formed SVG. */
export function sanitizeSvg(text: string): CleanSvg {
  if (text.length > SVG_LIMITS.chars)
    throw new SvgError(`the drawing has ${text.length} characters, more than the ${SVG_LIMITS.chars} accepted`);
  const svg = parse(text.replace(/^\uFEFF/, ''));
  const dropped = new Map<string, Set<string>>();
  const drop = (what: string, detail = '') => {
    const s = dropped.get(what) ?? new Set<string>();
    if (detail) s.add(detail);
    dropped.set(what, s);
  };
  const ids: CleanSvg['ids'] = [];
  const seen = new Set<string>();
  const element = (n: Node): string => {
    if (!ELEMENTS.has(n.name)) {
      const what =
        n.name === 'script'
          ? 'script element'
          : n.name === 'style'
            ? 'style element'
            : n.name.includes(':')
              ? 'editor metadata element'
              : 'element not drawn by the console';
      drop(what, `<${n.name}>`);
      return '';
    }
    const attrs: string[] = [];
    for (const [k, raw] of n.attrs) {
      if (/^on/i.test(k)) {
        drop('event handler attribute', k);
        continue;
      }
      if (k === 'href' || k === 'xlink:href') {
        if (!/^#[\w.:-]+$/.test(raw)) {
          drop('external reference', `${k}="${raw.slice(0, 60)}"`);
          continue;
        }
        attrs.push(`href="${esc(raw, true)}"`);
        continue;
      }
      if (!ATTRIBUTES.has(k)) {
        if (!k.startsWith('xmlns') && !k.includes(':')) drop('attribute not drawn by the console', k);
        continue;
      }
      if (k === 'style') {
        const s = cleanStyle(raw, (what) => drop(what));
        if (s !== null) attrs.push(`style="${esc(s, true)}"`);
        continue;
      }
      if (/url\s*\(/i.test(raw) && !safeValue(raw)) {
        drop('external reference', `${k}="${raw.slice(0, 60)}"`);
        continue;
      }
      if (k === 'id') {
        if (!/^[A-Za-z_][\w.-]{0,127}$/.test(raw)) {
          drop('id not usable for binding', raw.slice(0, 60));
          continue;
        }
        if (seen.has(raw)) {
          drop('repeated id', raw);
          continue;
        }
        seen.add(raw);
        ids.push({ id: raw, element: n.name });
      }
      attrs.push(`${k}="${esc(raw, true)}"`);
    }
    const inner = n.children.map((c) => (typeof c === 'string' ? esc(c, false) : element(c))).join('');
    const open = `<${n.name}${attrs.length > 0 ? ` ${attrs.join(' ')}` : ''}`;
    return inner === '' ? `${open}/>` : `${open}>${inner}</${n.name}>`;
  };
  const markup = svg.children.map((c) => (typeof c === 'string' ? esc(c, false) : element(c))).join('');
  const attr = (k: string) => svg.attrs.find(([a]) => a === k)?.[1];
  const num = (s: string | undefined) => {
    const n = Number.parseFloat(s ?? '');
    return Number.isFinite(n) && n > 0 ? n : null;
  };
  let viewBox =
    attr('viewBox')
      ?.trim()
      .replace(/[\s,]+/g, ' ') ?? '';
  if (!/^-?[\d.]+(e-?\d+)? -?[\d.]+(e-?\d+)? [\d.]+(e-?\d+)? [\d.]+(e-?\d+)?$/.test(viewBox)) {
    const w = num(attr('width'));
    const h = num(attr('height'));
    if (w === null || h === null) throw new SvgError('the drawing has neither a viewBox nor a width and height, so it cannot be scaled');
    viewBox = `0 0 ${w} ${h}`;
  }
  const removed = [...dropped].map(([what, details]) => {
    const list = [...details].slice(0, 5);
    return `${what}${list.length > 0 ? ` (${list.join(', ')}${details.size > 5 ? ', …' : ''})` : ''}`;
  });
  return { markup, viewBox, ids, removed };
}

/** True when `markup` (a drawing's inner markup, as stored in a display) is what the sanitiser makes of it. */
export function isCleanSvg(markup: string, viewBox: string): boolean {
  try {
    return sanitizeSvg(`<svg viewBox="${esc(viewBox, true)}">${markup}</svg>`).markup === markup;
  } catch {
    return false;
  }
}
