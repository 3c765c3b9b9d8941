// The slowly adapting baseline (baseline.ts), by hand: one input, windows of 2 rows, tau 4, gate
// 1 over the last 2 windows. Every expected value below is arithmetic on the inputs.
import { describe, expect, it } from 'vitest';
import { Baseline, checkAdapt } from './baseline.js';
import { manifestSchema } from './manifest.js';

/** A valid anomaly manifest of one input, to vary. */
const manifest = (over: Record<string, unknown>) => ({
  name: 'm',
  version: 1,
  kind: 'anomaly',
  description: '',
  inputs: [{ tag: 'X' }],
  window: { length: 1, periodMs: 1000 },
  normalization: { mean: [0], std: [1] },
  graph: { input: 'window', score: 'score' },
  threshold: 1,
  outputs: {},
  provenance: { data: '', rows: 0, createdAt: '2026-01-01T00:00:00Z', code: '' },
  sha256: '0'.repeat(64),
  ...over,
});
const issues = (raw: unknown) => {
  const r = manifestSchema.safeParse(raw);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

const spec = { tau: 4, gate: 1, n: 2 };

describe('slowly adapting baseline', () => {
  it('shifts each window by the offset and returns its mean before the shift', () => {
    const b = new Baseline(2, spec);
    const w = Float32Array.from([1, 10, 3, 20]); // rows [1, 10], [3, 20]
    expect(Array.from(b.shift(w))).toEqual([2, 15]);
    expect(Array.from(w)).toEqual([1, 10, 3, 20]); // offset 0 at the start
  });

  it('follows normal windows at 1/tau per window, once n windows are seen', () => {
    const b = new Baseline(1, spec);
    // First window: only 1 of n = 2 seen, no evidence yet: no move.
    expect(b.update([8], 0.5)).toBe(false);
    expect(b.offset).toEqual([0]);
    // Second: both of the last 2 at or below the gate → offset += (8 − 0) / 4 = 2.
    expect(b.update([8], 1)).toBe(true);
    expect(b.offset).toEqual([2]);
    // Third: += (8 − 2) / 4 = 1.5 → 3.5.
    expect(b.update([8], 0.2)).toBe(true);
    expect(b.offset).toEqual([3.5]);
    // The shifted window now reads 8 − 3.5.
    const w = Float32Array.from([8, 8]);
    b.shift(w);
    expect(Array.from(w)).toEqual([4.5, 4.5]);
  });

  it('is frozen while any of the last n windows is over the gate (a step fault is not learned away)', () => {
    const b = new Baseline(1, spec);
    b.update([0], 0);
    b.update([0], 0);
    // A step: the window scores 5, over the gate. Frozen now and for the next window (n = 2)…
    expect(b.update([40], 5)).toBe(false);
    expect(b.update([40], 0.5)).toBe(false);
    expect(b.offset).toEqual([0]);
    // …and as long as the fault scores over the gate, however long.
    for (let i = 0; i < 100; i++) expect(b.update([40], 3)).toBe(false);
    expect(b.offset).toEqual([0]);
    // A NaN score counts as over.
    b.update([40], 0.5);
    expect(b.update([40], Number.NaN)).toBe(false);
    expect(b.update([40], 0.5)).toBe(false);
    expect(b.offset).toEqual([0]);
    // Two normal windows in a row again: it moves, (40 − 0) / 4 = 10.
    expect(b.update([40], 0.5)).toBe(true);
    expect(b.offset).toEqual([10]);
  });

  it('with k of n, a single window over the gate does not freeze it; k of them do (the alarm rule)', () => {
    const b = new Baseline(1, { tau: 4, gate: 1, k: 2, n: 3 });
    b.update([4], 0);
    b.update([4], 0);
    // Third window seen, one spike over the gate among the last 3: fewer than 2 → normal, moves by 1.
    expect(b.update([4], 9)).toBe(true);
    expect(b.offset).toEqual([1]);
    // A second window over among the last 3 (9, 9): frozen.
    expect(b.update([4], 9)).toBe(false);
    expect(b.offset).toEqual([1]);
    // [9, 9, 0] still two over; then [9, 0, 0] one: moves, 1 + (4 − 1) / 4.
    expect(b.update([4], 0)).toBe(false);
    expect(b.update([4], 0)).toBe(true);
    expect(b.offset).toEqual([1.75]);
  });

  it('after a stop the gate needs n windows again; the offset is kept', () => {
    const b = new Baseline(1, spec);
    b.update([4], 0);
    b.update([4], 0); // offset 1
    b.resetGate();
    expect(b.update([4], 0)).toBe(false);
    expect(b.offset).toEqual([1]);
    expect(b.update([4], 0)).toBe(true); // 1 + (4 − 1) / 4
    expect(b.offset).toEqual([1.75]);
  });

  it('with a delay of d windows, a window’s mean enters d windows later, and only if it was judged normal then', () => {
    const b = new Baseline(1, { tau: 2, gate: 1, n: 1, delay: 2 });
    // Windows 1 and 2 wait: nothing moves.
    expect(b.update([4], 0)).toBe(false);
    expect(b.update([100], 5)).toBe(false);
    // Window 3: window 1 (mean 4, normal) enters: 0 + (4 − 0) / 2 = 2. Window 3 itself scores over.
    expect(b.update([8], 7)).toBe(true);
    expect(b.offset).toEqual([2]);
    // Window 4: window 2 (100) was over the gate: it never enters, however normal window 4 is.
    expect(b.update([8], 0)).toBe(false);
    expect(b.offset).toEqual([2]);
    // Window 5: window 3 was over too. Window 6: window 4 (8, normal) enters: 2 + (8 − 2) / 2 = 5,
    // although window 6 itself scores over the gate (the delay, not the current window, guards).
    expect(b.update([8], 0)).toBe(false);
    expect(b.update([50], 9)).toBe(true);
    expect(b.offset).toEqual([5]);
    // A step lasting fewer than d windows never reaches the baseline while it lasts.
    const c = new Baseline(1, { tau: 1, gate: 10, n: 1, delay: 3 });
    for (const m of [0, 0, 0, 6, 6, 6]) c.update([m], 0);
    expect(c.offset).toEqual([0]);
    c.update([6], 0);
    expect(c.offset).toEqual([6]);
  });

  it('a new episode (resetGate) drops the windows still waiting out the delay', () => {
    const b = new Baseline(1, { tau: 1, gate: 1, n: 1, delay: 2 });
    b.update([4], 0);
    b.update([4], 0);
    b.resetGate();
    // The next episode's first two windows wait; the previous episode's 4s never enter.
    expect(b.update([6], 0)).toBe(false);
    expect(b.update([6], 0)).toBe(false);
    expect(b.offset).toEqual([0]);
    expect(b.update([6], 0)).toBe(true);
    expect(b.offset).toEqual([6]);
  });

  it('with clear m, a window enters only if the m windows after it were judged normal too', () => {
    // delay 3, clear 1: window i enters at the update of window i + 3 if windows i and i + 1 were normal.
    const b = new Baseline(1, { tau: 1, gate: 1, n: 1, delay: 3, clear: 1 });
    // Windows 1–3 wait. Window 4: window 1 (mean 2) normal but window 2 over the gate: stays out.
    for (const [m, score] of [
      [2, 0],
      [3, 5],
      [4, 0],
    ])
      expect(b.update([m as number], score as number)).toBe(false);
    expect(b.update([9], 0)).toBe(false);
    expect(b.offset).toEqual([0]);
    // Window 5: window 2 was over itself. Window 6: window 3 (4) and window 4 normal: enters, tau 1 → 4.
    expect(b.update([9], 0)).toBe(false);
    expect(b.update([9], 0)).toBe(true);
    expect(b.offset).toEqual([4]);
  });

  it('refuses a spec out of bounds, naming the field', () => {
    expect(() => checkAdapt({ tau: 0.5, gate: 1, n: 2 })).toThrow(/adapt\.tau/);
    expect(() => checkAdapt({ tau: 4, gate: 0, n: 2 })).toThrow(/adapt\.gate/);
    expect(() => checkAdapt({ tau: 4, gate: 1, n: 1.5 })).toThrow(/adapt\.n/);
    expect(() => checkAdapt({ tau: 4, gate: 1, k: 3, n: 2 })).toThrow(/adapt\.k must be a whole number from 1 to n = 2, got 3/);
    expect(() => checkAdapt({ tau: 4, gate: 1, n: 2, delay: 1.5 })).toThrow(
      /adapt\.delay must be a whole number of windows, 0 or more, got 1\.5/,
    );
    expect(() => checkAdapt({ tau: 4, gate: 1, n: 2, delay: 3, clear: 3 })).toThrow(
      /adapt\.clear must be a whole number of windows from 0 to adapt\.delay − 1 = 2, got 3/,
    );
    expect(() => new Baseline(1, spec).update([1, 2], 0)).toThrow(/2 means for 1 inputs/);
  });

  it('the manifest takes adapt on anomaly models only, with k at most n', () => {
    expect(issues(manifest({ adapt: { tau: 600, gate: 1, k: 10, n: 20 } }))).toEqual([]);
    expect(issues(manifest({ adapt: { tau: 60, gate: 1, k: 10, n: 20, delay: 200, clear: 60 } }))).toEqual([]);
    expect(issues(manifest({ adapt: { tau: 60, gate: 1, n: 20, delay: 200, clear: 200 } }))).toEqual([
      'adapt.clear: adapt.clear must be less than adapt.delay',
    ]);
    expect(issues(manifest({ adapt: { tau: 60, gate: 1, n: 20, delay: -1 } }))[0]).toMatch(/^adapt\.delay: /);
    expect(issues(manifest({ adapt: { tau: 600, gate: 1, k: 21, n: 20 } }))).toEqual(['adapt.k: adapt.k must not exceed adapt.n']);
    expect(issues(manifest({ adapt: { tau: 0, gate: 1, n: 20 } }))[0]).toMatch(/^adapt\.tau: /);
    expect(issues(manifest({ kind: 'rul', graph: { input: 'window', rul: 'rul' }, adapt: { tau: 600, gate: 1, n: 20 } }))).toEqual([
      'adapt: adapt applies to anomaly models only',
    ]);
  });
});
