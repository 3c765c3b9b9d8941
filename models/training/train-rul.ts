// Train the shipped RUL model and write models/cmapss-rul/<version>/ with its manifest, a small
// C-MAPSS fixture (public domain) and the reference outputs the tests check the model against.
//   npx tsx models/training/train-rul.ts --train ../shared/data/cmapss/train_FD001.txt [--version 1] [--cv]
// Deterministic (seeded): the same file gives the same model bit for bit. CI does not run it
// (minutes of CPU); models/eval/rul.test.ts checks what it wrote.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeModel } from '../../native/inference/registry.js';
import { openSession, runFloat } from '../../native/inference/session.js';
import { CUTS, crossValidate } from '../eval/cmapss.js';
import { phm08Score, rmse } from '../eval/metrics.js';
import {
  DEFAULT_TRAIN,
  FEATURES_DESCRIPTION,
  parseCmapss,
  predictRul,
  RUL_CAP,
  RUL_GRAPH,
  rulToOnnx,
  SENSORS,
  trainRul,
  WINDOW,
  windowAt,
} from './rul.js';

const modelsRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Engines of the training file copied into the fixture, and the cycles checked for each. */
const FIXTURE_UNITS = [1, 2, 3];
const FIXTURE_CYCLES = [1, 10, 31, 100, -1];

async function main(argv: string[]): Promise<void> {
  const arg = (name: string) => argv[argv.indexOf(name) + 1];
  if (!argv.includes('--train')) throw new Error('usage: train-rul.ts --train <train_FD001.txt> [--version N] [--cv]');
  const trainFile = arg('--train') as string;
  const version = argv.includes('--version') ? Number(arg('--version')) : 1;
  const text = readFileSync(trainFile, 'utf8');
  const engines = parseCmapss(text);
  const metrics: Record<string, number | string> = {
    rulCap: RUL_CAP,
    window: WINDOW,
    members: DEFAULT_TRAIN.members,
    epochs: DEFAULT_TRAIN.epochs,
    features: FEATURES_DESCRIPTION,
  };
  const net = trainRul(engines, { ...DEFAULT_TRAIN, log: console.log });
  const onnx = rulToOnnx(net);

  // The fixture: a few engines' raw rows, and what the model says about them.
  const fixtureLines = text.split('\n').filter((l) => FIXTURE_UNITS.includes(Number(l.trim().split(/\s+/)[0])));
  const fixture = parseCmapss(fixtureLines.join('\n'));
  const cases = fixture.flatMap((e) => FIXTURE_CYCLES.map((c) => ({ unit: e.unit, end: c < 0 ? e.rows.length - 1 : c - 1 })));
  const data = new Float32Array(cases.length * WINDOW * SENSORS.length);
  cases.forEach((c, i) => {
    data.set(
      windowAt(fixture.find((e) => e.unit === c.unit) as (typeof fixture)[number], c.end, net.mean, net.std),
      i * WINDOW * SENSORS.length,
    );
  });
  const session = await openSession(onnx);
  const out = (await runFloat(session, RUL_GRAPH.input, data, [cases.length, WINDOW, SENSORS.length]))[RUL_GRAPH.rul] as Float32Array;
  await session.release();
  const reference = cases.map((c, i) => {
    const win = data.subarray(i * WINDOW * SENSORS.length, (i + 1) * WINDOW * SENSORS.length);
    const f64 = predictRul(net, win);
    const onnxOut = Array.from(out.subarray(i * 3, i * 3 + 3));
    // The graph must compute what training computed (float32 vs float64).
    if (f64.some((v, k) => Math.abs(v - (onnxOut[k] as number)) > 1e-2))
      throw new Error(`ONNX and training disagree at ${JSON.stringify(c)}`);
    return { unit: c.unit, cycle: c.end + 1, rul: onnxOut };
  });
  // The figures a reader can check on the fixture (its engines were trained on: in-sample).
  const truth = cases.map((c) => Math.min(RUL_CAP, (fixture.find((e) => e.unit === c.unit)?.rows.length ?? 0) - 1 - c.end));
  const est = reference.map((r) => r.rul[0] as number);
  metrics.fixtureRmse = Number(rmse(est, truth).toFixed(2));
  metrics.fixturePhm08Score = Number(phm08Score(est, truth).toFixed(2));
  metrics.fixtureProtocol = `engines ${FIXTURE_UNITS.join(', ')} of the training file at cycles ${FIXTURE_CYCLES.join(', ')} (−1: the last), estimate against true RUL capped at ${RUL_CAP}; in-sample (these engines were trained on)`;

  const write = () =>
    writeModel(
      modelsRoot,
      {
        name: 'cmapss-rul',
        version,
        kind: 'rul',
        description: `Remaining useful life of a turbofan engine (NASA C-MAPSS FD001)${DEFAULT_TRAIN.members > 1 ? `, mean of ${DEFAULT_TRAIN.members} networks` : ''}, with a 10–90 % band`,
        inputs: SENSORS.map((tag) => ({ tag, unit: '' })),
        window: { length: WINDOW, periodMs: 1 },
        normalization: { mean: net.mean, std: net.std },
        graph: { input: RUL_GRAPH.input, rul: RUL_GRAPH.rul },
        outputs: { rul: `cycles to failure, capped at ${RUL_CAP}: [estimate, 10 % quantile, 90 % quantile]` },
        provenance: {
          data: `NASA C-MAPSS ${path.basename(trainFile)} (sha256 ${createHash('sha256').update(text).digest('hex')})`,
          rows: engines.reduce((a, e) => a + e.rows.length, 0),
          createdAt: new Date(0).toISOString(),
          code: 'models/training/rul.ts, models/training/train-rul.ts',
        },
        metrics,
      },
      onnx,
    );
  const dir = write();
  writeFileSync(path.join(dir, 'fixture.txt'), `${fixtureLines.join('\n')}\n`);
  writeFileSync(path.join(dir, 'reference.json'), `${JSON.stringify({ fixture: 'fixture.txt', cases: reference }, null, 2)}\n`);
  console.log(`wrote ${dir}`);
  // Cross-validation after the model is on disk (it takes five trainings); the manifest is then
  // written again with its figures, the same model bytes.
  if (argv.includes('--cv')) {
    const cv = await crossValidate(engines, { epochs: DEFAULT_TRAIN.epochs, members: DEFAULT_TRAIN.members }, console.log);
    metrics.cvRmse = Number(rmse(cv.predicted, cv.actual).toFixed(2));
    metrics.cvPhm08Score = Number(phm08Score(cv.predicted, cv.actual).toFixed(1));
    metrics[`cv${CUTS}CutsRmse`] = Number(rmse(cv.predictedMany, cv.actualMany).toFixed(2));
    metrics[`cv${CUTS}CutsPhm08Score`] = Number(phm08Score(cv.predictedMany, cv.actualMany).toFixed(1));
    metrics.cvProtocol = `5-fold by engine, held-out engines cut at a seeded random cycle (${CUTS} cuts each for cv${CUTS}Cuts*, the first of them for cv*), last window, true RUL capped at 125`;
    write();
    console.log(`wrote ${dir} with the cross-validated figures`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
