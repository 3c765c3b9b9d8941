// Fit the demo plant's compressor model on the simulator and ship it as
// models/demo-compressor-anomaly/1:   npx tsx models/training/fit-demo-compressor.ts
// The compressor runs load/unload on its pressure band; how much of the time it is loaded, and so
// its power, air delivery and temperatures, follows the air the packaging line draws. The model
// predicts them from Production/Line1/Running (a tag of another machine: the load it serves), so
// the line's starts, breaks and stops are normal and a leak (more air than the line explains) is not.
// Normal operation: six simulated hours from 04:00 UTC (the night, the morning shift start and the
// line's breaks), without the leak. Deterministic.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ConditionalSpec, fitConditional } from '../../native/inference/learn/conditional.js';
import { record, writeDemoModel } from './fit-demo-common.js';

const modelsRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LINE = 'Production/Line1/Running';
export const COMPRESSOR_TAGS = [
  LINE,
  'Loaded',
  'DischargePressure',
  'AirFlow',
  'MotorCurrent',
  'Power',
  'DischargeTemp',
  'OilTemp',
  'VibrationRMS',
];
export const COMPRESSOR_SPEC: ConditionalSpec = {
  inputs: COMPRESSOR_TAGS,
  independent: [{ tag: LINE, knots: [] }],
  dependent: COMPRESSOR_TAGS.slice(1),
  window: 300,
  // A load/unload cycle lasts seconds: a minute's mean is the duty the demand sets.
  target: 60,
  lags: [0, 5, 30, 90],
  ridge: 1e-6,
};
const UNITS: Record<string, string> = {
  Loaded: '',
  DischargePressure: 'bar',
  AirFlow: 'Nm³/min',
  MotorCurrent: 'A',
  Power: 'kW',
  DischargeTemp: '°C',
  OilTemp: '°C',
  VibrationRMS: 'mm/s',
};
export const TRAIN_START = Date.UTC(2026, 0, 5, 4, 0, 0);
const NORMAL_S = 6 * 3600;
/** The hour after the fitted six: held back from the fit, the threshold is calibrated on it. */
const HELD_BACK_S = 3600;
export const compressorPaths = COMPRESSOR_TAGS.map((t) => (t.includes('/') ? t : `Utilities/Compressor1/${t}`));

async function main(): Promise<void> {
  const all = record({ seconds: NORMAL_S + HELD_BACK_S, paths: compressorPaths, start: TRAIN_START, sim: { seed: 45, faults: false } });
  // Seeded: the first NORMAL_S rows are those of a run of NORMAL_S.
  const rows = all.slice(0, NORMAL_S);
  const fit = fitConditional([rows], COMPRESSOR_SPEC, 2);
  const s = Float64Array.from(fit.trainScores).sort();
  console.log(
    `compressor fit: ${s.length} windows, q50 ${s[s.length >> 1]?.toFixed(3)} q99 ${s[Math.floor(0.99 * s.length)]?.toFixed(3)} q999 ${s[Math.floor(0.999 * s.length)]?.toFixed(3)} max ${s[s.length - 1]?.toFixed(3)}`,
  );
  console.log(
    `wrote ${await writeDemoModel(
      modelsRoot,
      {
        name: 'demo-compressor-anomaly',
        version: 1,
        description:
          'Demo plant air compressor: duty, delivery, power and temperatures predicted from the packaging line’s air demand; residuals scored',
        fit,
        units: UNITS,
        provenance: `native/plant/sim.ts, seed 45, no leak, ${NORMAL_S} s from 04:00 UTC (night, shift start, line breaks)`,
        rows: rows.length,
        fill: COMPRESSOR_SPEC.target,
        metrics: {},
        heldBack: { segments: [all.slice(NORMAL_S)], what: `the hour after the fitted ${NORMAL_S / 3600} h (10:00–11:00 UTC)` },
      },
      rows,
    )}`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  });
}
