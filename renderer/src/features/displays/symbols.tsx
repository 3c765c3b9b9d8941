// The symbols of a display, drawn for this project in ISA-101 style: grey outlines and calm fills in
// normal state; abnormal states change colour AND shape/text (a tripped pump is filled, outlined
// thick and says TRIP, an active alarm marker appears with its priority's shape and number, a Bad
// value is struck through and says BAD). React renders them once per document; live changes go
// through writer.ts. SYMBOLS is the one registry of the kinds: what each binds and reads, its
// default size and how it acts, for the viewer and the editor's palette alike.
import type { KeyboardEvent, SVGProps } from 'react';
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
const symbol = (
  kind: DisplaySymbolKind,
  title: string,
  [w, h]: readonly [number, number],
  binds: readonly BindName[],
  props: SymbolDef['props'],
  acts: SymbolDef['acts'] = 'none',
): SymbolDef => ({ kind, title, size: { w, h }, binds, props, acts });
/** Equipment opens its machine's faceplate; most read its state and alarm, and take commands. */
const equipment = (
  kind: DisplaySymbolKind,
  title: string,
  size: readonly [number, number] = [80, 80],
  binds: readonly BindName[] = ['state', 'alarm', 'command'],
  props: SymbolDef['props'] = EQUIPMENT_PROPS,
): SymbolDef => symbol(kind, title, size, binds, props, 'faceplate');

/** Every symbol kind (the Record does not compile without each of native/api/display-requests.ts's kinds), in palette order. */
export const SYMBOLS: Readonly<Record<DisplaySymbolKind, SymbolDef>> = {
  pump: equipment('pump', 'Pump'),
  compressor: equipment('compressor', 'Compressor'),
  fan: equipment('fan', 'Fan', [60, 60]),
  motor: equipment('motor', 'Motor', [60, 60]),
  valve: equipment('valve', 'Valve (on/off)', [50, 30]),
  'control-valve': equipment('control-valve', 'Control valve', [50, 60], ['value', 'alarm', 'command'], {
    ...EQUIPMENT_PROPS,
    max: 'the value of a fully open valve (default 100)',
  }),
  tank: equipment('tank', 'Tank / vessel', [100, 140], ['value'], { ...EQUIPMENT_PROPS, max: 'the level of a full tank (default 100)' }),
  'heat-exchanger': equipment('heat-exchanger', 'Heat exchanger', [60, 60]),
  boiler: equipment('boiler', 'Boiler', [160, 180]),
  conveyor: equipment('conveyor', 'Conveyor', [300, 40]),
  line: symbol('line', 'Line / pipe', [200, 0], ['value'], { minFlow: 'no arrow at or below this flow (default 1)' }),
  instrument: symbol('instrument', 'Instrument bubble', [36, 36], ['value'], {
    letters: 'its function letters (PT, FT…)',
    loop: 'its loop number',
  }),
  value: symbol('value', 'Value box', [90, 44], ['value'], { caption: 'the caption' }),
  indicator: symbol('indicator', 'Analog indicator', [210, 24], ['value'], {
    caption: 'the caption',
    min: 'scale start (default: below the normal range)',
    max: 'scale end (default: above the normal range)',
  }),
  bar: symbol('bar', 'Bar', [24, 100], ['value'], { min: 'empty (default 0)', max: 'full (default 100)' }),
  sparkline: symbol('sparkline', 'Sparkline', [170, 24], ['value'], { minutes: 'minutes shown (default 5)' }),
  alarm: symbol('alarm', 'Alarm-priority marker', [26, 26], ['alarm'], {
    priority: 'Critical, High, Medium or Low (with an alarm tag)',
    machine: "or a machine: the highest priority of that machine's alarms",
  }),
  text: symbol('text', 'Text', [200, 24], [], { size: 'font size (px)' }),
  button: symbol('button', 'Navigation button', [160, 32], [], { display: 'the display it opens', text: 'its text' }, 'navigate'),
  link: symbol('link', 'Link to a machine', [110, 28], [], { machine: 'the machine screen it opens', text: 'its text' }, 'navigate'),
  section: symbol('section', 'Section of a display template', [760, 200], [], {
    template: 'the display template',
    machine: 'the machine it is made for',
  }),
  // Placed by the editor's SVG import, not from the palette (drawing.tsx draws them).
  drawing: symbol('drawing', 'Imported SVG drawing', [400, 300], [], { viewBox: "the SVG's viewBox" }),
  part: symbol('part', 'Part of a drawing (bound by id)', [0, 0], ['value', 'state', 'alarm'], {
    drawing: 'the drawing element',
    ref: 'the id of the element inside the drawing',
  }),
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

type GroupProps = SVGProps<SVGGElement>;

/** The element's name above it. */
function Name({ el, y = -8 }: { el: DisplayElementInfo; y?: number }) {
  return (
    <text className="name" x={el.w / 2} y={y} textAnchor="middle">
      {el.label ?? el.id}
    </text>
  );
}

/** A value readout and, dy below it, its quality word (writer.ts fills both). */
function Reading({ x, y, dy = 14, anchor }: { x: number; y: number; dy?: number; anchor?: 'start' | 'middle' | 'end' }) {
  return (
    <>
      <text className="v" x={x} y={y} textAnchor={anchor}>
        —
      </text>
      <text className="q" x={x} y={y + dy} textAnchor={anchor} />
    </>
  );
}

/** An equipment symbol: its group (acting on its faceplate), its own drawing, state word and name. */
function Equipment({ el, g, children, wordY }: { el: DisplayElementInfo; g: GroupProps; children: React.ReactNode; wordY: number }) {
  return (
    <g {...g} data-equipment="true">
      {children}
      {el.bind.state || el.bind.alarm ? (
        <text className="s" x={el.w / 2} y={wordY} textAnchor="middle">
          —
        </text>
      ) : null}
      <Name el={el} />
    </g>
  );
}

/** Round equipment (pump, compressor, fan, motor, heat exchanger): a circle of radius r with its detail inside. */
function RoundEquipment({ el, g, r, children }: { el: DisplayElementInfo; g: GroupProps; r: number; children: React.ReactNode }) {
  return (
    <Equipment el={el} g={g} wordY={2 * r + 16}>
      <circle className="body" cx={r} cy={r} r={r} />
      {children}
    </Equipment>
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
  const g = { ...common, ...role };
  const r = Math.min(w, h) / 2;
  const unit = tag?.unit ?? '';
  switch (el.kind) {
    case 'pump':
      return (
        <RoundEquipment el={el} g={g} r={r}>
          <path className="nozzle" d={`M ${r} 0 H ${2 * r} V ${r * 0.6}`} />
          <polygon className="impeller" points={`${r * 0.55},${r * 0.5} ${r * 1.55},${r} ${r * 0.55},${r * 1.5}`} />
        </RoundEquipment>
      );
    case 'compressor':
      return (
        <RoundEquipment el={el} g={g} r={r}>
          <path
            className="detail"
            d={`M ${r * 0.3} ${r * 0.35} L ${r * 1.75} ${r * 0.7} M ${r * 0.3} ${r * 1.65} L ${r * 1.75} ${r * 1.3}`}
          />
        </RoundEquipment>
      );
    case 'fan':
      return (
        <RoundEquipment el={el} g={g} r={r}>
          {[0, 120, 240].map((a) => (
            <ellipse key={a} className="blade" cx={r} cy={r * 0.55} rx={r * 0.18} ry={r * 0.42} transform={`rotate(${a} ${r} ${r})`} />
          ))}
        </RoundEquipment>
      );
    case 'motor':
      return (
        <RoundEquipment el={el} g={g} r={r}>
          <text className="mark" x={r} y={r + r * 0.35} textAnchor="middle" fontSize={r}>
            M
          </text>
        </RoundEquipment>
      );
    case 'valve':
      return (
        <g {...g} data-equipment="true">
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
        <g {...g} data-equipment="true">
          <path className="detail" d={`M ${w / 2} ${top + (h - top) / 2} V ${h * 0.22}`} />
          <path className="actuator" d={`M ${w * 0.18} ${h * 0.22} A ${w * 0.32} ${h * 0.22} 0 0 1 ${w * 0.82} ${h * 0.22} Z`} />
          <polygon className="body" points={`0,${top} ${w / 2},${top + (h - top) / 2} 0,${h}`} />
          <polygon className="body" points={`${w},${top} ${w / 2},${top + (h - top) / 2} ${w},${h}`} />
          <Reading x={w / 2} y={h + 16} anchor="middle" />
          <Name el={el} y={-6} />
        </g>
      );
    }
    case 'tank':
      return (
        <g {...g}>
          <rect className="body" width={w} height={h} rx={Math.min(12, w / 4)} />
          <rect className="level" x={2} y={h - 2} width={Math.max(0, w - 4)} height={0} />
          <Reading x={w / 2} y={h / 2} dy={16} anchor="middle" />
          <text className="lim" x={w / 2} y={h / 2 - 18} textAnchor="middle" />
          <Name el={el} />
        </g>
      );
    case 'heat-exchanger':
      return (
        <RoundEquipment el={el} g={g} r={r}>
          <path
            className="detail"
            d={`M 0 ${r} H ${r * 0.45} L ${r * 0.75} ${r * 0.45} L ${r * 1.25} ${r * 1.55} L ${r * 1.55} ${r} H ${2 * r}`}
          />
        </RoundEquipment>
      );
    case 'boiler':
      return (
        <Equipment el={el} g={g} wordY={h + 16}>
          <rect className="body" width={w} height={h} rx={8} />
          <path
            className="flame"
            d={`M ${w / 2} ${h * 0.45} C ${w * 0.7} ${h * 0.6}, ${w * 0.66} ${h * 0.85}, ${w / 2} ${h * 0.88} C ${w * 0.34} ${h * 0.85}, ${w * 0.3} ${h * 0.6}, ${w / 2} ${h * 0.45} Z`}
          />
        </Equipment>
      );
    case 'conveyor': {
      const rr = h / 2;
      return (
        <Equipment el={el} g={g} wordY={h + 16}>
          <rect className="body" width={w} height={h} rx={rr} />
          <circle className="roller" cx={rr} cy={rr} r={rr * 0.6} />
          <circle className="roller" cx={w - rr} cy={rr} r={rr * 0.6} />
          <path className="motion" d={`M ${w / 2 - 14} ${rr - 7} L ${w / 2} ${rr} L ${w / 2 - 14} ${rr + 7}`} />
        </Equipment>
      );
    }
    case 'line': {
      const len = Math.hypot(w, h);
      const angle = (Math.atan2(h, w) * 180) / Math.PI;
      return (
        <g {...g}>
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
        <g {...g}>
          <circle className="bubble" cx={r} cy={r} r={r} />
          <line className="detail" x1={0} y1={r} x2={2 * r} y2={r} />
          <text className="letters" x={r} y={r - 4} textAnchor="middle">
            {String(el.props.letters ?? '')}
          </text>
          <text className="loop" x={r} y={r + 12} textAnchor="middle">
            {String(el.props.loop ?? '')}
          </text>
          <Reading x={2 * r + 6} y={r + 5} />
        </g>
      );
    case 'value':
      return (
        <g {...g}>
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
        <g {...g}>
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
        <g {...g} data-vertical={vertical}>
          <rect className="box" width={w} height={h} />
          <rect
            className="level"
            x={vertical ? 2 : 2}
            y={vertical ? h - 2 : 2}
            width={vertical ? Math.max(0, w - 4) : 0}
            height={vertical ? 0 : Math.max(0, h - 4)}
          />
          <Reading x={vertical ? w / 2 : w + 4} y={vertical ? h + 14 : h / 2 + 5} anchor={vertical ? 'middle' : 'start'} />
        </g>
      );
    }
    case 'sparkline':
      return (
        <g {...g}>
          <rect className="box" width={w} height={h} />
          <path className="spark" d="" />
        </g>
      );
    case 'alarm': {
      const s = Math.min(w, h);
      // A marker of an alarm tag has its priority from props; a machine's marker takes it from the alarm list.
      const priority = el.bind.alarm ? String(el.props.priority ?? 'High') : '';
      return (
        <g {...g} aria-label={`${label}: not active`} data-active="false" data-priority={priority}>
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
        <g {...g} aria-label={label}>
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
