// Helpers shared by the historian's tests and benchmark: synthetic tags and columnar batches.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TagInfo } from '../api/types.js';
import type { SampleBatch } from '../tags/bus.js';

export function makeTags(n: number, prefix = 'Site/Area/M'): TagInfo[] {
  return Array.from({ length: n }, (_, id) => ({
    id,
    name: `${prefix}/T${id}`,
    site: 'Site',
    area: 'Area',
    machine: 'M',
    unit: '',
    description: '',
    dataType: 'float' as const,
    connection: 'c',
    address: '',
    rangeLo: 0,
    rangeHi: 100,
    writable: false,
    writeMin: null,
    writeMax: null,
    expectedPeriodMs: 1000,
  }));
}

export function batch(rows: readonly (readonly [id: number, ts: number, value: number, quality?: number])[]): SampleBatch {
  const n = rows.length;
  const b: SampleBatch = {
    length: n,
    ids: new Uint32Array(n),
    ts: new Float64Array(n),
    values: new Float64Array(n),
    quality: new Uint8Array(n),
  };
  rows.forEach(([id, t, v, q], i) => {
    b.ids[i] = id;
    b.ts[i] = t;
    b.values[i] = v;
    b.quality[i] = q ?? 0;
  });
  return b;
}

export function tempDir(prefix = 'aurum-historian-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Difference relative to the expected value (≥ 1), for sums that differ only by rounding. */
export function relDiff(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.max(1, Math.abs(expected));
}
