// A tag's last minutes as a small min/max line, redrawn once a second from its live ring: enough
// to see a trend's direction beside the number, at almost no cost.
import { useEffect, useRef } from 'react';
import type { TagInfo } from '../../../native/api/types';
import { decimateRings } from '../lib/decimate';
import { live } from '../platform/live';

const WIDTH = 120;
const HEIGHT = 22;

export function Sparkline({ tag, minutes = 5 }: { tag: TagInfo; minutes?: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const draw = () => {
      const g = canvas.current?.getContext('2d');
      if (!g) return;
      const to = Date.now();
      const { ys } = decimateRings([live.ring(tag.id)], to - minutes * 60_000, to, WIDTH);
      const y = ys[0] ?? [];
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      for (const v of y) {
        if (typeof v !== 'number') continue;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      g.clearRect(0, 0, WIDTH, HEIGHT);
      if (lo > hi) return;
      const span = hi - lo || 1;
      const py = (v: number) => HEIGHT - 2 - ((v - lo) / span) * (HEIGHT - 4);
      g.strokeStyle = getComputedStyle(document.documentElement).getPropertyValue('--fg-muted').trim() || '#999';
      g.lineWidth = 1;
      g.beginPath();
      let pen = false;
      for (let b = 0; b < WIDTH; b++) {
        const a = y[2 * b];
        const c = y[2 * b + 1];
        if (typeof a !== 'number' || typeof c !== 'number') {
          pen = false;
          continue;
        }
        if (!pen) g.moveTo(b + 0.5, py(a));
        else g.lineTo(b + 0.5, py(a));
        g.lineTo(b + 0.5, py(c));
        pen = true;
      }
      g.stroke();
    };
    draw();
    const timer = setInterval(draw, 1000);
    return () => clearInterval(timer);
  }, [tag, minutes]);
  return (
    <canvas
      className="sparkline"
      ref={canvas}
      width={WIDTH}
      height={HEIGHT}
      role="img"
      aria-label={`${tag.name}, last ${minutes} minutes`}
    />
  );
}
