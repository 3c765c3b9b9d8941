// The frame and long-task counter of the browser benchmarks (displays, ui-trend), written once. It
// runs in the page; a bench's own counters are read there too, right before the count starts and in
// the frame that ends it, so they cover the counted window.
import type { Page } from 'playwright-core';

/** rAF frames, dropped frames (intervals beyond one 60 Hz frame) and long tasks (> 50 ms) over one window. */
export interface FrameCount {
  frames: number;
  seconds: number;
  dropped: number;
  longTasks: number;
  maxLongTaskMs: number;
}

declare global {
  interface Window {
    /** Counts frames for `ms` from now; resolves in the animation frame that ends the window. */
    benchFrames?: (ms: number) => Promise<FrameCount>;
  }
}

/**
 * Counts frames in the page for `ms`, calling `begin` in the page before and `end` in the frame that
 * ends the window (page functions: they see only the page, not this module's scope).
 */
export async function countFrames<B, E>(page: Page, ms: number, begin: () => B, end: () => E): Promise<FrameCount & { begin: B; end: E }> {
  await installFrameCounter(page);
  return page.evaluate(
    `(async () => {
      const begin = ${begin.toString()};
      const end = ${end.toString()};
      const b = begin();
      const f = await window.benchFrames(${JSON.stringify(ms)});
      return { ...f, begin: b, end: end() };
    })()`,
  );
}

/** Puts `window.benchFrames` in the page (again after a navigation; a second call on a page keeps the first). */
function installFrameCounter(page: Page): Promise<void> {
  return page.evaluate(() => {
    if (window.benchFrames) return;
    window.benchFrames = (ms) =>
      new Promise<FrameCount>((resolve) => {
        const long: number[] = [];
        const po = new PerformanceObserver((list) => {
          for (const e of list.getEntries()) long.push(e.duration);
        });
        po.observe({ type: 'longtask' });
        const start = performance.now();
        let last = start;
        let frames = 0;
        let dropped = 0;
        const frame = (now: number) => {
          frames++;
          dropped += Math.max(0, Math.round((now - last) / (1000 / 60)) - 1);
          last = now;
          if (now - start < ms) {
            requestAnimationFrame(frame);
            return;
          }
          po.disconnect();
          resolve({ frames, seconds: (now - start) / 1000, dropped, longTasks: long.length, maxLongTaskMs: Math.max(0, ...long) });
        };
        requestAnimationFrame(frame);
      });
  });
}
