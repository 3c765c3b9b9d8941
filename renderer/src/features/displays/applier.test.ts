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

  it('a burst larger than a frame can write: the pass stops at its budget and the next frames go on from there, each element written once with its newest value', () => {
    const n = 100;
    const live = new LiveData(n);
    let now = 0;
    const continuations: (() => void)[] = [];
    const written: number[][] = [];
    let pass: number[] = [];
    const applier = new DisplayApplier(
      Array.from({ length: n }, (_, i) => ({ value: i, state: -1, alarm: -1 })),
      live,
      (i, inputs) => {
        now += 1; // each write takes 1 ms on this clock
        pass.push(i);
        expect(inputs.value).toBe(i + 1000); // the newest value, whichever frame writes it
      },
      { budgetMs: 20, clock: () => now, schedule: (f) => continuations.push(f), pace: false },
    );
    live.enqueue(
      batch(
        [...Array(n).keys()],
        [...Array(n).keys()].map((i) => i + 1000),
      ),
    );
    runFrame();
    applier.start();
    const runContinuations = () => {
      written.push(pass);
      pass = [];
      const due = continuations.splice(0);
      for (const f of due) f();
    };
    for (let k = 0; k < 20 && continuations.length > 0; k++) runContinuations();
    written.push(pass);
    expect(continuations).toEqual([]);
    const all = written.flat();
    expect(all).toHaveLength(n);
    expect(new Set(all).size).toBe(n); // once each
    expect(all).toEqual([...Array(n).keys()]); // in order, each pass from where the last stopped
    // Each pass stopped at the first clock check past its budget (checked every 16 writes).
    expect(written.slice(0, -1).every((p) => p.length === 32)).toBe(true);
    expect(applier.cut).toBe(written.length - 1);
  });

  it('paced by the frames: slow frames while passes are cut lower the writes per frame, frames that keep up raise them again', () => {
    const n = 2000;
    const live = new LiveData(n);
    let now = 0;
    const continuations: (() => void)[] = [];
    const applier = new DisplayApplier(
      Array.from({ length: n }, (_, i) => ({ value: i, state: -1, alarm: -1 })),
      live,
      () => undefined,
      { budgetMs: 1e9, clock: () => now, schedule: (f) => continuations.push(f) },
    );
    const burst = (k: number) =>
      live.enqueue(
        batch(
          [...Array(n).keys()],
          [...Array(n).keys()].map((i) => i + k),
        ),
      );
    burst(1);
    runFrame();
    applier.cap = 500; // as if paced down already
    applier.start(); // writes 500, cut
    const next = (frameMs: number) => {
      now += frameMs;
      for (const f of continuations.splice(0)) f();
    };
    next(50); // a slow frame: fewer writes
    expect(applier.cap).toBe(350);
    next(50);
    expect(applier.cap).toBe(244); // floor(350 × 0.7)
    next(10); // frames keep up: more again
    expect(applier.cap).toBe(244 + 64);
  });
});
