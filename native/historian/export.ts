// CSV export of raw samples or interval aggregates for many tags, written in steps (one tag-day
// or up to 1,000 intervals at a time) so it reports progress, yields to the event loop between
// steps and stops promptly when cancelled.

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { aggregate, type QueryTag } from './query.js';
import type { StoreReader } from './reader.js';

const DAY = 86_400_000;
const MAX_SAMPLES_PER_READ = 200_000;

export interface ExportArgs {
  tags: readonly QueryTag[];
  from: number;
  to: number;
  /** Aggregates per interval; raw samples when absent. */
  intervalMs?: number;
}

export class ExportCancelled extends Error {
  override name = 'ExportCancelled';
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
  const out = createWriteStream(file, { encoding: 'utf8' });
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  const step = args.intervalMs === undefined ? DAY : args.intervalMs * 1000;
  const stepsPerTag = Math.max(1, Math.ceil((args.to - args.from) / step));
  const total = stepsPerTag * args.tags.length;
  let done = 0;
  let rows = 0;
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
