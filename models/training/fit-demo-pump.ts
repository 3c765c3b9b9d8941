// Fit the demo plant's pump models on the simulator and ship them:
//   models/demo-pump-anomaly/2  the operating-state-conditioned anomaly model (bound to Pump102)
//   models/demo-pump-rul/1      the same model with a remaining-useful-life head (bound to Pump101,
//                               whose bearing wears): seconds to the trip, with a band
//   npx tsx models/training/fit-demo-pump.ts
// Normal operation: both pumps over two simulated hours with an operator's seeded schedule of
// speed setpoint steps (40…100 %), stops and starts; Pump101's bearing does not wear. The RUL head
// is fitted on run-to-failure runs of Pump101 at three setpoints. Deterministic (seeded, no
// randomness in the fit). demo-pump-anomaly/1 (fitted at one operating point) is kept as it was.
import { Matrix, solve } from 'ml-matrix';
import { type ConditionalSpec, fitConditional, type RulHead, residualsOf } from '../../native/inference/learn/conditional.js';
import { pumpSchedule, record, runWhenStarted, sayScores, writeDemoModel } from './fit-demo-common.js';

export const DEMO_PUMP_TAGS = ['Speed', 'Flow', 'DischargePressure', 'MotorCurrent', 'Power', 'BearingTemp', 'MotorTemp', 'VibrationRMS'];
export const PUMP_UNITS: Record<string, string> = {
  Speed: 'rpm',
  Flow: 'm³/h',
  DischargePressure: 'bar',
  MotorCurrent: 'A',
  Power: 'kW',
  BearingTemp: '°C',
  MotorTemp: '°C',
  VibrationRMS: 'mm/s',
};
export const PUMP_SPEC: ConditionalSpec = {
  inputs: DEMO_PUMP_TAGS,
  // Knots: every 10 % of 2970 rpm, and close together where flow starts (≈ 55 % speed).
  independent: [
    {
      tag: 'Speed',
      knots: [2, 20, 100, 300, 600, 900, 1200, 1500, 1600, 1630, 1645, 1660, 1680, 1700, 1730, 1770, 1820, 1900, 2100, 2400, 2700],
    },
  ],
  dependent: DEMO_PUMP_TAGS.slice(1),
  window: 300,
  target: 30,
  lags: [0, 2, 40, 120],
  ridge: 1e-7,
  running: { tag: 'Speed', above: 300, settleS: 90 },
};
export const PUMP_RUNNING = PUMP_SPEC.running as { tag: string; above: number; settleS: number };
const NORMAL_S = 7200;
/** The schedules run on this long after NORMAL_S: held back from the fit, the threshold is calibrated on them. */
const HELD_BACK_S = 1800;
const SWEEP_HOLD_S = 360;
/** The demo's wear cycle (native/plant/sim.ts defaults): the RUL is capped at it. */
const WEAR_CYCLE_S = 360;

const paths = (pump: string) => DEMO_PUMP_TAGS.map((t) => `PumpStation/${pump}/${t}`);

/** Run-to-failure of Pump101 at `sp` %: rows until the trip and the trip's second. */
function wearRun(sp: number, seed: number): { rows: number[][]; tripS: number } {
  let tripS = -1;
  const rows = record({
    seconds: 900,
    paths: paths('Pump101'),
    sim: { seed },
    actions: [{ atS: 1, path: 'PumpStation/Pump101/SpeedSetpoint', value: sp }],
    each: (sim, s) => {
      if (tripS < 0 && sim.value('PumpStation/Pump101/Tripped') === true) tripS = s;
    },
  });
  if (tripS < 0) throw new Error(`Pump101 at ${sp} % did not trip within 900 s`);
  return { rows: rows.slice(0, tripS - 1), tripS };
}

/** Fit both models and write them under `root` (models/ when the script is run). */
export async function shipPump(root: string): Promise<void> {
  // A sweep of the setpoint range in 2 % steps held 6 min each (the motor's temperature settles)
  // covers every steady operating point, the random schedules the transitions between them.
  const sweep = Array.from({ length: 31 }, (_, i) => ({
    atS: 1 + i * SWEEP_HOLD_S,
    path: 'PumpStation/Pump102/SpeedSetpoint',
    value: 40 + 2 * i,
  }));
  // The two operator schedules run HELD_BACK_S longer; their first NORMAL_S are fitted (the same
  // rows as a run of NORMAL_S: seeded), the rest is held back for the threshold.
  const long = [
    record({
      seconds: NORMAL_S + HELD_BACK_S,
      paths: paths('Pump101'),
      sim: { seed: 42, wearCycleS: 1e9 },
      actions: pumpSchedule('Pump101', 1, NORMAL_S + HELD_BACK_S),
    }),
    record({
      seconds: NORMAL_S + HELD_BACK_S,
      paths: paths('Pump102'),
      sim: { seed: 43 },
      actions: pumpSchedule('Pump102', 2, NORMAL_S + HELD_BACK_S),
    }),
  ];
  const normal = [
    ...long.map((rows) => rows.slice(0, NORMAL_S)),
    record({ seconds: 31 * SWEEP_HOLD_S, paths: paths('Pump102'), sim: { seed: 44 }, actions: sweep }),
  ];
  const heldBack = {
    segments: long.map((rows) => rows.slice(NORMAL_S)),
    what: `the last ${HELD_BACK_S} s of both operator schedules (after the fitted ${NORMAL_S} s)`,
  };
  // Score only while running, as the console does (a stopped pump is not scored).
  const fit = fitConditional(normal, PUMP_SPEC, 2);
  sayScores('pump', fit);
  console.log(
    `residual σ: ${fit.residualStd.map((v, j) => `${PUMP_SPEC.dependent[j]} ${(v * (fit.std[j + 1] as number)).toPrecision(3)}`).join(', ')}`,
  );

  // RUL head: HI = 1 − min(cap, seconds to trip) / cap, regressed on [z, √relu(z)] of the residuals.
  const D = PUMP_SPEC.dependent.length;
  const X: number[][] = [];
  const y: number[] = [];
  const truth: number[] = [];
  for (const [sp, seed] of [
    [70, 11],
    [85, 12],
    [100, 13],
    [85, 14],
  ] as const) {
    const run = wearRun(sp, seed);
    for (let end = 60; end <= run.rows.length; end += 2) {
      const z = residualsOf(fit, run.rows, end);
      X.push([...z, ...z.map((v) => Math.sqrt(Math.max(0, v))), 1]);
      const left = Math.min(WEAR_CYCLE_S, run.tripS - end);
      y.push(1 - left / WEAR_CYCLE_S);
      truth.push(left);
    }
  }
  const Xm = new Matrix(X);
  const XtX = Xm.transpose().mmul(Xm);
  for (let i = 0; i < 2 * D; i++) XtX.set(i, i, XtX.get(i, i) * (1 + 1e-3) + 1e-6);
  const w = solve(XtX, Xm.transpose().mmul(Matrix.columnVector(y))).getColumn(0);
  const est = X.map(
    (r) =>
      WEAR_CYCLE_S *
      (1 -
        Math.max(
          0,
          Math.min(
            1,
            r.reduce((a, v, k) => a + v * (w[k] as number), 0),
          ),
        )),
  );
  // Band: 90 % of |error| within a half-width linear in the estimate (fitted on the 90th
  // percentile of |error| per 60 s bucket of the estimate), so it narrows as the trip nears.
  const buckets = new Map<number, number[]>();
  est.forEach((e, i) => {
    const b = Math.floor(e / 60);
    const list = buckets.get(b) ?? [];
    list.push(Math.abs(e - (truth[i] as number)));
    buckets.set(b, list);
  });
  const pts = [...buckets.entries()]
    .filter(([, l]) => l.length >= 10)
    .map(([b, l]) => {
      const sorted = Float64Array.from(l).sort();
      return [b * 60 + 30, sorted[Math.floor(0.9 * (sorted.length - 1))] as number] as const;
    });
  const mx = pts.reduce((a, p) => a + p[0], 0) / pts.length;
  const my = pts.reduce((a, p) => a + p[1], 0) / pts.length;
  const band1 = Math.max(
    0.02,
    pts.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0) /
      Math.max(
        1e-9,
        pts.reduce((a, p) => a + (p[0] - mx) ** 2, 0),
      ),
  );
  const band0 = Math.max(5, my - band1 * mx);
  const rul: RulHead = { weights: w.slice(0, 2 * D), bias: w[2 * D] as number, cap: WEAR_CYCLE_S, band0, band1 };
  const rmse = Math.sqrt(est.reduce((a, e, i) => a + (e - (truth[i] as number)) ** 2, 0) / est.length);
  console.log(`RUL head: RMSE ${rmse.toFixed(1)} s on ${est.length} windows, band ${band0.toFixed(1)} s + ${band1.toFixed(3)} × RUL`);

  const common = {
    fit,
    units: PUMP_UNITS,
    provenance: `native/plant/sim.ts, seeds 42 and 43, Pump101 (no wear) and Pump102 over ${NORMAL_S} s each (then ${HELD_BACK_S} s held back) with setpoint steps 40…100 %, stops and starts (pumpSchedule seeds 1, 2), and a sweep of Pump102 from 40 to 100 % in 2 % steps of ${SWEEP_HOLD_S} s (seed 44)`,
    rows: NORMAL_S * 2 + 31 * SWEEP_HOLD_S,
    heldBack,
    running: PUMP_RUNNING,
    fill: PUMP_SPEC.target,
  };
  await writeDemoModel(
    root,
    {
      ...common,
      name: 'demo-pump-anomaly',
      version: 2,
      description:
        'Demo plant centrifugal pump: flow, pressure, current, power, temperatures and vibration predicted from speed; residuals scored',
      metrics: {},
    },
    normal[1] as number[][],
  );
  await writeDemoModel(
    root,
    {
      ...common,
      name: 'demo-pump-rul',
      version: 1,
      description: 'Demo plant centrifugal pump with a bearing-wear remaining-useful-life head (seconds to the trip, with a band)',
      rul,
      metrics: { rulCap: WEAR_CYCLE_S, rulTrainRmseS: Math.round(rmse * 10) / 10, rulBand0S: band0, rulBand1: band1 },
    },
    normal[0] as number[][],
  );
}

runWhenStarted(import.meta.url, shipPump);
