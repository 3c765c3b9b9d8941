// Export quotas and disk headroom: a viewer cannot fill the disk with exports (finding: three 176 MB
// files from a 1.9 MB historian). Real files in a temp folder, a real historian for the file limit.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryExportProgress } from '../api/history-requests.js';
import { EXPORT_QUOTAS, ExportQuotas, ExportRefused, freeBytesAt } from './export.js';
import { type Historian, historyHandlers, openHistorian } from './index.js';
import { batch, makeTags, tempDir } from './test-kit.js';

const T0 = Date.UTC(2026, 0, 5);
const KB = 1024;
const dirs: string[] = [];
const open: Historian[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const limits = { fileBytes: 10 * KB, runningPerUser: 2, keptPerUser: 3, bytesPerUser: 40 * KB, diskMarginBytes: 100 * KB };
const plenty = () => 10 * 1024 * KB;

function setup(free: (dir: string) => number = plenty) {
  const dir = tempDir();
  dirs.push(dir);
  const quotas = new ExportQuotas(dir, limits, free);
  let n = 0;
  /** An export of `bytes` in state `state`, recorded for `user`. */
  const job = (user: string, state: HistoryExportProgress['state'], bytes = 1 * KB) => {
    const id = `export-${n++}`;
    const file = path.join(dir, `${id}.csv`);
    writeFileSync(file, 'x'.repeat(bytes));
    const p: HistoryExportProgress = { id, state, progress: state === 'done' ? 1 : 0, rows: 0, file, error: null };
    quotas.update(user, p);
    return p;
  };
  return { dir, quotas, job };
}

const refusal = (fn: () => void) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ExportRefused) return { kind: err.kind, message: err.message };
    throw err;
  }
  return null;
};

describe('per-user export quotas', () => {
  it('refuses a third running export of one user, not another user', () => {
    const { quotas, job } = setup();
    job('viewer1', 'running');
    job('viewer1', 'running');
    expect(refusal(() => quotas.admit('viewer1'))).toEqual({
      kind: 'too_many',
      message: 'viewer1 already has 2 exports running, the limit of 2 per user; wait for one to finish or cancel one',
    });
    expect(refusal(() => quotas.admit('viewer2'))).toBeNull();
  });

  it('keeps at most the kept count of finished files, deleting the oldest', () => {
    const { quotas, job } = setup();
    const files = [job('v', 'done'), job('v', 'failed'), job('v', 'done')].map((p) => p.file);
    expect(refusal(() => quotas.admit('v'))).toBeNull();
    // Three kept and a fourth coming: the oldest goes.
    expect(files.map((f) => existsSync(f))).toEqual([false, true, true]);
  });

  it('keeps a user within the byte budget, reserving the file limit for running exports', () => {
    const { quotas, job } = setup();
    const big = job('v', 'done', 25 * KB).file;
    const small = job('v', 'done', 2 * KB).file;
    job('v', 'running');
    // 27 KB kept + 2 × 10 KB reserved > 40 KB: the oldest finished file makes room.
    expect(refusal(() => quotas.admit('v'))).toBeNull();
    expect(existsSync(big)).toBe(false);
    expect(existsSync(small)).toBe(true);
  });

  it('starts no export when the disk would keep less than its margin, and says so', () => {
    const { dir, quotas } = setup(() => 50 * KB);
    const r = refusal(() => quotas.admit('v'));
    expect(r?.kind).toBe('unavailable');
    expect(r?.message).toBe(
      `the disk holding ${dir} has 50 KB free; an export needs 110 KB free (its limit of 10 KB and a margin of 100 KB kept for the historian)`,
    );
  });

  it('reads free space with statfs, from the nearest existing folder', () => {
    const { dir } = setup();
    expect(freeBytesAt(path.join(dir, 'exports', 'not-yet'))).toBeGreaterThan(0);
  });
});

describe('export files', () => {
  async function historian() {
    const dir = tempDir();
    dirs.push(dir);
    const h = await openHistorian({
      dir,
      tags: makeTags(2),
      now: () => T0 + 86_400_000,
      onSystemMessage: () => undefined,
      retentionIntervalMs: 0,
    });
    open.push(h);
    const rows: [number, number, number][] = [];
    for (let i = 0; i < 2000; i++) rows.push([0, T0 + i * 1000, i]);
    h.ingest(batch(rows));
    await h.flush();
    return { h, dir };
  }

  it('stop at their byte limit with a sentence naming it', async () => {
    const { h, dir } = await historian();
    const args = { tags: ['Site/Area/M/T0'], from: T0, to: T0 + 3_600_000, maxBytes: 4 * KB };
    await expect(h.exportCsv(args, path.join(dir, 'capped.csv'))).rejects.toThrow(
      /^the export reached its limit of 4 KB per file after 0 rows; export fewer tags, a shorter range or aggregates$/,
    );
    // The default limit lets a normal export through.
    expect(await h.exportCsv({ tags: ['Site/Area/M/T0'], from: T0, to: T0 + 3_600_000 }, path.join(dir, 'ok.csv'))).toBe(2000);
    expect(EXPORT_QUOTAS.fileBytes).toBe(256 * 1024 * KB);
  });

  it('are refused through the request once a user has two running', async () => {
    const { h } = await historian();
    const handlers = historyHandlers(h);
    const ctx = { user: 'viewer1', role: 'viewer' as const, origin: 'http' as const };
    const a = { tags: ['Site/Area/M/T0'], from: T0, to: T0 + 3_600_000 };
    // Started in the same turn: neither has finished when the third asks.
    handlers['history.export'](a, ctx);
    handlers['history.export'](a, ctx);
    expect(() => handlers['history.export'](a, ctx)).toThrow('viewer1 already has 2 exports running, the limit of 2 per user');
    expect(handlers['history.export'](a, { ...ctx, user: 'viewer2' }).state).toBe('running');
  });
});
