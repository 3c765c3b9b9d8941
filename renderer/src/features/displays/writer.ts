// How a changed element is shown: the applier (applier.ts) calls this only for elements whose inputs
// changed, and it writes that element's own nodes (text, data-* attributes the CSS draws from, the
// accessible name). Quality is shown on the value itself: STALE or BAD beside it, struck through when Bad.
import type { AlarmRow, Priority } from '../../../../native/api/alarm-requests';
import type { DisplayElementInfo } from '../../../../native/api/display-requests';
import type { TagInfo } from '../../../../native/api/types';
import { decimateRings } from '../../lib/decimate';
import { formatValue, limitState, QUALITY_LABEL } from '../../lib/format';
import type { Ring } from '../../platform/live';
import type { ElementInputs } from './applier';
import { partWriter } from './drawing';
import { indicatorScale, PRIORITIES, pointerPoints } from './symbols';

const QUALITY_MARK = ['', 'STALE', 'BAD'] as const;
const qualityName = (n: number) => QUALITY_LABEL[n as 0 | 1 | 2] ?? 'Bad';
const qualitySaid = (n: number) => (n === 0 ? '' : `, ${qualityName(n)}`);
const LIMIT_MARK = { high: '▲ HI', low: '▼ LO', normal: '', none: '' } as const;
const LIMIT_SAID = { high: ', above its range', low: ', below its range', normal: '', none: '' } as const;

// Each write touches the DOM only where the text or attribute differs from what it shows: an
// unchanged quality, limit or state word costs a read, not a style invalidation. Text goes into the
// element's one Text node (nodeValue): replacing the children (textContent) would remove and insert
// a node, which costs the browser a new layout object and a style recalc besides the new text.
export function setText(node: Element | null, t: string): void {
  if (!node) return;
  const first = node.firstChild;
  if (first && first.nodeType === 3 && first === node.lastChild) {
    if (first.nodeValue !== t) first.nodeValue = t;
  } else if (node.textContent !== t) node.textContent = t;
}
function setAttr(node: Element | null, name: string, v: string): void {
  if (node && node.getAttribute(name) !== v) node.setAttribute(name, v);
}
function setData(node: HTMLElement | SVGElement, key: string, v: string): void {
  if (node.dataset[key] !== v) node.dataset[key] = v;
}

/** What a writer may read besides its inputs: a tag's recent samples (sparklines) and the clock. */
export interface WriterContext {
  ring(id: number): Ring | undefined;
  now(): number;
}

const RUNNING_WORDS = { on: 'running', off: 'stopped', ON: 'RUN', OFF: 'STOP' } as const;
const OPEN_WORDS = { on: 'open', off: 'closed', ON: 'OPEN', OFF: 'CLOSED' } as const;
const BOILER_WORDS = { on: 'firing', off: 'off', ON: 'FIRING', OFF: 'OFF' } as const;

/** The writer for one element: resolves its nodes once, then writes on each call. */
export function elementWriter(
  root: SVGGElement,
  el: DisplayElementInfo,
  tag: TagInfo | undefined,
  ctx?: WriterContext,
): (inputs: ElementInputs) => void {
  const v = root.querySelector<SVGTextElement>('.v');
  const q = root.querySelector<SVGTextElement>('.q');
  const s = root.querySelector<SVGTextElement>('.s');
  const level = root.querySelector<SVGRectElement>('.level');
  const lim = root.querySelector<SVGTextElement>('.lim');
  const label = el.label ?? el.id;
  const unit = tag?.unit ? ` ${tag.unit}` : '';
  /** Value, quality and limit onto the element's own nodes; returns the value's text. */
  const showValue = (i: ElementInputs): { text: string; limit: keyof typeof LIMIT_MARK } => {
    const text = formatValue(Number.isNaN(i.value) ? null : i.value, tag);
    const limit = tag && i.quality !== 2 ? limitState(i.value, tag) : 'none';
    setData(root, 'quality', qualityName(i.quality));
    setData(root, 'limit', limit);
    setText(v, text);
    setText(q, QUALITY_MARK[i.quality as 0 | 1 | 2] ?? 'BAD');
    setText(lim, LIMIT_MARK[limit]);
    return { text, limit };
  };
  switch (el.kind) {
    case 'value':
    case 'instrument':
    case 'tank':
      return (i) => {
        const { text, limit } = showValue(i);
        if (level) {
          const max = Number(el.props.max ?? 100);
          const f = Number.isNaN(i.value) ? 0 : Math.min(1, Math.max(0, i.value / max));
          const inner = Math.max(0, el.h - 4);
          setAttr(level, 'y', (2 + inner * (1 - f)).toFixed(1));
          setAttr(level, 'height', (inner * f).toFixed(1));
        }
        setAttr(root, 'aria-label', `${label}: ${text}${unit}${LIMIT_SAID[limit]}${qualitySaid(i.quality)}`);
      };
    case 'indicator': {
      const scale = indicatorScale(el, tag);
      // The pointer moves by its points, not by a transform: a changed transform is a change of the
      // page's paint properties, which makes the browser re-layer the whole page in that frame.
      const pointer = root.querySelector<SVGPolygonElement>('.pointer polygon');
      return (i) => {
        const { text, limit } = showValue(i);
        const f = Number.isNaN(i.value) ? 0 : (Math.min(scale.max, Math.max(scale.min, i.value)) - scale.min) / (scale.max - scale.min);
        setAttr(pointer, 'points', pointerPoints(f * el.w));
        setData(root, 'novalue', String(Number.isNaN(i.value)));
        setAttr(root, 'aria-label', `${label}: ${text}${unit}${LIMIT_SAID[limit]}${qualitySaid(i.quality)}`);
      };
    }
    case 'bar': {
      const min = Number(el.props.min ?? 0);
      const max = Number(el.props.max ?? 100);
      const vertical = el.h >= el.w;
      return (i) => {
        const { text, limit } = showValue(i);
        const f = Number.isNaN(i.value) || !(max > min) ? 0 : Math.min(1, Math.max(0, (i.value - min) / (max - min)));
        if (level) {
          if (vertical) {
            const inner = Math.max(0, el.h - 4);
            setAttr(level, 'y', (2 + inner * (1 - f)).toFixed(1));
            setAttr(level, 'height', (inner * f).toFixed(1));
          } else setAttr(level, 'width', (Math.max(0, el.w - 4) * f).toFixed(1));
        }
        setAttr(root, 'aria-label', `${label}: ${text}${unit}${LIMIT_SAID[limit]}${qualitySaid(i.quality)}`);
      };
    }
    case 'sparkline': {
      const path = root.querySelector<SVGPathElement>('.spark');
      const minutes = Number(el.props.minutes ?? 5);
      const id = tag?.id ?? -1;
      let drawnAt = Number.NEGATIVE_INFINITY;
      return (i) => {
        setData(root, 'quality', qualityName(i.quality));
        setAttr(
          root,
          'aria-label',
          `${label}: now ${formatValue(Number.isNaN(i.value) ? null : i.value, tag)}${unit}${qualitySaid(i.quality)}`,
        );
        // The line is redrawn at most once a second: its minutes do not move faster than that.
        const now = ctx?.now() ?? Date.now();
        if (!path || !ctx || now - drawnAt < 1000) return;
        drawnAt = now;
        const buckets = Math.max(1, Math.floor(el.w / 3));
        const { ys } = decimateRings([ctx.ring(id)], now - minutes * 60_000, now, buckets);
        const y = ys[0] ?? [];
        let lo = Number.POSITIVE_INFINITY;
        let hi = Number.NEGATIVE_INFINITY;
        for (const n of y) if (typeof n === 'number') [lo, hi] = [Math.min(lo, n), Math.max(hi, n)];
        if (lo > hi) {
          setAttr(path, 'd', '');
          return;
        }
        const span = hi - lo || 1;
        const py = (n: number) => (el.h - 3 - ((n - lo) / span) * (el.h - 6)).toFixed(1);
        let d = '';
        let pen = false;
        for (let b = 0; b < buckets; b++) {
          const a = y[2 * b];
          const c = y[2 * b + 1];
          if (typeof a !== 'number' || typeof c !== 'number') {
            pen = false;
            continue;
          }
          const px = (((b + 0.5) / buckets) * el.w).toFixed(1);
          d += `${pen ? 'L' : 'M'}${px} ${py(a)}L${px} ${py(c)}`;
          pen = true;
        }
        setAttr(path, 'd', d);
      };
    }
    case 'control-valve':
      return (i) => {
        const max = Number(el.props.max ?? 100);
        const tripped = i.alarm > 0.5;
        const pos = Number.isNaN(i.value) ? Number.NaN : (i.value / max) * 100;
        const state = tripped ? 'tripped' : i.quality === 2 || Number.isNaN(pos) ? 'unknown' : pos > 1 ? 'open' : 'closed';
        setData(root, 'state', state);
        setData(root, 'quality', qualityName(i.quality));
        const text = Number.isNaN(pos) ? '—' : `${pos.toFixed(0)} %`;
        setText(v, tripped ? `TRIP ${text}` : text);
        setText(q, QUALITY_MARK[i.quality as 0 | 1 | 2] ?? 'BAD');
        const said = state === 'tripped' ? 'tripped' : state === 'unknown' ? (i.quality === 2 ? 'bad quality' : 'no data') : `${text} open`;
        setAttr(root, 'aria-label', `${label}: ${said}${i.quality === 1 ? ', stale' : ''}`);
      };
    case 'pump':
    case 'compressor':
    case 'fan':
    case 'motor':
    case 'heat-exchanger':
    case 'boiler':
    case 'conveyor':
    case 'valve': {
      const words = el.kind === 'valve' ? OPEN_WORDS : el.kind === 'boiler' ? BOILER_WORDS : RUNNING_WORDS;
      return (i) => {
        const stateKnown = !Number.isNaN(i.state);
        const tripped = i.alarm > 0.5;
        const state = tripped ? 'tripped' : i.quality === 2 || !stateKnown ? 'unknown' : i.state > 0.5 ? 'on' : 'off';
        // data-state keeps the words the CSS draws from: running / stopped (open / closed for a valve).
        const shown =
          state === 'on'
            ? el.kind === 'valve'
              ? 'open'
              : 'running'
            : state === 'off'
              ? el.kind === 'valve'
                ? 'closed'
                : 'stopped'
              : state;
        setData(root, 'state', shown);
        setData(root, 'quality', qualityName(i.quality));
        const word =
          state === 'tripped' ? 'TRIP' : state === 'unknown' ? (i.quality === 2 ? 'BAD' : '—') : state === 'on' ? words.ON : words.OFF;
        setText(s, `${word}${i.quality === 1 ? ' ?' : ''}`);
        const said =
          state === 'tripped'
            ? 'tripped'
            : state === 'unknown'
              ? i.quality === 2
                ? 'bad quality'
                : 'no data'
              : state === 'on'
                ? words.on
                : words.off;
        setAttr(root, 'aria-label', `${label}: ${said}${i.quality === 1 ? ', stale' : ''}`);
      };
    }
    case 'line':
      return (i) => {
        const min = Number(el.props.minFlow ?? 1);
        setData(root, 'flow', Number.isNaN(i.value) || Math.abs(i.value) <= min ? 'none' : i.value > 0 ? 'forward' : 'reverse');
        setData(root, 'quality', qualityName(i.quality));
        const flow = root.dataset.flow === 'none' ? 'no flow' : `flow ${formatValue(i.value, tag)}${unit}`;
        setAttr(root, 'aria-label', `${label}: ${flow}${qualitySaid(i.quality)}`);
      };
    case 'alarm':
      return (i) => {
        const active = i.alarm > 0.5;
        setData(root, 'active', String(active));
        setData(root, 'quality', qualityName(i.quality));
        setAttr(root, 'aria-label', `${label}: ${active ? 'active' : i.quality === 2 ? 'bad quality' : 'not active'}`);
      };
    case 'part':
      return partWriter(root, el, tag);
    default:
      return () => undefined;
  }
}

/** Alarm states a marker shows: the condition is present, or it cleared and waits for its acknowledgement. */
const SHOWN = new Set(['unack_active', 'ack_active', 'unack_rtn']);
const NUMBER: Record<Priority, string> = { Critical: '1', High: '2', Medium: '3', Low: '4' };

/** What a machine's alarm marker shows: its highest-priority shown alarm, how many, whether any waits for acknowledgement. */
export function machineAlarmState(
  rows: readonly AlarmRow[],
  machine: string,
): { priority: Priority | null; count: number; unacked: boolean } {
  let best: number = PRIORITIES.length; // index in PRIORITIES: 0 is Critical
  let count = 0;
  let unacked = false;
  for (const r of rows) {
    if (r.machine !== machine || !SHOWN.has(r.state)) continue;
    count++;
    unacked ||= r.state !== 'ack_active';
    best = Math.min(best, PRIORITIES.indexOf(r.priority));
  }
  return { priority: PRIORITIES[best] ?? null, count, unacked };
}

/** The writer of a machine's alarm marker (props.machine, no alarm tag): called when the alarm list changes, writes when its state changed. */
export function machineAlarmWriter(root: SVGGElement, el: DisplayElementInfo): (rows: readonly AlarmRow[]) => boolean {
  const machine = String(el.props.machine);
  const label = el.label ?? el.id;
  const n = root.querySelector<SVGTextElement>('.n');
  let last = '';
  return (rows) => {
    const a = machineAlarmState(rows, machine);
    const key = `${a.priority}|${a.count}|${a.unacked}`;
    if (key === last) return false;
    last = key;
    setData(root, 'active', String(a.priority !== null));
    setData(root, 'priority', a.priority ?? '');
    setData(root, 'unacked', String(a.unacked));
    setText(n, a.priority ? NUMBER[a.priority] : '');
    setAttr(
      root,
      'aria-label',
      a.priority
        ? `${label}: ${a.count} alarm${a.count === 1 ? '' : 's'}, highest ${a.priority}${a.unacked ? ', unacknowledged' : ''}`
        : `${label}: no alarm`,
    );
    return true;
  };
}
