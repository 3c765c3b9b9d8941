// Helpers shared by driver tests: a bus over a handful of tags, a bounded wait, and a clock the test drives.
import { setImmediate as turn } from 'node:timers/promises';
import { TagBus } from '../tags/bus.js';
import { testTag } from '../tags/test-tag.js';
import type { Clock } from './connection.js';
import type { DriverTag } from './driver.js';

export function busFor(tags: readonly Pick<DriverTag, 'id' | 'name'>[]): TagBus {
  return new TagBus(
    tags.map((t) => testTag(t.id, t.name, { site: 'Test', area: 'A', machine: 'M', writable: true, expectedPeriodMs: 100 })),
  );
}

export async function until(what: string, check: () => boolean, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now() - start;
}

/** Timers that fire only when the test advances the time. */
export class ManualClock implements Clock {
  t = Date.UTC(2026, 0, 1);
  private next = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  /** Every delay asked for, in order. */
  readonly delays: number[] = [];

  now = () => this.t;
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.next;
    this.timers.push({ at: this.t + ms, fn, id });
    this.delays.push(ms);
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  get pending(): number {
    return this.timers.length;
  }
  /** Move the time on by `ms`, firing each timer due on the way (and what it sets off) in order. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.t = due.at;
      due.fn();
      await settle();
    }
    this.t = end;
  }
}

/** Let every promise chain that is ready run to its end (a macrotask turn: no wall-clock wait). */
export const settle = () => turn();
