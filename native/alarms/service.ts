// The alarm service: evaluates tag batches against compiled definitions (deadband, on/off delays,
// state-based suppression), drives each alarm's ISA-18.2 state machine, applies operator actions,
// and writes every transition to the journal and the state table in one transaction per batch.
//
// The hot path (evaluate) allocates nothing unless an alarm changes state: per sample it looks up
// the alarms of that tag in an array indexed by tag id and compares numbers.
import type {
  AckOutcome,
  AlarmCounts,
  AlarmKpis,
  AlarmList,
  AlarmListUpdate,
  AlarmRow,
  AlarmStateWire,
  JournalEntry,
  Priority,
} from '../api/alarm-requests.js';
import { ALARM_LIMITS } from '../api/alarm-requests.js';
import type { TagInfo } from '../api/types.js';
import type { SampleBatch } from '../tags/bus.js';
import { toCsv } from '../util/csv.js';
import { runSliced, runToEnd } from '../util/sliced.js';
import type { SqliteDatabase } from '../util/sqlite.js';
import { type AlarmDefinition, type CompiledAlarm, compileDefinitions, renderMessage } from './definition.js';
import { kpiSteps } from './kpis.js';
import { replay } from './replay.js';
import { type AlarmEvent, type AlarmState, displayState, INITIAL_STATE, reduce } from './state.js';
import { AlarmStore, type JournalQuery, type JournalRow, type StateRow } from './store.js';

export interface AlarmServiceOptions {
  db: SqliteDatabase;
  tags: readonly TagInfo[];
  definitions: readonly AlarmDefinition[];
  /** The service's clock (delays, shelve expiry, action times); tests pass a controllable one. */
  now?: () => number;
  /** Alarm list changes, coalesced per batch or action, for the UI stream. */
  onChange?: (update: AlarmListUpdate) => void;
}

export class AlarmNotFoundError extends Error {
  override name = 'AlarmNotFoundError';
}
/** An action that the alarm's current state does not allow (unshelve an alarm that is not shelved…). */
export class AlarmStateError extends Error {
  override name = 'AlarmStateError';
}

interface Runtime {
  def: CompiledAlarm;
  state: AlarmState;
  /** The condition after hysteresis, before the on/off delays: what a pending delay will switch to. */
  raw: boolean;
  /** When `raw` started to differ from the debounced condition; NaN when it does not. */
  pendingSince: number;
  /** The value the condition was last judged on (the rate for roc, |deviation| for deviation). */
  judged: number;
  prevValue: number;
  prevTs: number;
  message: string;
  /** When a model alarm's message was last re-rendered with the current value (ms). */
  messageAt: number;
  maskReason: string;
  /** Who shelved it or took it out of service; null when neither. */
  maskBy: string | null;
  /**
   * The "active since" a masked row shows (a shelved row keeps the one it had): the row's active
   * since when it was masked, or when the condition arose under the mask; null without the condition.
   */
  conditionSince: number | null;
  changedAt: number;
  system: boolean;
}

/** How often the running service records that it is still running (a crash loses at most this of KPI coverage). */
export const RUN_TOUCH_MS = 30_000;

/** A model alarm's text follows its score while active, re-rendered at most this often. */
const MODEL_MESSAGE_EVERY_MS = 5_000;

const PRIORITY_RANK: Record<Priority, number> = { Critical: 0, High: 1, Medium: 2, Low: 3 };
const DAY_MS = 86_400_000;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const finiteOrNull = (v: number) => (Number.isFinite(v) ? v : null);

function zeroByPriority(): Record<Priority, number> {
  return { Critical: 0, High: 0, Medium: 0, Low: 0 };
}

export class AlarmService {
  private readonly store: AlarmStore;
  private readonly now: () => number;
  private readonly onChange: ((update: AlarmListUpdate) => void) | undefined;
  private readonly runtimes = new Map<string, Runtime>();
  /** Per tag id: the alarms on that tag, the alarms it suppresses, the deviation alarms it is the setpoint of. */
  // Rebuilt by redefine() (live configuration): the tag table may have grown.
  private byTag: (Runtime[] | undefined)[];
  private suppressors: (Runtime[] | undefined)[];
  private setpointOf: (Runtime[] | undefined)[];
  private lastValue: Float64Array;
  private lastQuality: Uint8Array;
  /** Alarms not in normal: the alarm list. */
  private readonly listed = new Set<Runtime>();
  private readonly pending = new Set<Runtime>();
  private readonly shelved = new Set<Runtime>();
  private journalBuffer: JournalRow[] = [];
  /** This run of the service: when it started judging values, its record's id, when it was last recorded. */
  private readonly runStart: number;
  private readonly runId: number | null;
  private runTouched: number;
  private readonly dirty = new Set<Runtime>();

  constructor(opts: AlarmServiceOptions) {
    this.store = new AlarmStore(opts.db);
    this.now = opts.now ?? Date.now;
    this.onChange = opts.onChange;
    const n = idSpanOf(opts.tags);
    this.byTag = new Array(n);
    this.suppressors = new Array(n);
    this.setpointOf = new Array(n);
    this.lastValue = new Float64Array(n).fill(Number.NaN);
    this.lastQuality = new Uint8Array(n).fill(2);
    const push = (index: (Runtime[] | undefined)[], id: number, rt: Runtime) => {
      const list = index[id];
      if (list) list.push(rt);
      else index[id] = [rt];
    };
    for (const def of compileDefinitions(opts.definitions, opts.tags)) {
      const rt = this.newRuntime(def, false);
      this.runtimes.set(def.id, rt);
      push(this.byTag, def.tagId, rt);
      if (def.suppressTagId >= 0) push(this.suppressors, def.suppressTagId, rt);
      if (def.setpointTagId >= 0) push(this.setpointOf, def.setpointTagId, rt);
    }
    this.restore();
    this.runStart = this.now();
    this.runTouched = this.runStart;
    this.runId = this.store.startRun(this.runStart);
  }

  /**
   * Live configuration: the site file's alarm definitions again, against the tag table as it is now.
   * An alarm whose id stays keeps its state, acknowledgement, shelving and out-of-service (a changed
   * limit or delay is judged from the tag's next sample); a new one starts normal; a removed one
   * leaves the list (its state is recorded as normal, so a restart does not bring it back).
   * System alarms are not definitions and are untouched.
   */
  redefine(
    definitions: readonly AlarmDefinition[],
    tags: readonly TagInfo[],
  ): { kept: number; changed: number; added: number; removed: number } {
    const compiled = compileDefinitions(definitions, tags);
    const n = idSpanOf(tags);
    const lastValue = new Float64Array(n).fill(Number.NaN);
    lastValue.set(this.lastValue.subarray(0, Math.min(n, this.lastValue.length)));
    const lastQuality = new Uint8Array(n).fill(2);
    lastQuality.set(this.lastQuality.subarray(0, Math.min(n, this.lastQuality.length)));
    this.lastValue = lastValue;
    this.lastQuality = lastQuality;
    this.byTag = new Array(n);
    this.suppressors = new Array(n);
    this.setpointOf = new Array(n);
    const push = (index: (Runtime[] | undefined)[], id: number, rt: Runtime) => {
      const list = index[id];
      if (list) list.push(rt);
      else index[id] = [rt];
    };
    const counts = { kept: 0, changed: 0, added: 0, removed: 0 };
    const wanted = new Set<string>();
    for (const def of compiled) {
      wanted.add(def.id);
      const existing = this.runtimes.get(def.id);
      const rt = existing && !existing.system ? existing : this.newRuntime(def, false);
      if (rt === existing) {
        if (JSON.stringify(rt.def) === JSON.stringify(def)) counts.kept++;
        else {
          counts.changed++;
          rt.def = def;
          if (!rt.state.condition) rt.message = renderMessage(def, null);
        }
      } else {
        counts.added++;
        this.runtimes.set(def.id, rt);
      }
      push(this.byTag, def.tagId, rt);
      if (def.suppressTagId >= 0) push(this.suppressors, def.suppressTagId, rt);
      if (def.setpointTagId >= 0) push(this.setpointOf, def.setpointTagId, rt);
    }
    for (const [id, rt] of this.runtimes) {
      if (rt.system || wanted.has(id)) continue;
      counts.removed++;
      this.runtimes.delete(id);
      this.pending.delete(rt);
      rt.state = INITIAL_STATE;
      rt.maskReason = '';
      rt.maskBy = null;
      rt.conditionSince = null;
      rt.changedAt = this.now();
      this.index(rt);
      this.dirty.add(rt);
    }
    this.flush();
    return counts;
  }

  /** Record how long this run lasted (the capability calls it before closing events.db). */
  stop(): void {
    if (this.runId !== null) this.store.touchRun(this.runId, this.now());
  }

  private newRuntime(def: CompiledAlarm, system: boolean): Runtime {
    return {
      def,
      state: INITIAL_STATE,
      raw: false,
      pendingSince: Number.NaN,
      judged: Number.NaN,
      prevValue: Number.NaN,
      prevTs: Number.NaN,
      message: renderMessage(def, null),
      messageAt: 0,
      maskReason: '',
      maskBy: null,
      conditionSince: null,
      changedAt: 0,
      system,
    };
  }

  private systemDef(source: string, message: string, priority: Priority): CompiledAlarm {
    return {
      id: `system.${source.replace(/[^A-Za-z0-9_.:-]/g, '_')}`,
      tagId: -1,
      tag: source,
      area: '',
      machine: '',
      unit: '',
      decimals: undefined,
      type: 'bad_quality',
      sense: 'above',
      limit: Number.NaN,
      priority,
      deadband: 0,
      onDelayMs: 0,
      offDelayMs: 0,
      message,
      latch: false,
      suppressTagId: -1,
      suppressEquals: 0,
      setpointTagId: -1,
    };
  }

  /** Bring back every alarm's state and acknowledgement as the last run left them. */
  private restore(): void {
    for (const row of this.store.loadStates()) {
      let rt = this.runtimes.get(row.alarmId);
      if (!rt && row.system) {
        rt = this.newRuntime(this.systemDef(row.tag, row.message, row.priority), true);
        this.runtimes.set(rt.def.id, rt);
      }
      if (!rt) continue;
      rt.state = row.state;
      rt.raw = row.state.condition;
      rt.message = row.message;
      rt.maskReason = row.maskReason;
      rt.maskBy = row.maskBy;
      // A state saved before the column existed: the activation is the best known start.
      rt.conditionSince = row.conditionSince ?? (row.state.condition ? row.state.activeSince : null);
      rt.changedAt = row.changedAt;
      if (row.state.value !== null) rt.judged = row.state.value;
      this.index(rt);
    }
  }

  private index(rt: Runtime): void {
    if (displayState(rt.state) === 'normal') this.listed.delete(rt);
    else this.listed.add(rt);
    if (rt.state.shelvedUntil !== null) this.shelved.add(rt);
    else this.shelved.delete(rt);
  }

  // ── evaluation ────────────────────────────────────────────────────────────────────────────────

  /** Judge one batch from the tag bus. The batch's arrays are the bus's buffers: nothing is kept. */
  evaluate(batch: SampleBatch): void {
    const now = this.now();
    const { ids, values, quality, ts } = batch;
    for (let i = 0; i < batch.length; i++) {
      const id = ids[i] as number;
      if (id >= this.lastValue.length) continue;
      const v = values[i] as number;
      const q = quality[i] as number;
      this.lastValue[id] = v;
      this.lastQuality[id] = q;
      const sup = this.suppressors[id];
      if (sup !== undefined && q !== 2) this.judgeSuppression(sup, v, now);
      const sp = this.setpointOf[id];
      if (sp !== undefined) {
        for (const rt of sp) {
          const t = rt.def.tagId;
          this.judge(rt, this.lastValue[t] as number, this.lastQuality[t] as number, ts[i] as number, now);
        }
      }
      const list = this.byTag[id];
      if (list === undefined) continue;
      for (let k = 0; k < list.length; k++) this.judge(list[k] as Runtime, v, q, ts[i] as number, now);
    }
    this.flush();
  }

  private judgeSuppression(list: readonly Runtime[], v: number, now: number): void {
    for (const rt of list) {
      const on = v === rt.def.suppressEquals;
      if (on === rt.state.suppressed) continue;
      if (on) {
        this.apply(rt, { kind: 'suppress', ts: now });
        continue;
      }
      // The condition established while suppressed (a stopped pump's low flow) is not an alarm yet
      // when the suppression ends: the restarting pump gets its on-delay like any new condition.
      // So the condition is cleared (still suppressed, journaled) and its on-delay starts now; if
      // it still holds when the delay runs out, the alarm activates then, with its own active since.
      const reArm = rt.state.condition && rt.def.onDelayMs > 0 && !rt.state.outOfService && rt.state.shelvedUntil === null;
      if (reArm) this.apply(rt, { kind: 'clear', ts: now, value: finiteOrNull(rt.judged) });
      this.apply(rt, { kind: 'unsuppress', ts: now });
      if (reArm && rt.raw) {
        rt.pendingSince = now;
        this.pending.add(rt);
      }
    }
  }

  /**
   * Hysteresis first, then the on/off delays. The deadband widens the band only for an alarm whose
   * condition is already active (it delays the clear), so an on-delay needs the limit itself to be
   * exceeded the whole time, and the message never shows a value short of the limit.
   */
  private judge(rt: Runtime, v: number, q: number, ts: number, now: number): void {
    const d = rt.def;
    const active = rt.state.condition;
    let raw: boolean;
    let judged = v;
    switch (d.type) {
      case 'bad_quality':
        raw = q === 2;
        break;
      case 'discrete':
        if (q === 2 || Number.isNaN(v)) return;
        raw = v === d.limit;
        break;
      case 'roc': {
        if (q === 2 || Number.isNaN(v)) return;
        const dt = (ts - rt.prevTs) / 1000;
        const prev = rt.prevValue;
        rt.prevValue = v;
        rt.prevTs = ts;
        if (!(dt > 0) || Number.isNaN(prev)) return;
        judged = Math.abs(v - prev) / dt;
        raw = active ? judged > d.limit - d.deadband : judged > d.limit;
        break;
      }
      case 'deviation': {
        const sp = this.lastValue[d.setpointTagId] as number;
        if (q === 2 || Number.isNaN(v) || Number.isNaN(sp) || this.lastQuality[d.setpointTagId] === 2) return;
        judged = Math.abs(v - sp);
        raw = active ? judged > d.limit - d.deadband : judged > d.limit;
        break;
      }
      default:
        if (q === 2 || Number.isNaN(v)) return;
        if (d.sense === 'above') raw = active ? v > d.limit - d.deadband : v > d.limit;
        else raw = active ? v < d.limit + d.deadband : v < d.limit;
    }
    rt.raw = raw;
    rt.judged = judged;
    // A model alarm's text carries the current score, not the one at activation (a score goes on
    // rising or falling while the alarm stands); only values beyond the limit are shown.
    if (d.type === 'model' && raw && rt.state.condition && now - rt.messageAt >= MODEL_MESSAGE_EVERY_MS) {
      const beyond = d.sense === 'above' ? v > d.limit : v < d.limit;
      const text = renderMessage(d, v);
      if (beyond && text !== rt.message) {
        rt.message = text;
        rt.messageAt = now;
        this.dirty.add(rt);
      }
    }
    if (raw === rt.state.condition) {
      if (!Number.isNaN(rt.pendingSince)) {
        rt.pendingSince = Number.NaN;
        this.pending.delete(rt);
      }
      return;
    }
    const delay = raw ? d.onDelayMs : d.offDelayMs;
    if (delay === 0) this.changeCondition(rt, now);
    else if (Number.isNaN(rt.pendingSince)) {
      rt.pendingSince = now;
      this.pending.add(rt);
    } else if (now - rt.pendingSince >= delay) this.changeCondition(rt, now);
  }

  private changeCondition(rt: Runtime, now: number): void {
    rt.pendingSince = Number.NaN;
    this.pending.delete(rt);
    const value = finiteOrNull(rt.judged);
    if (rt.raw) {
      rt.message = renderMessage(rt.def, rt.judged);
      rt.messageAt = now;
    }
    this.apply(rt, rt.raw ? { kind: 'activate', ts: now, value } : { kind: 'clear', ts: now, value });
  }

  /** Time-driven work: on/off delays that have run out, shelving that has expired. Call every second or so. */
  tick(now = this.now()): void {
    if (this.runId !== null && now - this.runTouched >= RUN_TOUCH_MS) {
      this.runTouched = now;
      this.store.touchRun(this.runId, now);
    }
    for (const rt of this.pending) {
      const delay = rt.raw ? rt.def.onDelayMs : rt.def.offDelayMs;
      if (now - rt.pendingSince >= delay) this.changeCondition(rt, now);
    }
    for (const rt of this.shelved) {
      const until = rt.state.shelvedUntil;
      if (until !== null && now >= until) this.apply(rt, { kind: 'unshelve', ts: now, user: 'system' });
    }
    this.flush();
  }

  private apply(rt: Runtime, e: AlarmEvent): boolean {
    const next = reduce(rt.state, e, rt.def.latch);
    if (next === rt.state) return false;
    // What "active since" a masked row shows: the row's own when it is masked while annunciated
    // (shelving does not move it), the activation's when the condition arises under the mask.
    if (next.condition && !rt.state.condition) rt.conditionSince = e.ts;
    else if (!next.condition) rt.conditionSince = null;
    else if (rt.state.activeSince !== null && next.activeSince === null) rt.conditionSince = rt.state.activeSince;
    rt.state = next;
    rt.changedAt = e.ts;
    if (e.kind === 'shelve' || e.kind === 'out_of_service') {
      rt.maskReason = e.reason;
      rt.maskBy = e.user;
    } else if (next.shelvedUntil === null && !next.outOfService) {
      rt.maskReason = '';
      rt.maskBy = null;
    }
    this.index(rt);
    const d = rt.def;
    this.journalBuffer.push({
      ts: e.ts,
      alarmId: d.id,
      tag: d.tag,
      area: d.area,
      kind: e.kind,
      state: displayState(next),
      value: e.kind === 'activate' || e.kind === 'clear' ? e.value : next.value,
      limit: finiteOrNull(d.limit),
      priority: d.priority,
      user: 'user' in e ? e.user : null,
      comment: e.kind === 'ack' ? e.comment : e.kind === 'shelve' || e.kind === 'out_of_service' ? e.reason : '',
      message: rt.message,
      until: e.kind === 'shelve' ? e.until : null,
      oneShot: e.kind === 'shelve' && e.oneShot,
    });
    this.dirty.add(rt);
    return true;
  }

  private flush(): void {
    if (this.dirty.size === 0) return;
    const states: StateRow[] = [];
    for (const rt of this.dirty) {
      states.push({
        alarmId: rt.def.id,
        tag: rt.def.tag,
        area: rt.def.area,
        priority: rt.def.priority,
        message: rt.message,
        state: rt.state,
        maskReason: rt.maskReason,
        maskBy: rt.maskBy,
        conditionSince: rt.conditionSince,
        changedAt: rt.changedAt,
        system: rt.system,
      });
    }
    const journal = this.journalBuffer;
    this.journalBuffer = [];
    const changed = this.onChange ? [...this.dirty].map((rt) => this.toRow(rt)) : [];
    this.dirty.clear();
    this.store.write(journal, states);
    this.onChange?.({ changed, counts: this.counts() });
  }

  // ── system alarms ─────────────────────────────────────────────────────────────────────────────

  /** An alarm about the console itself (historian disk full, worker died, link lost), keyed by source. */
  raiseSystemAlarm(source: string, message: string, priority: Priority): AlarmRow {
    const def = this.systemDef(source, message, priority);
    let rt = this.runtimes.get(def.id);
    if (!rt) {
      rt = this.newRuntime(def, true);
      this.runtimes.set(def.id, rt);
    }
    const reworded = rt.message !== message || rt.def.priority !== priority;
    rt.def = def;
    rt.message = message;
    rt.raw = true;
    if (!this.apply(rt, { kind: 'activate', ts: this.now(), value: null }) && reworded) this.dirty.add(rt);
    this.flush();
    return this.toRow(rt);
  }

  /** The condition behind a system alarm is gone; it still needs acknowledging if it was never acknowledged. */
  clearSystemAlarm(source: string): void {
    const rt = this.runtimes.get(this.systemDef(source, '', 'Low').id);
    if (!rt) return;
    rt.raw = false;
    this.apply(rt, { kind: 'clear', ts: this.now(), value: null });
    this.flush();
  }

  // ── operator actions ──────────────────────────────────────────────────────────────────────────

  private get(id: string): Runtime {
    const rt = this.runtimes.get(id);
    if (!rt) throw new AlarmNotFoundError(`no alarm "${id}"`);
    return rt;
  }

  ack(ids: readonly string[], user: string, comment = ''): AckOutcome {
    const list = ids.map((id) => this.get(id));
    const ts = this.now();
    const out: AckOutcome = { acknowledged: [], unchanged: [] };
    for (const rt of list) {
      if (this.apply(rt, { kind: 'ack', ts, user, comment })) out.acknowledged.push(rt.def.id);
      else out.unchanged.push(rt.def.id);
    }
    this.flush();
    return out;
  }

  shelve(id: string, minutes: number, reason: string, user: string, oneShot = false): AlarmRow {
    const rt = this.get(id);
    if (rt.state.outOfService) throw new AlarmStateError(`alarm "${id}" is out of service`);
    const ts = this.now();
    this.apply(rt, { kind: 'shelve', ts, user, until: ts + Math.round(minutes * 60_000), oneShot, reason });
    this.flush();
    return this.toRow(rt);
  }

  unshelve(id: string, user: string): AlarmRow {
    const rt = this.get(id);
    if (rt.state.shelvedUntil === null) throw new AlarmStateError(`alarm "${id}" is not shelved`);
    this.apply(rt, { kind: 'unshelve', ts: this.now(), user });
    this.flush();
    return this.toRow(rt);
  }

  /**
   * Take the alarm out of service; `wholeTag` also every other alarm on its tag (the instrument is
   * removed: its hi, hihi and bad-quality alarms go together, whatever their state). Refused when
   * every alarm it names is out of service already.
   */
  outOfService(id: string, user: string, reason: string, wholeTag = false): AlarmRow {
    const rt = this.get(id);
    const targets = (wholeTag ? this.onTagOf(rt) : [rt]).filter((r) => !r.state.outOfService);
    if (targets.length === 0)
      throw new AlarmStateError(
        wholeTag ? `every alarm on tag "${rt.def.tag}" is already out of service` : `alarm "${id}" is already out of service`,
      );
    const ts = this.now();
    for (const r of targets) this.apply(r, { kind: 'out_of_service', ts, user, reason });
    this.flush();
    return this.toRow(rt);
  }

  /** Return the alarm to service; `wholeTag` also every other alarm on its tag that is out of service. */
  returnToService(id: string, user: string, wholeTag = false): AlarmRow {
    const rt = this.get(id);
    const targets = (wholeTag ? this.onTagOf(rt) : [rt]).filter((r) => r.state.outOfService);
    if (targets.length === 0)
      throw new AlarmStateError(wholeTag ? `no alarm on tag "${rt.def.tag}" is out of service` : `alarm "${id}" is in service`);
    const ts = this.now();
    for (const r of targets) this.apply(r, { kind: 'return_to_service', ts, user });
    this.flush();
    return this.toRow(rt);
  }

  /** The alarms defined on the same tag as `rt` (itself first); a system alarm stands alone. */
  private onTagOf(rt: Runtime): Runtime[] {
    if (rt.system) return [rt];
    return [rt, ...(this.byTag[rt.def.tagId] ?? []).filter((r) => r !== rt)];
  }

  // ── queries ───────────────────────────────────────────────────────────────────────────────────

  private toRow(rt: Runtime): AlarmRow {
    const s = rt.state;
    const d = rt.def;
    return {
      id: d.id,
      tag: d.tag,
      area: d.area,
      machine: d.machine,
      type: rt.system ? 'system' : d.type,
      priority: d.priority,
      state: displayState(s),
      message: rt.message,
      value: s.value,
      limit: finiteOrNull(d.limit),
      unit: d.unit,
      condition: s.condition,
      latched: d.latch,
      // A masked alarm (shelved, suppressed, out of service) whose condition stands shows since when.
      activeSince: iso(s.activeSince ?? rt.conditionSince),
      ackedAt: iso(s.ackedAt),
      ackedBy: s.ackedBy,
      shelvedUntil: iso(s.shelvedUntil),
      maskReason: rt.maskReason,
      maskedBy: rt.maskBy,
      changedAt: new Date(rt.changedAt).toISOString(),
    };
  }

  /** One alarm as listed, whatever its state; null for an unknown id. */
  row(id: string): AlarmRow | null {
    const rt = this.runtimes.get(id);
    return rt ? this.toRow(rt) : null;
  }

  /** The state machine's state of one alarm (tests, diagnostics). */
  stateOf(id: string): AlarmState {
    return this.get(id).state;
  }

  /** Fold the alarm's journal from the initial state: equals stateOf(id) unless the journal was tampered with. */
  replayJournal(id: string): AlarmState {
    return replay(this.store.journalOf(id), this.get(id).def.latch);
  }

  ids(): string[] {
    return [...this.runtimes.keys()];
  }

  counts(): AlarmCounts {
    const c: AlarmCounts = { unacknowledged: zeroByPriority(), active: zeroByPriority(), shelved: 0, suppressed: 0, outOfService: 0 };
    for (const rt of this.listed) {
      const st = displayState(rt.state);
      const p = rt.def.priority;
      if (st === 'unack_active' || st === 'unack_rtn') c.unacknowledged[p]++;
      if (st === 'unack_active' || st === 'ack_active') c.active[p]++;
      else if (st === 'shelved') c.shelved++;
      else if (st === 'suppressed') c.suppressed++;
      else if (st === 'out_of_service') c.outOfService++;
    }
    return c;
  }

  /** The alarm list: highest priority first, then most recent. */
  list(states?: readonly AlarmStateWire[]): AlarmList {
    const wanted = states && states.length > 0 ? new Set<string>(states) : null;
    const rows: AlarmRow[] = [];
    for (const rt of this.listed) {
      if (wanted && !wanted.has(displayState(rt.state))) continue;
      rows.push(this.toRow(rt));
    }
    rows.sort((a, b) => PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] || b.changedAt.localeCompare(a.changedAt));
    return { alarms: rows, counts: this.counts() };
  }

  journal(q: JournalQuery = {}): JournalEntry[] {
    return this.store.journal(q);
  }

  exportJournalCsv(q: JournalQuery = {}): string {
    return runToEnd(this.exportJournalCsvSteps(q));
  }

  /** The journal CSV as steps of 2,000 entries, for runSliced (a long journal takes seconds to format). */
  *exportJournalCsvSteps(q: JournalQuery = {}): Generator<void, string> {
    const header = [
      'seq',
      'time',
      'alarm',
      'tag',
      'area',
      'event',
      'state',
      'value',
      'limit',
      'priority',
      'user',
      'comment',
      'message',
      'until',
    ];
    // One CSV writer: each page is formatted with the header, which is cut off from all but the first.
    const headerText = toCsv(header, []);
    const parts = [headerText];
    const PAGE = 2_000;
    for (let offset = 0; ; offset += PAGE) {
      const page = this.store.journal({ ...q, limit: PAGE, offset });
      if (page.length === 0) break;
      const rows = page.map((e) => [
        e.seq,
        e.ts,
        e.alarmId,
        e.tag,
        e.area,
        e.kind,
        e.state,
        e.value,
        e.limit,
        e.priority,
        e.user,
        e.comment,
        e.message,
        e.until,
      ]);
      parts.push(toCsv(header, rows).slice(headerText.length));
      yield;
    }
    return parts.join('');
  }

  /**
   * EEMUA 191 / ISA-18.2 KPIs over [from, to); stale, shelved and out-of-service figures are as of
   * now. The journal is read a day at a time with the event loop given back between days.
   */
  kpis(from?: number, to?: number, onSlice?: (slices: number) => void): Promise<AlarmKpis> {
    const now = this.now();
    const end = to ?? now;
    const start = from ?? end - DAY_MS;
    const current = () =>
      [...this.runtimes.values()].map((rt) => ({
        id: rt.def.id,
        tag: rt.def.tag,
        state: displayState(rt.state),
        activeSince: rt.state.activeSince,
      }));
    const what = `alarm KPIs over ${new Date(start).toISOString()} … ${new Date(end).toISOString()}`;
    // The time the service was judging values: earlier runs as recorded, this one up to now.
    const observed = [...this.store.runs(start, end, this.runId), { start: this.runStart, end: now }];
    return runSliced(
      kpiSteps((a, z) => this.store.activations(a, z), current, start, end, now, undefined, observed),
      {
        what,
        deadlineMs: ALARM_LIMITS.kpisDeadlineMs,
        onSlice,
      },
    );
  }
}

/** Per-id arrays span the highest id + 1: after live configuration removed a tag, ids are not indexes (ids ascend). */
function idSpanOf(tags: readonly TagInfo[]): number {
  return tags.length === 0 ? 0 : (tags[tags.length - 1] as TagInfo).id + 1;
}
