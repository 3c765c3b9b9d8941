// Queries against a real store: decimation keeps every extreme, values at a time and aggregates
// against hand-computed figures.
import { rmSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { resolvePolicies } from './config.js';
import { aggregate, type QueryTag, rangeRead, trend, valueAt } from './query.js';
import { MINUTE } from './rollup.js';
import { HistorianStore } from './store.js';
import { makeTags, tempDir } from './test-kit.js';

const T = Date.UTC(2026, 3, 1);
const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;

function storeWith(rows: readonly (readonly [number, number, number])[], holdMs = 600_000) {
  const tags = makeTags(1);
  const policy = resolvePolicies(tags, {}, [{ match: '**', maxHoldMs: holdMs }])[0] as QueryTag['policy'];
  const store = new HistorianStore({ file: path.join(dir, `q${fileNo++}.db`), tagNames: [tags[0]?.name ?? ''], policies: [policy] });
  store.ingest(
    rows.length,
    rows.map(() => 0),
    rows.map((r) => r[0]),
    rows.map((r) => r[1]),
    rows.map((r) => r[2]),
  );
  store.commit();
  return { store, tag: { name: 'x', sid: 1, policy } satisfies QueryTag };
}

describe('trend decimation', () => {
  it('the min and max of every pixel bucket of the raw data appear in the output', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: -1e6, max: 1e6, noNaN: true })), {
          minLength: 30,
          maxLength: 300,
        }),
        fc.integer({ min: 2, max: 25 }),
        // Per output point: raw decimation below a minute, minute rollups above.
        fc.constantFrom(10_000, 50_000, 200_000),
        (points, maxPoints, perPoint) => {
          const span = perPoint * maxPoints;
          const rows = points.map(([f, v]) => [T + Math.floor(f * (span - 1)), v === 0 ? 0 : v, 0] as const).sort((a, b) => a[0] - b[0]);
          const { store, tag } = storeWith(rows);
          const from = T;
          const to = T + span;
          const s = trend(store.reader, tag, from, to, maxPoints, to);
          store.close();
          if (s.source === 'raw' && !s.bucketMs) {
            expect(s.ts.length).toBe(rows.length);
            return;
          }
          expect(s.v.length).toBeLessThanOrEqual(maxPoints);
          const w = s.bucketMs as number;
          const start = s.ts[0] as number;
          // Reference: raw extremes per output bucket.
          const ref = new Map<number, { min: number; max: number }>();
          for (const [t, v] of rows) {
            const k = Math.min(s.source === 'raw' ? maxPoints - 1 : Number.POSITIVE_INFINITY, Math.floor((t - start) / w));
            const r = ref.get(k);
            ref.set(k, { min: Math.min(r?.min ?? v, v), max: Math.max(r?.max ?? v, v) });
          }
          const got = new Map<number, { min: number | null; max: number | null }>();
          s.ts.forEach((t, i) => void got.set(Math.round((t - start) / w), { min: s.min?.[i] ?? null, max: s.max?.[i] ?? null }));
          for (const [k, r] of ref) expect(got.get(k)).toEqual(r);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('answers long ranges from rollups, aligned to whole minutes, and keeps a spike', () => {
    const rows: [number, number, number][] = [];
    for (let i = 0; i < 6 * 3600; i++) rows.push([T + i * 1000, i === 7777 ? 500 : 1, 0]);
    const { store, tag } = storeWith(rows);
    const s = trend(store.reader, tag, T, T + 6 * 3_600_000, 100, T + 6 * 3_600_000);
    store.close();
    expect(s.source).toBe('rollup-1m');
    expect((s.bucketMs as number) % MINUTE).toBe(0);
    expect(Math.max(...(s.max as number[]))).toBe(500);
    expect(Math.min(...(s.min as number[]))).toBe(1);
  });
});

describe('value at a time and aggregates', () => {
  const rows: [number, number, number][] = [
    [T, 0, 0],
    [T + 10_000, 10, 0],
    [T + 40_000, 40, 0],
    [T + 60_000, 0, 2],
    [T + 90_000, 20, 0],
  ];

  it('gives the previous value held and linear interpolation', () => {
    const { store, tag } = storeWith(rows);
    expect(valueAt(store.reader, tag, T + 25_000, 'previous').value).toBe(10);
    expect(valueAt(store.reader, tag, T + 25_000, 'linear').value).toBe(25);
    expect(valueAt(store.reader, tag, T + 40_000, 'linear').value).toBe(40);
    // After a Bad sample there is no value to hold.
    expect(valueAt(store.reader, tag, T + 70_000, 'previous').value).toBeNull();
    expect(valueAt(store.reader, tag, T - 1, 'previous').value).toBeNull();
    store.close();
  });

  it('integrates and averages over time with gaps, from raw and from rollups alike', () => {
    const { store, tag } = storeWith(rows);
    // 0 for 10 s, 10 for 30 s, 40 for 20 s, a Bad gap of 30 s, then 20 at the data's frontier
    // (not held: nothing says it lasted).
    const integral = (10 * 30 + 40 * 20) / 3600; // value·h
    const raw = aggregate(store.reader, tag, T, T + 120_000, 120_000, 10, T + 120_000);
    const row = raw.rows[0];
    expect(raw.source).toBe('raw');
    expect(row?.integral).toBeCloseTo(integral, 12);
    expect(row?.coverage).toBeCloseTo(60 / 120, 12);
    expect(row?.twa).toBeCloseTo(1100 / 60, 12);
    expect(row?.count).toBe(4);
    expect(row?.avg).toBe(70 / 4);
    expect(row?.duration).toBe(30_000);
    // Minute-aligned intervals come from the rollups and agree.
    const rolled = aggregate(store.reader, tag, T, T + 120_000, MINUTE, null, T + 120_000);
    expect(rolled.source).toBe('rollup-1m');
    expect((rolled.rows[0]?.integral ?? 0) + (rolled.rows[1]?.integral ?? 0)).toBeCloseTo(integral, 12);
    expect(rolled.rows[0]?.twa).toBeCloseTo(1100 / 60, 12);
    // Unaligned intervals come from raw data and hold the last value to the next sample.
    const shifted = aggregate(store.reader, tag, T + 5_000, T + 65_000, 60_000, null, T + 120_000);
    expect(shifted.source).toBe('raw');
    expect(shifted.rows[0]?.integral).toBeCloseTo((5 * 0 + 10 * 30 + 40 * 20) / 3600, 12);
    store.close();
  });

  it('reads several tags resampled to a fixed step for model fitting', () => {
    const { store, tag } = storeWith(rows);
    const [r] = rangeRead(store.reader, [tag], T, T + 100_000, 20_000);
    expect(Array.from(r?.values ?? []).map((v) => (Number.isNaN(v) ? null : v))).toEqual([0, 10, 40, null, null, 20]);
    store.close();
  });
});
