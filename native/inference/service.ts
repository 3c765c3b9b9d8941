// Edge inference: feature windows from the tag bus → batched onnxruntime worker → predictions.
// `openInference` builds the service; index.ts is the capability's public face. Non-features: no training of RUL models here (models/training does that
// offline), no GPU, no more than one worker (the console has two shared cores).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { EventStreams } from '../api/events.js';
import type { InferenceDiagnostics, MachinePredictionState, ModelInfo, Prediction } from '../api/prediction-requests.js';
import type { TagInfo } from '../api/types.js';
import type { SampleBatch } from '../tags/bus.js';
import { Baseline } from './baseline.js';
import { Persistence } from './calibrate.js';
import { healthOf } from './health.js';
import { type HostOptions, InferenceHost } from './host.js';
import { type LoadedModel, listModels, loadModel, modelKey } from './registry.js';
import { FeatureWindow } from './windows.js';

export { type LoadedModel, listModels, loadModel, writeModel } from './registry.js';

/** Which model a machine runs when nothing was activated for it yet (highest version if omitted). */
export interface MachineBinding {
  /** Machine path, Site/Area/Machine. */
  machine: string;
  model: string;
  version?: number;
}

/** What the service needs of the tag bus (TagBus satisfies it). */
export interface BusLike {
  readonly tags: readonly TagInfo[];
  onBatch(listener: (batch: SampleBatch) => void, consumer?: string): () => void;
  current(id: number): { reason: string };
}

export interface InferenceOptions {
  /** Shipped models, read-only: models/<name>/<version>/. */
  modelsDir: string;
  /** Where learned models and the activation state are kept; without it they live in memory only. */
  dataDir?: string;
  bus: BusLike;
  machines: MachineBinding[];
  onPrediction: (p: Prediction) => void;
  onSystemMessage: (m: EventStreams['system']) => void;
  now?: () => number;
  /** Grid tick; defaults to the shortest window period of the loaded models. */
  tickMs?: number;
  host?: Omit<HostOptions, 'onSystemMessage'>;
}

export interface Inference {
  latest(machines?: string[]): MachinePredictionState[];
  models(): ModelInfo[];
  activate(machine: string, name: string, version: number): Promise<MachinePredictionState>;
  rollback(machine: string): Promise<MachinePredictionState>;
  /**
   * Start the machine's model afresh (after maintenance that resets its baseline): its window fills
   * again from new samples and the alarm rule starts from nothing; the model itself is unchanged.
   */
  reset(machine: string, why: string): MachinePredictionState;
  diagnostics(): InferenceDiagnostics;
  /** Advance every window to `now` and predict where due (the timer calls it); returns the windows submitted. */
  tick(now?: number): number;
  stop(): Promise<void>;
}

interface MachineRun {
  machine: string;
  model: LoadedModel | null;
  window: FeatureWindow | null;
  prediction: Prediction | null;
  reason: string | null;
  /** Keys activated before, newest last (roll-back pops). */
  history: string[];
  /** When the running gate last opened (ms), null while stopped, undefined before the first look. */
  runningSince?: number | null;
  /** The model alarm's k-of-n rule over this run's window scores (anomaly models). */
  rule: Persistence | null;
  /** The slowly adapting baseline (manifest `adapt`), null without one. */
  baseline?: Baseline | null;
  /** Whether the window has been scored since the model was put to use (or reset). */
  scored?: boolean;
}

const RUL_CAP = 125;

/**
 * A model input's full tag name: a name within the machine ("Speed"), or, with slashes, a tag of
 * another machine of the same site ("Production/Line1/Running": the load a utility serves).
 */
export function inputTagName(machine: string, tag: string): string {
  if (!tag.includes('/')) return `${machine}/${tag}`;
  return `${machine.split('/')[0]}/${tag}`;
}

export async function openInference(opts: InferenceOptions): Promise<Inference> {
  const now = opts.now ?? Date.now;
  const learnedDir = opts.dataDir ? path.join(opts.dataDir, 'models') : null;
  const stateFile = opts.dataDir ? path.join(opts.dataDir, 'inference-active.json') : null;
  const roots = () => [opts.modelsDir, ...(learnedDir ? [learnedDir] : [])];
  const byName = new Map(opts.bus.tags.map((t) => [t.name, t]));
  const say = (level: 'info' | 'warning' | 'error', message: string) =>
    opts.onSystemMessage({ level, source: 'inference', message, timestamp: new Date(now()).toISOString() });
  const host = new InferenceHost({ ...opts.host, onSystemMessage: say });
  const loaded = new Map<string, { model: LoadedModel; users: number }>();
  const runs = new Map<string, MachineRun>();

  const saved: Record<string, { current: string; history: string[] }> =
    stateFile && existsSync(stateFile)
      ? (JSON.parse(readFileSync(stateFile, 'utf8')) as Record<string, { current: string; history: string[] }>)
      : {};
  const persist = () => {
    if (!stateFile || !opts.dataDir) return;
    mkdirSync(opts.dataDir, { recursive: true });
    const out: Record<string, { current: string; history: string[] }> = {};
    for (const r of runs.values()) if (r.model) out[r.machine] = { current: r.model.key, history: r.history };
    writeFileSync(stateFile, `${JSON.stringify(out, null, 2)}\n`);
  };

  function findModel(name: string, version?: number): LoadedModel {
    const entries = listModels(roots()).filter((e) => e.name === name && (version === undefined || e.version === version));
    const usable = entries.filter((e) => e.error === null);
    const pick = usable[usable.length - 1];
    if (!pick) {
      const refused = entries.find((e) => e.error);
      throw new Error(refused?.error ?? `no model ${version === undefined ? name : modelKey(name, version)} in ${roots().join(', ')}`);
    }
    return loadModel(pick.dir);
  }

  async function acquire(model: LoadedModel): Promise<void> {
    const have = loaded.get(model.key);
    if (have) {
      have.users++;
      return;
    }
    const m = model.manifest;
    await host.load(model.key, model.bytes, m.graph.input, [m.window.length, m.inputs.length]);
    loaded.set(model.key, { model, users: 1 });
  }

  function release(key: string): void {
    const have = loaded.get(key);
    if (!have) return;
    if (--have.users === 0) {
      loaded.delete(key);
      host.unload(key);
    }
  }

  function windowFor(machine: string, model: LoadedModel): FeatureWindow {
    const m = model.manifest;
    const names = m.inputs.map((i) => inputTagName(machine, i.tag));
    const ids = names.map((n) => {
      const t = byName.get(n);
      if (!t) throw new Error(`model ${model.key} needs tag ${n}, which this site does not have`);
      return t.id;
    });
    return new FeatureWindow({
      tagIds: ids,
      tagNames: m.inputs.map((i) => i.tag),
      length: m.window.length,
      periodMs: m.window.periodMs,
      mean: m.normalization.mean,
      std: m.normalization.std,
      fill: m.window.fill,
    });
  }

  /** Swap a machine's model: the new one is loaded and checked before the old one is let go. */
  async function use(machine: string, model: LoadedModel, remember: boolean): Promise<MachineRun> {
    const window = windowFor(machine, model);
    await acquire(model);
    const run = runs.get(machine) ?? { machine, model: null, window: null, prediction: null, reason: null, history: [], rule: null };
    const old = run.model;
    if (old && remember && old.key !== model.key) run.history.push(old.key);
    run.model = model;
    run.window = window;
    const alarm = model.manifest.alarm;
    run.rule = model.manifest.kind === 'anomaly' ? new Persistence(alarm?.k ?? 1, alarm?.n ?? 1) : null;
    run.baseline = model.manifest.adapt ? new Baseline(model.manifest.inputs.length, model.manifest.adapt) : null;
    run.prediction = null;
    run.reason = 'window filling';
    run.scored = false;
    runs.set(machine, run);
    if (old && old.key !== model.key) release(old.key);
    return run;
  }

  const state = (r: MachineRun): MachinePredictionState => ({
    machine: r.machine,
    model: r.model?.key ?? null,
    prediction: r.prediction,
    reason: r.reason,
  });

  /** The prediction of one answered window, or null while the persistence rule has seen fewer than k windows. */
  function toPrediction(
    run: MachineRun,
    model: LoadedModel,
    outputs: Record<string, Float32Array>,
    row: number,
    at: number,
  ): Prediction | null {
    const m = model.manifest;
    const base = { machine: run.machine, model: model.key, timestamp: at };
    // Quantile heads are trained apart and may cross the estimate: the band always contains it.
    const rulOf = (r: Float32Array) => {
      const rul = r[row * 3] as number;
      return { rul, rulLow: Math.min(rul, r[row * 3 + 1] as number), rulHigh: Math.max(rul, r[row * 3 + 2] as number) };
    };
    if (m.kind === 'rul') {
      const r = rulOf(outputs[m.graph.rul as string] as Float32Array);
      const cap = typeof m.metrics.rulCap === 'number' ? m.metrics.rulCap : RUL_CAP;
      return {
        ...base,
        anomalyScore: null,
        threshold: null,
        health: Math.round(100 * Math.max(0, Math.min(1, r.rul / cap))),
        ...r,
        contributors: [],
      };
    }
    // Normalised to the model's threshold: 1.0 is where the model alarm sits, whatever the statistic.
    // Then the k-of-n rule: the published score (and the health read from it) is over 1.0 only
    // when k of the last n windows were, so a model alarm on it obeys the rule (calibrate.ts).
    const rule = run.rule as Persistence;
    const score = rule.push(((outputs[m.graph.score as string] as Float32Array)[row] as number) / (m.threshold as number));
    if (rule.count < rule.k) return null;
    const n = m.inputs.length;
    const contrib = m.graph.contributions
      ? (outputs[m.graph.contributions] as Float32Array).subarray(row * n, row * n + n)
      : new Float32Array(n);
    let positive = 0;
    for (const c of contrib) if (c > 0) positive += c;
    const contributors = m.inputs
      .map((input, j) => ({ tag: input.tag, share: positive > 0 ? Math.max(0, contrib[j] as number) / positive : 0 }))
      .filter((c) => c.share > 0)
      .sort((a, b) => b.share - a.share)
      .slice(0, 3);
    return {
      ...base,
      anomalyScore: score,
      threshold: 1,
      health: healthOf(score, m.health?.normal ?? 0),
      ...(m.graph.rul ? rulOf(outputs[m.graph.rul] as Float32Array) : {}),
      contributors,
    };
  }

  function tick(at = now()): number {
    let submitted = 0;
    for (const run of runs.values()) {
      const { model, window } = run;
      if (!model || !window?.advance(at)) continue;
      const gate = model.manifest.running;
      if (gate) {
        // A stopped machine is not scored (its signals say nothing about its condition), and a
        // score from before the stop is not shown as current.
        const v = window.latest(model.manifest.inputs.findIndex((i) => i.tag === gate.tag));
        if (!Number.isFinite(v)) {
          // Not known (not received yet, or no value): neither a stop nor a start. A machine found
          // running once its state is known has no start to settle.
          run.prediction = null;
          run.reason = `waiting for a value of ${gate.tag} (running or stopped is not known)`;
          continue;
        }
        if (!(v > gate.above)) {
          run.runningSince = null;
          // A new episode of operation after the stop: the rule starts from nothing again.
          run.rule?.reset();
          run.baseline?.resetGate();
          run.prediction = null;
          run.reason = `stopped (${gate.tag} ${Math.round(v * 100) / 100}, not above ${gate.above})`;
          continue;
        }
        // Running when first seen (the console started beside a running machine): no start to settle.
        if (run.runningSince === undefined) run.runningSince = Number.NEGATIVE_INFINITY;
        run.runningSince ??= at;
        const settle = (gate.settleS ?? 0) * 1000;
        if (at - run.runningSince < settle) {
          run.prediction = null;
          run.reason = `starting (not scored for ${gate.settleS} s after a start)`;
          continue;
        }
      }
      let w = window.read();
      // Until its first score, Bad rows of the link's first moments do not hold the window back
      // for a whole window length: it fills from the rows after them (windows.ts forgetBadStart).
      if (!w.ready && !run.scored) {
        window.forgetBadStart();
        w = window.read();
      }
      if (!w.ready) {
        run.reason = w.reason;
        continue;
      }
      run.scored = true;
      const baseline = run.baseline;
      const windowMean = baseline?.shift(w.data);
      const accepted = host.submit(model.key, w.data, (err, outputs, row) => {
        if (run.model !== model) return; // swapped meanwhile: the old model's answer is stale
        if (err || !outputs) {
          run.reason = err?.message ?? 'no output';
          return;
        }
        if (baseline && windowMean)
          baseline.update(
            windowMean,
            ((outputs[model.manifest.graph.score as string] as Float32Array)[row] as number) / (model.manifest.threshold as number),
          );
        const p = toPrediction(run, model, outputs, row, at);
        if (!p) {
          const rule = run.rule as Persistence;
          run.reason = `collecting windows: ${rule.count} of ${rule.k} (the model alarm needs ${rule.k} of the last ${rule.n} over its threshold)`;
          return;
        }
        run.prediction = p;
        run.reason = null;
        opts.onPrediction(p);
      });
      if (!accepted) run.reason = 'inference queue full: prediction skipped';
      else submitted++;
    }
    return submitted;
  }

  const unsubscribe = opts.bus.onBatch((batch) => {
    for (const run of runs.values()) run.window?.ingest(batch, (id) => opts.bus.current(id).reason);
  }, 'models');

  for (const b of opts.machines) {
    try {
      const prior = saved[b.machine];
      const [name, version] = prior ? (prior.current.split('@') as [string, string]) : [b.model, b.version];
      const run = await use(b.machine, findModel(name, version === undefined ? undefined : Number(version)), false);
      run.history = prior?.history ?? [];
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      runs.set(b.machine, { machine: b.machine, model: null, window: null, prediction: null, reason: message, history: [], rule: null });
      say('warning', `${b.machine}: no prediction: ${message}`);
    }
  }

  const periods = [...loaded.values()].map((l) => l.model.manifest.window.periodMs);
  const timer = setInterval(() => tick(), opts.tickMs ?? Math.max(50, Math.min(1000, ...periods)));
  timer.unref();

  function modelInfos(): ModelInfo[] {
    return listModels(roots()).map((e) => ({
      name: e.name,
      version: e.version,
      kind: e.manifest?.kind ?? null,
      description: e.manifest?.description ?? '',
      inputs: e.manifest?.inputs.map((i) => i.tag) ?? [],
      metrics: e.manifest?.metrics ?? {},
      activeOn: [...runs.values()].filter((r) => r.model?.key === modelKey(e.name, e.version)).map((r) => r.machine),
      error: e.error,
    }));
  }

  const requireRun = (machine: string): MachineRun => {
    const run = runs.get(machine);
    if (!run) throw new Error(`machine ${machine} has no model binding`);
    return run;
  };

  const svc: Inference = {
    latest(machines) {
      return [...runs.values()].filter((r) => !machines || machines.includes(r.machine)).map(state);
    },
    models: modelInfos,
    async activate(machine, name, version) {
      const run = await use(machine, findModel(name, version), true);
      persist();
      say('info', `${machine}: now using model ${run.model?.key}`);
      return state(run);
    },
    async rollback(machine) {
      const run = requireRun(machine);
      const previous = run.history.pop();
      if (!previous) throw new Error(`${machine} has no earlier model to roll back to`);
      const [name, version] = previous.split('@') as [string, string];
      await use(machine, findModel(name, Number(version)), false);
      persist();
      say('info', `${machine}: rolled back to model ${previous}`);
      return state(run);
    },
    reset(machine, why) {
      const run = requireRun(machine);
      if (!run.model) return state(run);
      // A new episode: the window fills again from the samples after the event (the last values
      // are kept: a state is not sent again until it changes), the rule and any adapted baseline
      // from nothing (the new part is as learned).
      run.window?.restart();
      run.scored = false;
      run.rule?.reset();
      const adapt = run.model.manifest.adapt;
      run.baseline = adapt ? new Baseline(run.model.manifest.inputs.length, adapt) : null;
      run.prediction = null;
      run.reason = `reset: ${why}`;
      return state(run);
    },
    diagnostics() {
      return { workerRestarts: host.workerRestarts, models: host.stats() };
    },
    tick,
    async stop() {
      clearInterval(timer);
      unsubscribe();
      await host.stop();
    },
  };
  return svc;
}
