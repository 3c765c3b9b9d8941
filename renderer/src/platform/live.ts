// Live values outside React: a current-value table in typed arrays and a ring buffer per tag for
// trends. Batches from the core are queued and applied once per animation frame; subscribers
// (value cells, charts) are told once per frame and update the DOM or uPlot directly, so
// high-rate data never goes through React renders.
import type { QualityCode, ValueBatch } from '../../../native/api/types';

const INITIAL_RING = 1024;
/** Hard cap per tag (2^20 samples = 16 MB): 10 minutes at 1 kHz still fits. */
const MAX_RING = 1 << 20;

/**
 * A tag's recent samples, oldest first. It keeps at least `retainMs` of history: when full and the
 * oldest sample is younger than that, it doubles (up to MAX_RING) instead of overwriting, so a
 * 10-minute trend of a 100 Hz tag holds its whole window without sizing rings up front.
 */
export class Ring {
  t: Float64Array;
  v: Float64Array;
  private start = 0;
  length = 0;
  /** Samples ever pushed; sample k (0 = oldest held) has sequence number `written - length + k`. */
  written = 0;

  constructor(
    capacity = INITIAL_RING,
    public retainMs = 0,
  ) {
    this.t = new Float64Array(capacity);
    this.v = new Float64Array(capacity);
  }

  get capacity(): number {
    return this.t.length;
  }

  /** Samples older than the newest held are dropped (a resync snapshot repeating a value): the ring stays in time order. */
  push(t: number, v: number): void {
    if (this.length > 0 && t < this.timeAt(this.length - 1)) return;
    if (this.length === this.capacity && this.capacity < MAX_RING && t - this.timeAt(0) < this.retainMs) this.grow();
    const cap = this.capacity;
    const i = (this.start + this.length) % cap;
    this.t[i] = t;
    this.v[i] = v;
    this.written++;
    if (this.length < cap) this.length++;
    else this.start = (this.start + 1) % cap;
  }

  timeAt(k: number): number {
    return this.t[(this.start + k) % this.capacity] as number;
  }

  valueAt(k: number): number {
    return this.v[(this.start + k) % this.capacity] as number;
  }

  /** Index (0 = oldest) of the first sample with time ≥ t; samples arrive in time order per tag. */
  firstAtOrAfter(t: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timeAt(mid) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Samples with time ≥ from, oldest first, as plain arrays (exports, tests). */
  since(from: number): { t: number[]; v: (number | null)[] } {
    const t: number[] = [];
    const v: (number | null)[] = [];
    for (let k = this.firstAtOrAfter(from); k < this.length; k++) {
      t.push(this.timeAt(k));
      const vi = this.valueAt(k);
      v.push(Number.isNaN(vi) ? null : vi);
    }
    return { t, v };
  }

  private grow(): void {
    const cap = this.capacity;
    const t = new Float64Array(Math.min(MAX_RING, cap * 2));
    const v = new Float64Array(t.length);
    for (let k = 0; k < this.length; k++) {
      const i = (this.start + k) % cap;
      t[k] = this.t[i] as number;
      v[k] = this.v[i] as number;
    }
    this.t = t;
    this.v = v;
    this.start = 0;
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
  /** Samples applied since start (diagnostics and benchmarks). */
  applied = 0;
  /** True while the link to the core is down: everything shown is stale. */
  stale = false;

  constructor(
    tagCount = 0,
    private retainMs = 15 * 60_000,
  ) {
    this.values = new Float64Array(tagCount).fill(Number.NaN);
    this.quality = new Uint8Array(tagCount).fill(2);
    this.ts = new Float64Array(tagCount);
    this.rings = Array.from({ length: tagCount }, () => new Ring(INITIAL_RING, retainMs));
  }

  get tagCount(): number {
    return this.values.length;
  }

  reset(tagCount: number): void {
    this.values = new Float64Array(tagCount).fill(Number.NaN);
    this.quality = new Uint8Array(tagCount).fill(2);
    this.ts = new Float64Array(tagCount);
    this.rings = Array.from({ length: tagCount }, () => new Ring(INITIAL_RING, this.retainMs));
    this.notify();
  }

  /** Keep at least this much history per tag (a trend window asks for its own length). */
  retain(ms: number): void {
    if (ms <= this.retainMs) return;
    this.retainMs = ms;
    for (const r of this.rings) r.retainMs = ms;
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
      const n = b.ids.length;
      for (let i = 0; i < n; i++) {
        const id = b.ids[i] as number;
        if (id >= this.values.length) continue;
        const v = b.v[i] ?? Number.NaN;
        const t = b.ts[i] as number;
        this.values[id] = v;
        this.quality[id] = b.q[i] as QualityCode;
        this.ts[id] = t;
        this.rings[id]?.push(t, v);
      }
      this.applied += n;
    }
    if (queue.length > 0) this.notify();
  }

  /** Link to the core lost: values stay visible but are shown stale (never as Good) until resync. */
  markAllUncertain(): void {
    this.stale = true;
    for (let i = 0; i < this.quality.length; i++) if (this.quality[i] === 0) this.quality[i] = 1;
    this.notify();
  }

  /** Link back: the snapshot that follows brings the true qualities. */
  markLinked(): void {
    this.stale = false;
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
