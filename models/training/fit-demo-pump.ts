// Fit the demo plant's pump anomaly model on the simulator's normal operation and ship it as
// models/demo-pump-anomaly/<version>/, with reference outputs for the tests and the lead time it
// gives over the limit alarms on a degrading bearing.
//   npx tsx models/training/fit-demo-pump.ts [--version 1]
// Deterministic: the simulator is seeded, the fit has no randomness.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PCA_OPTIONS, fitPca, PCA_GRAPH, type PcaFitOptions } from '../../native/inference/learn/pca.js';
import { writeModel } from '../../native/inference/registry.js';
import { openSession, runFloat } from '../../native/inference/session.js';
import { PlantSim } from '../../native/plant/sim.js';

const modelsRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEMO_PUMP_TAGS = ['Speed', 'Flow', 'DischargePressure', 'MotorCurrent', 'Power', 'BearingTemp', 'MotorTemp', 'VibrationRMS'];
/** The demo site's limit alarms (resources/demo-site.yaml ranges): vibration 4.5 mm/s, bearing 75 °C. */
const LIMITS: Record<string, number> = { VibrationRMS: 4.5, BearingTemp: 75 };
const START = Date.UTC(2026, 0, 5, 8, 0, 0);
const WARMUP_S = 600;
const NORMAL_S = 3600;
const OPTIONS: PcaFitOptions = { ...DEFAULT_PCA_OPTIONS, statistic: 't2q' };

/** One row per second of Pump101's tags, after `skipS` seconds, for `seconds`. */
export function simulate(opts: { seconds: number; skipS: number; wearCycleS: number }): number[][] {
  const sim = new PlantSim({ start: START, seed: 42, wearCycleS: opts.wearCycleS });
  const rows: number[][] = [];
  for (let s = 1; s <= opts.skipS + opts.seconds; s++) {
    sim.step(START + s * 1000);
    if (s > opts.skipS) rows.push(DEMO_PUMP_TAGS.map((t) => Number(sim.value(`PumpStation/Pump101/${t}`))));
  }
  return rows;
}

async function main(argv: string[]): Promise<void> {
  const version = argv.includes('--version') ? Number(argv[argv.indexOf('--version') + 1]) : 1;
  // Normal operation: a bearing that does not wear within the period.
  const normal = simulate({ seconds: NORMAL_S, skipS: WARMUP_S, wearCycleS: 1e9 });
  const fit = fitPca(normal, OPTIONS);
  // A degrading run: a bearing wearing out over an hour (the demo's default cycle is 7 minutes,
  // whose restarts after each repair would blur when the wear itself becomes visible).
  const wearCycleS = 3600;
  const wearing = simulate({ seconds: wearCycleS - WARMUP_S, skipS: WARMUP_S, wearCycleS });
  const w = OPTIONS.window;
  const n = DEMO_PUMP_TAGS.length;
  const windows = wearing.length - w + 1;
  const data = new Float32Array(windows * w * n);
  for (let i = 0; i < windows; i++)
    for (let r = 0; r < w; r++)
      for (let j = 0; j < n; j++)
        data[(i * w + r) * n + j] = (((wearing[i + r] as number[])[j] as number) - (fit.mean[j] as number)) / (fit.std[j] as number);
  const session = await openSession(fit.onnx);
  const score = (await runFloat(session, PCA_GRAPH.input, data, [windows, w, n]))[PCA_GRAPH.score] as Float32Array;
  await session.release();
  const firstAbove = (pred: (i: number) => boolean) => {
    for (let i = 0; i < windows; i++) if (pred(i)) return i + w - 1;
    return -1;
  };
  const flagged = firstAbove((i) => (score[i] as number) > fit.threshold);
  const limitAt = firstAbove((i) =>
    Object.entries(LIMITS).some(([tag, hi]) => ((wearing[i + w - 1] as number[])[DEMO_PUMP_TAGS.indexOf(tag)] as number) > hi),
  );
  console.log(`model flags the wearing bearing ${flagged} s into the run, a limit alarm fires at ${limitAt} s`);
  const sampleIdx = [0, 500, 1000, 1500, windows - 1].filter((i) => i < windows);
  const dir = writeModel(
    modelsRoot,
    {
      name: 'demo-pump-anomaly',
      version,
      kind: 'anomaly',
      description: 'Normal-behaviour model (PCA T²/Q) of the demo plant centrifugal pump Pump101',
      inputs: DEMO_PUMP_TAGS.map((tag) => ({ tag, unit: '' })),
      window: { length: w, periodMs: 1000 },
      normalization: { mean: fit.mean, std: fit.std },
      graph: { ...PCA_GRAPH },
      threshold: fit.threshold,
      outputs: {
        score: 'max(T², Q) of the 30 s window mean, each / its 99th percentile in the normal period',
        contributions: 'T² + Q share per input tag',
      },
      provenance: {
        data: `native/plant/sim.ts, seed 42, Pump101 without wear, ${NORMAL_S} s after ${WARMUP_S} s warm-up`,
        rows: normal.length,
        createdAt: new Date(0).toISOString(),
        code: 'native/inference/learn/pca.ts, models/training/fit-demo-pump.ts',
      },
      metrics: {
        components: fit.components,
        wearRunFlaggedAtS: flagged,
        wearRunLimitAlarmAtS: limitAt,
        leadTimeS: limitAt - flagged,
        wearRun: `wearCycleS ${wearCycleS}, from ${WARMUP_S} s`,
      },
    },
    fit.onnx,
  );
  const reference = sampleIdx.map((i) => ({
    window: Array.from(data.subarray(i * w * n, (i + 1) * w * n)),
    score: score[i] as number,
  }));
  writeFileSync(path.join(dir, 'reference.json'), `${JSON.stringify({ cases: reference })}\n`);
  console.log(`wrote ${dir}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  });
}
