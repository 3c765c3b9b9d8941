// A live trend: uPlot draws, React only mounts it. Once per animation frame with new data, the pens'
// ring buffers are decimated to the chart's pixel width and handed to uPlot in one setData.
// Pens sharing a unit share a y-axis.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { TagInfo } from '../../../native/api/types';
import { live } from '../store/live';
import { decimateRings } from './decimate';

/** Pen colours chosen to stay distinguishable in both themes and for common colour-vision deficiencies. */
export const PEN_COLOURS = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#edc948', '#76b7b2', '#ff9da7', '#9c755f'];

export interface TrendChartProps {
  pens: TagInfo[];
  windowS: number;
  height?: number;
  /** Called after each draw: benchmarks and tests time the draw, not the setData call. */
  onDraw?: (u: uPlot) => void;
}

function axisColour(): string {
  return getComputedStyle(document.documentElement).getPropertyValue('--fg-muted').trim() || '#999';
}

export function TrendChart({ pens, windowS, height = 320, onDraw }: TrendChartProps) {
  const host = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const units = [...new Set(pens.map((p) => p.unit || '—'))];
    const stroke = axisColour();
    const opts: uPlot.Options = {
      width: Math.max(300, el.clientWidth),
      height,
      legend: { live: true },
      cursor: { sync: { key: 'aurum-trends' } },
      scales: { x: { time: true }, ...Object.fromEntries(units.map((u) => [u, { auto: true }])) },
      axes: [
        { stroke, grid: { stroke: 'rgba(128,128,128,0.15)' } },
        ...units.map((u, i) => ({
          scale: u,
          label: u,
          stroke,
          side: i % 2 === 0 ? 3 : 1,
          grid: { show: i === 0, stroke: 'rgba(128,128,128,0.15)' },
        })),
      ],
      series: [
        { label: 'Time' },
        ...pens.map((p, i) => ({
          label: p.name.split('/').slice(-2).join('/'),
          scale: p.unit || '—',
          stroke: PEN_COLOURS[i % PEN_COLOURS.length],
          width: 1.5,
          spanGaps: false,
          value: (_u: uPlot, v: number | null) => (v === null ? '—' : `${v.toFixed(2)} ${p.unit}`),
        })),
      ],
      hooks: { draw: [(u) => onDraw?.(u)] },
    };
    const empty: uPlot.AlignedData = [new Float64Array(0), ...pens.map(() => [] as (number | null)[])];
    const chart = new uPlot(opts, empty, el);
    let lastFrame = -1;
    const update = () => {
      if (live.frame === lastFrame) return;
      lastFrame = live.frame;
      const to = Date.now();
      const from = to - windowS * 1000;
      const { x, ys } = decimateRings(
        pens.map((p) => live.ring(p.id)),
        from,
        to,
        Math.max(50, Math.floor(chart.width / 2)),
      );
      chart.setData([x, ...ys] as uPlot.AlignedData);
    };
    update();
    const off = live.subscribe(update);
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(300, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      off();
      resize.disconnect();
      chart.destroy();
    };
  }, [pens, windowS, height, onDraw]);

  return <div className="trend-chart" ref={host} data-pens={pens.map((p) => p.name).join(',')} />;
}
