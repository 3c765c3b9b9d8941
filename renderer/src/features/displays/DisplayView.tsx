// One display as SVG: rendered by React once per document; then the applier follows the live values
// and writes only the elements that changed, once per animation frame, and the machines' alarm
// markers follow the alarm list (written only when a machine's alarm state changed).
// The elements are drawn in layers of LAYER elements, one <svg> each, stacked in order on the same
// viewBox (so the drawing and its z-order are those of one SVG): the browser lays out and paints an
// SVG as a whole, so a change costs the layer it is in, not the whole display.
import { type KeyboardEvent, useEffect, useMemo, useRef } from 'react';
import type { DisplayElementInfo } from '../../../../native/api/display-requests';
import type { TagInfo } from '../../../../native/api/types';
import { alarmStore } from '../../platform/alarms';
import { live as liveData } from '../../platform/live';
import { DisplayApplier, type ElementBinding, type ValueSource } from './applier';
import { DisplaySymbol } from './symbols';
import { elementWriter, machineAlarmWriter, type WriterContext } from './writer';

/** Elements per SVG layer. */
const LAYER = 100;

export function DisplayView({
  title,
  size,
  elements,
  tagByName,
  onActivate,
  live = liveData,
  onApplier,
}: {
  title: string;
  size: { w: number; h: number };
  /** The elements as shown (displays.get's view: sections expanded). */
  elements: readonly DisplayElementInfo[];
  tagByName: Map<string, TagInfo>;
  onActivate: (el: DisplayElementInfo) => void;
  /** The live value table (the console's; the benchmark gives its own). */
  live?: ValueSource & Pick<WriterContext, 'ring'>;
  /** Hands over the applier (its write count: the benchmark). */
  onApplier?: (applier: DisplayApplier) => void;
}) {
  const svgRef = useRef<HTMLDivElement>(null);
  const layers = useMemo(() => {
    const out: DisplayElementInfo[][] = [];
    for (let i = 0; i < elements.length; i += LAYER) out.push(elements.slice(i, i + LAYER));
    return out;
  }, [elements]);

  useEffect(() => {
    const svg = svgRef.current;
    if (!svg) return;
    const id = (path: string | undefined) => (path ? (tagByName.get(path)?.id ?? -1) : -1);
    const bindings: ElementBinding[] = elements.map((e) => ({ value: id(e.bind.value), state: id(e.bind.state), alarm: id(e.bind.alarm) }));
    const node = (e: DisplayElementInfo) => svg.querySelector<SVGGElement>(`g[data-id="${CSS.escape(e.id)}"]`);
    const ctx: WriterContext = { ring: (i) => live.ring(i), now: Date.now };
    const writers = elements.map((e) => {
      const n = node(e);
      return n ? elementWriter(n, e, e.bind.value ? tagByName.get(e.bind.value) : undefined, ctx) : () => undefined;
    });
    const applier = new DisplayApplier(bindings, live, (i, inputs) => writers[i]?.(inputs));
    onApplier?.(applier);
    const stopValues = applier.start();
    // A marker that names a machine and no alarm tag shows that machine's alarms from the alarm list.
    const markers = elements
      .filter((e) => e.kind === 'alarm' && !e.bind.alarm && typeof e.props.machine === 'string')
      .map((e) => {
        const n = node(e);
        return n ? machineAlarmWriter(n, e) : null;
      })
      .filter((w) => w !== null);
    const follow = () => {
      const rows = alarmStore.getState().rows;
      for (const w of markers) w(rows);
    };
    follow();
    const stopAlarms = markers.length > 0 ? alarmStore.subscribe(follow) : () => undefined;
    return () => {
      stopValues();
      stopAlarms();
    };
  }, [elements, tagByName, live, onApplier]);

  // Arrow keys move between the display's acting symbols (Tab still goes through them in order).
  const keys = (e: KeyboardEvent<HTMLDivElement>) => {
    if (!['ArrowRight', 'ArrowDown', 'ArrowLeft', 'ArrowUp'].includes(e.key) || e.altKey) return;
    const svg = svgRef.current;
    if (!svg) return;
    const all = [...svg.querySelectorAll<SVGGElement>('g.sym[tabindex="0"]')];
    if (all.length === 0) return;
    const at = all.indexOf(document.activeElement as SVGGElement);
    const step = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? 1 : -1;
    e.preventDefault();
    all[(at + step + all.length) % all.length]?.focus();
  };

  return (
    // biome-ignore lint/a11y/useSemanticElements: a drawing is no <fieldset>; the group names the display's symbols.
    <div
      ref={svgRef}
      className="display-canvas"
      style={{ aspectRatio: `${size.w} / ${size.h}` }}
      role="group"
      aria-label={`Display ${title}`}
      onKeyDown={keys}
    >
      {layers.map((layer) => (
        <svg key={layer[0]?.id} className="display-layer" viewBox={`0 0 ${size.w} ${size.h}`} role="none">
          {layer.map((el) => (
            <DisplaySymbol key={el.id} el={el} tag={el.bind.value ? tagByName.get(el.bind.value) : undefined} onActivate={onActivate} />
          ))}
        </svg>
      ))}
    </div>
  );
}
