// Fit the demo plant's compressor model on the simulator and ship it as
// models/demo-compressor-anomaly/1:   npx tsx models/training/fit-demo-compressor.ts
// The compressor runs load/unload on its pressure band; how much of the time it is loaded, and so
// its power, air delivery and temperatures, follows the air the packaging line draws. The model
// predicts them from Production/Line1/Running (a tag of another machine: the load it serves), so
// the line's starts, breaks and stops are normal and a leak (more air than the line explains) is not.
// Normal operation: six simulated hours from 04:00 UTC (the night, the morning shift start and the
// line's breaks), without the leak. Deterministic.
import type { ConditionalSpec } from '../../native/inference/learn/conditional.js';
import { runWhenStarted, shipUtility, UTILITY_NORMAL_S } from './fit-demo-common.js';

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
export const compressorPaths = COMPRESSOR_TAGS.map((t) => (t.includes('/') ? t : `Utilities/Compressor1/${t}`));

/** Fit the model and write it under `root` (models/ when the script is run). */
export const shipCompressor = (root: string) =>
  shipUtility(root, {
    label: 'compressor',
    paths: compressorPaths,
    spec: COMPRESSOR_SPEC,
    seed: 45,
    name: 'demo-compressor-anomaly',
    version: 1,
    description:
      'Demo plant air compressor: duty, delivery, power and temperatures predicted from the packaging line’s air demand; residuals scored',
    units: UNITS,
    provenance: `native/plant/sim.ts, seed 45, no leak, ${UTILITY_NORMAL_S} s from 04:00 UTC (night, shift start, line breaks)`,
    fill: COMPRESSOR_SPEC.target,
  });

runWhenStarted(import.meta.url, shipCompressor);
