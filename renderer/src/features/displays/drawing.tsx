// An imported SVG drawing on a display, and its parts bound by id. The drawing's markup was made
// safe by the core (native/displays/svg.ts: no scripts, event handlers or external references;
// checked again whenever a display file is read), so it is set as the drawing's inner markup once per
// document. A part writes its tag onto the drawing's element of that id: a text element shows the
// value with its unit and quality (STALE, BAD); a shape gets data-part-state / data-part-quality /
// data-part-limit, which drawing.css draws (colour AND a thick or dashed outline, as the symbols do).
import type { DisplayElementInfo } from '../../../../native/api/display-requests';
import type { TagInfo } from '../../../../native/api/types';
import { formatValue, limitState, QUALITY_LABEL } from '../../lib/format';
import type { ElementInputs } from './applier';
import './drawing.css';

type Common = { 'data-id': string; 'data-kind': string; className: string; transform: string };

export function DrawingSymbol({ el, common }: { el: DisplayElementInfo; common: Common }) {
  return (
    // biome-ignore lint/a11y/noInteractiveElementToNoninteractiveRole: an SVG <g> is no interactive element; role img names the drawing.
    <g {...common} role="img" aria-label={el.label ?? `Drawing ${el.id}`}>
      <svg
        width={el.w}
        height={el.h}
        viewBox={String(el.props.viewBox ?? `0 0 ${el.w} ${el.h}`)}
        preserveAspectRatio="xMidYMid meet"
        // biome-ignore lint/security/noDangerouslySetInnerHtml: the core made this markup safe (allow-list; checked again when the file is read)
        dangerouslySetInnerHTML={{ __html: el.svg ?? '' }}
      />
    </g>
  );
}

/** A part draws nothing of its own: it is the bound element of a drawing, named for assistive technology. */
export function PartSymbol({ el, common }: { el: DisplayElementInfo; common: Common }) {
  // biome-ignore lint/a11y/noInteractiveElementToNoninteractiveRole: an SVG <g> is no interactive element; role img gives the readout its name.
  return <g {...common} role="img" aria-label={`${el.label ?? el.id}: no data`} />;
}

/** The node of the part's drawing that it binds, or null when the drawing or the id is not there. */
export function partTarget(root: Element, el: DisplayElementInfo): Element | null {
  const canvas = root.closest('svg.display-canvas') ?? root.ownerDocument;
  const drawing = canvas.querySelector(`g[data-id="${CSS.escape(String(el.props.drawing ?? ''))}"]`);
  return drawing?.querySelector(`[id="${CSS.escape(String(el.props.ref ?? ''))}"]`) ?? null;
}

const MARK = ['', ' STALE', ' BAD'] as const;

/** The part's writer: its value (text elements) or its state (shapes) onto the drawing's element. */
export function partWriter(root: SVGGElement, el: DisplayElementInfo, tag: TagInfo | undefined): (inputs: ElementInputs) => void {
  const target = partTarget(root, el);
  const label = el.label ?? el.id;
  const isText = target !== null && (target.localName === 'text' || target.localName === 'tspan');
  // Text drawn in Inkscape keeps its position in its first tspan: the value goes there.
  const textNode = isText ? (target.querySelector('tspan') ?? target) : null;
  const unit = tag?.unit ? ` ${tag.unit}` : '';
  return (i) => {
    const quality = QUALITY_LABEL[i.quality as 0 | 1 | 2] ?? 'Bad';
    const hasState = !!(el.bind.state || el.bind.alarm);
    const state =
      i.alarm > 0.5 ? 'tripped' : i.quality === 2 ? 'unknown' : Number.isNaN(i.state) ? 'unknown' : i.state > 0.5 ? 'on' : 'off';
    const text = formatValue(Number.isNaN(i.value) ? null : i.value, tag);
    const limit = tag && i.quality !== 2 && el.bind.value ? limitState(i.value, tag) : 'none';
    if (target) {
      target.setAttribute('data-part-quality', quality);
      target.setAttribute('data-part-limit', limit);
      if (hasState) target.setAttribute('data-part-state', state);
    }
    if (textNode && el.bind.value) textNode.textContent = `${text}${unit}${MARK[i.quality as 0 | 1 | 2] ?? ' BAD'}`;
    const said = el.bind.value
      ? `${text}${unit}${limit === 'high' ? ', above its range' : limit === 'low' ? ', below its range' : ''}`
      : state === 'tripped'
        ? 'tripped'
        : state === 'on'
          ? 'on'
          : state === 'off'
            ? 'off'
            : 'no data';
    root.setAttribute(
      'aria-label',
      `${label}: ${target ? said : 'its drawing element is missing'}${i.quality === 0 ? '' : `, ${quality}`}`,
    );
  };
}
