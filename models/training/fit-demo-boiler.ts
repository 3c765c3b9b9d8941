// Fit the demo plant's boiler model on the simulator and ship it as
// models/demo-boiler-anomaly/1:   npx tsx models/training/fit-demo-boiler.ts
// Flue gas O2, flue gas temperature and the auxiliaries' power follow the firing rate (the gas
// flow, which follows the steam demand); the model predicts them from FuelFlow, so load changes are
// normal, and an O2 reading the firing rate does not explain (a drifting probe) is not.
// Normal operation: six simulated hours from 04:00 UTC, without the probe drift. Deterministic.
import type { ConditionalSpec } from '../../native/inference/learn/conditional.js';
import { runWhenStarted, shipUtility, UTILITY_NORMAL_S } from './fit-demo-common.js';

export const BOILER_TAGS = ['FuelFlow', 'FlueGasO2', 'FlueGasTemp', 'Power'];
export const BOILER_SPEC: ConditionalSpec = {
  inputs: BOILER_TAGS,
  independent: [{ tag: 'FuelFlow', knots: [100, 200, 300, 400] }],
  dependent: BOILER_TAGS.slice(1),
  window: 240,
  target: 30,
  lags: [0, 10, 60],
  ridge: 1e-6,
};
const UNITS: Record<string, string> = { FuelFlow: 'Nm³/h', FlueGasO2: '%', FlueGasTemp: '°C', Power: 'kW' };
export const boilerPaths = BOILER_TAGS.map((t) => `Utilities/Boiler1/${t}`);

/** Fit the model and write it under `root` (models/ when the script is run). */
export const shipBoiler = (root: string) =>
  shipUtility(root, {
    label: 'boiler',
    paths: boilerPaths,
    spec: BOILER_SPEC,
    seed: 46,
    name: 'demo-boiler-anomaly',
    version: 1,
    description:
      'Demo plant steam boiler: flue gas O2, flue gas temperature and auxiliaries’ power predicted from the firing rate; residuals scored',
    units: UNITS,
    provenance: `native/plant/sim.ts, seed 46, no probe drift, ${UTILITY_NORMAL_S} s from 04:00 UTC`,
    // Never steady (the steam demand swings): no scoring on a partly assumed history.
    fill: BOILER_SPEC.window,
  });

runWhenStarted(import.meta.url, shipBoiler);
