// Coalesces bus batches into one columnar ValueBatch per interval for UI clients: trends get every
// sample, but the UI gets at most one message per interval, never one per sample.
import type { ValueBatch } from '../api/types.js';
import type { SampleBatch, TagBus } from './bus.js';

/** Upper bound of samples held between two emits; past it the oldest are dropped and counted. */
const MAX_PENDING = 200_000;

export function startValueStream(bus: TagBus, intervalMs: number, emit: (batch: ValueBatch) => void): { stop(): void; dropped(): number } {
  let pending: ValueBatch = { ids: [], ts: [], v: [], q: [] };
  let dropped = 0;
  const off = bus.onBatch((b: SampleBatch) => {
    for (let i = 0; i < b.length; i++) {
      pending.ids.push(b.ids[i] as number);
      pending.ts.push(b.ts[i] as number);
      const v = b.values[i] as number;
      pending.v.push(Number.isNaN(v) ? null : v);
      pending.q.push(b.quality[i] as 0 | 1 | 2);
    }
    const excess = pending.ids.length - MAX_PENDING;
    if (excess > 0) {
      dropped += excess;
      pending.ids.splice(0, excess);
      pending.ts.splice(0, excess);
      pending.v.splice(0, excess);
      pending.q.splice(0, excess);
    }
  }, 'ui stream');
  const timer = setInterval(() => {
    if (pending.ids.length === 0) return;
    const out = pending;
    pending = { ids: [], ts: [], v: [], q: [] };
    emit(out);
  }, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      off();
    },
    dropped: () => dropped,
  };
}
