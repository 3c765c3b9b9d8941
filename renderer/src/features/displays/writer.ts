// How a changed element is shown: the applier (applier.ts) calls this only for elements whose inputs
// changed, and it writes that element's own nodes (text, data-* attributes the CSS draws from, the
// accessible name). Quality is shown on the value itself: STALE or BAD beside it, struck through when Bad.
import type { DisplayElementInfo } from '../../../../native/api/display-requests';
import type { TagInfo } from '../../../../native/api/types';
import { formatValue, limitState, QUALITY_LABEL } from '../../lib/format';
import type { ElementInputs } from './applier';

const QUALITY_MARK = ['', 'STALE', 'BAD'] as const;

/** The writer for one element: resolves its nodes once, then writes on each call. */
export function elementWriter(root: SVGGElement, el: DisplayElementInfo, tag: TagInfo | undefined): (inputs: ElementInputs) => void {
  const v = root.querySelector<SVGTextElement>('.v');
  const q = root.querySelector<SVGTextElement>('.q');
  const s = root.querySelector<SVGTextElement>('.s');
  const level = root.querySelector<SVGRectElement>('.level');
  const lim = root.querySelector<SVGTextElement>('.lim');
  const label = el.label ?? el.id;
  const quality = (n: number) => QUALITY_LABEL[n as 0 | 1 | 2] ?? 'Bad';
  switch (el.kind) {
    case 'value':
    case 'tank':
      return (i) => {
        const text = formatValue(Number.isNaN(i.value) ? null : i.value, tag);
        const unit = tag?.unit ? ` ${tag.unit}` : '';
        root.dataset.quality = quality(i.quality);
        const limit = tag ? limitState(i.value, tag) : 'none';
        root.dataset.limit = limit;
        if (lim) lim.textContent = limit === 'high' ? '▲ HI' : limit === 'low' ? '▼ LO' : '';
        if (v) v.textContent = text;
        if (q) q.textContent = QUALITY_MARK[i.quality as 0 | 1 | 2] ?? 'BAD';
        if (level) {
          const max = Number(el.props.max ?? 100);
          const f = Number.isNaN(i.value) ? 0 : Math.min(1, Math.max(0, i.value / max));
          const inner = Math.max(0, el.h - 4);
          level.setAttribute('y', String(2 + inner * (1 - f)));
          level.setAttribute('height', String(inner * f));
        }
        const beyond = limit === 'high' ? ', above its range' : limit === 'low' ? ', below its range' : '';
        root.setAttribute('aria-label', `${label}: ${text}${unit}${beyond}${i.quality === 0 ? '' : `, ${quality(i.quality)}`}`);
      };
    case 'pump':
    case 'valve':
      return (i) => {
        const on = el.kind === 'pump' ? 'running' : 'open';
        const off = el.kind === 'pump' ? 'stopped' : 'closed';
        const state = i.alarm > 0.5 ? 'tripped' : i.quality === 2 || Number.isNaN(i.state) ? 'unknown' : i.state > 0.5 ? on : off;
        root.dataset.state = state;
        root.dataset.quality = quality(i.quality);
        const word = {
          tripped: 'TRIP',
          unknown: i.quality === 2 ? 'BAD' : '—',
          running: 'RUN',
          stopped: 'STOP',
          open: 'OPEN',
          closed: 'CLOSED',
        };
        if (s) s.textContent = `${word[state as keyof typeof word]}${i.quality === 1 ? ' ?' : ''}`;
        const said = state === 'unknown' ? (i.quality === 2 ? 'bad quality' : 'no data') : state;
        root.setAttribute('aria-label', `${label}: ${said}${i.quality === 1 ? ', stale' : ''}`);
      };
    case 'line':
      return (i) => {
        const min = Number(el.props.minFlow ?? 1);
        root.dataset.flow = Number.isNaN(i.value) || Math.abs(i.value) <= min ? 'none' : i.value > 0 ? 'forward' : 'reverse';
        root.dataset.quality = quality(i.quality);
        const flow = root.dataset.flow === 'none' ? 'no flow' : `flow ${formatValue(i.value, tag)}${tag?.unit ? ` ${tag.unit}` : ''}`;
        root.setAttribute('aria-label', `${label}: ${flow}${i.quality === 0 ? '' : `, ${quality(i.quality)}`}`);
      };
    case 'alarm':
      return (i) => {
        const active = i.alarm > 0.5;
        root.dataset.active = String(active);
        root.dataset.quality = quality(i.quality);
        root.setAttribute('aria-label', `${label}: ${active ? 'active' : i.quality === 2 ? 'bad quality' : 'not active'}`);
      };
    default:
      return () => undefined;
  }
}
