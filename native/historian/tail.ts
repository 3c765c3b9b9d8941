// The tail: samples of the chunks still being filled, appended at every commit for many tags at
// once. A commit writes one `tail` row per group of 64 tags it touches (the new samples of every
// tag of the group, each an uncompressed chunk encoding), so it dirties a few pages instead of one
// per tag, as a row per tag keyed by tag did. A chunk's samples are addressed by (tag, chunk id,
// offset in the chunk); when the chunk is sealed into its raw table, a seal record for it goes into
// the same commit's row, so readers and recovery ignore its tail entries from then on. Rows are
// deleted once no chunk still being filled needs them; a chunk that stays open for long (a slow tag
// among fast ones) has its samples copied forward into a newer row, so the rows kept stay few.
// Chunk ids are unique while the writer runs; at open the writer merges whatever the tail holds
// into chunks and empties it, so ids never meet ids of another run.
import { ByteReader, ByteWriter, decodeChunk, encodeChunk, type Samples } from './codec.js';

/** Tags per tail row: a reader of one tag reads the rows of its group only. */
export const TAIL_GROUP_SIZE = 64;
export const tailGroup = (sid: number): number => Math.floor(sid / TAIL_GROUP_SIZE);

const TAIL_VERSION = 1;

interface PendingEntry {
  sid: number;
  chunk: number;
  offset: number;
  /** Samples in the entry; 0 for a seal record. */
  n: number;
  data: Uint8Array | null;
}

/** One row being built for the commit in progress. */
export class TailRow {
  readonly entries: PendingEntry[] = [];
  t0 = Number.POSITIVE_INFINITY;
  t1 = Number.NEGATIVE_INFINITY;
  constructor(
    readonly grp: number,
    readonly seq: number,
  ) {}

  /** Samples `s` of chunk `chunk` of tag `sid`, at `offset` in the chunk. */
  add(sid: number, chunk: number, offset: number, s: Samples): void {
    if (s.length === 0) return;
    this.entries.push({ sid, chunk, offset, n: s.length, data: encodeChunk(s, 0) });
    this.bound(s);
  }

  /** The chunk is sealed (stored in its raw table) in this commit; `s` are its samples, for the row's time bounds. */
  seal(sid: number, chunk: number, s: Samples): void {
    this.entries.push({ sid, chunk, offset: 0, n: 0, data: null });
    // A row holding a seal spans the sealed chunk: a reader that finds any entry of the chunk in its
    // time range then also finds the seal.
    this.bound(s);
  }

  private bound(s: Samples): void {
    for (let i = 0; i < s.length; i++) {
      const t = s.ts[i] as number;
      if (t < this.t0) this.t0 = t;
      if (t > this.t1) this.t1 = t;
    }
  }

  encode(): Uint8Array {
    let size = 16;
    for (const e of this.entries) size += 40 + (e.data?.length ?? 0);
    const w = new ByteWriter(size);
    w.byte(TAIL_VERSION);
    w.uvar(this.entries.length);
    for (const e of this.entries) {
      w.uvar(e.sid);
      w.uvar(e.chunk);
      w.uvar(e.offset);
      w.uvar(e.n);
      w.uvar(e.data?.length ?? 0);
    }
    for (const e of this.entries) {
      if (!e.data) continue;
      w.ensure(e.data.length);
      w.buf.set(e.data, w.pos);
      w.pos += e.data.length;
    }
    return w.buf.subarray(0, w.pos);
  }

  /** Time bounds for the row's columns (a row of seal records of no samples gets an empty span). */
  get span(): [number, number] {
    return this.t0 <= this.t1 ? [this.t0, this.t1] : [0, 0];
  }
}

/** A chunk still being filled, as the tail holds it. */
export interface TailChunk {
  sid: number;
  chunk: number;
  /** Its samples in chunk order (decode: true), else null. */
  samples: Samples | null;
  /** Samples held (an upper bound when entries overlap only partly). */
  count: number;
}

interface Part {
  offset: number;
  n: number;
  blob: Uint8Array;
  start: number;
  end: number;
}

/**
 * The chunks still being filled in tail rows (given in seq order): entries of sealed chunks are
 * dropped, copies of the same samples (copied forward) are merged by offset. `only`: one tag's.
 */
export function assembleTail(rows: Iterable<Uint8Array>, only: number | null, decode: boolean): TailChunk[] {
  const open = new Map<number, Map<number, Part[]>>();
  for (const blob of rows) {
    const r = new ByteReader(blob);
    const version = r.byte();
    if (version !== TAIL_VERSION) throw new RangeError(`unknown tail row version ${version}`);
    const count = r.uvar();
    const heads: [number, number, number, number, number][] = [];
    for (let i = 0; i < count; i++) heads.push([r.uvar(), r.uvar(), r.uvar(), r.uvar(), r.uvar()]);
    let pos = r.pos;
    for (const [sid, chunk, offset, n, len] of heads) {
      const start = pos;
      pos += len;
      if (only !== null && sid !== only) continue;
      let chunks = open.get(sid);
      if (n === 0) {
        chunks?.delete(chunk);
        continue;
      }
      if (!chunks) {
        chunks = new Map();
        open.set(sid, chunks);
      }
      let parts = chunks.get(chunk);
      if (!parts) {
        parts = [];
        chunks.set(chunk, parts);
      }
      parts.push({ offset, n, blob, start, end: pos });
    }
    if (pos > blob.length) throw new RangeError('tail row truncated');
  }
  const out: TailChunk[] = [];
  for (const [sid, chunks] of open) {
    for (const [chunk, parts] of chunks) {
      let lo = Number.POSITIVE_INFINITY;
      let hi = 0;
      for (const p of parts) {
        lo = Math.min(lo, p.offset);
        hi = Math.max(hi, p.offset + p.n);
      }
      if (!decode) {
        out.push({ sid, chunk, samples: null, count: hi - lo });
        continue;
      }
      const size = hi - lo;
      const ts = new Float64Array(size);
      const values = new Float64Array(size);
      const quality = new Uint8Array(size);
      const filled = new Uint8Array(size);
      for (const p of parts) {
        const s = decodeChunk(p.blob.subarray(p.start, p.end));
        const at = p.offset - lo;
        ts.set(s.ts, at);
        values.set(s.values, at);
        quality.set(s.quality, at);
        filled.fill(1, at, at + s.length);
      }
      // Positions no row read here holds (rows outside a reader's time range) are left out.
      let n = 0;
      for (let i = 0; i < size; i++) {
        if (!filled[i]) continue;
        ts[n] = ts[i] as number;
        values[n] = values[i] as number;
        quality[n] = quality[i] as number;
        n++;
      }
      out.push({
        sid,
        chunk,
        samples: { ts: ts.subarray(0, n), values: values.subarray(0, n), quality: quality.subarray(0, n), length: n },
        count: n,
      });
    }
  }
  return out;
}
