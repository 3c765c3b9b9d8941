// The running state in force at a moment, from a real historian (SQLite file, writer worker): the
// demo's case of a state stored once at the link's first moment and then a Bad sample with no good
// one after it, read for a period long after both. A grid read (what learning read before) has no
// value there; the state at the period's start is the last good sample.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Historian, openHistorian } from '../../historian/index.js';
import { batch, makeTags, tempDir } from '../../historian/test-kit.js';
import { stateAt } from './state.js';

const T0 = Date.UTC(2026, 11, 1, 8, 0, 0);
const MIN = 60_000;
// T0: stored once, then Bad 0.7 s later (the link's first moments), nothing after.
// T1: running, stopped after 5 min, nothing after. T2: never stored.
const tags = makeTags(3);
const [ONCE, STOPPED, NEVER] = tags.map((t) => t.name) as [string, string, string];
let dir: string;
let h: Historian;

beforeAll(async () => {
  dir = tempDir('aurum-learn-state-');
  h = await openHistorian({ dir, tags, now: () => T0 + 86_400_000, retentionIntervalMs: 0 });
  h.ingest(
    batch([
      [0, T0, 1],
      [1, T0, 1],
    ]),
  );
  h.ingest(batch([[0, T0 + 700, Number.NaN, 2]]));
  h.ingest(batch([[1, T0 + 5 * MIN, 0]]));
  await h.flush();
});

afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the running state at a moment, for learning', () => {
  it('is the last good sample however long ago it was stored, where a grid read has none', () => {
    const t = T0 + 45 * MIN;
    // The gap: a grid read holds a sample for maxHoldMs (15 min) and never over a Bad one.
    const [grid] = h.rangeRead({ tags: [ONCE], from: t, to: t + 10_000, stepMs: 1000 });
    expect([...(grid?.values ?? [])].every(Number.isNaN)).toBe(true);
    expect(h.valueAt({ tags: [ONCE], t, mode: 'previous' })[0]?.value).toBeNull();
    expect(stateAt(h, ONCE, t)).toBe(1);
    // Also within the hold, right after the Bad sample.
    expect(stateAt(h, ONCE, T0 + 2000)).toBe(1);
  });

  it('is the value of the latest change before the moment, not a later one', () => {
    expect(stateAt(h, STOPPED, T0 + 2 * MIN)).toBe(1);
    expect(stateAt(h, STOPPED, T0 + 5 * MIN)).toBe(0);
    expect(stateAt(h, STOPPED, T0 + 3 * 3_600_000)).toBe(0);
    // Before anything was stored, and a tag never stored: unknown.
    expect(stateAt(h, STOPPED, T0 - 1000)).toBeNaN();
    expect(stateAt(h, NEVER, T0 + MIN)).toBeNaN();
  });

  it('looks back at most a week', () => {
    expect(stateAt(h, STOPPED, T0 + 5 * MIN + 6 * 86_400_000)).toBe(0);
    expect(stateAt(h, ONCE, T0 + 8 * 86_400_000)).toBeNaN();
  });
});
