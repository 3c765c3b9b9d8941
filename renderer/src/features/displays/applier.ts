// Live values onto a display, once per frame and only where something changed: the display's SVG is
// rendered by React once; after that each frame compares every bound element's raw inputs (value,
// quality, state, alarm) with what it last showed and hands only the changed ones to the writer,
// which touches that element's nodes directly. No React render per value, no DOM write for an
// element whose inputs did not change.

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

export class DisplayApplier {
  private readonly last: Float64Array;
  private readonly inputs: ElementInputs = { value: Number.NaN, quality: 2, state: Number.NaN, alarm: Number.NaN };
  /** DOM writes made (diagnostics, tests and the benchmark). */
  writes = 0;

  constructor(
    private readonly bindings: readonly ElementBinding[],
    private readonly source: ValueSource,
    private readonly write: (index: number, inputs: ElementInputs) => void,
  ) {
    // Per element: value, quality, state, alarm as last written; quality UNSEEN forces the first write.
    this.last = new Float64Array(bindings.length * 4).fill(Number.NaN);
    for (let i = 0; i < bindings.length; i++) this.last[i * 4 + 1] = UNSEEN;
  }

  /** Follow the source: one pass per frame the source reports (LiveData notifies once per animation frame). */
  start(): () => void {
    this.frame();
    return this.source.subscribe(() => this.frame());
  }

  /** One pass over the elements; returns how many were written. */
  frame(): number {
    const { values, quality } = this.source;
    const last = this.last;
    let written = 0;
    for (let i = 0; i < this.bindings.length; i++) {
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
    this.writes += written;
    return written;
  }
}

/** Equal, NaN included (no value yet stays no value). */
const same = (a: number, b: number) => a === b || (Number.isNaN(a) && Number.isNaN(b));
