// An ISA-101 analog indicator: the normal range as a band on a scale, and a pointer for the value.
// Grey while normal; the pointer turns abnormal-coloured (with a marker) outside the range.
import { useEffect, useRef } from 'react';
import type { TagInfo } from '../../../native/api/types';
import { limitState } from '../lib/format';
import { live } from '../platform/live';

export function RangeBar({ tag }: { tag: TagInfo }) {
  const pointer = useRef<HTMLDivElement>(null);
  const lo = tag.rangeLo ?? 0;
  const hi = tag.rangeHi ?? 1;
  // Scale spans the normal range plus a margin on each side, so excursions stay visible.
  const span = hi - lo || 1;
  const min = lo - span * 0.25;
  const max = hi + span * 0.25;
  const pos = (x: number) => Math.max(0, Math.min(100, ((x - min) / (max - min)) * 100));

  useEffect(() => {
    const render = () => {
      const v = live.values[tag.id] ?? Number.NaN;
      const el = pointer.current;
      if (!el) return;
      el.style.left = `${Number.isNaN(v) ? 0 : pos(v)}%`;
      el.dataset.state = limitState(v, tag);
    };
    render();
    return live.subscribe(render);
  });

  return (
    <div className="range-bar" aria-hidden="true">
      <div className="range-normal" style={{ left: `${pos(lo)}%`, width: `${pos(hi) - pos(lo)}%` }} />
      <div className="range-pointer" ref={pointer} />
    </div>
  );
}
