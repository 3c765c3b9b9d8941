// The symbols of a display, drawn for this project in ISA-101 style: grey outlines and calm fills in
// normal state; abnormal states change colour AND shape/text (a tripped pump is filled, outlined
// thick and says TRIP, an active alarm marker appears with its priority's shape and number, a Bad
// value is struck through and says BAD). React renders them once per document; live changes go
// through writer.ts. SYMBOLS is the one registry of the kinds: what each binds and reads, its
// default size and how it acts, for the viewer and the editor's palette alike.
import type { KeyboardEvent } from 'react';
import type { DisplayElementInfo, DisplaySymbolKind } from '../../../../native/api/display-requests';
import type { TagInfo } from '../../../../native/api/types';
import { DrawingSymbol, PartSymbol } from './drawing';

export type BindName = 'value' | 'state' | 'alarm' | 'command';

export interface SymbolDef {
  kind: DisplaySymbolKind;
  /** Its name in a palette. */
  title: string;
  /** Default size of a new one (display units). */
  size: { w: number; h: number };
  /** The tags it reads (command: written from the faceplate). */
  binds: readonly BindName[];
  /** The props it reads, with what each means. */
  props: Readonly<Record<string, string>>;
  /** How it acts on click, Enter and Space: opens its machine's faceplate (when it names one), navigates, or not at all. */
  acts: 'faceplate' | 'navigate' | 'none';
}

const EQUIPMENT_PROPS = { machine: 'the machine (Site/Area/Machine) whose faceplate it opens' } as const;
const equipment = (kind: DisplaySymbolKind, title: string, size = { w: 80, h: 80 }): SymbolDef => ({
  kind,
  title,
  size,
  binds: ['state', 'alarm', 'command'],
  props: EQUIPMENT_PROPS,
  acts: 'faceplate',
});

/** Every symbol kind (the Record does not compile without each of native/api/display-requests.ts's kinds), in palette order. */
export const SYMBOLS: Readonly<Record<DisplaySymbolKind, SymbolDef>> = {
  pump: equipment('pump', 'Pump'),
  compressor: equipment('compressor', 'Compressor'),
  fan: equipment('fan', 'Fan', { w: 60, h: 60 }),
  motor: equipment('motor', 'Motor', { w: 60, h: 60 }),
  valve: { ...equipment('valve', 'Valve (on/off)', { w: 50, h: 30 }), binds: ['state', 'alarm', 'command'] },
  'control-valve': {
    ...equipment('control-valve', 'Control valve', { w: 50, h: 60 }),
    binds: ['value', 'alarm', 'command'],
    props: { ...EQUIPMENT_PROPS, max: 'the value of a fully open valve (default 100)' },
  },
  tank: {
    ...equipment('tank', 'Tank / vessel', { w: 100, h: 140 }),
    binds: ['value'],
    props: { ...EQUIPMENT_PROPS, max: 'the level of a full tank (default 100)' },
  },
  'heat-exchanger': equipment('heat-exchanger', 'Heat exchanger', { w: 60, h: 60 }),
  boiler: equipment('boiler', 'Boiler', { w: 160, h: 180 }),
  conveyor: equipment('conveyor', 'Conveyor', { w: 300, h: 40 }),
  line: {
    kind: 'line',
    title: 'Line / pipe',
    size: { w: 200, h: 0 },
    binds: ['value'],
    props: { minFlow: 'no arrow at or below this flow (default 1)' },
    acts: 'none',
  },
  instrument: {
    kind: 'instrument',
    title: 'Instrument bubble',
    size: { w: 36, h: 36 },
    binds: ['value'],
    props: { letters: 'its function letters (PT, FT…)', loop: 'its loop number' },
    acts: 'none',
  },
  value: { kind: 'value', title: 'Value box', size: { w: 90, h: 44 }, binds: ['value'], props: { caption: 'the caption' }, acts: 'none' },
  indicator: {
    kind: 'indicator',
    title: 'Analog indicator',
    size: { w: 210, h: 24 },
    binds: ['value'],
    props: {
      caption: 'the caption',
      min: 'scale start (default: below the normal range)',
      max: 'scale end (default: above the normal range)',
    },
    acts: 'none',
  },
  bar: {
    kind: 'bar',
    title: 'Bar',
    size: { w: 24, h: 100 },
    binds: ['value'],
    props: { min: 'empty (default 0)', max: 'full (default 100)' },
    acts: 'none',
  },
  sparkline: {
    kind: 'sparkline',
    title: 'Sparkline',
    size: { w: 170, h: 24 },
    binds: ['value'],
    props: { minutes: 'minutes shown (default 5)' },
    acts: 'none',
  },
  alarm: {
    kind: 'alarm',
    title: 'Alarm-priority marker',
    size: { w: 26, h: 26 },
    binds: ['alarm'],
    props: {
      priority: 'Critical, High, Medium or Low (with an alarm tag)',
      machine: "or a machine: the highest priority of that machine's alarms",
    },
    acts: 'none',
  },
  text: { kind: 'text', title: 'Text', size: { w: 200, h: 24 }, binds: [], props: { size: 'font size (px)' }, acts: 'none' },
  button: {
    kind: 'button',
    title: 'Navigation button',
    size: { w: 160, h: 32 },
    binds: [],
    props: { display: 'the display it opens', text: 'its text' },
    acts: 'navigate',
  },
  link: {
    kind: 'link',
    title: 'Link to a machine',
    size: { w: 110, h: 28 },
    binds: [],
    props: { machine: 'the machine screen it opens', text: 'its text' },
    acts: 'navigate',
  },
  section: {
    kind: 'section',
    title: 'Section of a display template',
    size: { w: 760, h: 200 },
    binds: [],
    props: { template: 'the display template', machine: 'the machine it is made for' },
    acts: 'none',
  },
  // Placed by the editor's SVG import, not from the palette (drawing.tsx draws them).
  drawing: {
    kind: 'drawing',
    title: 'Imported SVG drawing',
    size: { w: 400, h: 300 },
    binds: [],
    props: { viewBox: "the SVG's viewBox" },
    acts: 'none',
  },
  part: {
    kind: 'part',
    title: 'Part of a drawing (bound by id)',
    size: { w: 0, h: 0 },
    binds: ['value', 'state', 'alarm'],
    props: { drawing: 'the drawing element', ref: 'the id of the element inside the drawing' },
    acts: 'none',
  },
};

/** The registry as a list in palette order. */
export const SYMBOL_LIST: readonly SymbolDef[] = Object.values(SYMBOLS);

/** Does the element act on click, Enter and Space? Equipment only when it names a machine (its faceplate). */
export function actsOn(el: DisplayElementInfo): boolean {
  const acts = SYMBOLS[el.kind]?.acts;
  if (acts === 'navigate') return true;
  return acts === 'faceplate' && typeof el.props.machine === 'string' && el.props.machine !== '';
}

export const PRIORITIES = ['Critical', 'High', 'Medium', 'Low'] as const;
const PRIORITY_NUMBER: Record<string, string> = { Critical: '1', High: '2', Medium: '3', Low: '4' };

/** The scale of an indicator: its props, else the tag's normal range with half its width either side, widened to its alarm limits. */
export function indicatorScale(
  el: DisplayElementInfo,
  tag: TagInfo | undefined,
): { min: number; max: number; lo: number | null; hi: number | null } {
  const lo = tag?.rangeLo ?? null;
  const hi = tag?.rangeHi ?? null;
  const span = lo !== null && hi !== null ? hi - lo : 100;
  const limits = (tag?.alarmLimits ?? []).map((l) => l.limit);
  let min = typeof el.props.min === 'number' ? el.props.min : Math.min((lo ?? 0) - span / 2, ...limits);
  let max = typeof el.props.max === 'number' ? el.props.max : Math.max((hi ?? 100) + span / 2, ...limits);
  if (!(max > min)) [min, max] = [0, 100];
  return { min, max, lo, hi };
}

/** An indicator's pointer with its tip at x (its writer moves it by these points). */
export const pointerPoints = (x: number) => `${(x - 7).toFixed(1)},-16 ${(x + 7).toFixed(1)},-16 ${x.toFixed(1)},-5`;

/** A shape per priority, so the marker is read without colour: diamond, triangle, square, circle. */
function markerShapes(s: number) {
  const h = s / 2;
  return (
    <>
      <polygon className="pr pr-Critical" points={`${h},0 ${s},${h} ${h},${s} 0,${h}`} />
      <polygon className="pr pr-High" points={`${h},0 ${s},${s} 0,${s}`} />
      <rect className="pr pr-Medium" width={s} height={s} />
      <circle className="pr pr-Low" cx={h} cy={h} r={h} />
    </>
  );
}

export interface SymbolProps {
  el: DisplayElementInfo;
  /** The tag of the element's value binding (its unit, range and alarm limits). */
  tag: TagInfo | undefined;
  /** Acting elements call this on click and Enter/Space. */
  onActivate?: (el: DisplayElementInfo) => void;
}

/** State word, name and the equipment's own drawing. */
function Equipment({ el, children, wordY }: { el: DisplayElementInfo; children: React.ReactNode; wordY: number }) {
  const label = el.label ?? el.id;
  return (
    <>
      {children}
      {el.bind.state || el.bind.alarm ? (
        <text className="s" x={el.w / 2} y={wordY} textAnchor="middle">
          —
        </text>
      ) : null}
      <text className="name" x={el.w / 2} y={-8} textAnchor="middle">
        {label}
      </text>
    </>
  );
}

export function DisplaySymbol({ el, tag, onActivate }: SymbolProps) {
  const { w, h } = el;
  const label = el.label ?? el.id;
  const transform = `translate(${el.x} ${el.y})${el.rotation ? ` rotate(${el.rotation} ${w / 2} ${h / 2})` : ''}`;
  const acting = onActivate && actsOn(el) ? onActivate : undefined;
  const keys = acting
    ? (e: KeyboardEvent) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          acting(el);
        }
      }
    : undefined;
  const common = { 'data-id': el.id, 'data-kind': el.kind, className: `sym sym-${el.kind}`, transform };
  const bound = !!(el.bind.value || el.bind.state || el.bind.alarm);
  const named = bound ? `${label}: no data` : label;
  // Acting symbols are buttons (focus, Enter, Space); the others are named images of their state.
  const role = acting
    ? { role: 'button', tabIndex: 0, 'aria-label': named, onClick: () => acting(el), onKeyDown: keys }
    : { role: 'img', 'aria-label': named };
  const r = Math.min(w, h) / 2;
  const unit = tag?.unit ?? '';
  switch (el.kind) {
    case 'pump':
      return (
        <g {...common} {...role} data-equipment="true">
          <Equipment el={el} wordY={2 * r + 16}>
            <circle className="body" cx={r} cy={r} r={r} />
            <path className="nozzle" d={`M ${r} 0 H ${2 * r} V ${r * 0.6}`} />
            <polygon className="impeller" points={`${r * 0.55},${r * 0.5} ${r * 1.55},${r} ${r * 0.55},${r * 1.5}`} />
          </Equipment>
        </g>
      );
    case 'compressor':
      return (
        <g {...common} {...role} data-equipment="true">
          <Equipment el={el} wordY={2 * r + 16}>
            <circle className="body" cx={r} cy={r} r={r} />
            <path
              className="detail"
              d={`M ${r * 0.3} ${r * 0.35} L ${r * 1.75} ${r * 0.7} M ${r * 0.3} ${r * 1.65} L ${r * 1.75} ${r * 1.3}`}
            />
          </Equipment>
        </g>
      );
    case 'fan':
      return (
        <g {...common} {...role} data-equipment="true">
          <Equipment el={el} wordY={2 * r + 16}>
            <circle className="body" cx={r} cy={r} r={r} />
            {[0, 120, 240].map((a) => (
              <ellipse key={a} className="blade" cx={r} cy={r * 0.55} rx={r * 0.18} ry={r * 0.42} transform={`rotate(${a} ${r} ${r})`} />
            ))}
          </Equipment>
        </g>
      );
    case 'motor':
      return (
        <g {...common} {...role} data-equipment="true">
          <Equipment el={el} wordY={2 * r + 16}>
            <circle className="body" cx={r} cy={r} r={r} />
            <text className="mark" x={r} y={r + r * 0.35} textAnchor="middle" fontSize={r}>
              M
            </text>
          </Equipment>
        </g>
      );
    case 'valve':
      return (
        <g {...common} {...role} data-equipment="true">
          <polygon className="body" points={`0,0 ${w / 2},${h / 2} 0,${h}`} />
          <polygon className="body" points={`${w},0 ${w / 2},${h / 2} ${w},${h}`} />
          <text className="s" x={w / 2} y={h + 16} textAnchor="middle">
            —
          </text>
        </g>
      );
    case 'control-valve': {
      const top = h * 0.45;
      return (
        <g {...common} {...role} data-equipment="true">
          <path className="detail" d={`M ${w / 2} ${top + (h - top) / 2} V ${h * 0.22}`} />
          <path className="actuator" d={`M ${w * 0.18} ${h * 0.22} A ${w * 0.32} ${h * 0.22} 0 0 1 ${w * 0.82} ${h * 0.22} Z`} />
          <polygon className="body" points={`0,${top} ${w / 2},${top + (h - top) / 2} 0,${h}`} />
          <polygon className="body" points={`${w},${top} ${w / 2},${top + (h - top) / 2} ${w},${h}`} />
          <text className="v" x={w / 2} y={h + 16} textAnchor="middle">
            —
          </text>
          <text className="q" x={w / 2} y={h + 30} textAnchor="middle" />
          <text className="name" x={w / 2} y={-6} textAnchor="middle">
            {label}
          </text>
        </g>
      );
    }
    case 'tank':
      return (
        <g {...common} {...role}>
          <rect className="body" width={w} height={h} rx={Math.min(12, w / 4)} />
          <rect className="level" x={2} y={h - 2} width={Math.max(0, w - 4)} height={0} />
          <text className="v" x={w / 2} y={h / 2} textAnchor="middle">
            —
          </text>
          <text className="q" x={w / 2} y={h / 2 + 16} textAnchor="middle" />
          <text className="lim" x={w / 2} y={h / 2 - 18} textAnchor="middle" />
          <text className="name" x={w / 2} y={-8} textAnchor="middle">
            {label}
          </text>
        </g>
      );
    case 'heat-exchanger':
      return (
        <g {...common} {...role} data-equipment="true">
          <Equipment el={el} wordY={2 * r + 16}>
            <circle className="body" cx={r} cy={r} r={r} />
            <path
              className="detail"
              d={`M 0 ${r} H ${r * 0.45} L ${r * 0.75} ${r * 0.45} L ${r * 1.25} ${r * 1.55} L ${r * 1.55} ${r} H ${2 * r}`}
            />
          </Equipment>
        </g>
      );
    case 'boiler':
      return (
        <g {...common} {...role} data-equipment="true">
          <Equipment el={el} wordY={h + 16}>
            <rect className="body" width={w} height={h} rx={8} />
            <path
              className="flame"
              d={`M ${w / 2} ${h * 0.45} C ${w * 0.7} ${h * 0.6}, ${w * 0.66} ${h * 0.85}, ${w / 2} ${h * 0.88} C ${w * 0.34} ${h * 0.85}, ${w * 0.3} ${h * 0.6}, ${w / 2} ${h * 0.45} Z`}
            />
          </Equipment>
        </g>
      );
    case 'conveyor': {
      const rr = h / 2;
      return (
        <g {...common} {...role} data-equipment="true">
          <Equipment el={el} wordY={h + 16}>
            <rect className="body" width={w} height={h} rx={rr} />
            <circle className="roller" cx={rr} cy={rr} r={rr * 0.6} />
            <circle className="roller" cx={w - rr} cy={rr} r={rr * 0.6} />
            <path className="motion" d={`M ${w / 2 - 14} ${rr - 7} L ${w / 2} ${rr} L ${w / 2 - 14} ${rr + 7}`} />
          </Equipment>
        </g>
      );
    }
    case 'line': {
      const len = Math.hypot(w, h);
      const angle = (Math.atan2(h, w) * 180) / Math.PI;
      return (
        <g {...common} {...role}>
          <line className="pipe" x1={0} y1={0} x2={w} y2={h} />
          {el.bind.value ? (
            <g transform={`rotate(${angle}) translate(${len / 2} 0)`}>
              <polygon className="arrow" points="-9,-7 9,0 -9,7" />
            </g>
          ) : null}
        </g>
      );
    }
    case 'instrument':
      return (
        <g {...common} {...role}>
          <circle className="bubble" cx={r} cy={r} r={r} />
          <line className="detail" x1={0} y1={r} x2={2 * r} y2={r} />
          <text className="letters" x={r} y={r - 4} textAnchor="middle">
            {String(el.props.letters ?? '')}
          </text>
          <text className="loop" x={r} y={r + 12} textAnchor="middle">
            {String(el.props.loop ?? '')}
          </text>
          <text className="v" x={2 * r + 6} y={r + 5}>
            —
          </text>
          <text className="q" x={2 * r + 6} y={r + 19} />
        </g>
      );
    case 'value':
      return (
        <g {...common} {...role}>
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
          <text className="lim" x={w} y={-4} textAnchor="end" />
        </g>
      );
    case 'indicator': {
      const s = indicatorScale(el, tag);
      const x = (v: number) => ((Math.min(s.max, Math.max(s.min, v)) - s.min) / (s.max - s.min)) * w;
      const ty = h * 0.55;
      return (
        <g {...common} {...role}>
          <text className="caption" x={0} y={-4}>
            {String(el.props.caption ?? '')}
          </text>
          <text className="v" x={w} y={-4} textAnchor="end">
            —
          </text>
          <rect className="track" x={0} y={ty - 3} width={w} height={6} />
          {s.lo !== null && s.hi !== null ? (
            <rect className="band" x={x(s.lo)} y={ty - 5} width={Math.max(0, x(s.hi) - x(s.lo))} height={10} />
          ) : null}
          {(tag?.alarmLimits ?? []).map((l) => (
            <line
              key={`${l.type}-${l.limit}`}
              className={`limit limit-${l.priority}`}
              x1={x(l.limit)}
              x2={x(l.limit)}
              y1={ty - 8}
              y2={ty + 8}
            />
          ))}
          <g className="pointer" transform={`translate(0 ${ty})`}>
            <polygon points={pointerPoints(0)} />
          </g>
          <text className="q" x={0} y={h + 12} />
          <text className="lim" x={w} y={h + 12} textAnchor="end" />
        </g>
      );
    }
    case 'bar': {
      const vertical = h >= w;
      return (
        <g {...common} {...role} data-vertical={vertical}>
          <rect className="box" width={w} height={h} />
          <rect
            className="level"
            x={vertical ? 2 : 2}
            y={vertical ? h - 2 : 2}
            width={vertical ? Math.max(0, w - 4) : 0}
            height={vertical ? 0 : Math.max(0, h - 4)}
          />
          <text className="v" x={vertical ? w / 2 : w + 4} y={vertical ? h + 14 : h / 2 + 5} textAnchor={vertical ? 'middle' : 'start'}>
            —
          </text>
          <text className="q" x={vertical ? w / 2 : w + 4} y={vertical ? h + 28 : h / 2 + 19} textAnchor={vertical ? 'middle' : 'start'} />
        </g>
      );
    }
    case 'sparkline':
      return (
        <g {...common} {...role}>
          <rect className="box" width={w} height={h} />
          <path className="spark" d="" />
        </g>
      );
    case 'alarm': {
      const s = Math.min(w, h);
      // A marker of an alarm tag has its priority from props; a machine's marker takes it from the alarm list.
      const priority = el.bind.alarm ? String(el.props.priority ?? 'High') : '';
      return (
        <g {...common} {...role} aria-label={`${label}: not active`} data-active="false" data-priority={priority}>
          {markerShapes(s)}
          <text className="n" x={s / 2} y={s / 2 + 5} textAnchor="middle">
            {PRIORITY_NUMBER[priority] ?? ''}
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
    case 'link':
      return (
        <g {...common} {...role} aria-label={label}>
          <rect width={w} height={h} rx={el.kind === 'button' ? 4 : h / 2} />
          <text x={w / 2} y={h / 2 + 5} textAnchor="middle">
            {String(el.props.text ?? label)} {el.kind === 'button' ? '›' : '↗'}
          </text>
        </g>
      );
    case 'drawing':
      return <DrawingSymbol el={el} common={common} />;
    case 'part':
      return <PartSymbol el={el} common={common} />;
    default:
      // A section is replaced by its template's elements before it is shown (displays.get's view).
      return null;
  }
}
