// Each tag's running state — its newest stored sample and the minute bucket it is still filling —
// changes at every commit. Kept as a row per tag (tables last_value and rollup_open, migrations
// 002 and 005), every commit rewrote two rows per tag it touched: a commit of 10–20 samples per
// tag then spent a fifth of its time on them. Here 15 tags share a row of fixed layout, so a
// commit writes one row per 15 tags (about 60 % of the pages the two tables took). The bucket of
// the hour a tag is still filling is not kept, only its start: it is the hour's minutes (rows of
// the minute table) merged with the open one, and readers compute it so (reader.ts).
import type { SqliteDatabase } from '../util/sqlite.js';
import type { BucketRecord } from './codec.js';

/** Tags per row: 15 slots of 16 doubles (1,936 bytes), so two rows share a 4 kB page. */
export const STATE_GROUP_SIZE = 15;
export const stateGroup = (sid: number): number => Math.floor(sid / STATE_GROUP_SIZE);

/** 2: 15 slots of 16 doubles with the open hour's start (1: 16 of 15, never released). */
const VERSION = 2;
const HEAD = 2;
const SLOT = 16;
const ROW_DOUBLES = HEAD + STATE_GROUP_SIZE * SLOT;
/**
 * Slot layout: sid (NaN: empty), flags + 4 × last quality, last ts, last value, the start of the
 * hour still being filled (NaN: none; kept apart from the minute, whose bucket a recomputation may
 * find empty while the hour's earlier minutes stand), then the open minute's 11 fields.
 */
const HAS_LAST = 1;
const HAS_MINUTE = 2;
const QUALITY = 4;
const HOUR_AT = 4;
const MINUTE_AT = 5;
const BUCKET_KEYS = ['t', 'count', 'min', 'max', 'sum', 'first', 'firstTs', 'last', 'lastTs', 'integral', 'dur'] as const;

/** A tag's newest stored sample (value null: the sample had none). */
export interface StoredSample {
  ts: number;
  value: number | null;
  quality: number;
}

function emptyRow(grp: number): Float64Array {
  const row = new Float64Array(ROW_DOUBLES).fill(Number.NaN);
  row[0] = VERSION;
  row[1] = grp;
  for (let s = 0; s < STATE_GROUP_SIZE; s++) row[HEAD + s * SLOT + 1] = 0;
  return row;
}

/** A stored row's doubles, checked: a row of another layout is refused with a sentence, never misread. */
export function readStateRow(grp: number, blob: Uint8Array): Float64Array {
  if (blob.length !== ROW_DOUBLES * 8)
    throw new RangeError(`tag_state row ${grp} has ${blob.length} bytes, expected ${ROW_DOUBLES * 8}: not a row this version wrote`);
  const row = new Float64Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.length));
  if (row[0] !== VERSION || row[1] !== grp)
    throw new RangeError(`tag_state row ${grp} has version ${row[0]} and group ${row[1]}: not a row this version wrote`);
  return row;
}

function slotOf(row: Float64Array, sid: number): number | null {
  const at = HEAD + (sid % STATE_GROUP_SIZE) * SLOT;
  return row[at] === sid ? at : null;
}

export function lastOf(row: Float64Array, sid: number): StoredSample | null {
  const at = slotOf(row, sid);
  if (at === null || ((row[at + 1] as number) & HAS_LAST) === 0) return null;
  const v = row[at + 3] as number;
  return { ts: row[at + 2] as number, value: Number.isNaN(v) ? null : v, quality: Math.floor((row[at + 1] as number) / QUALITY) };
}

export function minuteOf(row: Float64Array, sid: number): BucketRecord | null {
  const at = slotOf(row, sid);
  if (at === null || ((row[at + 1] as number) & HAS_MINUTE) === 0) return null;
  const b = {} as BucketRecord;
  BUCKET_KEYS.forEach((k, i) => {
    b[k] = row[at + MINUTE_AT + i] as number;
  });
  return b;
}

/** The start of the hour the tag is still filling, or null. */
export function openHourOf(row: Float64Array, sid: number): number | null {
  const at = slotOf(row, sid);
  const h = at === null ? Number.NaN : (row[at + HOUR_AT] as number);
  return Number.isNaN(h) ? null : h;
}

function claim(row: Float64Array, sid: number): number {
  const at = HEAD + (sid % STATE_GROUP_SIZE) * SLOT;
  if (row[at] !== sid) {
    row.fill(Number.NaN, at, at + SLOT);
    row[at] = sid;
    row[at + 1] = 0;
  }
  return at;
}

/** The tag's newest sample (value NaN: none), unless the slot already holds a newer one (late data leaves it). */
function putLast(row: Float64Array, sid: number, ts: number, value: number, quality: number): void {
  const at = claim(row, sid);
  const flags = row[at + 1] as number;
  if ((flags & HAS_LAST) !== 0 && ts < (row[at + 2] as number)) return;
  row[at + 1] = (flags & HAS_MINUTE) | HAS_LAST | (quality * QUALITY);
  row[at + 2] = ts;
  row[at + 3] = value;
}

function putMinute(row: Float64Array, sid: number, b: BucketRecord | null): void {
  const at = claim(row, sid);
  const flags = row[at + 1] as number;
  if (!b) {
    row[at + 1] = flags & ~HAS_MINUTE;
    return;
  }
  row[at + 1] = flags | HAS_MINUTE;
  const f = at + MINUTE_AT;
  // In BUCKET_KEYS order, without a closure: this runs for every tag of every commit.
  row[f] = b.t;
  row[f + 1] = b.count;
  row[f + 2] = b.min;
  row[f + 3] = b.max;
  row[f + 4] = b.sum;
  row[f + 5] = b.first;
  row[f + 6] = b.firstTs;
  row[f + 7] = b.last;
  row[f + 8] = b.lastTs;
  row[f + 9] = b.integral;
  row[f + 10] = b.dur;
}

const UPSERT = 'INSERT INTO tag_state (grp, data) VALUES (?, ?) ON CONFLICT (grp) DO UPDATE SET data = excluded.data';

function bytesOf(row: Float64Array): Uint8Array {
  return new Uint8Array(row.buffer, row.byteOffset, row.byteLength);
}

/**
 * The writer's copy of every row, and the rows the commit in progress changes (drafts): nothing
 * in memory changes before the commit does (keep / discard).
 */
export class StateRows {
  private readonly rows: Map<number, Float64Array>;
  private readonly drafts = new Map<number, Float64Array>();
  private readonly upsert;

  constructor(db: SqliteDatabase) {
    this.upsert = db.prepare(UPSERT);
    this.rows = loadRows(db);
  }

  private draft(g: number): Float64Array {
    let d = this.drafts.get(g);
    if (!d) {
      d = this.rows.get(g)?.slice() ?? emptyRow(g);
      this.drafts.set(g, d);
    }
    return d;
  }

  setLast(sid: number, ts: number, value: number, quality: number): void {
    putLast(this.draft(stateGroup(sid)), sid, ts, value, quality);
  }

  setMinute(sid: number, b: BucketRecord | null): void {
    putMinute(this.draft(stateGroup(sid)), sid, b);
  }

  /** The start of the hour the tag is still filling (NaN: none). */
  setOpenHour(sid: number, t: number): void {
    const row = this.draft(stateGroup(sid));
    row[claim(row, sid) + HOUR_AT] = t;
  }

  /** The tag's slot as the commit in progress has it, to put back if the tag's savepoint rolls back. */
  snapshot(sid: number): Float64Array | null {
    const d = this.drafts.get(stateGroup(sid));
    const at = HEAD + (sid % STATE_GROUP_SIZE) * SLOT;
    return d ? d.slice(at, at + SLOT) : null;
  }

  restore(sid: number, snap: Float64Array | null): void {
    const g = stateGroup(sid);
    const d = this.drafts.get(g);
    if (!d) return;
    const at = HEAD + (sid % STATE_GROUP_SIZE) * SLOT;
    if (snap) d.set(snap, at);
    else d.set((this.rows.get(g) ?? emptyRow(g)).subarray(at, at + SLOT), at);
  }

  /** Write the group's draft now (a read in the same transaction needs it). */
  write(g: number): void {
    const d = this.drafts.get(g);
    if (d) this.upsert.run(g, bytesOf(d));
  }

  /** Write every draft: the last step of a commit's transaction. */
  writeAll(): void {
    for (const [g, d] of this.drafts) this.upsert.run(g, bytesOf(d));
  }

  /** The commit succeeded: its drafts are the rows. */
  keep(): void {
    for (const [g, d] of this.drafts) this.rows.set(g, d);
    this.drafts.clear();
  }

  /** The commit was rolled back. */
  discard(): void {
    this.drafts.clear();
  }
}

/**
 * The rows of the groups in a JSON array (?). CROSS JOIN keeps json_each the outer loop, so each
 * asked group is one primary-key lookup and the rest of the table is never read.
 */
export const STATE_ROWS_SQL = 'SELECT s.grp, s.data FROM json_each(?) AS j CROSS JOIN tag_state AS s ON s.grp = j.value';

/** The rows of `sids`' groups, by group (one query, however many tags are asked). */
export function readStateRows(db: SqliteDatabase, sids: readonly number[]): Map<number, Float64Array> {
  const groups = [...new Set(sids.map(stateGroup))];
  const out = new Map<number, Float64Array>();
  for (const r of db.prepare(STATE_ROWS_SQL).all(JSON.stringify(groups)) as { grp: number; data: Uint8Array }[])
    out.set(r.grp, readStateRow(r.grp, r.data));
  return out;
}

/** Every row of the file, checked. */
function loadRows(db: SqliteDatabase): Map<number, Float64Array> {
  const rows = new Map<number, Float64Array>();
  for (const r of db.prepare('SELECT grp, data FROM tag_state').all() as { grp: number; data: Uint8Array }[])
    rows.set(r.grp, readStateRow(r.grp, r.data));
  return rows;
}

/** Load every row, let `edit` change them (rowOf makes a tag's row when its group has none), write them all back. */
function editRows(db: SqliteDatabase, edit: (rowOf: (sid: number) => Float64Array, rows: ReadonlyMap<number, Float64Array>) => void): void {
  const rows = loadRows(db);
  edit((sid) => {
    const g = stateGroup(sid);
    let row = rows.get(g);
    if (!row) {
      row = emptyRow(g);
      rows.set(g, row);
    }
    return row;
  }, rows);
  const upsert = db.prepare(UPSERT);
  for (const [g, row] of rows) upsert.run(g, bytesOf(row));
}

/** Set the last value of each tag in `newest`; `clear`: every other tag's is dropped (derived again from the chunks). */
export function writeStateLast(db: SqliteDatabase, newest: ReadonlyMap<number, StoredSample>, clear: boolean): void {
  editRows(db, (rowOf, rows) => {
    if (clear)
      for (const row of rows.values())
        for (let s = 0; s < STATE_GROUP_SIZE; s++) row[HEAD + s * SLOT + 1] = (row[HEAD + s * SLOT + 1] as number) & ~HAS_LAST;
    for (const [sid, last] of newest) {
      const row = rowOf(sid);
      const at = claim(row, sid);
      row[at + 1] = (row[at + 1] as number) & ~HAS_LAST;
      putLast(row, sid, last.ts, last.value ?? Number.NaN, last.quality);
    }
  });
}

/** Set the open minute (or none) and open hour of each tag in `open` (as a file of an earlier layout had them). */
export function writeStateOpen(db: SqliteDatabase, open: ReadonlyMap<number, { minute: BucketRecord | null; hour: number }>): void {
  editRows(db, (rowOf) => {
    for (const [sid, o] of open) {
      const row = rowOf(sid);
      putMinute(row, sid, o.minute);
      row[claim(row, sid) + HOUR_AT] = o.hour;
    }
  });
}
