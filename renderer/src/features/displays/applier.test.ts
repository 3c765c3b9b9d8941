// The display applier with the real LiveData and a fake animation frame: however many batches arrive
// in a frame, each changed element is written once, an unchanged one not at all.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ValueBatch } from '../../../../native/api/types';
import { LiveData } from '../../platform/live';
import { DisplayApplier, type ElementInputs } from './applier';

let frames: (() => void)[] = [];
const runFrame = () => {
  const due = frames;
  frames = [];
  for (const f of due) f();
};

beforeEach(() => {
  frames = [];
  vi.stubGlobal('requestAnimationFrame', (cb: () => void) => frames.push(cb));
});
afterEach(() => vi.unstubAllGlobals());

const batch = (ids: number[], v: number[], q: number[] = ids.map(() => 0)): ValueBatch =>
  ({ ids, v, q, ts: ids.map(() => 1) }) as unknown as ValueBatch;

describe('display applier', () => {
  it('N updates in one frame: one write per changed element, none for the unchanged', () => {
    const live = new LiveData(4);
    // element 0 shows tag 0; element 1 tag 1; element 2 is a pump (state tag 2, alarm tag 3); element 3 unbound
    const writes: [number, ElementInputs][] = [];
    const applier = new DisplayApplier(
      [
        { value: 0, state: -1, alarm: -1 },
        { value: 1, state: -1, alarm: -1 },
        { value: -1, state: 2, alarm: 3 },
        { value: -1, state: -1, alarm: -1 },
      ],
      live,
      (i, inputs) => writes.push([i, { ...inputs }]),
    );
    applier.start();
    expect(writes.map((w) => w[0])).toEqual([0, 1, 2]); // first pass: every bound element once
    writes.length = 0;

    for (let k = 0; k < 50; k++) live.enqueue(batch([0, 2, 3], [k, 1, 0]));
    live.enqueue(batch([1], [7], [1])); // tag 1 arrives stale
    expect(writes).toEqual([]); // nothing before the frame
    expect(frames).toHaveLength(1); // 51 batches, one frame asked for
    runFrame();
    expect(writes).toEqual([
      [0, { value: 49, quality: 0, state: Number.NaN, alarm: Number.NaN }],
      [1, { value: 7, quality: 1, state: Number.NaN, alarm: Number.NaN }],
      [2, { value: Number.NaN, quality: 0, state: 1, alarm: 0 }],
    ]);
    writes.length = 0;

    // the same values again: nothing changes, nothing is written
    live.enqueue(batch([0, 1, 2, 3], [49, 7, 1, 0], [0, 1, 0, 0]));
    runFrame();
    expect(writes).toEqual([]);

    // only the pump trips: only the pump is written
    live.enqueue(batch([3], [1]));
    runFrame();
    expect(writes).toEqual([[2, { value: Number.NaN, quality: 0, state: 1, alarm: 1 }]]);
    expect(applier.writes).toBe(3 + 3 + 1); // the first pass, the burst, the trip
  });

  it('a quality change alone is written (stale shown on the value)', () => {
    const live = new LiveData(1);
    const writes: number[] = [];
    new DisplayApplier([{ value: 0, state: -1, alarm: -1 }], live, (_, inputs) => writes.push(inputs.quality)).start();
    live.enqueue(batch([0], [5]));
    runFrame();
    live.markAllUncertain(); // the link lost: Good becomes Uncertain, values unchanged
    expect(writes).toEqual([2, 0, 1]);
  });
});
