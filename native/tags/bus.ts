// The tag bus: the current-value table (CVT) of every tag, and the stream of changes that feeds the
// historian, alarms, models, ESG and the UI. The hot path is allocation-free: updates land in
// preallocated columns and are handed to listeners in one batch per turn of the event loop.
import type { QualityCode, TagInfo, TagValue } from '../api/types.js';
import { Boundary } from '../util/boundary.js';

/**
 * A batch of samples, column by column. Listeners get views into the bus's own buffers: they are
 * valid only during the callback, so a listener that keeps samples copies them.
 */
export interface SampleBatch {
  length: number;
  ids: Uint32Array;
  ts: Float64Array;
  /** Numeric value; booleans as 0/1; NaN where the value is not numeric or missing. */
  values: Float64Array;
  quality: Uint8Array;
}

/** A batch of `n` samples, all zero (tag 0, time 0, value 0, Good), for a writer to fill in place. */
export function emptyBatch(n: number): SampleBatch {
  return { length: n, ids: new Uint32Array(n), ts: new Float64Array(n), values: new Float64Array(n), quality: new Uint8Array(n) };
}

export type BatchListener = (batch: SampleBatch) => void;

export interface CurrentValue {
  value: TagValue;
  quality: QualityCode;
  reason: string;
  /** Source timestamp, ms since epoch (0 = never received). */
  ts: number;
  /** When the core received it, ms since epoch. */
  receivedAt: number;
}

export const QUALITY_NAMES = ['Good', 'Uncertain', 'Bad'] as const;

const DEFAULT_CAPACITY = 16384;

/** The span of source timestamps the console stores as given (site file: historian.acceptWindow). */
export interface AcceptWindow {
  /** How far behind the console's clock a sample may be. */
  pastMs: number;
  /** How far ahead of the console's clock a sample may be (clock skew). */
  futureMs: number;
}

export interface BusOptions {
  /** Without one, any finite time a JavaScript Date can hold is accepted. */
  acceptWindow?: AcceptWindow;
  /** Controllable clock for tests. */
  now?: () => number;
}

/** ±8.64e15 ms: the range of a JavaScript Date (years −271821 … 275760). */
const DATE_LIMIT_MS = 8.64e15;

export type TimestampProblem = { kind: 'invalid' | 'ahead' | 'behind'; message: string };

const isoOrRaw = (t: number) => (Number.isFinite(t) && Math.abs(t) <= DATE_LIMIT_MS ? new Date(t).toISOString() : String(t));

/** What live configuration changed in the tag table (bus.onTable). */
export interface TableChange {
  added: readonly TagInfo[];
  removed: readonly { id: number; name: string }[];
  renamed: readonly { id: number; from: string; to: string }[];
}

export class TagBus {
  /**
   * The tags in the table, in id order. Until live configuration removes one, a tag's id is its
   * index; afterwards use `tag(id)`. Changed in place (holders of the array see the table as it is).
   */
  readonly tags: readonly TagInfo[];
  /**
   * Every tag handed an id since the bus was built, by id, removed ones included: an id is never
   * given to another name, and a removed tag added again gets its id back (its history continues).
   */
  readonly byId: readonly TagInfo[];
  private readonly byName = new Map<string, number>();
  /** Removed tags by id and by their last name (an addition of that name takes the id back). */
  private readonly removed = new Set<number>();
  private readonly removedByName = new Map<string, number>();
  private readonly tableListeners = new Set<(c: TableChange) => void>();
  private readonly cvt: CurrentValue[];
  private readonly listeners = new Map<BatchListener, string>();
  private readonly boundary: Boundary;
  private consumerCount = 0;
  private ids: Uint32Array;
  private ts: Float64Array;
  private values: Float64Array;
  private quality: Uint8Array;
  private length = 0;
  private flushScheduled = false;
  /** Samples accepted since start: the bus's throughput counter for diagnostics and benchmarks. */
  samplesIn = 0;
  /** Batches a listener threw on (each contained; the other listeners still got the batch). */
  listenerFaults = 0;
  /** Samples whose source timestamp was outside the accept window: recorded at receipt time, Uncertain. */
  timestampsReplaced = 0;
  /** Samples for a removed tag (a reader that had not stopped yet): not passed on. */
  samplesForRemoved = 0;
  private window: AcceptWindow | null;
  private readonly now: () => number;

  /**
   * `boundary` is the core's containment boundary (a throwing listener raises a system alarm there);
   * without one, faults are logged and counted only.
   */
  constructor(tags: readonly TagInfo[], capacity = DEFAULT_CAPACITY, boundary?: Boundary, options: BusOptions = {}) {
    this.window = options.acceptWindow ?? null;
    this.now = options.now ?? Date.now;
    this.tags = tags;
    this.byId = [...tags];
    this.boundary = boundary ?? new Boundary();
    tags.forEach((t, i) => {
      if (t.id !== i) throw new Error(`tag ${t.name} has id ${t.id}, expected ${i}`);
      this.byName.set(t.name, i);
    });
    this.cvt = tags.map(() => ({ value: null, quality: 2, reason: 'not yet received', ts: 0, receivedAt: 0 }));
    this.ids = new Uint32Array(capacity);
    this.ts = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
    this.quality = new Uint8Array(capacity);
  }

  /** The span of source timestamps stored as given (historian.acceptWindow); null: any time a Date can hold. */
  get acceptWindow(): AcceptWindow | null {
    return this.window;
  }

  /** Live configuration: a changed historian section changes the accept window from the next sample on. */
  setAcceptWindow(w: AcceptWindow | null): void {
    this.window = w;
  }

  /** Ids handed out so far: every id is below this (consumers size per-id arrays to it). */
  get idSpan(): number {
    return this.byId.length;
  }

  /** The tag with this id, or undefined when there is none or it was removed. */
  tag(id: number): TagInfo | undefined {
    return this.removed.has(id) ? undefined : this.byId[id];
  }

  isRemoved(id: number): boolean {
    return this.removed.has(id);
  }

  /** The id an added tag of this name takes: its own when it was removed earlier, else the next new one. */
  idFor(name: string, pending = 0): number {
    return this.byName.get(name) ?? this.removedByName.get(name) ?? this.byId.length + pending;
  }

  /** Told of each change of the table (tags added, removed, renamed), after it is made. */
  onTable(listener: (c: TableChange) => void): () => void {
    this.tableListeners.add(listener);
    return () => this.tableListeners.delete(listener);
  }

  private told(c: TableChange): void {
    for (const l of this.tableListeners) {
      try {
        l(c);
      } catch (err) {
        this.boundary.fault('tag table', 'telling a consumer of a tag-table change', err);
      }
    }
  }

  /**
   * Live configuration: add tags, readable at once, Bad until their first sample. Each takes the
   * next id, or the id it had when it was removed earlier (`idFor`). Existing ids, values and
   * qualities are untouched.
   */
  addTags(added: readonly TagInfo[]): void {
    if (added.length === 0) return;
    const table = this.tags as TagInfo[];
    const slots = this.byId as TagInfo[];
    for (const t of added) {
      if (this.byName.has(t.name)) throw new Error(`tag ${t.name} is already on the bus`);
      const back = this.removedByName.get(t.name);
      if (back !== undefined) {
        if (t.id !== back) throw new Error(`tag ${t.name} has id ${t.id}, expected ${back} (its id before it was removed)`);
        this.removedByName.delete(t.name);
        this.removed.delete(back);
        slots[back] = t;
        table.splice(this.indexOf(back), 0, t);
      } else {
        if (t.id !== slots.length) throw new Error(`tag ${t.name} has id ${t.id}, expected ${slots.length}`);
        slots.push(t);
        table.push(t);
        this.cvt.push({ value: null, quality: 2, reason: 'not yet received', ts: 0, receivedAt: 0 });
      }
      this.byName.set(t.name, t.id);
    }
    this.told({ added, removed: [], renamed: [] });
  }

  /**
   * Live configuration: take tags out of the table. Each gets one last sample, Bad with `reason`
   * (consumers see why it ended); from then on it is not listed, not found by name, and samples for
   * it are not passed on. The other tags keep their ids. Its id stays its own (idFor).
   */
  removeTags(ids: readonly number[], reason: (t: TagInfo) => string, ts = this.now()): void {
    const gone: { id: number; name: string }[] = [];
    for (const id of ids) {
      const t = this.tag(id);
      if (!t) continue;
      this.setQuality(id, 2, reason(t), ts);
      this.byName.delete(t.name);
      this.removed.add(id);
      this.removedByName.set(t.name, id);
      (this.tags as TagInfo[]).splice(this.indexOf(id), 1);
      gone.push({ id, name: t.name });
    }
    if (gone.length > 0) this.told({ added: [], removed: gone, renamed: [] });
  }

  /** Where the tag with this id stands (or would stand) in `tags`: ids ascend. */
  private indexOf(id: number): number {
    const table = this.tags;
    if ((table[id] as TagInfo | undefined)?.id === id) return id;
    let lo = 0;
    let hi = table.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((table[mid] as TagInfo).id < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Live configuration: a tag keeps its id, value and quality under a new name. */
  rename(id: number, name: string): void {
    const tag = this.tag(id);
    if (!tag) throw new RangeError(`no tag with id ${id}`);
    if (this.byName.has(name)) throw new Error(`tag ${name} is already on the bus`);
    const from = tag.name;
    this.byName.delete(from);
    this.byName.set(name, id);
    (tag as { name: string }).name = name;
    this.told({ added: [], removed: [], renamed: [{ id, from, to: name }] });
  }

  idOf(name: string): number | undefined {
    return this.byName.get(name);
  }

  current(id: number): CurrentValue {
    const cv = this.cvt[id];
    if (!cv) throw new RangeError(`no tag with id ${id}`);
    return cv;
  }

  /**
   * Why a source timestamp cannot be stored as given, or null when it can: it must be a finite
   * time within the accept window around the console's clock. Ingest refuses such items with this
   * message; `update` records driver samples at receipt time instead.
   */
  timestampProblem(ts: number, now = this.now()): TimestampProblem | null {
    if (!Number.isFinite(ts) || Math.abs(ts) > DATE_LIMIT_MS) {
      return { kind: 'invalid', message: `source timestamp invalid (${isoOrRaw(ts)} is not a time in milliseconds since 1970)` };
    }
    const w = this.window;
    if (!w) return null;
    if (ts > now + w.futureMs) {
      return {
        kind: 'ahead',
        message: `source clock ahead (${isoOrRaw(ts)} is ${Math.round((ts - now) / 1000)} s past the console's clock; at most ${Math.round(w.futureMs / 1000)} s accepted)`,
      };
    }
    if (ts < now - w.pastMs) {
      return {
        kind: 'behind',
        message: `source clock behind (${isoOrRaw(ts)} is older than the ${Math.round(w.pastMs / 86_400_000)} days the historian accepts)`,
      };
    }
    return null;
  }

  /**
   * Record a new value. Cheap: no allocation, listeners run later in one batch. A source timestamp
   * outside the accept window is never passed on: the sample is recorded at receipt time as
   * Uncertain with the reason, so one device's bad clock cannot poison the historian.
   */
  update(id: number, value: TagValue, quality: QualityCode, ts: number, reason = ''): void {
    const now = this.now();
    const w = this.window;
    // The common case costs two comparisons; NaN fails both and takes the slow path.
    if (w ? !(ts >= now - w.pastMs && ts <= now + w.futureMs) : !(Math.abs(ts) <= DATE_LIMIT_MS)) {
      const problem = this.timestampProblem(ts, now);
      if (problem) {
        this.timestampsReplaced++;
        this.put(id, value, quality === 2 ? 2 : 1, now, `${problem.message}; recorded at receipt time${reason ? `; ${reason}` : ''}`, now);
        return;
      }
    }
    this.put(id, value, quality, ts, reason, now);
  }

  /**
   * Record many samples in one step (a checked push taken whole): the same as update() for each in
   * turn, with the clock read once for all of them.
   */
  updateAll(ids: readonly number[], values: readonly TagValue[], quality: readonly QualityCode[], ts: readonly number[]): void {
    const now = this.now();
    const w = this.window;
    const lo = w ? now - w.pastMs : -DATE_LIMIT_MS;
    const hi = w ? now + w.futureMs : DATE_LIMIT_MS;
    for (let i = 0; i < ids.length; i++) {
      const t = ts[i] as number;
      // Outside the window (or NaN): update's own path words the replacement.
      if (t >= lo && t <= hi) this.put(ids[i] as number, values[i] as TagValue, quality[i] as QualityCode, t, '', now);
      else this.update(ids[i] as number, values[i] as TagValue, quality[i] as QualityCode, t);
    }
  }

  private put(id: number, value: TagValue, quality: QualityCode, ts: number, reason: string, now: number): void {
    const cv = this.cvt[id];
    if (!cv) throw new RangeError(`no tag with id ${id}`);
    if (this.removed.size > 0 && this.removed.has(id)) {
      this.samplesForRemoved++;
      return;
    }
    cv.value = value;
    cv.quality = quality;
    cv.reason = reason;
    cv.ts = ts;
    cv.receivedAt = now;
    this.samplesIn++;
    if (this.length === this.ids.length) this.flush();
    const i = this.length++;
    this.ids[i] = id;
    this.ts[i] = ts;
    this.values[i] = typeof value === 'number' ? value : typeof value === 'boolean' ? (value ? 1 : 0) : Number.NaN;
    this.quality[i] = quality;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Change only the quality of a tag, keeping its last value (comm loss, staleness). */
  setQuality(id: number, quality: QualityCode, reason: string, ts = Date.now()): void {
    const cv = this.current(id);
    if (cv.quality === quality && cv.reason === reason) return;
    // The stored value's own time was accepted when it arrived, even if it has aged past the window since.
    if (ts === cv.ts && cv.receivedAt !== 0) this.put(id, cv.value, quality, ts, reason, this.now());
    else this.update(id, cv.value, quality, ts, reason);
  }

  /**
   * Confirm that these tags' current values are still valid without a new sample: a driver whose
   * link is alive but whose peer reports only changes (OPC UA subscriptions, MQTT) calls this, so
   * an unchanging value is not mistaken for a stale one.
   */
  confirm(ids: readonly number[], now = Date.now()): void {
    for (const id of ids) {
      const cv = this.cvt[id];
      if (cv && cv.quality === 0) cv.receivedAt = now;
    }
  }

  /** `consumer` names the listener in fault logs and alarms ("historian", "alarms"…). */
  onBatch(listener: BatchListener, consumer = `bus consumer ${++this.consumerCount}`): () => void {
    this.listeners.set(listener, consumer);
    return () => this.listeners.delete(listener);
  }

  /**
   * Deliver pending samples now. A listener that throws is contained at the boundary (logged once,
   * counted, system alarm) and never rethrown: the other listeners still get the batch, the driver
   * that called update() is not interrupted, and the process keeps running.
   */
  flush(): void {
    this.flushScheduled = false;
    if (this.length === 0) return;
    const n = this.length;
    const batch: SampleBatch = {
      length: n,
      ids: this.ids.subarray(0, n),
      ts: this.ts.subarray(0, n),
      values: this.values.subarray(0, n),
      quality: this.quality.subarray(0, n),
    };
    this.length = 0;
    for (const [listener, consumer] of this.listeners) {
      try {
        listener(batch);
        this.boundary.ok(consumer, 'handling a tag batch');
      } catch (err) {
        this.listenerFaults++;
        this.boundary.fault(consumer, 'handling a tag batch', err);
      }
    }
  }

  /**
   * Turn Good values that stopped arriving into Uncertain ("stale"): a value older than three of
   * its expected periods must never be shown as Good. A tag with no expected period (0: an
   * event-driven source such as a LoRaWAN sensor) is never stale by time alone; only its link's loss
   * turns it Bad.
   */
  markStale(now = Date.now()): number {
    let marked = 0;
    for (let id = 0; id < this.cvt.length; id++) {
      const cv = this.cvt[id] as CurrentValue;
      const tag = this.byId[id] as TagInfo;
      if (this.removed.has(id)) continue;
      if (cv.quality !== 0 || cv.receivedAt === 0 || tag.expectedPeriodMs <= 0) continue;
      if (now - cv.receivedAt > Math.max(3 * tag.expectedPeriodMs, 2000)) {
        this.setQuality(id, 1, 'stale: no update within the expected period', cv.ts);
        marked++;
      }
    }
    return marked;
  }
}
