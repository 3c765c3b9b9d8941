// Shared by the demo models' training scripts (fit-demo-pump.ts, fit-demo-compressor.ts,
// fit-demo-boiler.ts): the seeded simulator driven through a seeded schedule of operator actions in
// simulated time, recorded at 1 s; the utilities' six-hour fit; the writing of a conditional model
// into models/; and how a script runs. Deterministic: same seeds, same rows, same model bytes.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { calibrateThreshold, quantileOf } from '../../native/inference/calibrate.js';
import {
  CONDITIONAL_GRAPH,
  type ConditionalFit,
  type ConditionalSpec,
  conditionalGraph,
  fitConditional,
  type RulHead,
  residualsOf,
} from '../../native/inference/learn/conditional.js';
import { writeModel } from '../../native/inference/registry.js';
import { openSession, runFloat } from '../../native/inference/session.js';
import { PlantSim, type PlantSimOptions } from '../../native/plant/sim.js';
import { mulberry32 } from '../../native/util/random.js';

/** The line's shifts follow local time: fits and tests run on UTC so that they reproduce anywhere. */
process.env.TZ = 'UTC';

export const START = Date.UTC(2026, 0, 5, 8, 0, 0);

/** Where the demo models are shipped: models/<name>/<version>. */
export const MODELS_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface Action {
  atS: number;
  /** Sim path, Area/Machine/Tag. */
  path: string;
  value: number | boolean;
}

/**
 * What an operator does to a pump over `seconds`: a new speed setpoint (40…100 %) every 1–4 min,
 * and now and then a stop of 30 s…4 min before it is started again.
 */
export function pumpSchedule(pump: string, seed: number, seconds: number): Action[] {
  const rand = mulberry32(seed);
  const out: Action[] = [];
  const base = `PumpStation/${pump}/`;
  for (let t = 30; t < seconds; ) {
    if (rand() < 0.25) {
      const down = 30 + Math.floor(rand() * 210);
      out.push({ atS: t, path: `${base}RunCommand`, value: false });
      out.push({ atS: t + down, path: `${base}RunCommand`, value: true });
      t += down + 60;
    } else {
      out.push({ atS: t, path: `${base}SpeedSetpoint`, value: 40 + Math.round(rand() * 60) });
      t += 60 + Math.floor(rand() * 180);
    }
  }
  return out;
}

/** Run the simulator for `seconds` from `start`, applying `actions`, and record `paths` each second. */
export function record(opts: {
  seconds: number;
  paths: string[];
  actions?: Action[];
  sim?: Partial<PlantSimOptions>;
  start?: number;
  /** Called each second with the sim (tests read extra state). */
  each?: (sim: PlantSim, s: number) => void;
}): number[][] {
  const start = opts.start ?? START;
  const sim = new PlantSim({ seed: 42, ...opts.sim, start });
  const actions = [...(opts.actions ?? [])].sort((a, b) => a.atS - b.atS);
  let next = 0;
  const rows: number[][] = [];
  for (let s = 1; s <= opts.seconds; s++) {
    while (next < actions.length && (actions[next] as Action).atS <= s) {
      const a = actions[next++] as Action;
      sim.write(a.path, a.value);
    }
    sim.step(start + s * 1000);
    rows.push(opts.paths.map((p) => Number(sim.value(p))));
    opts.each?.(sim, s);
  }
  return rows;
}

/**
 * The demo models' alarm: the threshold at `margin` × the `quantile` of the scores of held-back
 * normal windows (the end of the training period, which the fit did not see), health 100 up to
 * that quantile, and the k-of-n rule of eval:skab (10 of the last 20 one-second windows).
 * A developing fault's score grows much faster than linearly, so the wide margin costs seconds of
 * detection, while normal operation the training did not show exactly (an operating point between
 * two of the sweep's, a start after a longer stop) stays well inside it.
 */
export const DEMO_ALARM = { k: 10, n: 20, quantile: 0.999, margin: 3 } as const;

/**
 * Scores of the windows of `segments` (rows the fit did not use), as the graph computes them
 * (mean over the dependent signals of the squared standardised residual). Windows the console would
 * not score (machine stopped or starting) are skipped, as in the fit.
 */
export function heldBackScores(fit: ConditionalFit, segments: readonly (readonly number[][])[], stride = 2): number[] {
  const { spec } = fit;
  const gate = spec.running ? spec.inputs.indexOf(spec.running.tag) : -1;
  const out: number[] = [];
  for (const seg of segments) {
    let on = 0;
    const onAt = seg.map((r) => {
      on = gate < 0 || (r[gate] as number) > (spec.running?.above as number) ? on + 1 : 0;
      return on;
    });
    for (let end = spec.window; end <= seg.length; end += stride) {
      if (gate >= 0 && (onAt[end - 1] as number) <= (spec.running?.settleS ?? 0)) continue;
      const z = residualsOf(fit, seg, end);
      out.push(z.reduce((a, v) => a + v * v, 0) / z.length);
    }
  }
  return out;
}

/** Threshold and health calibration from held-back normal scores (docs/models.md "Health"). */
export function calibrate(heldBack: readonly number[]): { threshold: number; normal: number } {
  const threshold = calibrateThreshold(heldBack, DEMO_ALARM.quantile, DEMO_ALARM.margin);
  return { threshold, normal: quantileOf(heldBack, DEMO_ALARM.quantile) / threshold };
}

/** `label fit: N windows, q50 … q99 … q999 … max …` of the fit's training scores (what the threshold is set against). */
export function sayScores(label: string, fit: ConditionalFit): void {
  const s = Float64Array.from(fit.trainScores).sort();
  console.log(
    `${label} fit: ${s.length} windows, score q50 ${s[s.length >> 1]?.toFixed(3)} q99 ${s[Math.floor(0.99 * s.length)]?.toFixed(3)} q999 ${s[Math.floor(0.999 * s.length)]?.toFixed(3)} max ${s[s.length - 1]?.toFixed(3)}`,
  );
}

/** The utilities' (compressor, boiler) normal operation: six simulated hours from 04:00 UTC, without their fault. */
export const UTILITY_NORMAL_S = 6 * 3600;
const UTILITY_START = Date.UTC(2026, 0, 5, 4, 0, 0);
/** The hour after the fitted six: held back from the fit, the threshold is calibrated on it. */
const UTILITY_HELD_BACK_S = 3600;

export interface DemoModel {
  name: string;
  version: number;
  description: string;
  fit: ConditionalFit;
  units: Record<string, string>;
  provenance: string;
  rows: number;
  running?: { tag: string; above: number };
  fill: number;
  rul?: RulHead;
  metrics: Record<string, number | string>;
  /** Normal rows of the end of the training period that the fit did not use, and what they are. */
  heldBack: { segments: number[][][]; what: string };
}

/** Write the model folder under `root` and a reference.json of onnxruntime outputs on a few training windows; say where. */
export async function writeDemoModel(root: string, m: DemoModel, referenceRows: number[][]): Promise<string> {
  const { fit } = m;
  const spec: ConditionalSpec = fit.spec;
  const held = heldBackScores(fit, m.heldBack.segments);
  const { threshold, normal } = calibrate(held);
  const onnx = conditionalGraph(fit, m.rul);
  const dir = writeModel(
    root,
    {
      name: m.name,
      version: m.version,
      kind: 'anomaly',
      description: m.description,
      inputs: spec.inputs.map((tag) => ({ tag, unit: m.units[tag] ?? '' })),
      window: { length: spec.window, periodMs: 1000, fill: m.fill },
      normalization: { mean: fit.mean, std: fit.std },
      graph: m.rul
        ? { ...CONDITIONAL_GRAPH }
        : { input: CONDITIONAL_GRAPH.input, score: CONDITIONAL_GRAPH.score, contributions: CONDITIONAL_GRAPH.contributions },
      threshold,
      health: { normal },
      alarm: {
        k: DEMO_ALARM.k,
        n: DEMO_ALARM.n,
        calibration: {
          heldBackWindows: held.length,
          quantile: DEMO_ALARM.quantile,
          margin: DEMO_ALARM.margin,
          heldBack: m.heldBack.what,
        },
      },
      ...(m.running ? { running: m.running } : {}),
      ...(m.rul ? { rulUnit: 's' } : {}),
      outputs: {
        score: `mean over ${spec.dependent.join(', ')} of (residual / its normal σ)², the residual being the last ${spec.target} s mean minus the prediction from ${spec.independent.map((i) => i.tag).join(', ')}`,
        contributions: 'each dependent tag’s term of the score',
        ...(m.rul ? { rul: 'seconds to the bearing trip: estimate, low and high end of the band' } : {}),
      },
      provenance: {
        data: m.provenance,
        rows: m.rows,
        createdAt: new Date(0).toISOString(),
        code: 'native/inference/learn/conditional.ts, models/training/fit-demo-common.ts',
      },
      metrics: { ...m.metrics, features: fit.beta.length },
    },
    onnx,
  );
  // Reference: the graph's outputs on windows of the training run, checked by models/shipped.test.ts.
  const cols = spec.inputs.length;
  const L = spec.window;
  // Three windows spread over the run, each ending while the machine runs (a stopped one is not scored).
  const gate = m.running ? spec.inputs.indexOf(m.running.tag) : -1;
  const runs = (end: number) => gate < 0 || ((referenceRows[end - 1] as number[])[gate] as number) > (m.running?.above as number);
  const ends = [L, Math.floor(referenceRows.length / 2), referenceRows.length].map((e) => {
    let end = e;
    while (end < referenceRows.length && !runs(end)) end++;
    while (end > L && !runs(end)) end--;
    return end;
  });
  const data = new Float32Array(ends.length * L * cols);
  ends.forEach((end, i) => {
    for (let t = 0; t < L; t++)
      for (let j = 0; j < cols; j++)
        data[(i * L + t) * cols + j] =
          (((referenceRows[end - L + t] as number[])[j] as number) - (fit.mean[j] as number)) / (fit.std[j] as number);
  });
  const session = await openSession(onnx);
  const out = await runFloat(session, CONDITIONAL_GRAPH.input, data, [ends.length, L, cols]);
  await session.release();
  const cases = ends.map((_, i) => ({
    window: Array.from(data.subarray(i * L * cols, (i + 1) * L * cols)),
    score: (out[CONDITIONAL_GRAPH.score] as Float32Array)[i] as number,
    ...(m.rul ? { rul: Array.from((out[CONDITIONAL_GRAPH.rul] as Float32Array).subarray(i * 3, i * 3 + 3)) } : {}),
  }));
  writeFileSync(path.join(dir, 'reference.json'), `${JSON.stringify({ cases })}\n`);
  console.log(`wrote ${dir}`);
  return dir;
}

/**
 * Fit and ship a utility's model (compressor, boiler): UTILITY_NORMAL_S of `paths` recorded from
 * the simulator of `seed` without faults are fitted, the hour after them held back for the
 * threshold. Seeded: the fitted rows are those of a run of UTILITY_NORMAL_S alone. The simulator
 * draws every machine's noise from one stream, so a change to any machine (44f31cc's slower
 * Pump102 at night shifted the draws of the warm-up before 04:00) changes these rows: refit, and
 * models/shipped.test.ts says when that is due.
 */
export async function shipUtility(
  root: string,
  u: { label: string; paths: string[]; spec: ConditionalSpec; seed: number } & Omit<DemoModel, 'fit' | 'rows' | 'metrics' | 'heldBack'>,
): Promise<string> {
  const all = record({
    seconds: UTILITY_NORMAL_S + UTILITY_HELD_BACK_S,
    paths: u.paths,
    start: UTILITY_START,
    sim: { seed: u.seed, faults: false },
  });
  const rows = all.slice(0, UTILITY_NORMAL_S);
  const fit = fitConditional([rows], u.spec, 2);
  sayScores(u.label, fit);
  const { label: _label, paths: _paths, spec: _spec, seed: _seed, ...model } = u;
  return writeDemoModel(
    root,
    {
      ...model,
      fit,
      rows: rows.length,
      metrics: {},
      heldBack: {
        segments: [all.slice(UTILITY_NORMAL_S)],
        what: `the hour after the fitted ${UTILITY_NORMAL_S / 3600} h (10:00–11:00 UTC)`,
      },
    },
    rows,
  );
}

/**
 * Ship a script's models into models/ when the script is the one started (`npx tsx
 * models/training/fit-demo-….ts`); imported (models/shipped.test.ts refits into a folder of its own), nothing runs.
 */
export function runWhenStarted(scriptUrl: string, ship: (root: string) => Promise<unknown>): void {
  if (scriptUrl !== `file://${process.argv[1]}`) return;
  ship(MODELS_ROOT).catch((err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  });
}
