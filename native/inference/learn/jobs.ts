// Learning from the console as a job: start (machine, period, tags) → progress → a candidate with its
// report → approve (a new version in the registry, activated) or discard; or cancel while it runs.
// One job per machine at a time, each under a deadline, run in slices (util/sliced.ts) with cancel
// checked between them. Each candidate is kept under its own job id (learn/candidates.ts: a restart
// keeps it and its report) until it is approved or discarded on its own, so an engineer's candidate
// and one learned after maintenance wait side by side; at most LEARN_LIMITS.candidates per machine,
// the oldest discarded first (a system message names it). Approving writes
// <dataDir>/models/learned-<machine>/<n>/ with its report and who approved it, then activates it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  type ExcludedSpan,
  LEARN_LIMITS,
  type LearnApproval,
  type LearnJob,
  type LearnOrigin,
  type LearnSpans,
  type MachineModels,
  type MachinePredictionState,
  type ModelVersion,
} from '../../api/prediction-requests.js';
import type { MachineInfo, TagInfo } from '../../api/types.js';
import type { AuditLog } from '../../auth/audit.js';
import { describeError } from '../../util/errors.js';
import { DeadlineExceeded, runSliced } from '../../util/sliced.js';
import { listModels, modelKey, writeModel } from '../registry.js';
import { learnedName, loadCandidates, removeCandidate, saveCandidate } from './candidates.js';
import { DEFAULT_PCA_OPTIONS, PCA_GRAPH } from './pca.js';
import { learnPlan } from './plan.js';
import { fitStreaming, HELD_BACK_TEXT, type RowFilter, type StreamFit, type StretchRows } from './stream.js';

/** Rows of `tags` (full names) on a grid of `periodMs` from `from` to `to`, both included (historian rangeRead). */
export type RangeReader = (tags: readonly string[], from: number, to: number, periodMs: number) => StretchRows;

/** An alarm's activations and clears (the alarm journal), oldest first or not. */
export interface AlarmJournalEntry {
  seq: number;
  ts: string;
  alarmId: string;
  tag: string;
  kind: string;
  message: string;
}

export interface LearningOptions {
  machines: readonly MachineInfo[];
  tags: readonly TagInfo[];
  read: RangeReader;
  /**
   * The value of a state tag (full name) in force at `t`: its last good stored value at or before
   * it (learn/state.ts), NaN when none is known. Without it a stretch starts from its own rows only.
   */
  stateAt?: (tag: string, t: number) => number;
  /** The machine's alarm activations and clears from `from` to `to` (ms); without it no alarm span is known. */
  alarmJournal?: (machine: string, from: number, to: number) => AlarmJournalEntry[];
  /** Where approved models go (<dataDir>/models); null: learning is refused. */
  learnedDir: string | null;
  /** Where candidates awaiting approval are kept across restarts (<dataDir>/learn-candidates); without it, in memory only. */
  candidatesDir?: string | null;
  /** A message for people (a kept candidate that could not be read back or saved). */
  say?: (message: string) => void;
  /**
   * The audit trail. A request's discard is written by the request recorder (auth/recorder.ts);
   * a candidate the console discards on its own (past LEARN_LIMITS.candidates) is written here, in
   * the same trail under the same action, so the trail has no hole where no one asked.
   */
  audit: Pick<AuditLog, 'append'>;
  /** Every registry root, shipped first. */
  roots: () => string[];
  /** The machine's bound model (its versions are listed beside the learned ones). */
  bindings: readonly { machine: string; model: string }[];
  activate(machine: string, name: string, version: number): Promise<MachinePredictionState>;
  /** `name@version` the machine runs now, or null. */
  active(machine: string): string | null;
  now?: () => number;
  deadlineMs?: number;
}

export interface StartArgs {
  machine: string;
  from: number;
  to: number;
  tags?: string[] | undefined;
  include?: { stopped: boolean; alarms: boolean } | undefined;
}

/** The job was cancelled between two slices of its work. */
class Cancelled extends Error {
  override name = 'Cancelled';
}

interface Job {
  wire: LearnJob;
  cancel: { by: string | null } | null;
  candidate: StreamFit | null;
  /** Settles when the work ends, whatever the outcome (stop() waits on it). */
  done: Promise<void>;
}

const PERIOD_MS = 1000;
/** Alarms already active when a period starts are found by reading the journal this far back. */
const ALARM_LOOKBACK_MS = 7 * 86_400_000;

export { learnedName } from './candidates.js';

/** Yield what `steps` yields, but end with Cancelled at the first yield after `cancelled()` turns true. */
function* cancellable<T>(steps: Generator<void, T>, cancelled: () => boolean): Generator<void, T> {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (cancelled()) {
      steps.return(undefined as T);
      throw new Cancelled('cancelled');
    }
    yield;
  }
}

/** Alarm spans [from, to) per activation, from the journal's activate/clear pairs of the machine's own (not model-derived) tags. */
function alarmSpans(
  entries: readonly AlarmJournalEntry[],
  tags: ReadonlySet<string>,
  to: number,
): { from: number; to: number; what: string }[] {
  const open = new Map<string, { from: number; what: string }>();
  const out: { from: number; to: number; what: string }[] = [];
  for (const e of [...entries].sort((a, b) => a.seq - b.seq)) {
    if (!tags.has(e.tag)) continue;
    const at = Date.parse(e.ts);
    if (e.kind === 'activate' && !open.has(e.alarmId)) open.set(e.alarmId, { from: at, what: e.message || e.alarmId });
    else if (e.kind === 'clear') {
      const o = open.get(e.alarmId);
      if (o) out.push({ from: o.from, to: at, what: o.what });
      open.delete(e.alarmId);
    }
  }
  for (const o of open.values()) out.push({ from: o.from, to, what: o.what });
  return out.sort((a, b) => a.from - b.from);
}

/** Jobs of this session that are neither running, awaiting approval nor a machine's latest are forgotten past this many. */
const ENDED_KEPT = 64;

export class Learning {
  /** Every job by id, in the order started (candidates read back after a restart first, oldest first). */
  private readonly jobs = new Map<string, Job>();
  /** Each machine's latest job (models.learn.status). */
  private readonly latest = new Map<string, Job>();
  private counter = 0;
  private readonly now: () => number;
  private readonly byName: Map<string, TagInfo>;

  constructor(private readonly opts: LearningOptions) {
    this.now = opts.now ?? Date.now;
    this.byName = new Map(opts.tags.map((t) => [t.name, t]));
    if (!opts.candidatesDir) return;
    // The candidates kept before a restart await their approval again.
    const { candidates, refused } = loadCandidates(opts.candidatesDir);
    for (const message of refused) opts.say?.(message);
    for (const c of candidates.sort((a, b) => (a.wire.finishedAt ?? 0) - (b.wire.finishedAt ?? 0))) {
      if (!opts.machines.some((m) => m.name === c.wire.machine)) {
        opts.say?.(`learning candidate ${c.wire.id} of ${c.wire.machine} left out: this site has no machine of that name`);
        continue;
      }
      if (this.jobs.has(c.wire.id)) {
        opts.say?.(`learning candidate ${c.wire.id} of ${c.wire.machine} left out: a candidate with that job id was read already`);
        continue;
      }
      const job: Job = { wire: c.wire, cancel: null, candidate: c.fit, done: Promise.resolve() };
      this.jobs.set(c.wire.id, job);
      this.latest.set(c.wire.machine, job);
    }
    for (const m of opts.machines) this.bound(m.name);
  }

  /** The machine's candidates awaiting approval, oldest first. */
  private candidates(machine: string): (Job & { candidate: StreamFit })[] {
    return [...this.jobs.values()].filter(
      (j): j is Job & { candidate: StreamFit } => j.wire.machine === machine && j.wire.state === 'candidate' && j.candidate !== null,
    );
  }

  /** At most LEARN_LIMITS.candidates per machine: the oldest beyond it are discarded, each said with its origin and period. */
  private bound(machine: string): void {
    const waiting = this.candidates(machine);
    for (const job of waiting.slice(0, Math.max(0, waiting.length - LEARN_LIMITS.candidates))) {
      const w = job.wire;
      this.drop(job, `discarded: ${machine} keeps at most ${LEARN_LIMITS.candidates} candidates awaiting approval and this was the oldest`);
      const origin = describeOrigin(w);
      const from = new Date(w.from).toISOString();
      const to = new Date(w.to).toISOString();
      this.opts.say?.(`${machine}: learning candidate ${w.id} (${origin}, ${from} – ${to}) ${w.message}`);
      // Shaped as the recorder writes an engineer's models.learn.discard (its arguments and result: the
      // job's state and message, not its report), with the console as the actor and why.
      try {
        this.opts.audit.append({
          actor: 'system',
          origin: 'internal',
          action: 'models.learn.discard',
          target: machine,
          details: {
            reason: `more than ${LEARN_LIMITS.candidates} candidates for ${machine}`,
            candidate: { origin, from, to },
            args: { machine, job: w.id },
            result: { id: w.id, state: w.state, message: w.message },
          },
          result: 'ok',
        });
      } catch (err) {
        // The candidate is gone either way; a trail that cannot be written is said, not thrown into the job.
        this.opts.say?.(`${machine}: the discard of learning candidate ${w.id} was not written to the audit trail: ${describeError(err)}`);
      }
    }
  }

  /** The candidate ends discarded and its kept files go. */
  private drop(job: Job, message: string): void {
    job.candidate = null;
    job.wire.state = 'discarded';
    job.wire.message = message;
    this.forget(job.wire.machine, job.wire.id);
  }

  /** A fresh job id, never one in use (ids of candidates read back after a restart included). */
  private nextId(): string {
    for (;;) {
      const id = `learn-${++this.counter}-${this.now().toString(36)}`;
      if (!this.jobs.has(id)) return id;
    }
  }

  /** Forget ended jobs of this session past ENDED_KEPT (never one running, awaiting approval or a machine's latest). */
  private prune(): void {
    let over = this.jobs.size - ENDED_KEPT;
    for (const [id, job] of this.jobs) {
      if (over <= 0) return;
      if (job.wire.state === 'running' || job.candidate || this.latest.get(job.wire.machine) === job) continue;
      this.jobs.delete(id);
      over--;
    }
  }

  /** Keep the machine's candidate across restarts; a failure to write is said, the candidate stays in memory. */
  private keep(wire: LearnJob, fit: StreamFit): void {
    const dir = this.opts.candidatesDir;
    if (!dir) return;
    try {
      saveCandidate(dir, learnedName(wire.machine), wire, fit);
    } catch (err) {
      wire.message = `kept in memory only (a restart loses it): ${describeError(err)}`;
      this.opts.say?.(`${wire.machine}: learning candidate ${wire.id} ${wire.message}`);
    }
  }

  private forget(machine: string, id: string): void {
    const dir = this.opts.candidatesDir;
    if (!dir) return;
    try {
      removeCandidate(dir, learnedName(machine), id);
    } catch (err) {
      this.opts.say?.(`${machine}: the kept learning candidate ${id} could not be removed: ${describeError(err)}`);
    }
  }

  private machine(name: string): MachineInfo {
    const m = this.opts.machines.find((x) => x.name === name);
    if (!m) throw new Error(`no machine named "${name}" on this site (write Site/Area/Machine)`);
    return m;
  }

  /** The machine's running tag within the machine (e.g. "Running"), if its template names one. */
  private runningTag(m: MachineInfo): string | null {
    const full = m.roles.running;
    return full?.startsWith(`${m.name}/`) ? full.slice(m.name.length + 1) : null;
  }

  /** Which rows a period leaves out, as a filter over rows whose column `runningCol` is the running tag. */
  private filter(
    m: MachineInfo,
    from: number,
    to: number,
    runningCol: number,
    include: { stopped: boolean; alarms: boolean },
    tags: readonly string[],
  ): RowFilter {
    const running = this.runningTag(m);
    const own = new Set(this.opts.tags.filter((t) => t.name.startsWith(`${m.name}/`) && t.connection !== 'models').map((t) => t.name));
    const alarms =
      include.alarms || !this.opts.alarmJournal ? [] : alarmSpans(this.opts.alarmJournal(m.name, from - ALARM_LOOKBACK_MS, to), own, to);
    let a = 0;
    let last = Number.NEGATIVE_INFINITY;
    return (t, row) => {
      for (let j = 0; j < row.length; j++)
        if (!Number.isFinite(row[j] as number)) return { reason: 'no data', detail: `${tags[j]} has no good value` };
      if (!include.stopped && runningCol >= 0 && !((row[runningCol] as number) > 0.5))
        return { reason: 'stopped', detail: `${running} off` };
      // Rows come in time order within a pass (each pass starts again); the spans are sorted by
      // start, and those skipped have ended before t, so the cursor only moves on within a pass.
      if (t < last) a = 0;
      last = t;
      while (a < alarms.length && (alarms[a] as { to: number }).to <= t) a++;
      let what = '';
      for (let i = a; i < alarms.length && (alarms[i] as { from: number }).from <= t; i++)
        if ((alarms[i] as { to: number }).to > t)
          what = what ? `${what}; ${(alarms[i] as { what: string }).what}` : (alarms[i] as { what: string }).what;
      return what ? { reason: 'alarm', detail: what } : null;
    };
  }

  /** The inputs a job reads: the named tags (or the machine's numeric measurements), the running tag first where it gates the model. */
  private inputs(m: MachineInfo, tags: string[] | undefined, include: { stopped: boolean }): { inputs: string[]; gate: string | null } {
    const chosen = tags ?? this.defaultTags(m);
    for (const t of chosen) if (!this.byName.has(`${m.name}/${t}`)) throw new Error(`machine ${m.name} has no tag "${t}"`);
    const running = include.stopped ? null : this.runningTag(m);
    const inputs = running ? [running, ...chosen.filter((t) => t !== running)] : [...new Set(chosen)];
    if (inputs.length > LEARN_LIMITS.tags)
      throw new Error(
        `${m.name} has ${inputs.length} tags to learn on, more than the limit of ${LEARN_LIMITS.tags}; name at most ${LEARN_LIMITS.tags} in "tags"`,
      );
    if (inputs.length === (running ? 1 : 0)) throw new Error(`${m.name} has no numeric measurement to learn on; name the tags`);
    return { inputs, gate: running };
  }

  /**
   * Reads the stretches of a pass in order. With `state` (the running tag's column), its last good
   * value is held over rows where it has none: a state is stored when it changes, so a running state
   * that has not changed since a Bad sample of it (a link's first moments) is still that state. A
   * stretch that does not join the one before starts from the value in force at its start (the
   * historian's last good value at or before it, `stateAt`), however long ago it was stored; the
   * measurements are never held.
   */
  private reader(machine: string, inputs: readonly string[], state: number | null) {
    const names = inputs.map((t) => `${machine}/${t}`);
    let held = Number.NaN;
    let end = Number.NaN;
    return (seg: { from: number; to: number }) => {
      const rows = this.opts.read(names, seg.from, seg.to, PERIOD_MS);
      if (state === null) return rows;
      if (seg.from !== end + PERIOD_MS) held = this.opts.stateAt?.(names[state] as string, seg.from) ?? Number.NaN;
      end = seg.to;
      const col = rows.columns[state] as Float64Array;
      for (let i = 0; i < col.length; i++) {
        if (Number.isFinite(col[i] as number)) held = col[i] as number;
        else col[i] = held;
      }
      return rows;
    };
  }

  /** The spans of a period learning leaves out by default, read as learning would read it. */
  spans(machineName: string, from: number, to: number): LearnSpans {
    const m = this.machine(machineName);
    const running = this.runningTag(m);
    const plan = learnPlan(from, to, PERIOD_MS);
    const filter = this.filter(m, from, to, running ? 0 : -1, { stopped: false, alarms: false }, running ? [running] : []);
    const read = running ? this.reader(m.name, [running], 0) : null;
    const spans: ExcludedSpan[] = [];
    let more = 0;
    const counts = { rows: 0, stopped: 0, alarm: 0, noData: 0 };
    let open: ExcludedSpan | null = null;
    const close = () => {
      if (open) {
        if (spans.length < LEARN_LIMITS.spans) spans.push(open);
        else more++;
      }
      open = null;
    };
    const none = new Float64Array(0);
    for (const seg of plan.segments) {
      const rows = read
        ? read(seg)
        : {
            ts: Float64Array.from({ length: Math.floor((seg.to - seg.from) / PERIOD_MS) + 1 }, (_, i) => seg.from + i * PERIOD_MS),
            columns: [],
          };
      const row = new Float64Array(rows.columns.length);
      for (let i = 0; i < rows.ts.length; i++) {
        const t = rows.ts[i] as number;
        counts.rows++;
        for (let j = 0; j < row.length; j++) row[j] = (rows.columns[j] as Float64Array)[i] as number;
        const why = filter(t, row.length ? row : none);
        if (!why) {
          close();
          continue;
        }
        if (why.reason === 'stopped') counts.stopped++;
        else if (why.reason === 'alarm') counts.alarm++;
        else counts.noData++;
        if (open && open.reason === why.reason && open.detail === why.detail && t <= open.to) open.to = t + PERIOD_MS;
        else {
          close();
          open = { from: t, to: t + PERIOD_MS, reason: why.reason, detail: why.detail };
        }
      }
    }
    close();
    return {
      machine: m.name,
      from,
      to,
      spans,
      more,
      rows: counts.rows,
      stoppedRows: counts.stopped,
      alarmRows: counts.alarm,
      noDataRows: counts.noData,
      subsampled: !plan.whole,
      tags: this.defaultTags(m),
    };
  }

  /** The tags a job reads when none are named: the machine's read-only float measurements, not energy counters or model outputs. */
  private defaultTags(m: MachineInfo): string[] {
    return this.opts.tags
      .filter(
        (t) => t.name.startsWith(`${m.name}/`) && t.connection !== 'models' && t.dataType === 'float' && !t.writable && t.unit !== 'kWh',
      )
      .map((t) => t.name.slice(m.name.length + 1));
  }

  status(machine: string): LearnJob | null {
    this.machine(machine);
    return this.latest.get(machine)?.wire ?? null;
  }

  /**
   * Start a job; refused while one runs for the machine. The candidates awaiting approval stay; the
   * new one joins them when it ends (the oldest past the bound discarded).
   */
  start(args: StartArgs, user: string | null, origin: LearnOrigin = 'engineer'): LearnJob {
    const m = this.machine(args.machine);
    if (!this.opts.learnedDir) throw new Error('learning needs a data folder to keep the model in');
    const running = this.latest.get(m.name);
    if (running?.wire.state === 'running')
      throw new Error(`${m.name} is learning already (job ${running.wire.id}); cancel it or wait for its report`);
    const include = args.include ?? { stopped: false, alarms: false };
    const { inputs, gate } = this.inputs(m, args.tags, include);
    const plan = learnPlan(args.from, args.to, PERIOD_MS);
    const wire: LearnJob = {
      id: this.nextId(),
      machine: m.name,
      origin,
      from: args.from,
      to: args.to,
      tags: inputs,
      include,
      state: 'running',
      phase: 'reading',
      fraction: 0,
      startedBy: user,
      startedAt: this.now(),
      finishedAt: null,
      message: null,
      report: null,
      model: null,
      approvedBy: null,
      approvedAt: null,
    };
    const job: Job = { wire, cancel: null, candidate: null, done: Promise.resolve() };
    const steps = fitStreaming({
      segments: plan.segments,
      subsampled: !plan.whole,
      tags: inputs,
      read: this.reader(m.name, inputs, gate ? 0 : null),
      exclude: this.filter(m, args.from, args.to, gate ? 0 : -1, include, inputs),
      periodMs: PERIOD_MS,
      options: DEFAULT_PCA_OPTIONS,
      maxSpans: LEARN_LIMITS.spans,
      progress: (phase, fraction) => {
        wire.phase = phase;
        wire.fraction = fraction;
      },
    });
    const finish = (state: LearnJob['state'], message: string | null) => {
      wire.state = state;
      wire.message = message;
      wire.finishedAt = this.now();
    };
    job.done = runSliced(
      cancellable(steps, () => job.cancel !== null),
      { what: `learning ${m.name}`, deadlineMs: this.opts.deadlineMs ?? LEARN_LIMITS.deadlineMs, now: this.now },
    ).then(
      (fit) => {
        job.candidate = fit;
        wire.report = fit.report;
        wire.phase = 'done';
        wire.fraction = 1;
        finish('candidate', null);
        this.keep(wire, fit);
        this.bound(m.name);
      },
      (err: unknown) => {
        if (err instanceof Cancelled) finish('cancelled', `cancelled by ${job.cancel?.by ?? 'the console'}`);
        else finish('failed', err instanceof DeadlineExceeded ? err.message : `learning ${m.name} failed: ${describeError(err)}`);
      },
    );
    this.jobs.set(wire.id, job);
    this.latest.set(m.name, job);
    this.prune();
    return wire;
  }

  /** Cancel the machine's running job; it ends at its next slice (await `settled` to see it). */
  cancel(machine: string, user: string | null): LearnJob {
    const job = this.latest.get(this.machine(machine).name);
    if (job?.wire.state !== 'running') throw new Error(`${machine} has no learning job running`);
    job.cancel = { by: user };
    return job.wire;
  }

  /** Settles when the machine's job has ended (tests; stop). */
  async settled(machine: string): Promise<LearnJob | null> {
    const job = this.latest.get(machine);
    if (!job) return null;
    await job.done;
    return job.wire;
  }

  private candidateOf(machine: string, id: string): Job & { candidate: StreamFit } {
    const m = this.machine(machine);
    const job = this.jobs.get(id);
    if (!job || job.wire.machine !== m.name) {
      const latest = this.latest.get(m.name);
      throw new Error(`${machine} has no learning job ${id}${latest ? ` (its latest is ${latest.wire.id}, ${latest.wire.state})` : ''}`);
    }
    if (job.wire.state === 'candidate' && !job.candidate) throw new Error(`job ${id} of ${machine} is being approved`);
    if (job.wire.state !== 'candidate' || !job.candidate)
      throw new Error(`job ${id} of ${machine} is ${job.wire.state}, not a candidate awaiting approval`);
    return job as Job & { candidate: StreamFit };
  }

  /** Keep the candidate as the machine's next learned version, record who approved it, and activate it. */
  async approve(machine: string, id: string, user: string | null): Promise<LearnApproval> {
    const job = this.candidateOf(machine, id);
    const dir = this.opts.learnedDir as string;
    const w = job.wire;
    const fit = job.candidate;
    const name = learnedName(w.machine);
    const version =
      Math.max(
        0,
        ...listModels(this.opts.roots())
          .filter((e) => e.name === name)
          .map((e) => e.version),
      ) + 1;
    const gate = w.tags[0] === this.runningTag(this.machine(w.machine)) ? (w.tags[0] as string) : null;
    const at = this.now();
    const folder = writeModel(
      dir,
      {
        name,
        version,
        kind: 'anomaly',
        description: `PCA/T² normal-behaviour model of ${w.machine}, learned from the console`,
        inputs: w.tags.map((t) => ({ tag: t, unit: this.byName.get(`${w.machine}/${t}`)?.unit ?? '' })),
        window: { length: DEFAULT_PCA_OPTIONS.window, periodMs: PERIOD_MS },
        normalization: { mean: fit.mean, std: fit.std },
        graph: { ...PCA_GRAPH },
        threshold: fit.threshold,
        health: { normal: fit.report.healthNormal },
        // The rule the report's false alarm rate was computed with, so the model alarms as it says.
        alarm: {
          k: fit.report.alarm.k,
          n: fit.report.alarm.n,
          calibration: {
            heldBackWindows: fit.report.windows.calibration,
            quantile: fit.report.alarm.quantile,
            margin: fit.report.alarm.margin,
            heldBack: `${HELD_BACK_TEXT}${fit.report.alarm.floored ? '; floored at 1.5 × the 99th percentile of the training windows' : ''}`,
          },
        },
        ...(gate ? { running: { tag: gate, above: 0.5, settleS: (DEFAULT_PCA_OPTIONS.window * PERIOD_MS) / 1000 } } : {}),
        outputs: {
          score: 'T² of the window mean / its 99th percentile in the training windows (the threshold is calibrated on held-back windows)',
          contributions: 'share of the score per input tag',
        },
        provenance: {
          data: `historian of ${w.machine}${w.include.stopped ? '' : ', stopped spans left out'}${w.include.alarms ? '' : ', alarm spans left out'}`,
          rows: fit.report.rows.train,
          from: new Date(w.from).toISOString(),
          to: new Date(w.to).toISOString(),
          createdAt: new Date(w.finishedAt ?? at).toISOString(),
          code: 'native/inference/learn/stream.ts',
        },
        metrics: {
          components: fit.components,
          heldBackFalseAlarmRate: fit.report.falseAlarmRate,
          heldBackWindows: fit.report.windows.heldBack,
        },
      },
      fit.onnx,
    );
    writeFileSync(path.join(folder, 'report.json'), `${JSON.stringify(fit.report, null, 2)}\n`);
    writeFileSync(
      path.join(folder, 'approval.json'),
      `${JSON.stringify({ approvedBy: user, approvedAt: new Date(at).toISOString(), job: w.id }, null, 2)}\n`,
    );
    // Taken before the activation awaits, so a second approval of the same candidate is refused.
    (job as Job).candidate = null;
    let state: MachinePredictionState;
    try {
      state = await this.opts.activate(w.machine, name, version);
    } catch (err) {
      // Kept in the registry as a version (it was written whole), not active; the candidate can be approved again.
      job.candidate = fit;
      // A job that ended meanwhile was bounded without this one: bound again.
      this.bound(w.machine);
      throw new Error(`${modelKey(name, version)} was written but could not be activated on ${w.machine}: ${describeError(err)}`);
    }
    this.forget(w.machine, w.id);
    w.state = 'approved';
    w.model = modelKey(name, version);
    w.approvedBy = user;
    w.approvedAt = at;
    return { job: w.id, machine: w.machine, model: w.model, approvedBy: user, approvedAt: at, state };
  }

  discard(machine: string, id: string, user: string | null): LearnJob {
    const job: Job = this.candidateOf(machine, id);
    this.drop(job, `discarded by ${user ?? 'the console'}`);
    return job.wire;
  }

  /** The machine's versions: its learned ones, then its bound model's, each newest first. */
  versions(machineName: string): MachineModels {
    const m = this.machine(machineName);
    const active = this.opts.active(m.name);
    const learned = learnedName(m.name);
    const bound = new Set(this.opts.bindings.filter((b) => b.machine === m.name).map((b) => b.model));
    const learnedDir = this.opts.learnedDir;
    const names = [learned, ...bound];
    if (active) names.push(active.split('@')[0] as string);
    const entries = listModels(this.opts.roots()).filter((e) => names.includes(e.name));
    const rank = (n: string) => (n === learned ? 0 : 1);
    const seen = new Set<string>();
    const versions: ModelVersion[] = [];
    for (const e of entries.sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name) || b.version - a.version)) {
      const key = modelKey(e.name, e.version);
      if (seen.has(key)) continue;
      seen.add(key);
      const approval = readJson(path.join(e.dir, 'approval.json')) as { approvedBy?: string | null; approvedAt?: string } | null;
      const far = e.manifest?.metrics.heldBackFalseAlarmRate;
      versions.push({
        model: e.name,
        version: e.version,
        key,
        kind: e.manifest?.kind ?? null,
        description: e.manifest?.description ?? '',
        source: learnedDir && e.dir.startsWith(learnedDir + path.sep) ? 'learned' : 'shipped',
        createdAt: e.manifest?.provenance.createdAt ?? null,
        from: e.manifest?.provenance.from ?? null,
        to: e.manifest?.provenance.to ?? null,
        active: key === active,
        approvedBy: approval?.approvedBy ?? null,
        approvedAt: approval?.approvedAt ?? null,
        falseAlarmRate: typeof far === 'number' ? far : null,
        error: e.error,
      });
    }
    const candidates = this.candidates(m.name)
      .map((j) => j.wire)
      .reverse();
    return { machine: m.name, active, versions, candidates };
  }

  /** Cancel what runs and wait for it to end. */
  async stop(): Promise<void> {
    for (const job of this.jobs.values()) if (job.wire.state === 'running') job.cancel = { by: 'the console (stopping)' };
    await Promise.all([...this.jobs.values()].map((j) => j.done));
  }
}

/** "learned by eve" / "learned after maintenance event 7": where a candidate came from. */
function describeOrigin(w: Pick<LearnJob, 'origin' | 'startedBy'>): string {
  if (w.origin === 'maintenance') return `learned after ${w.startedBy ?? 'a maintenance event'}`;
  return `learned by ${w.startedBy ?? 'the console'}`;
}

function readJson(file: string): unknown {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}
