// Coalesces bus batches into one columnar ValueBatch per interval for UI clients: at most one
// message per interval, never one per sample, and a bounded number of samples per tag in it.
//
// Per tag and interval the stream keeps at most four samples — the first, the last, and the lowest
// and highest of those between (M4 decimation) — so a live trend keeps its shape and its spikes
// while a message stays small whatever the ingest rate: a 1 Hz plant keeps every sample, a tag pushed
// at 10 kHz sends four. History at full resolution comes from the historian.
import type { ValueBatch } from '../api/types.js';
import type { SampleBatch, TagBus } from './bus.js';

const SLOTS = 4;

export function startValueStream(bus: TagBus, intervalMs: number, emit: (batch: ValueBatch) => void): { stop(): void; dropped(): number } {
  // Where each tag's samples of this interval stand in `pending` (-1: none yet), and how many it
  // has; by id, grown when live configuration adds tags (bus.onTable).
  let slots = new Int32Array(bus.idSpan * SLOTS).fill(-1);
  let counts = new Uint8Array(bus.idSpan);
  const offTable = bus.onTable(() => {
    if (counts.length >= bus.idSpan) return;
    const grown = new Int32Array(bus.idSpan * SLOTS).fill(-1);
    grown.set(slots);
    slots = grown;
    const c = new Uint8Array(bus.idSpan);
    c.set(counts);
    counts = c;
  });
  const touched: number[] = [];
  let pending: ValueBatch = { ids: [], ts: [], v: [], q: [] };
  // Samples folded away by the decimation since start (a diagnostics figure, not data loss: the
  // historian keeps every one).
  let folded = 0;

  const put = (at: number, ts: number, v: number | null, q: 0 | 1 | 2) => {
    pending.ts[at] = ts;
    pending.v[at] = v;
    pending.q[at] = q;
  };
  const off = bus.onBatch((b: SampleBatch) => {
    for (let i = 0; i < b.length; i++) {
      const id = b.ids[i] as number;
      const ts = b.ts[i] as number;
      const raw = b.values[i] as number;
      const v = Number.isNaN(raw) ? null : raw;
      const q = b.quality[i] as 0 | 1 | 2;
      const n = counts[id] as number;
      if (n < SLOTS) {
        if (n === 0) touched.push(id);
        slots[id * SLOTS + n] = pending.ids.length;
        counts[id] = n + 1;
        pending.ids.push(id);
        pending.ts.push(ts);
        pending.v.push(v);
        pending.q.push(q);
        continue;
      }
      // Full: the previous last sample joins the middle two, which keep the lowest and the highest;
      // the new sample becomes the last.
      folded++;
      const a = slots[id * SLOTS + 1] as number;
      const c = slots[id * SLOTS + 2] as number;
      const last = slots[id * SLOTS + 3] as number;
      const lv = pending.v[last] ?? null;
      if (lv !== null) {
        const av = pending.v[a] ?? null;
        const cv = pending.v[c] ?? null;
        const lo = av === null || (cv !== null && cv < av) ? c : a;
        const hi = lo === a ? c : a;
        const loV = pending.v[lo] ?? null;
        const hiV = pending.v[hi] ?? null;
        // Replace whichever middle sample is less extreme than the old last one.
        if (loV === null || lv < loV) put(lo, pending.ts[last] as number, lv, pending.q[last] as 0 | 1 | 2);
        else if (hiV === null || lv > hiV) put(hi, pending.ts[last] as number, lv, pending.q[last] as 0 | 1 | 2);
      }
      put(last, ts, v, q);
    }
  }, 'ui stream');
  const timer = setInterval(() => {
    if (pending.ids.length === 0) return;
    // The middle two may have changed places in time: keep each tag's samples in time order.
    for (const id of touched) {
      if (counts[id] === SLOTS) {
        const a = slots[id * SLOTS + 1] as number;
        const c = slots[id * SLOTS + 2] as number;
        if ((pending.ts[a] as number) > (pending.ts[c] as number)) {
          const [ts, v, q] = [pending.ts[a] as number, pending.v[a] ?? null, pending.q[a] as 0 | 1 | 2];
          put(a, pending.ts[c] as number, pending.v[c] ?? null, pending.q[c] as 0 | 1 | 2);
          put(c, ts, v, q);
        }
      }
      counts[id] = 0;
      slots.fill(-1, id * SLOTS, id * SLOTS + SLOTS);
    }
    touched.length = 0;
    const out = pending;
    pending = { ids: [], ts: [], v: [], q: [] };
    emit(out);
  }, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      off();
      offTable();
    },
    dropped: () => folded,
  };
}
