// CSV export of raw samples or interval aggregates for many tags, written in steps (one tag-day
// or up to 1,000 intervals at a time) so it reports progress, yields to the event loop between
// steps and stops promptly when cancelled. Each file is bounded in bytes while it is written, and
// ExportQuotas bounds what one user may have running and kept, and the disk space left, before a
// file is started.

import { once } from 'node:events';
import { createWriteStream, existsSync, statfsSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import type { HistoryExportProgress } from '../api/history-requests.js';
import { describeBytes, describeCount } from '../api/limits.js';
import { describeError } from '../util/errors.js';
import { aggregate, type QueryTag } from './query.js';
import type { StoreReader } from './reader.js';

const DAY = 86_400_000;
const MAX_SAMPLES_PER_READ = 200_000;
const MB = 1024 * 1024;

/**
 * Export quotas (docs/api.md "Limits"). One file stops at `fileBytes`; a user has at most
 * `runningPerUser` exports running and keeps at most `keptPerUser` finished files and `bytesPerUser`
 * bytes (the oldest finished files are deleted to make room); a file is started only while the
 * export folder's disk keeps `diskMarginBytes` free beyond the file's own limit, so exports never
 * take the space the historian writes into.
 */
export const EXPORT_QUOTAS = {
  fileBytes: 256 * MB,
  runningPerUser: 2,
  keptPerUser: 10,
  bytesPerUser: 1024 * MB,
  diskMarginBytes: 1024 * MB,
} as const;

export type ExportQuotaLimits = { [K in keyof typeof EXPORT_QUOTAS]: number };

export interface ExportArgs {
  tags: readonly QueryTag[];
  from: number;
  to: number;
  /** Aggregates per interval; raw samples when absent. */
  intervalMs?: number;
  /** The file stops (and the export fails) past this many bytes. */
  maxBytes?: number;
}

export class ExportCancelled extends Error {
  override name = 'ExportCancelled';
}

/** An export refused before it starts (quota, disk space): the caller's to resolve, a 400 or 409. */
export class ExportRefused extends Error {
  override name = 'ExportRefused';
  constructor(
    message: string,
    readonly kind: 'too_many' | 'unavailable',
  ) {
    super(message);
  }
}

function csvText(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function num(x: number | null): string {
  return x === null || Number.isNaN(x) ? '' : String(x);
}

/** Write the CSV to `file`; resolves with the number of data rows. */
export async function exportCsv(
  reader: StoreReader,
  args: ExportArgs,
  file: string,
  now: number,
  onProgress: (fraction: number, rows: number) => void,
  signal?: AbortSignal,
): Promise<number> {
  const out = createWriteStream(file, { encoding: 'utf8', mode: 0o600 });
  const maxBytes = args.maxBytes ?? EXPORT_QUOTAS.fileBytes;
  let bytes = 0;
  let rows = 0;
  /** Rows in the file so far (`rows` also counts those of the text being written). */
  let written = 0;
  const write = async (text: string) => {
    bytes += Buffer.byteLength(text);
    if (bytes > maxBytes)
      throw new Error(
        `the export reached its limit of ${describeBytes(maxBytes)} per file after ${describeCount(written, 'rows')}; export fewer tags, a shorter range or aggregates`,
      );
    if (!out.write(text)) await once(out, 'drain');
    written = rows;
  };
  const step = args.intervalMs === undefined ? DAY : args.intervalMs * 1000;
  const stepsPerTag = Math.max(1, Math.ceil((args.to - args.from) / step));
  const total = stepsPerTag * args.tags.length;
  let done = 0;
  try {
    await write(
      args.intervalMs === undefined ? 'timestamp,tag,value,quality\n' : 'interval_start,tag,avg,min,max,twa,integral_h,count,coverage\n',
    );
    for (const tag of args.tags) {
      const name = csvText(tag.name);
      for (let t = args.from; t < args.to; t += step) {
        if (signal?.aborted) throw new ExportCancelled('export cancelled');
        const end = Math.min(t + step, args.to);
        let text = '';
        if (args.intervalMs === undefined) {
          // A fast tag's day can hold millions of samples: read it in slices of bounded size.
          const slices = Math.max(1, Math.ceil(reader.rawCount(tag.sid, t, end) / MAX_SAMPLES_PER_READ));
          const width = (end - t) / slices;
          for (let k = 0; k < slices; k++) {
            const a = t + k * width;
            const z = k === slices - 1 ? end : t + (k + 1) * width;
            const s = reader.raw(tag.sid, a, z);
            for (let i = 0; i < s.length; i++) {
              // Half-open slices: a sample on a boundary is written once, and `to` is exclusive.
              if ((s.ts[i] as number) >= z) continue;
              const v = s.values[i] as number;
              const q = s.quality[i] as number;
              text += `${new Date(s.ts[i] as number).toISOString()},${name},${Number.isNaN(v) ? '' : v},${q}\n`;
              rows++;
            }
            if (text.length > 1 << 20) {
              await write(text);
              text = '';
            }
          }
        } else {
          for (const r of aggregate(reader, tag, t, end, args.intervalMs, null, now).rows) {
            text += `${new Date(r.t).toISOString()},${name},${num(r.avg)},${num(r.min)},${num(r.max)},${num(r.twa)},${r.integral},${r.count},${r.coverage}\n`;
            rows++;
          }
        }
        if (text) await write(text);
        done++;
        onProgress(done / total, rows);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    out.end();
    await once(out, 'finish');
    return rows;
  } catch (err) {
    out.destroy();
    throw err;
  }
}

/** Free bytes for unprivileged writes on the disk of `dir` (or of its nearest existing parent). */
export function freeBytesAt(dir: string): number {
  let d = dir;
  while (!existsSync(d) && path.dirname(d) !== d) d = path.dirname(d);
  const s = statfsSync(d);
  return s.bavail * s.bsize;
}

interface Job {
  id: string;
  file: string;
  state: HistoryExportProgress['state'];
  /** Order of starting, for "oldest first". */
  seq: number;
}

/**
 * Per-user export quotas and the disk headroom check, applied before an export starts. Jobs are
 * tracked from their progress (`update`), so a finished file counts until it is deleted.
 */
export class ExportQuotas {
  private readonly byUser = new Map<string, Job[]>();
  private seq = 0;

  constructor(
    private readonly dir: string,
    private readonly limits: ExportQuotaLimits = EXPORT_QUOTAS,
    private readonly freeBytes: (dir: string) => number = freeBytesAt,
    private readonly sizeOf: (file: string) => number = (f) => {
      try {
        return statSync(f).size;
      } catch {
        return 0;
      }
    },
    private readonly remove: (file: string) => void = (f) => unlinkSync(f),
  ) {}

  /**
   * Throws ExportRefused when `user` may not start another export now; otherwise makes room by
   * deleting the user's oldest finished files beyond the kept count and byte budget.
   */
  admit(user: string): void {
    const jobs = this.byUser.get(user) ?? [];
    const running = jobs.filter((j) => j.state === 'running');
    if (running.length >= this.limits.runningPerUser)
      throw new ExportRefused(
        `${user} already has ${running.length} exports running, the limit of ${this.limits.runningPerUser} per user; wait for one to finish or cancel one`,
        'too_many',
      );
    // A running export may still grow to the file limit: reserve that for it and for the new one.
    const reserved = (running.length + 1) * this.limits.fileBytes;
    const finished = jobs.filter((j) => j.state !== 'running').sort((a, b) => a.seq - b.seq);
    let kept = finished.reduce((n, j) => n + this.sizeOf(j.file), 0);
    while (finished.length > 0 && (finished.length + 1 > this.limits.keptPerUser || kept + reserved > this.limits.bytesPerUser)) {
      const oldest = finished.shift() as Job;
      kept -= this.sizeOf(oldest.file);
      this.forget(user, oldest);
    }
    if (kept + reserved > this.limits.bytesPerUser)
      throw new ExportRefused(
        `${user}'s exports would exceed the limit of ${describeBytes(this.limits.bytesPerUser)} per user; wait for the running ones to finish`,
        'too_many',
      );
    let free: number;
    try {
      free = this.freeBytes(this.dir);
    } catch (err) {
      throw new ExportRefused(
        `the free space on the disk of ${this.dir} cannot be read (${describeError(err)}), so no export is started`,
        'unavailable',
      );
    }
    const needed = this.limits.fileBytes + this.limits.diskMarginBytes;
    if (free < needed)
      throw new ExportRefused(
        `the disk holding ${this.dir} has ${describeBytes(free)} free; an export needs ${describeBytes(needed)} free (its limit of ${describeBytes(this.limits.fileBytes)} and a margin of ${describeBytes(this.limits.diskMarginBytes)} kept for the historian)`,
        'unavailable',
      );
  }

  /** Record an export's progress (its start and every change of state). */
  update(user: string, p: HistoryExportProgress): void {
    const jobs = this.byUser.get(user) ?? [];
    const job = jobs.find((j) => j.id === p.id);
    if (job) job.state = p.state;
    else jobs.push({ id: p.id, file: p.file, state: p.state, seq: this.seq++ });
    this.byUser.set(user, jobs);
  }

  /** Which user an export belongs to, or null. */
  ownerOf(id: string): string | null {
    for (const [user, jobs] of this.byUser) if (jobs.some((j) => j.id === id)) return user;
    return null;
  }

  private forget(user: string, job: Job): void {
    try {
      this.remove(job.file);
    } catch {
      // Already gone (cancelled before its first byte, or removed by hand): nothing to free.
    }
    const jobs = this.byUser.get(user) ?? [];
    this.byUser.set(
      user,
      jobs.filter((j) => j !== job),
    );
  }
}
