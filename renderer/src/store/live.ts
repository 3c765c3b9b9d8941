// Live values outside React: a current-value table in typed arrays and a ring buffer per tag for
// trends. Batches from the core are queued and applied once per animation frame; subscribers
// (value cells, charts) are told once per frame and update the DOM or uPlot directly, so
// high-rate data never goes through React renders.
import type { QualityCode, ValueBatch } from '../../../native/api/types';

export class Ring {
  readonly t: Float64Array;
  readonly v: Float64Array;
  private start = 0;
  length = 0;

  constructor(readonly capacity: number) {
    this.t = new Float64Array(capacity);
    this.v = new Float64Array(capacity);
  }

  push(t: number, v: number): void {
    const i = (this.start + this.length) % this.capacity;
    this.t[i] = t;
    this.v[i] = v;
    if (this.length < this.capacity) this.length++;
    else this.start = (this.start + 1) % this.capacity;
  }

  /** Samples with time ≥ from, oldest first, as plain arrays ready for a chart. */
  since(from: number): { t: number[]; v: (number | null)[] } {
    const t: number[] = [];
    const v: (number | null)[] = [];
    for (let k = 0; k < this.length; k++) {
      const i = (this.start + k) % this.capacity;
      const ti = this.t[i] as number;
      if (ti < from) continue;
      t.push(ti);
      const vi = this.v[i] as number;
      v.push(Number.isNaN(vi) ? null : vi);
    }
    return { t, v };
  }
}

type FrameListener = () => void;

export class LiveData {
  values: Float64Array;
  quality: Uint8Array;
  ts: Float64Array;
  private rings: Ring[];
  private queue: ValueBatch[] = [];
  private frameRequested = false;
  private readonly listeners = new Set<FrameListener>();
  /** Incremented on every applied frame. */
  frame = 0;

  constructor(
    tagCount = 0,
    private readonly ringCapacity = 6000,
  ) {
    this.values = new Float64Array(tagCount).fill(Number.NaN);
    this.quality = new Uint8Array(tagCount).fill(2);
    this.ts = new Float64Array(tagCount);
    this.rings = Array.from({ length: tagCount }, () => new Ring(ringCapacity));
  }

  reset(tagCount: number): void {
    this.values = new Float64Array(tagCount).fill(Number.NaN);
    this.quality = new Uint8Array(tagCount).fill(2);
    this.ts = new Float64Array(tagCount);
    this.rings = Array.from({ length: tagCount }, () => new Ring(this.ringCapacity));
    this.notify();
  }

  ring(id: number): Ring | undefined {
    return this.rings[id];
  }

  enqueue(batch: ValueBatch): void {
    this.queue.push(batch);
    if (!this.frameRequested) {
      this.frameRequested = true;
      const raf = typeof requestAnimationFrame === 'function' ? requestAnimationFrame : (cb: () => void) => setTimeout(cb, 16);
      raf(() => this.applyQueued());
    }
  }

  /** Apply everything queued; exposed for tests (no animation frames there). */
  applyQueued(): void {
    this.frameRequested = false;
    const queue = this.queue;
    this.queue = [];
    for (const b of queue) {
      for (let i = 0; i < b.ids.length; i++) {
        const id = b.ids[i] as number;
        if (id >= this.values.length) continue;
        const v = b.v[i] ?? Number.NaN;
        const t = b.ts[i] as number;
        this.values[id] = v;
        this.quality[id] = b.q[i] as QualityCode;
        this.ts[id] = t;
        this.rings[id]?.push(t, v);
      }
    }
    if (queue.length > 0) this.notify();
  }

  /** Mark everything stale (link to the core lost): values stay visible but are never shown as Good. */
  markAllUncertain(): void {
    for (let i = 0; i < this.quality.length; i++) if (this.quality[i] === 0) this.quality[i] = 1;
    this.notify();
  }

  subscribe(listener: FrameListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    this.frame++;
    for (const l of this.listeners) l();
  }
}

export const live = new LiveData();
