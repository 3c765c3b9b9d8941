// One display document as SVG: rendered by React once per document; then the applier follows the
// live values and writes only the elements that changed, once per animation frame.
import { useEffect, useRef } from 'react';
import type { DisplayDocumentInfo, DisplayElementInfo } from '../../../../native/api/display-requests';
import type { TagInfo } from '../../../../native/api/types';
import { live } from '../../platform/live';
import { DisplayApplier, type ElementBinding } from './applier';
import { DisplaySymbol } from './symbols';
import { elementWriter } from './writer';

export function DisplayView({
  display,
  tagByName,
  onActivate,
}: {
  display: DisplayDocumentInfo;
  tagByName: Map<string, TagInfo>;
  onActivate: (el: DisplayElementInfo) => void;
}) {
  const svgRef = useRef<SVGSVGElement>(null);

  useEffect(() => {
    const svg = svgRef.current;
    if (!svg) return;
    const id = (path: string | undefined) => (path ? (tagByName.get(path)?.id ?? -1) : -1);
    const bindings: ElementBinding[] = display.elements.map((e) => ({
      value: id(e.bind.value),
      state: id(e.bind.state),
      alarm: id(e.bind.alarm),
    }));
    const writers = display.elements.map((e) => {
      const node = svg.querySelector<SVGGElement>(`g[data-id="${CSS.escape(e.id)}"]`);
      return node ? elementWriter(node, e, e.bind.value ? tagByName.get(e.bind.value) : undefined) : () => undefined;
    });
    const applier = new DisplayApplier(bindings, live, (i, inputs) => writers[i]?.(inputs));
    return applier.start();
  }, [display, tagByName]);

  return (
    // biome-ignore lint/a11y/useSemanticElements: an <svg> cannot be a <fieldset>; the group names the display's symbols.
    <svg
      ref={svgRef}
      className="display-canvas"
      viewBox={`0 0 ${display.size.w} ${display.size.h}`}
      role="group"
      aria-label={`Display ${display.title}`}
    >
      {display.elements.map((el) => (
        <DisplaySymbol
          key={el.id}
          el={el}
          unit={el.bind.value ? (tagByName.get(el.bind.value)?.unit ?? '') : ''}
          onActivate={el.kind === 'pump' || el.kind === 'button' ? onActivate : undefined}
        />
      ))}
    </svg>
  );
}
