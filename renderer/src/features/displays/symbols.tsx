// The symbols of a display, drawn for this project in ISA-101 style: grey outlines and calm fills in
// normal state; abnormal states change colour AND shape/text (a tripped pump is filled and says TRIP,
// an active alarm marker appears with its priority number, a Bad value is struck through and says
// BAD). React renders them once per document; live changes go through writer.ts.
import type { KeyboardEvent } from 'react';
import type { DisplayElementInfo } from '../../../../native/api/display-requests';

export interface SymbolProps {
  el: DisplayElementInfo;
  unit: string;
  /** Pumps, valves and buttons act on click and Enter/Space. */
  onActivate?: (el: DisplayElementInfo) => void;
}

const PRIORITY_NUMBER: Record<string, string> = { Critical: '1', High: '2', Medium: '3', Low: '4' };

/** A shape per priority, so the marker is read without colour: diamond, triangle, square, circle. */
function markerShape(priority: string, s: number) {
  const h = s / 2;
  if (priority === 'Critical') return <polygon points={`${h},0 ${s},${h} ${h},${s} 0,${h}`} />;
  if (priority === 'High') return <polygon points={`${h},0 ${s},${s} 0,${s}`} />;
  if (priority === 'Medium') return <rect width={s} height={s} />;
  return <circle cx={h} cy={h} r={h} />;
}

export function DisplaySymbol({ el, unit, onActivate }: SymbolProps) {
  const { w, h } = el;
  const label = el.label ?? el.id;
  const transform = `translate(${el.x} ${el.y})${el.rotation ? ` rotate(${el.rotation} ${w / 2} ${h / 2})` : ''}`;
  const activate = onActivate ? () => onActivate(el) : undefined;
  const keys = onActivate
    ? (e: KeyboardEvent) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          onActivate(el);
        }
      }
    : undefined;
  const common = { 'data-id': el.id, 'data-kind': el.kind, className: `sym sym-${el.kind}`, transform };
  switch (el.kind) {
    case 'pump': {
      const r = Math.min(w, h) / 2;
      return (
        // biome-ignore lint/a11y/useSemanticElements: an SVG group cannot be a <button>; it takes focus and Enter/Space like one.
        <g {...common} role="button" tabIndex={0} aria-label={`${label}: no data`} onClick={activate} onKeyDown={keys}>
          <circle className="body" cx={r} cy={r} r={r} />
          <path className="nozzle" d={`M ${r} 0 H ${2 * r} V ${r * 0.6}`} />
          <polygon className="impeller" points={`${r * 0.55},${r * 0.5} ${r * 1.55},${r} ${r * 0.55},${r * 1.5}`} />
          <text className="s" x={r} y={2 * r + 16} textAnchor="middle">
            —
          </text>
          <text className="name" x={r} y={-8} textAnchor="middle">
            {label}
          </text>
        </g>
      );
    }
    case 'valve':
      return (
        // biome-ignore lint/a11y/noInteractiveElementToNoninteractiveRole: an SVG <g> is no interactive element; role img gives the readout its name.
        <g {...common} role="img" aria-label={`${label}: no data`}>
          <polygon className="body" points={`0,0 ${w / 2},${h / 2} 0,${h}`} />
          <polygon className="body" points={`${w},0 ${w / 2},${h / 2} ${w},${h}`} />
          <text className="s" x={w / 2} y={h + 16} textAnchor="middle">
            —
          </text>
        </g>
      );
    case 'tank':
      return (
        // biome-ignore lint/a11y/noInteractiveElementToNoninteractiveRole: an SVG <g> is no interactive element; role img gives the readout its name.
        <g {...common} role="img" aria-label={`${label}: no data`}>
          <rect className="body" width={w} height={h} rx={Math.min(12, w / 4)} />
          <rect className="level" x={2} y={h - 2} width={Math.max(0, w - 4)} height={0} />
          <text className="v" x={w / 2} y={h / 2} textAnchor="middle">
            —
          </text>
          <text className="q" x={w / 2} y={h / 2 + 16} textAnchor="middle" />
        </g>
      );
    case 'line': {
      const len = Math.hypot(w, h);
      const angle = (Math.atan2(h, w) * 180) / Math.PI;
      return (
        // biome-ignore lint/a11y/noInteractiveElementToNoninteractiveRole: an SVG <g> is no interactive element; role img gives the readout its name.
        <g {...common} role="img" aria-label={`${label}${el.bind.value ? ': no data' : ''}`}>
          <line className="pipe" x1={0} y1={0} x2={w} y2={h} />
          {el.bind.value ? (
            <g transform={`rotate(${angle}) translate(${len / 2} 0)`}>
              <polygon className="arrow" points="-9,-7 9,0 -9,7" />
            </g>
          ) : null}
        </g>
      );
    }
    case 'value':
      return (
        // biome-ignore lint/a11y/noInteractiveElementToNoninteractiveRole: an SVG <g> is no interactive element; role img gives the readout its name.
        <g {...common} role="img" aria-label={`${label}: no data`}>
          <rect className="box" width={w} height={h} />
          <text className="caption" x={4} y={13}>
            {String(el.props.caption ?? '')}
          </text>
          <text className="v" x={w - 4} y={h - 8} textAnchor="end">
            —
          </text>
          <text className="unit" x={w - 4} y={h + 12} textAnchor="end">
            {unit}
          </text>
          <text className="q" x={4} y={h + 12} />
          <text className="lim" x={w - 4} y={13} textAnchor="end" />
        </g>
      );
    case 'alarm': {
      const priority = String(el.props.priority ?? 'High');
      const s = Math.min(w, h);
      return (
        // biome-ignore lint/a11y/noInteractiveElementToNoninteractiveRole: an SVG <g> is no interactive element; role img gives the readout its name.
        <g {...common} role="img" aria-label={`${label}: not active`} data-active="false" data-priority={priority}>
          {markerShape(priority, s)}
          <text x={s / 2} y={s / 2 + 5} textAnchor="middle">
            {PRIORITY_NUMBER[priority] ?? '?'}
          </text>
        </g>
      );
    }
    case 'text':
      return (
        <g {...common}>
          <text y={h * 0.75} fontSize={Number(el.props.size ?? 14)}>
            {label}
          </text>
        </g>
      );
    case 'button':
      return (
        // biome-ignore lint/a11y/useSemanticElements: an SVG group cannot be a <button>; it takes focus and Enter/Space like one.
        <g {...common} role="button" tabIndex={0} aria-label={label} onClick={activate} onKeyDown={keys}>
          <rect width={w} height={h} rx={4} />
          <text x={w / 2} y={h / 2 + 5} textAnchor="middle">
            {String(el.props.text ?? label)} ›
          </text>
        </g>
      );
  }
}
