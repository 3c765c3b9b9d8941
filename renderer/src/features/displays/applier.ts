// Live values onto a display, once per frame and only where something changed: the display's SVG is
// rendered by React once; after that each frame compares every bound element's raw inputs (value,
// quality, state, alarm) with what it last showed and hands only the changed ones to the writer,
// which touches that element's nodes directly. No React render per value, no DOM write for an
// element whose inputs did not change. A pass has a time budget: when a burst changes more elements
// than one frame can write, it stops there and the next frame continues from that element (round
// robin, each element at most once per pass, always with its newest value), so a display never
// holds the main thread for a long task; elements not reached yet show their value a frame later.
// The browser's own work for a write (style, layout, paint) comes after the pass and is not in its
// budget, so while passes are cut the applier also paces itself by the frames: when the time between
// two passes shows a frame longer than FRAME_SLOW_MS it writes fewer elements per frame (× 0.7), and
// more (+ PACE_STEP) when frames keep up.

/** The tag ids an element reads (-1: not bound). */
export interface ElementBinding {
  value: number;
  state: number;
  alarm: number;
}

/** What a writer gets for one changed element: the raw inputs (NaN: no value yet / not bound). */
export interface ElementInputs {
  value: number;
  /** Worst quality of the element's bound tags: 0 Good, 1 Uncertain (stale), 2 Bad. */
  quality: number;
  state: number;
  alarm: number;
}

/** The current-value table the applier reads (platform/live's LiveData). */
export interface ValueSource {
  readonly values: Float64Array;
  readonly quality: Uint8Array;
  subscribe(listener: () => void): () => void;
}

const UNSEEN = -1;

export interface ApplierOptions {
  /** Time one pass may spend writing before it leaves the rest to the next frame, ms (default 8). */
  budgetMs?: number;
  /** The clock the budget is measured with (default performance.now). */
  clock?: () => number;
  /** Schedules the continuation of a pass cut by the budget (default requestAnimationFrame). */
  schedule?: (continuation: () => void) => void;
  /** Pace the writes per frame by the frames' length (default true). */
  pace?: boolean;
}

/** A frame longer than this (ms, between two passes) is a frame the writes made too slow. */
const FRAME_SLOW_MS = 25;
/** Writes per frame added while frames keep up, and the fewest a frame is left. */
const PACE_STEP = 64;

/** The clock is read every so many writes, not per element. */
const CLOCK_EVERY = 16;

export class DisplayApplier {
  private readonly last: Float64Array;
  private readonly inputs: ElementInputs = { value: Number.NaN, quality: 2, state: Number.NaN, alarm: Number.NaN };
  private readonly budgetMs: number;
  private readonly clock: () => number;
  private readonly schedule: (continuation: () => void) => void;
  /** Where the next pass starts (after the last element a cut pass reached). */
  private cursor = 0;
  /** A continuation is scheduled: the source's own notifications wait for it. */
  private continuing = false;
  private stopped = false;
  /** DOM writes made (diagnostics, tests and the benchmark). */
  writes = 0;
  /** Passes cut by the budget or the pace (diagnostics and the benchmark). */
  cut = 0;
  /** Writes a pass may make (paced by the frames' length while passes are cut). */
  cap: number;
  private readonly pace: boolean;
  private lastPassAt = Number.NaN;

  constructor(
    private readonly bindings: readonly ElementBinding[],
    private readonly source: ValueSource,
    private readonly write: (index: number, inputs: ElementInputs) => void,
    opts: ApplierOptions = {},
  ) {
    this.budgetMs = opts.budgetMs ?? 8;
    this.clock = opts.clock ?? (() => performance.now());
    this.schedule = opts.schedule ?? ((f) => requestAnimationFrame(f));
    this.pace = opts.pace ?? true;
    this.cap = bindings.length;
    // Per element: value, quality, state, alarm as last written; quality UNSEEN forces the first write.
    this.last = new Float64Array(bindings.length * 4).fill(Number.NaN);
    for (let i = 0; i < bindings.length; i++) this.last[i * 4 + 1] = UNSEEN;
  }

  /** Follow the source: one pass per frame the source reports (LiveData notifies once per animation frame). */
  start(): () => void {
    this.stopped = false;
    this.frame();
    const unsubscribe = this.source.subscribe(() => {
      if (!this.continuing) this.frame();
    });
    return () => {
      this.stopped = true;
      unsubscribe();
    };
  }

  /** One pass over the elements from the cursor, within the budget; returns how many were written. */
  frame(): number {
    const { values, quality } = this.source;
    const last = this.last;
    const n = this.bindings.length;
    const started = this.clock();
    if (this.pace && this.continuing) {
      // The previous pass was cut: the time since it started is the frame its writes cost.
      const frame = started - this.lastPassAt;
      this.cap = frame > FRAME_SLOW_MS ? Math.max(PACE_STEP, Math.floor(this.cap * 0.7)) : Math.min(n, this.cap + PACE_STEP);
    }
    this.lastPassAt = started;
    let written = 0;
    let visited = 0;
    let i = this.cursor;
    for (; visited < n; visited++, i = i + 1 === n ? 0 : i + 1) {
      if (written >= this.cap) break;
      if (written > 0 && written % CLOCK_EVERY === 0 && this.clock() - started > this.budgetMs) break;
      const b = this.bindings[i] as ElementBinding;
      if (b.value < 0 && b.state < 0 && b.alarm < 0) continue;
      const v = b.value >= 0 ? (values[b.value] ?? Number.NaN) : Number.NaN;
      const s = b.state >= 0 ? (values[b.state] ?? Number.NaN) : Number.NaN;
      const a = b.alarm >= 0 ? (values[b.alarm] ?? Number.NaN) : Number.NaN;
      const q = Math.max(
        b.value >= 0 ? (quality[b.value] ?? 2) : 0,
        b.state >= 0 ? (quality[b.state] ?? 2) : 0,
        b.alarm >= 0 ? (quality[b.alarm] ?? 2) : 0,
      );
      const o = i * 4;
      if (same(last[o] as number, v) && last[o + 1] === q && same(last[o + 2] as number, s) && same(last[o + 3] as number, a)) continue;
      last[o] = v;
      last[o + 1] = q;
      last[o + 2] = s;
      last[o + 3] = a;
      this.inputs.value = v;
      this.inputs.quality = q;
      this.inputs.state = s;
      this.inputs.alarm = a;
      this.write(i, this.inputs);
      written++;
    }
    this.cursor = n === 0 ? 0 : i;
    this.writes += written;
    this.continuing = visited < n;
    if (this.continuing) {
      this.cut++;
      this.schedule(() => {
        if (!this.stopped) this.frame();
        else this.continuing = false;
      });
    }
    return written;
  }
}

/** Equal, NaN included (no value yet stays no value). */
const same = (a: number, b: number) => a === b || (Number.isNaN(a) && Number.isNaN(b));
