// A tag's last minutes as a small min/max line, redrawn once a second from its live ring (one timer
// for every sparkline on screen): enough to see a trend's direction beside the number, at almost no
// cost. Sized by CSS (.sparkline: the cell's width, taller in the distance density); the canvas
// follows its box and the screen's pixel ratio, and the line is 2 CSS px, so it stays readable on a
// large or dense display.
import { useEffect, useRef } from 'react';
import type { TagInfo } from '../../../native/api/types';
import { decimateRings } from '../lib/decimate';
import { live } from '../platform/live';

/** Line width in CSS pixels. */
const LINE = 2;

type Draw = (stroke: string) => void;

/**
 * Every sparkline on screen is redrawn by one timer, once a second, with one read of the line
 * colour: a screen of fifty sparklines does not run fifty timers, each reading styles and layout.
 */
const drawers = new Set<Draw>();
let ticker: ReturnType<typeof setInterval> | undefined;
const lineColour = () => getComputedStyle(document.documentElement).getPropertyValue('--fg').trim() || '#ccc';

function redrawEverySecond(draw: Draw): () => void {
  drawers.add(draw);
  ticker ??= setInterval(() => {
    const stroke = lineColour();
    for (const d of drawers) d(stroke);
  }, 1000);
  return () => {
    drawers.delete(draw);
    if (drawers.size === 0 && ticker !== undefined) {
      clearInterval(ticker);
      ticker = undefined;
    }
  };
}

export function Sparkline({ tag, minutes = 5 }: { tag: TagInfo; minutes?: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    // The box's size, read when it is laid out (first here, then by the ResizeObserver), not on each draw.
    let cssW = Math.max(1, Math.round(el.clientWidth));
    let cssH = Math.max(1, Math.round(el.clientHeight));
    const draw: Draw = (stroke) => {
      const g = el.getContext('2d');
      if (!g) return;
      const ratio = window.devicePixelRatio || 1;
      if (el.width !== Math.round(cssW * ratio) || el.height !== Math.round(cssH * ratio)) {
        el.width = Math.round(cssW * ratio);
        el.height = Math.round(cssH * ratio);
      }
      g.setTransform(ratio, 0, 0, ratio, 0, 0);
      // One min/max pair per 2 CSS px: finer than the line is wide would only blur it.
      const buckets = Math.max(1, Math.floor(cssW / 2));
      const to = Date.now();
      const { ys } = decimateRings([live.ring(tag.id)], to - minutes * 60_000, to, buckets);
      const y = ys[0] ?? [];
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      for (const v of y) {
        if (typeof v !== 'number') continue;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      g.clearRect(0, 0, cssW, cssH);
      if (lo > hi) return;
      const span = hi - lo || 1;
      const pad = LINE + 1;
      const py = (v: number) => cssH - pad - ((v - lo) / span) * (cssH - 2 * pad);
      const px = (b: number) => ((b + 0.5) / buckets) * cssW;
      g.strokeStyle = stroke;
      g.lineWidth = LINE;
      g.lineJoin = 'round';
      g.lineCap = 'round';
      g.beginPath();
      let pen = false;
      for (let b = 0; b < buckets; b++) {
        const a = y[2 * b];
        const c = y[2 * b + 1];
        if (typeof a !== 'number' || typeof c !== 'number') {
          pen = false;
          continue;
        }
        if (!pen) g.moveTo(px(b), py(a));
        else g.lineTo(px(b), py(a));
        g.lineTo(px(b), py(c));
        pen = true;
      }
      g.stroke();
    };
    draw(lineColour());
    const leave = redrawEverySecond(draw);
    const resized = new ResizeObserver(() => {
      cssW = Math.max(1, Math.round(el.clientWidth));
      cssH = Math.max(1, Math.round(el.clientHeight));
      draw(lineColour());
    });
    resized.observe(el);
    return () => {
      leave();
      resized.disconnect();
    };
  }, [tag, minutes]);
  return <canvas className="sparkline" ref={canvas} role="img" aria-label={`${tag.name}, last ${minutes} minutes`} />;
}
