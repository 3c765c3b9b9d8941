// Compressed chunks of one tag's samples. Columns are encoded apart (timestamps as
// delta-of-delta, values as deltas of decimal-scaled integers when every value has few decimals,
// else as XOR of consecutive doubles split into byte planes), then deflated together: regular
// timestamps and slowly changing values become long runs of zero bytes that deflate to almost
// nothing, and zlib runs in C, so the JavaScript part is one pass of integer arithmetic.
import { deflateRawSync, inflateRawSync } from 'node:zlib';

export interface Samples {
  ts: Float64Array;
  values: Float64Array;
  quality: Uint8Array;
  length: number;
}

const VERSION = 1;
/** Same layout without the deflate step: for short-lived segments, where speed beats size. */
const VERSION_STORED = 2;
const TS_INT = 0;
const TS_FLOAT = 1;
const V_DECIMAL = 0;
const V_XOR = 1;
/** Set in a quality byte when the value is missing (NaN): nothing is stored in the value column. */
const NAN_FLAG = 0x80;
const MAX_DECIMALS = 6;
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6];

/** Growable byte writer with varints that stay exact up to 2^53. */
export class ByteWriter {
  buf: Uint8Array;
  /** Over `buf`, made again only when it grows: f64 runs once per sample of float timestamps. */
  private view: DataView;
  pos = 0;
  constructor(size: number) {
    this.buf = new Uint8Array(Math.max(64, size));
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }
  /** Unsigned varint of a non-negative integer below 2^53. */
  uvar(n: number): void {
    this.ensure(8);
    while (n >= 128) {
      this.buf[this.pos++] = (n % 128) | 128;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }
  /** Signed varint (zigzag done arithmetically, so values beyond 32 bits stay exact). */
  svar(n: number): void {
    this.uvar(n >= 0 ? n * 2 : -n * 2 - 1);
  }
  f64(x: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, x, true);
    this.pos += 8;
  }
}

export class ByteReader {
  pos = 0;
  /** One view over `buf` (which may start anywhere inside a larger buffer), not one per f64. */
  private readonly view: DataView;
  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  byte(): number {
    if (this.pos >= this.buf.length) throw new RangeError('chunk truncated');
    return this.buf[this.pos++] as number;
  }
  uvar(): number {
    let n = 0;
    let mul = 1;
    for (;;) {
      const b = this.byte();
      n += (b & 127) * mul;
      if (b < 128) return n;
      mul *= 128;
    }
  }
  svar(): number {
    const z = this.uvar();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }
  f64(): number {
    if (this.pos + 8 > this.buf.length) throw new RangeError('chunk truncated');
    const x = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return x;
  }
}

/** Fewest decimals (≤ 6) that represent every present value exactly, or -1 if there is none. */
export function decimalsOf(values: Float64Array, n: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    if (Number.isNaN(v)) continue;
    if (!Number.isFinite(v) || Object.is(v, -0)) return -1;
    while (k <= MAX_DECIMALS) {
      const p = POW10[k] as number;
      const s = Math.round(v * p);
      if (Math.abs(s) < 2 ** 52 && s / p === v) break;
      k++;
    }
    if (k > MAX_DECIMALS) return -1;
  }
  return k;
}

function allIntegerMs(ts: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) {
    const t = ts[i] as number;
    if (!Number.isSafeInteger(t)) return false;
  }
  return true;
}

const scratch = new ByteWriter(1 << 16);

/**
 * deflateRaw at `level` with 2 kB output buffers: a block or chunk compresses to under 1 kB, and
 * zlib's default 16 kB output buffer was a new ArrayBuffer per call (Buffer's pool takes only
 * small ones), most of the writer's garbage after the chunk buffers. The bytes are the same.
 */
function deflate(data: Uint8Array, level: number): Buffer {
  return deflateRawSync(data, { level, chunkSize: 2048 });
}
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/**
 * Encode samples (in any time order; order is kept) into one chunk blob. Level 0 skips deflate
 * (segments of chunks still being filled); 1…9 are zlib levels.
 */
export function encodeChunk(s: Samples, level = 1): Uint8Array {
  const n = s.length;
  const w = scratch;
  w.pos = 0;
  const tsMode = allIntegerMs(s.ts, n) ? TS_INT : TS_FLOAT;
  const k = decimalsOf(s.values, n);
  const vMode = k >= 0 ? V_DECIMAL : V_XOR;
  w.byte(tsMode);
  w.byte(vMode);
  w.byte(Math.max(k, 0));
  w.uvar(n);
  // Timestamps.
  if (tsMode === TS_INT) {
    let prev = 0;
    let prevDelta = 0;
    for (let i = 0; i < n; i++) {
      const t = s.ts[i] as number;
      const d = t - prev;
      w.svar(i === 0 ? t : d - prevDelta);
      prevDelta = i === 0 ? 0 : d;
      prev = t;
    }
  } else {
    for (let i = 0; i < n; i++) w.f64(s.ts[i] as number);
  }
  // Quality, with the missing-value flag.
  w.ensure(n);
  for (let i = 0; i < n; i++) {
    w.buf[w.pos++] = ((s.quality[i] as number) & 0x7f) | (Number.isNaN(s.values[i] as number) ? NAN_FLAG : 0);
  }
  // Values.
  if (vMode === V_DECIMAL) {
    const p = POW10[k] as number;
    let prev = 0;
    for (let i = 0; i < n; i++) {
      const v = s.values[i] as number;
      if (Number.isNaN(v)) continue;
      const x = Math.round(v * p);
      w.svar(x - prev);
      prev = x;
    }
  } else {
    let present = 0;
    for (let i = 0; i < n; i++) if (!Number.isNaN(s.values[i] as number)) present++;
    // Eight byte planes: the sign/exponent bytes of neighbouring values mostly agree, so their
    // XORs are zero and deflate to nothing even when the low mantissa bytes are noise.
    w.ensure(present * 8);
    const base = w.pos;
    let j = 0;
    let pHi = 0;
    let pLo = 0;
    for (let i = 0; i < n; i++) {
      const v = s.values[i] as number;
      if (Number.isNaN(v)) continue;
      f64[0] = v;
      const lo = (u32[0] as number) ^ pLo;
      const hi = (u32[1] as number) ^ pHi;
      pLo = u32[0] as number;
      pHi = u32[1] as number;
      const b = w.buf;
      b[base + j] = lo & 255;
      b[base + present + j] = (lo >>> 8) & 255;
      b[base + 2 * present + j] = (lo >>> 16) & 255;
      b[base + 3 * present + j] = lo >>> 24;
      b[base + 4 * present + j] = hi & 255;
      b[base + 5 * present + j] = (hi >>> 8) & 255;
      b[base + 6 * present + j] = (hi >>> 16) & 255;
      b[base + 7 * present + j] = hi >>> 24;
      j++;
    }
    w.pos = base + present * 8;
  }
  const body = level === 0 ? w.buf.subarray(0, w.pos) : deflate(w.buf.subarray(0, w.pos), level);
  const out = new Uint8Array(body.length + 1);
  out[0] = level === 0 ? VERSION_STORED : VERSION;
  out.set(body, 1);
  return out;
}

/** Decode a chunk blob. */
export function decodeChunk(blob: Uint8Array): Samples {
  if (blob[0] !== VERSION && blob[0] !== VERSION_STORED) throw new RangeError(`unknown chunk version ${blob[0]}`);
  const r = new ByteReader(blob[0] === VERSION ? inflateRawSync(blob.subarray(1)) : blob.subarray(1));
  const tsMode = r.byte();
  const vMode = r.byte();
  const k = r.byte();
  const n = r.uvar();
  const ts = new Float64Array(n);
  const values = new Float64Array(n);
  const quality = new Uint8Array(n);
  if (tsMode === TS_INT) {
    let prev = 0;
    let delta = 0;
    for (let i = 0; i < n; i++) {
      if (i === 0) prev = r.svar();
      else {
        delta += r.svar();
        prev += delta;
      }
      ts[i] = prev;
    }
  } else {
    for (let i = 0; i < n; i++) ts[i] = r.f64();
  }
  let present = 0;
  for (let i = 0; i < n; i++) {
    const q = r.byte();
    quality[i] = q & 0x7f;
    if (q & NAN_FLAG) values[i] = Number.NaN;
    else present++;
  }
  if (vMode === V_DECIMAL) {
    const p = POW10[k] as number;
    let x = 0;
    for (let i = 0; i < n; i++) {
      if (Number.isNaN(values[i] as number)) continue;
      x += r.svar();
      values[i] = x / p;
    }
  } else {
    if (r.pos + present * 8 > r.buf.length) throw new RangeError('chunk truncated');
    xorPlanes(r.buf, r.pos, present, values, n, false);
  }
  return { ts, values, quality, length: n };
}

// ---- Rollup blocks ---------------------------------------------------------------------------
// A block holds consecutive rollup buckets of one tag (the minutes of an hour, the hours of five
// days) in the same spirit as a chunk: each field is a column, encoded as deltas (or deltas of
// deltas for times and durations, which step regularly) of decimal-scaled integers when every value
// of the column has ≤ 6 decimals, else as XOR of consecutive doubles in byte planes; a bitmap per
// bucket marks missing (NaN) fields; then deflate. One row per block instead of one per bucket.

/** The bucket's fields, in block order, and whether a column is stored as deltas of deltas. */
const BUCKET_FIELDS = ['t', 'count', 'min', 'max', 'sum', 'first', 'firstTs', 'last', 'lastTs', 'integral', 'dur'] as const;
type BucketField = (typeof BUCKET_FIELDS)[number];
export type BucketRecord = Record<BucketField, number>;
const SECOND_ORDER: ReadonlySet<BucketField> = new Set(['t', 'firstTs', 'lastTs', 'dur']);
const VERSION_BUCKETS = 3;
/** A column of values just off a few-decimal rounding: the rounded scaled integers, then the exact bits XOR the rounded ones. */
const V_NEAR = 2;
/** Scaled integers below 2^50 keep deltas of deltas and their zigzag below 2^53, where varints are exact. */
const COLUMN_INT_LIMIT = 2 ** 50;

function columnDecimals(col: Float64Array, n: number): number {
  const k = decimalsOf(col, n);
  if (k < 0) return -1;
  const p = POW10[k] as number;
  for (let i = 0; i < n; i++) {
    const v = col[i] as number;
    if (!Number.isNaN(v) && !(Math.abs(Math.round(v * p)) < COLUMN_INT_LIMIT)) return -1;
  }
  return k;
}

/**
 * Fewest decimals (≤ 6) within whose rounding every present value lies very close (relative 2^-40)
 * without being equal: sums and integrals of few-decimal values, off only by floating-point
 * rounding. −1 when there is none.
 */
function nearDecimals(col: Float64Array, n: number): number {
  for (let k = 0; k <= MAX_DECIMALS; k++) {
    const p = POW10[k] as number;
    let ok = true;
    for (let i = 0; i < n && ok; i++) {
      const v = col[i] as number;
      if (Number.isNaN(v)) continue;
      const x = Math.round(v * p);
      ok = Math.abs(x) < COLUMN_INT_LIMIT && Math.abs(v - x / p) <= Math.abs(v) * 2 ** -40;
    }
    if (ok) return k;
  }
  return -1;
}

/** Scaled integers as deltas (or deltas of deltas) of the present values. */
function writeScaled(w: ByteWriter, col: Float64Array, n: number, p: number, secondOrder: boolean): void {
  let prev = 0;
  let prevDelta = 0;
  for (let i = 0; i < n; i++) {
    const v = col[i] as number;
    if (Number.isNaN(v)) continue;
    const x = Math.round(v * p);
    const d = x - prev;
    w.svar(secondOrder ? d - prevDelta : d);
    prevDelta = d;
    prev = x;
  }
}

function writeColumn(w: ByteWriter, col: Float64Array, n: number, secondOrder: boolean): void {
  const k = columnDecimals(col, n);
  if (k >= 0) {
    w.byte(V_DECIMAL);
    w.byte(k);
    writeScaled(w, col, n, POW10[k] as number, secondOrder);
    return;
  }
  const near = nearDecimals(col, n);
  if (near >= 0) {
    // The rounded value as a scaled integer, then the XOR of the exact bits against it in byte
    // planes: only the lowest mantissa bytes differ, the other planes are zeros.
    w.byte(V_NEAR);
    w.byte(near);
    const p = POW10[near] as number;
    writeScaled(w, col, n, p, secondOrder);
    writePlanes(w, col, n, (v) => Math.round(v * p) / p);
    return;
  }
  w.byte(V_XOR);
  writePlanes(w, col, n, null);
}

/** The present values' bits XOR a reference (the previous value when `ref` is null), split into 8 byte planes. */
function writePlanes(w: ByteWriter, col: Float64Array, n: number, ref: ((v: number) => number) | null): void {
  let present = 0;
  for (let i = 0; i < n; i++) if (!Number.isNaN(col[i] as number)) present++;
  w.ensure(present * 8);
  const base = w.pos;
  let j = 0;
  let pHi = 0;
  let pLo = 0;
  for (let i = 0; i < n; i++) {
    const v = col[i] as number;
    if (Number.isNaN(v)) continue;
    if (ref) {
      f64[0] = ref(v);
      pLo = u32[0] as number;
      pHi = u32[1] as number;
    }
    f64[0] = v;
    const lo = (u32[0] as number) ^ pLo;
    const hi = (u32[1] as number) ^ pHi;
    pLo = u32[0] as number;
    pHi = u32[1] as number;
    for (let b = 0; b < 4; b++) {
      w.buf[base + b * present + j] = (lo >>> (8 * b)) & 255;
      w.buf[base + (4 + b) * present + j] = (hi >>> (8 * b)) & 255;
    }
    j++;
  }
  w.pos = base + present * 8;
}

/**
 * Read one column written by writeColumn into `col`, whose missing entries are already NaN; returns
 * the position after it. Varints are read inline: this is the trend path's inner loop.
 */
function readColumn(buf: Uint8Array, start: number, col: Float64Array, n: number, secondOrder: boolean): number {
  let pos = start;
  const mode = buf[pos++];
  if (mode === V_DECIMAL || mode === V_NEAR) {
    const p = POW10[buf[pos++] as number];
    if (p === undefined) throw new RangeError('rollup block has an unknown decimal count');
    let x = 0;
    let d = 0;
    for (let i = 0; i < n; i++) {
      if (Number.isNaN(col[i] as number)) continue;
      let b = buf[pos++];
      if (b === undefined) throw new RangeError('rollup block truncated');
      let z = b & 127;
      let mul = 128;
      while (b >= 128) {
        b = buf[pos++];
        if (b === undefined) throw new RangeError('rollup block truncated');
        z += (b & 127) * mul;
        mul *= 128;
      }
      const v = z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      d = secondOrder ? d + v : v;
      x += d;
      col[i] = x / p;
    }
    return mode === V_NEAR ? readPlanes(buf, pos, col, n, true) : pos;
  }
  if (mode !== V_XOR) throw new RangeError(`rollup block has an unknown column mode ${mode}`);
  return readPlanes(buf, pos, col, n, false);
}

/** Undo writePlanes: against the value already in `col` (V_NEAR) or the previous value (V_XOR); returns the position after. */
function readPlanes(b: Uint8Array, base: number, col: Float64Array, n: number, againstCol: boolean): number {
  let present = 0;
  for (let i = 0; i < n; i++) if (!Number.isNaN(col[i] as number)) present++;
  if (base + present * 8 > b.length) throw new RangeError('rollup block truncated');
  xorPlanes(b, base, present, col, n, againstCol);
  return base + present * 8;
}

/**
 * The byte planes of `present` doubles at `base` (plane k holds byte k of each), XORed against the
 * value already in `col` (againstCol) or the previous decoded value, into the non-NaN slots of
 * `col`. Shared by chunks and rollup blocks; the caller has checked the planes fit in `b`.
 */
function xorPlanes(b: Uint8Array, base: number, present: number, col: Float64Array, n: number, againstCol: boolean): void {
  let j = 0;
  let pHi = 0;
  let pLo = 0;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(col[i] as number)) continue;
    const lo =
      (b[base + j] as number) |
      ((b[base + present + j] as number) << 8) |
      ((b[base + 2 * present + j] as number) << 16) |
      ((b[base + 3 * present + j] as number) << 24);
    const hi =
      (b[base + 4 * present + j] as number) |
      ((b[base + 5 * present + j] as number) << 8) |
      ((b[base + 6 * present + j] as number) << 16) |
      ((b[base + 7 * present + j] as number) << 24);
    if (againstCol) {
      f64[0] = col[i] as number;
      pLo = u32[0] as number;
      pHi = u32[1] as number;
    }
    u32[0] = lo ^ pLo;
    u32[1] = hi ^ pHi;
    col[i] = f64[0] as number;
    pLo = u32[0] as number;
    pHi = u32[1] as number;
    j++;
  }
}

/**
 * Encode rollup buckets (in the given order) into one block blob. Exact for every double and NaN;
 * −0 is stored as 0, as a REAL column of the row layout stored it.
 */
export function encodeBuckets(buckets: readonly BucketRecord[], level = 1): Uint8Array {
  const n = buckets.length;
  const w = scratch;
  w.pos = 0;
  w.uvar(n);
  const cols = BUCKET_FIELDS.map((f) => {
    const col = new Float64Array(n);
    for (let i = 0; i < n; i++) col[i] = (buckets[i] as BucketRecord)[f] + 0; // + 0 turns −0 into 0
    return col;
  });
  for (let i = 0; i < n; i++) {
    let mask = 0;
    cols.forEach((col, c) => {
      if (Number.isNaN(col[i] as number)) mask |= 1 << c;
    });
    w.uvar(mask);
  }
  BUCKET_FIELDS.forEach((f, c) => {
    writeColumn(w, cols[c] as Float64Array, n, SECOND_ORDER.has(f));
  });
  const body = deflate(w.buf.subarray(0, w.pos), level);
  const out = new Uint8Array(body.length + 1);
  out[0] = VERSION_BUCKETS;
  out.set(body, 1);
  return out;
}

/**
 * A block's columns by field name, without building bucket objects. `fields` stops after the first
 * so many columns (the trend path needs t, count, min, max and sum, the first five); the others are
 * then empty.
 */
export function decodeBucketColumns(
  blob: Uint8Array,
  fields: number = BUCKET_FIELDS.length,
): { length: number; cols: Record<BucketField, Float64Array> } {
  if (blob[0] !== VERSION_BUCKETS) throw new RangeError(`unknown rollup block version ${blob[0]}`);
  const r = new ByteReader(inflateRawSync(blob.subarray(1)));
  const n = r.uvar();
  const used = Math.min(fields, BUCKET_FIELDS.length);
  const list = BUCKET_FIELDS.map((_, c) => new Float64Array(c < used ? n : 0));
  for (let i = 0; i < n; i++) {
    const mask = r.uvar();
    if (mask !== 0) for (let c = 0; c < used; c++) if (mask & (1 << c)) (list[c] as Float64Array)[i] = Number.NaN;
  }
  let pos = r.pos;
  for (let c = 0; c < used; c++)
    pos = readColumn(r.buf, pos, list[c] as Float64Array, n, SECOND_ORDER.has(BUCKET_FIELDS[c] as BucketField));
  const cols = {} as Record<BucketField, Float64Array>;
  BUCKET_FIELDS.forEach((f, c) => {
    cols[f] = list[c] as Float64Array;
  });
  return { length: n, cols };
}

/** Decode a block blob into its buckets, in stored order. */
export function decodeBuckets(blob: Uint8Array): BucketRecord[] {
  const { length: n, cols: c } = decodeBucketColumns(blob);
  const out: BucketRecord[] = new Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = {
      t: c.t[i] as number,
      count: c.count[i] as number,
      min: c.min[i] as number,
      max: c.max[i] as number,
      sum: c.sum[i] as number,
      first: c.first[i] as number,
      firstTs: c.firstTs[i] as number,
      last: c.last[i] as number,
      lastTs: c.lastTs[i] as number,
      integral: c.integral[i] as number,
      dur: c.dur[i] as number,
    };
  }
  return out;
}

// ---- One bucket, as it is ----------------------------------------------------------------------
// The bucket a tag is still filling (rollup_open, before tag_state) changes at every commit: its eleven fields as
// doubles, no compression (88 bytes), exact for every double, NaN and −0.

export function encodeOpenBucket(b: BucketRecord): Uint8Array {
  return new Uint8Array(writeOpenBucket(b, new Float64Array(BUCKET_FIELDS.length)).buffer);
}

/** The same into `f` (11 doubles), allocating nothing: the writer binds it at once (SQLite copies it). */
export function writeOpenBucket(b: BucketRecord, f: Float64Array): Float64Array {
  // In BUCKET_FIELDS order.
  f[0] = b.t;
  f[1] = b.count;
  f[2] = b.min;
  f[3] = b.max;
  f[4] = b.sum;
  f[5] = b.first;
  f[6] = b.firstTs;
  f[7] = b.last;
  f[8] = b.lastTs;
  f[9] = b.integral;
  f[10] = b.dur;
  return f;
}

export function decodeOpenBucket(blob: Uint8Array): BucketRecord {
  if (blob.length !== BUCKET_FIELDS.length * 8) throw new RangeError(`open bucket of ${blob.length} bytes`);
  const f = new Float64Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.length));
  const b = {} as BucketRecord;
  BUCKET_FIELDS.forEach((k, i) => {
    b[k] = f[i] as number;
  });
  return b;
}
