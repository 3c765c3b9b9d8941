// Helpers shared by driver tests: a bus over a handful of tags and a bounded wait.
import { TagBus } from '../tags/bus.js';
import { testTag } from '../tags/test-tag.js';
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
