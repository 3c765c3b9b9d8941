// Which samples of a tag are stored: every one, those outside a deadband, or those the swinging
// door (SDT) needs so that linear interpolation between stored points stays within the deviation
// of every sample received. Quality changes are always stored; so is a sample after maxIntervalMs.
import type { TagPolicy } from './config.js';

export type Emit = (t: number, v: number, q: number) => void;

export class SampleFilter {
  private hasArchive = false;
  private t0 = 0;
  private v0 = 0;
  private q0 = 0;
  private hasPending = false;
  private tp = 0;
  private vp = 0;
  private qp = 0;
  private slopeLo = Number.NEGATIVE_INFINITY;
  private slopeHi = Number.POSITIVE_INFINITY;

  constructor(private readonly policy: Pick<TagPolicy, 'mode' | 'deviation' | 'maxIntervalMs'>) {}

  push(t: number, v: number, q: number, emit: Emit): void {
    const p = this.policy;
    if (p.mode === 'none') {
      emit(t, v, q);
      return;
    }
    const sameKind = this.hasArchive && q === this.q0 && Number.isNaN(v) === Number.isNaN(this.v0);
    if (!sameKind || Number.isNaN(v) || t - this.t0 >= p.maxIntervalMs) {
      this.flushPending(emit);
      this.archive(t, v, q, emit);
      return;
    }
    if (p.mode === 'deadband') {
      if (Math.abs(v - this.v0) > p.deviation) this.archive(t, v, q, emit);
      return;
    }
    const dt = t - this.t0;
    if (dt <= 0) {
      this.setPending(t, v, q);
      return;
    }
    // slopeLo…slopeHi: the slopes from the archived point that pass within the deviation of
    // every sample since it. The new sample can end the segment only if its own slope is inside.
    const slope = (v - this.v0) / dt;
    if (this.hasPending && (slope < this.slopeLo || slope > this.slopeHi)) {
      const tp = this.tp;
      const vp = this.vp;
      this.archive(tp, vp, this.qp, emit);
      const dtp = t - tp;
      this.slopeLo = dtp > 0 ? (v - p.deviation - vp) / dtp : Number.NEGATIVE_INFINITY;
      this.slopeHi = dtp > 0 ? (v + p.deviation - vp) / dtp : Number.POSITIVE_INFINITY;
    } else {
      this.slopeLo = Math.max(this.slopeLo, (v - p.deviation - this.v0) / dt);
      this.slopeHi = Math.min(this.slopeHi, (v + p.deviation - this.v0) / dt);
    }
    this.setPending(t, v, q);
  }

  /** Store the sample held back by the swinging door (on shutdown). */
  finish(emit: Emit): void {
    this.flushPending(emit);
  }

  private setPending(t: number, v: number, q: number): void {
    this.hasPending = true;
    this.tp = t;
    this.vp = v;
    this.qp = q;
  }

  private flushPending(emit: Emit): void {
    if (this.hasPending) this.archive(this.tp, this.vp, this.qp, emit);
  }

  private archive(t: number, v: number, q: number, emit: Emit): void {
    emit(t, v, q);
    this.hasArchive = true;
    this.t0 = t;
    this.v0 = v;
    this.q0 = q;
    this.hasPending = false;
    this.slopeLo = Number.NEGATIVE_INFINITY;
    this.slopeHi = Number.POSITIVE_INFINITY;
  }
}
