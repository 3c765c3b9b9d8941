// An SVG drawn elsewhere is made safe before a display shows it: hostile input (scripts, event
// handlers, external references of every form, entity tricks, foreign content) comes out without
// them, named in `removed`; an Inkscape drawing keeps its shapes and the ids to bind; the result is
// canonical (sanitising it again gives the same text), which is how a stored drawing is checked.
import { describe, expect, it } from 'vitest';
import { isCleanSvg, SVG_LIMITS, SvgError, sanitizeSvg } from './svg.js';

const INKSCAPE = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!-- Created with Inkscape (http://www.inkscape.org/) -->
<svg width="210mm" height="100mm" viewBox="0 0 210 100" version="1.1" id="svg1"
   xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
   xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
   xmlns="http://www.w3.org/2000/svg" xmlns:svg="http://www.w3.org/2000/svg">
  <sodipodi:namedview id="namedview1" pagecolor="#ffffff" inkscape:zoom="1"/>
  <defs id="defs1"><linearGradient id="grad1"><stop offset="0" style="stop-color:#888888;stop-opacity:1"/></linearGradient></defs>
  <g inkscape:label="Layer 1" inkscape:groupmode="layer" id="layer1">
    <rect style="fill:url(#grad1);stroke:#333333;stroke-width:0.5" id="tank-body" width="40" height="60" x="10" y="20" />
    <text xml:space="preserve" style="font-size:6px;font-family:sans-serif" x="12" y="15" id="tank-level"><tspan id="tspan1" x="12" y="15">0.0 &amp; m</tspan></text>
    <path d="M 50,50 H 120" style="stroke:#555555;fill:none" id="header-line" />
  </g>
</svg>
`;

describe('sanitizeSvg', () => {
  it('keeps an Inkscape drawing: its shapes, local gradient, text and the ids to bind; drops the editor metadata', () => {
    const r = sanitizeSvg(INKSCAPE);
    expect(r.viewBox).toBe('0 0 210 100');
    expect(r.ids.map((i) => i.id)).toEqual(['defs1', 'grad1', 'layer1', 'tank-body', 'tank-level', 'tspan1', 'header-line']);
    expect(r.ids.find((i) => i.id === 'tank-level')?.element).toBe('text');
    expect(r.markup).toContain('<rect style="fill:url(#grad1);stroke:#333333;stroke-width:0.5" id="tank-body"');
    expect(r.markup).toContain('0.0 &amp; m');
    expect(r.markup).not.toMatch(/sodipodi|inkscape|xmlns/);
    expect(r.removed).toEqual(['editor metadata element (<sodipodi:namedview>)']);
    expect(isCleanSvg(r.markup, r.viewBox)).toBe(true);
  });

  it('removes scripts, event handlers, foreign content, images and animations, naming each kind', () => {
    const r = sanitizeSvg(`<svg viewBox="0 0 10 10" onload="alert(1)">
      <script>alert(1)</script><script href="https://evil.example/x.js"/>
      <rect id="r" width="5" height="5" onclick="steal()" OnMouseOver="x()"/>
      <foreignObject><div xmlns="http://www.w3.org/1999/xhtml"><img src="x" onerror="alert(1)"/></div></foreignObject>
      <image href="https://evil.example/track.png" width="1" height="1"/>
      <a href="javascript:alert(1)"><circle r="3"/></a>
      <set attributeName="href" to="javascript:alert(1)"/><animate attributeName="onclick" to="alert(1)"/>
      <iframe src="https://evil.example"/>
    </svg>`);
    expect(r.markup).not.toMatch(/script|alert|onclick|onmouseover|foreignObject|image|javascript|evil|iframe|<a|<set|animate/i);
    expect(r.markup).toContain('<rect id="r" width="5" height="5"/>');
    expect(r.removed).toEqual([
      'script element (<script>)',
      'event handler attribute (onclick, OnMouseOver)',
      'element not drawn by the console (<foreignObject>, <image>, <a>, <set>, <animate>, …)',
    ]);
    // The root's own onload is not carried either: only the root's children are kept.
    expect(r.markup).not.toContain('onload');
  });

  it('removes external references in href, url() of attributes and style, and <style> elements with @import', () => {
    const r = sanitizeSvg(`<svg viewBox="0 0 10 10" xmlns:xlink="http://www.w3.org/1999/xlink">
      <style>@import url(https://evil.example/a.css); rect { fill: url(https://evil.example/p) }</style>
      <use id="u1" xlink:href="https://evil.example/sprite.svg#icon"/>
      <use id="u2" href="#r"/>
      <use id="u3" href="data:image/svg+xml;base64,PHN2Zz4="/>
      <rect id="r" fill="url(https://evil.example/paint)" stroke="url( #ok )" mask="url('https://e.example/m')"
        style="fill:url(http://evil.example/x);stroke:#333;behavior:url(x.htc);background:url(javascript:alert(1));stroke-width:2"/>
      <rect id="r2" style="fill:u\\72l(http://evil.example/y)" filter="url(#f)"/>
    </svg>`);
    expect(r.markup).not.toMatch(/evil|javascript|data:|@import|behavior|background|filter|\\/);
    expect(r.markup).toContain('<use id="u2" href="#r"/>');
    expect(r.markup).toContain('stroke="url( #ok )"');
    expect(r.markup).toContain('style="stroke:#333;stroke-width:2"');
    expect(r.removed).toEqual(
      expect.arrayContaining([
        'style element (<style>)',
        expect.stringMatching(/^external reference \(xlink:href="https:\/\/evil\.example\/sprite\.svg#icon", href="data:/),
        'style value of fill (an external reference or not a plain value)',
        'style property behavior',
      ]),
    );
  });

  it('refuses a DOCTYPE (entity expansion, external entities), unknown entities and malformed XML with a sentence', () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><svg viewBox="0 0 1 1"><text>&lol2;</text></svg>`;
    expect(() => sanitizeSvg(bomb)).toThrow(/a DOCTYPE or other declaration at line 1 is not accepted/);
    const xxe = `<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg viewBox="0 0 1 1"><text>&x;</text></svg>`;
    expect(() => sanitizeSvg(xxe)).toThrow(SvgError);
    expect(() => sanitizeSvg('<svg viewBox="0 0 1 1"><text>&nbsp;</text></svg>')).toThrow(
      /the entity &nbsp; at line 1 is not one of XML's five/,
    );
    expect(() => sanitizeSvg('<svg viewBox="0 0 1 1">\n<g>\n</svg>')).toThrow('</svg> at line 3 closes <g>');
    expect(() => sanitizeSvg('<svg viewBox="0 0 1 1"><rect x="1" x="2"/></svg>')).toThrow(/the attribute x is given twice/);
    expect(() => sanitizeSvg('<html><body/></html>')).toThrow('the file is not an SVG drawing (its top element is not <svg>)');
    expect(() => sanitizeSvg('<svg><rect/></svg>')).toThrow(/neither a viewBox nor a width and height/);
    expect(() => sanitizeSvg(`<svg viewBox="0 0 1 1">${'<g>'.repeat(SVG_LIMITS.depth + 2)}`)).toThrow(/nested deeper than 64/);
    expect(() => sanitizeSvg(' '.repeat(SVG_LIMITS.chars + 1))).toThrow(/more than the 1000000 accepted/);
  });

  it('escapes what it keeps: a character reference that spells markup stays text', () => {
    const r = sanitizeSvg(
      '<svg viewBox="0 0 1 1"><text id="t">&#60;script&#62;alert(1)&#x3c;/script></text><rect id="q" x="&quot;/&gt;&lt;script&gt;"/></svg>',
    );
    expect(r.markup).toBe('<text id="t">&lt;script&gt;alert(1)&lt;/script&gt;</text><rect id="q" x="&quot;/&gt;&lt;script&gt;"/>');
    expect(r.removed).toEqual([]);
    expect(isCleanSvg(r.markup, r.viewBox)).toBe(true);
  });

  it('a stored drawing that is not what the sanitiser makes of it is not clean (a hand-edited file with a script)', () => {
    expect(isCleanSvg('<rect id="r"/>', '0 0 1 1')).toBe(true);
    expect(isCleanSvg('<rect id="r" onclick="x()"/>', '0 0 1 1')).toBe(false);
    expect(isCleanSvg('<script>alert(1)</script>', '0 0 1 1')).toBe(false);
    expect(isCleanSvg('<rect', '0 0 1 1')).toBe(false);
  });
});
