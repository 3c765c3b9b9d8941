// Feature windows: per machine and model, the last `length` samples of the model's input tags on
// a fixed grid of `periodMs`, each grid point holding the last value received (zero-order hold).
// Quality travels with the values: a window that contains a Bad or never-received input yields no
// prediction and says which tag and why. Values are normalised with the manifest's parameters as
// they enter the window, so assembling a batch is one copy.
import type { SampleBatch } from '../tags/bus.js';

export interface WindowSpec {
  /** Tag ids of the inputs in graph order (the bus's ids). */
  tagIds: number[];
  tagNames: string[];
  length: number;
  periodMs: number;
  mean: number[];
  std: number[];
  /** Rows needed before the window is ready; the older ones repeat the oldest (defaults to `length`). */
  fill?: number;
}

export type WindowState = { ready: true; data: Float32Array } | { ready: false; reason: string };

export class FeatureWindow {
  readonly spec: WindowSpec;
  private readonly slot = new Map<number, number>();
  private readonly last: Float64Array;
  private readonly lastQuality: Uint8Array;
  private readonly lastReason: string[];
  /** Ring of normalised rows, `length` × inputs. */
  private readonly ring: Float32Array;
  /** Per ring row: index of a Bad/missing input in that row, or -1. */
  private readonly rowBad: Int32Array;
  private rows = 0;
  private nextGrid = Number.NEGATIVE_INFINITY;

  constructor(spec: WindowSpec) {
    this.spec = spec;
    const n = spec.tagIds.length;
    spec.tagIds.forEach((id, i) => {
      this.slot.set(id, i);
    });
    this.last = new Float64Array(n).fill(Number.NaN);
    this.lastQuality = new Uint8Array(n).fill(2);
    this.lastReason = new Array<string>(n).fill('not yet received');
    this.ring = new Float32Array(spec.length * n);
    this.rowBad = new Int32Array(spec.length).fill(-1);
  }

  /** Take the samples of this window's tags from a bus batch (latest wins within the batch). */
  ingest(batch: SampleBatch, reasons?: (id: number) => string): void {
    for (let i = 0; i < batch.length; i++) {
      const j = this.slot.get(batch.ids[i] as number);
      if (j === undefined) continue;
      const q = batch.quality[i] as number;
      const v = batch.values[i] as number;
      this.last[j] = v;
      this.lastQuality[j] = Number.isFinite(v) ? q : 2;
      // A Bad sample says why (the bus's reason: comm failure…), whether or not it carries a number.
      this.lastReason[j] =
        q === 2 ? (reasons?.(batch.ids[i] as number) ?? 'quality Bad') : Number.isFinite(v) ? '' : 'value is not numeric';
    }
  }

  /**
   * Advance the grid to `now`: one row per elapsed grid point, holding the last values. Returns
   * true when at least one row was added (the caller then predicts).
   */
  advance(now: number): boolean {
    if (this.nextGrid === Number.NEGATIVE_INFINITY) this.nextGrid = now;
    if (now < this.nextGrid) return false;
    const n = this.spec.tagIds.length;
    // After a long gap, only the last `length` rows matter.
    const steps = Math.min(this.spec.length, Math.floor((now - this.nextGrid) / this.spec.periodMs) + 1);
    for (let s = 0; s < steps; s++) {
      const r = this.rows % this.spec.length;
      let bad = -1;
      for (let j = 0; j < n; j++) {
        if (this.lastQuality[j] === 2 && bad < 0) bad = j;
        this.ring[r * n + j] = ((this.last[j] as number) - (this.spec.mean[j] as number)) / (this.spec.std[j] as number) || 0;
      }
      this.rowBad[r] = bad;
      this.rows++;
    }
    this.nextGrid += Math.ceil((now - this.nextGrid + 1) / this.spec.periodMs) * this.spec.periodMs;
    return true;
  }

  /** Forget the rows, keeping the last values received: the window fills again from the next grid point. */
  restart(): void {
    this.rows = 0;
    this.rowBad.fill(-1);
  }

  /**
   * Before a window is first scored: forget the rows up to and including the newest one with a Bad
   * input, keeping those after it (moved to the front of the ring), so the link's first moments
   * (inputs not yet received, a Bad marker as a connection comes up) are not held against the
   * machine for a whole window length. Nothing changes while the newest row itself is Bad.
   */
  forgetBadStart(): void {
    const len = this.spec.length;
    const n = this.spec.tagIds.length;
    const held = Math.min(this.rows, len);
    const first = this.rows - held;
    const slot = (i: number) => (first + i) % len;
    let newestBad = -1;
    for (let i = 0; i < held; i++) if ((this.rowBad[slot(i)] as number) >= 0) newestBad = i;
    if (newestBad < 0 || newestBad === held - 1) return;
    const keepFrom = newestBad + 1;
    const kept = new Float32Array((held - keepFrom) * n);
    for (let i = keepFrom; i < held; i++) kept.set(this.ring.subarray(slot(i) * n, (slot(i) + 1) * n), (i - keepFrom) * n);
    this.ring.set(kept, 0);
    this.rowBad.fill(-1);
    this.rows = held - keepFrom;
  }

  /** The latest value received of input `j`, in engineering units (NaN before the first). */
  latest(j: number): number {
    return this.last[j] as number;
  }

  /** The window, oldest row first, or why there is none (naming the input of the newest Bad row). */
  read(): WindowState {
    const len = this.spec.length;
    const fill = Math.min(len, this.spec.fill ?? len);
    if (this.rows < fill) return { ready: false, reason: `window filling: ${this.rows} of ${fill} samples` };
    const n = this.spec.tagIds.length;
    if (this.rows < len) {
      // Not full yet: the rows held so far at the end, the oldest of them repeated before it.
      for (let k = this.rows - 1; k >= 0; k--) {
        const bad = this.rowBad[k] as number;
        if (bad >= 0) {
          const reason = this.lastQuality[bad] === 2 ? this.lastReason[bad] : 'Bad within the window';
          return { ready: false, reason: `${this.spec.tagNames[bad]} is Bad (${reason})` };
        }
      }
      const data = new Float32Array(len * n);
      const pad = len - this.rows;
      for (let r = 0; r < pad; r++) data.set(this.ring.subarray(0, n), r * n);
      data.set(this.ring.subarray(0, this.rows * n), pad * n);
      return { ready: true, data };
    }
    for (let i = 1; i <= len; i++) {
      const bad = this.rowBad[(this.rows - i) % len] as number;
      if (bad >= 0) {
        const reason = this.lastQuality[bad] === 2 ? this.lastReason[bad] : 'Bad within the window';
        return { ready: false, reason: `${this.spec.tagNames[bad]} is Bad (${reason})` };
      }
    }
    const data = new Float32Array(len * n);
    const start = this.rows % len;
    data.set(this.ring.subarray(start * n), 0);
    data.set(this.ring.subarray(0, start * n), (len - start) * n);
    return { ready: true, data };
  }
}
