// Raw chunks are sized to stay inside their b-tree page: a row just over SQLite's local payload
// limit spills its tail into an overflow page of its own, mostly empty (issue 20, point 2).
import { rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { mulberry32 } from '../util/random.js';
import { decodeChunk } from './codec.js';
import { resolvePolicies } from './config.js';
import { CHUNK_SAMPLES, HistorianStore, maxChunkBytes, maxLocalPayload } from './store.js';
import { makeTags, tempDir } from './test-kit.js';

const T = Date.UTC(2026, 2, 1);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function overflowPages(db: Database.Database, tables: string[]): number {
  if (tables.length === 0) return 0;
  const marks = tables.map(() => '?').join(', ');
  return db
    .prepare(`SELECT count(*) FROM dbstat WHERE name IN (${marks}) AND pagetype = 'overflow'`)
    .pluck()
    .get(...tables) as number;
}

function rawTables(db: Database.Database): string[] {
  return db.prepare("SELECT name FROM partition WHERE level = 'raw' ORDER BY start").pluck().all() as string[];
}

describe('the in-page payload limit', () => {
  it('is 1,002 bytes for 4 KiB pages, and a record one byte longer spills into an overflow page (dbstat)', () => {
    expect(maxLocalPayload(4096)).toBe(1002);
    for (const pageSize of [1024, 4096, 8192]) {
      const dir = tempDir();
      dirs.push(dir);
      const db = new Database(path.join(dir, 'p.db'));
      db.pragma(`page_size = ${pageSize}`);
      db.exec('CREATE TABLE fits (b BLOB PRIMARY KEY) WITHOUT ROWID; CREATE TABLE spills (b BLOB PRIMARY KEY) WITHOUT ROWID');
      const limit = maxLocalPayload(pageSize);
      // Record = 1-byte header size + 2-byte blob serial type + the blob.
      db.prepare('INSERT INTO fits VALUES (?)').run(Buffer.alloc(limit - 3, 1));
      db.prepare('INSERT INTO spills VALUES (?)').run(Buffer.alloc(limit - 2, 1));
      expect(overflowPages(db, ['fits'])).toBe(0);
      expect(overflowPages(db, ['spills'])).toBe(1);
      db.close();
    }
  });
});

/** A random signal: noise, a random walk, decimal readings or steps, at random (irregular) intervals. */
const signal = fc
  .record({
    kind: fc.constantFrom('noise', 'walk', 'decimal', 'steps'),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    n: fc.integer({ min: 1, max: 4 * CHUNK_SAMPLES }),
    periodMs: fc.integer({ min: 1, max: 5000 }),
    jitterMs: fc.integer({ min: 0, max: 1000 }),
  })
  .map(({ kind, seed, n, periodMs, jitterMs }) => {
    const rnd = mulberry32(seed);
    const ts: number[] = [];
    const values: number[] = [];
    let t = T;
    let v = 50;
    for (let i = 0; i < n; i++) {
      t += periodMs + Math.floor(rnd() * jitterMs);
      if (kind === 'noise') v = (rnd() - 0.5) * 1e6;
      else if (kind === 'walk') v += rnd() - 0.5;
      else if (kind === 'decimal') v = Math.round((50 + (rnd() - 0.5) * 20) * 100) / 100;
      else if (rnd() < 0.05) v = Math.floor(rnd() * 10);
      ts.push(t);
      values.push(v);
    }
    return { ts, values };
  });

describe('raw chunks', () => {
  it('never exceed the in-page limit, keep every sample, and leave no overflow page (random signals, dbstat)', () => {
    fc.assert(
      fc.property(signal, ({ ts, values }) => {
        const dir = tempDir();
        dirs.push(dir);
        const tags = makeTags(1);
        const store = new HistorianStore({
          file: path.join(dir, 'h.db'),
          tagNames: tags.map((x) => x.name),
          policies: resolvePolicies(tags),
        });
        try {
          expect(store.chunkLimit).toBe(maxChunkBytes(4096));
          store.ingest(
            ts.length,
            ts.map(() => 0),
            ts,
            values,
            ts.map(() => 0),
          );
          store.finish();
          store.commit();
          const tables = rawTables(store.db);
          let stored = 0;
          const got: number[] = [];
          for (const table of tables) {
            for (const row of store.db.prepare(`SELECT n, data FROM ${table} ORDER BY t0, seq`).all() as { n: number; data: Buffer }[]) {
              expect(row.data.length).toBeLessThanOrEqual(store.chunkLimit);
              const s = decodeChunk(row.data);
              expect(s.length).toBe(row.n);
              stored += row.n;
              got.push(...s.values);
            }
          }
          expect(stored).toBe(ts.length);
          expect(got).toEqual(values);
          expect(overflowPages(store.db, tables)).toBe(0);
        } finally {
          store.close();
        }
      }),
      { numRuns: 30, seed: 20 },
    );
  });
});
