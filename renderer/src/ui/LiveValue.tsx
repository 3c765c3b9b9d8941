// A live value cell. It subscribes to the live data and writes to the DOM itself once per frame:
// no React render per sample. Quality is shown by text and style, never by colour alone.
import { useEffect, useRef } from 'react';
import type { TagInfo } from '../../../native/api/types';
import { formatValue, limitState, QUALITY_LABEL } from '../lib/format';
import { live } from '../platform/live';

export function LiveValue({ tag, showUnit = true }: { tag: TagInfo; showUnit?: boolean }) {
  const valueRef = useRef<HTMLSpanElement>(null);
  const rootRef = useRef<HTMLSpanElement>(null);

  useEffect(() => {
    let lastText = '';
    let lastQuality = -1;
    let lastLimit = '';
    const render = () => {
      const v = live.values[tag.id] ?? Number.NaN;
      const q = live.quality[tag.id] ?? 2;
      const text = formatValue(v, tag);
      const limit = limitState(v, tag);
      if (limit !== lastLimit && rootRef.current) {
        rootRef.current.dataset.limit = limit;
        lastLimit = limit;
      }
      if (text !== lastText && valueRef.current) {
        valueRef.current.textContent = text;
        lastText = text;
      }
      if (q !== lastQuality && rootRef.current) {
        rootRef.current.dataset.quality = QUALITY_LABEL[q];
        rootRef.current.title = q === 0 ? `${tag.name}: Good` : `${tag.name}: ${QUALITY_LABEL[q]}`;
        lastQuality = q;
      }
    };
    render();
    return live.subscribe(render);
  }, [tag]);

  return (
    <span className="live-value" ref={rootRef} data-tag={tag.name}>
      <span className="num" ref={valueRef}>
        —
      </span>
      {showUnit && tag.unit ? <span className="unit">{tag.unit}</span> : null}
      <span className="quality-flag" aria-hidden="true" />
      <span className="limit-flag" aria-hidden="true" />
    </span>
  );
}
