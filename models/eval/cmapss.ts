// npm run eval:cmapss [-- --data <dir>] [--sets FD001,FD002] [--epochs N] [--members N]
// npm run eval:cmapss -- --train <train_FD00x.txt> [--test <test_FD00x.txt> --rul <RUL_FD00x.txt>]
//
// Without --train: for every train_FD00x.txt in <dir> (default ../shared/data/cmapss beside the
// repository), 5-fold cross-validation by engine — a model is trained on four fifths of the
// engines and scored on the rest, each held-out engine cut at a seeded random cycle (as NASA's test
// trajectories are) and judged on its last window; true RUL capped at 125, as in training. Every
// cycle is first z-scored by the statistics of its operating condition (FD002/FD004 fly six),
// computed on the training engines of the fold only. Where NASA's test_FD00x.txt and RUL_FD00x.txt
// lie in <dir> or in ../../holdout/cmapss beside it, a model trained on the whole training file is
// also scored on them, and for FD001 the shipped model (models/cmapss-rul/1) too.
// With --train: the same for that one file (and --test/--rul: the shipped model on them).
// Prints RMSE and the PHM08 score; the last line is `RMSE=<f> SCORE=<f>` of the last figure.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../../native/inference/registry.js';
import { openSession, runFloat } from '../../native/inference/session.js';
import {
  conditionStats,
  DEFAULT_TRAIN,
  type Engine,
  mulberry32,
  normaliseByCondition,
  parseCmapss,
  RUL_CAP,
  RUL_GRAPH,
  rulToOnnx,
  SENSORS,
  trainRul,
  WINDOW,
  windowAt,
} from '../training/rul.js';
import { phm08Score, rmse } from './metrics.js';

export const FOLDS = 5;
export const SHIPPED_RUL_MODEL = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'cmapss-rul', '1');

/** RUL estimates for the last cycle of each engine, through onnxruntime. */
export async function predictLast(onnx: Uint8Array, engines: Engine[], mean: number[], std: number[]): Promise<number[]> {
  const n = SENSORS.length;
  const data = new Float32Array(engines.length * WINDOW * n);
  engines.forEach((e, i) => {
    data.set(windowAt(e, e.rows.length - 1, mean, std), i * WINDOW * n);
  });
  const session = await openSession(onnx);
  try {
    const out = (await runFloat(session, RUL_GRAPH.input, data, [engines.length, WINDOW, n]))[RUL_GRAPH.rul] as Float32Array;
    return engines.map((_, i) => out[i * 3] as number);
  } finally {
    await session.release();
  }
}

/** Cut an engine at a seeded random cycle in [min(WINDOW, length), length]; returns it and its true RUL. */
export function truncate(e: Engine, rand: () => number): { engine: Engine; rul: number } {
  const lo = Math.min(WINDOW, e.rows.length);
  const keep = lo + Math.floor(rand() * (e.rows.length - lo + 1));
  return { engine: { unit: e.unit, rows: e.rows.slice(0, keep) }, rul: e.rows.length - keep };
}

/** Cuts per held-out engine in the many-cut figure; the first cut of each is the one-cut protocol's. */
export const CUTS = 10;

export interface CvResult {
  /** One cut per held-out engine (the protocol of the earlier figures). */
  predicted: number[];
  actual: number[];
  /** CUTS cuts per held-out engine: the same, with ten times the points and so less luck. */
  predictedMany: number[];
  actualMany: number[];
}

export async function crossValidate(
  engines: Engine[],
  opts: { epochs: number; members: number },
  log: (line: string) => void,
): Promise<CvResult> {
  const r: CvResult = { predicted: [], actual: [], predictedMany: [], actualMany: [] };
  for (let fold = 0; fold < FOLDS; fold++) {
    const stats = conditionStats(engines.filter((_, i) => i % FOLDS !== fold));
    const train = normaliseByCondition(
      engines.filter((_, i) => i % FOLDS !== fold),
      stats,
    );
    const held = normaliseByCondition(
      engines.filter((_, i) => i % FOLDS === fold),
      stats,
    );
    const net = trainRul(train, { ...DEFAULT_TRAIN, ...opts });
    const rand = mulberry32(1000 + fold);
    const cuts = Array.from({ length: CUTS }, () => held.map((e) => truncate(e, rand)));
    const onnx = rulToOnnx(net);
    const p = await predictLast(
      onnx,
      cuts.flat().map((c) => c.engine),
      net.mean,
      net.std,
    );
    const a = cuts.flat().map((c) => Math.min(RUL_CAP, c.rul));
    const p1 = p.slice(0, held.length);
    const a1 = a.slice(0, held.length);
    log(`fold ${fold + 1}/${FOLDS}: ${held.length} engines, RMSE ${rmse(p1, a1).toFixed(2)} (${CUTS} cuts each: ${rmse(p, a).toFixed(2)})`);
    r.predicted.push(...p1);
    r.actual.push(...a1);
    r.predictedMany.push(...p);
    r.actualMany.push(...a);
  }
  return r;
}

const DEFAULT_DATA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'data', 'cmapss');

const fmt = (p: number[], a: number[]) => `RMSE ${rmse(p, a).toFixed(2)}, PHM08 score ${phm08Score(p, a).toFixed(1)} (${a.length} points)`;

function readRul(file: string, engines: number): number[] {
  const rul = readFileSync(file, 'utf8')
    .split(/\s+/)
    .filter((s) => s !== '')
    .map(Number);
  if (rul.length !== engines || rul.some((v) => !Number.isFinite(v) || v < 0))
    throw new Error(`${file}: expected ${engines} non-negative numbers (one true RUL per test engine), found ${rul.length}`);
  return rul.map((v) => Math.min(RUL_CAP, v));
}

/** A model trained on all of `train` (condition-normalised) scored on NASA's test engines. */
async function testScore(train: Engine[], test: Engine[], rul: number[], opts: { epochs: number; members: number }): Promise<number[]> {
  const stats = conditionStats(train);
  const net = trainRul(normaliseByCondition(train, stats), { ...DEFAULT_TRAIN, ...opts });
  const p = await predictLast(rulToOnnx(net), normaliseByCondition(test, stats), net.mean, net.std);
  if (p.length !== rul.length) throw new Error(`${p.length} predictions for ${rul.length} RUL values`);
  return p;
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const opts = { epochs: Number(arg('--epochs') ?? DEFAULT_TRAIN.epochs), members: Number(arg('--members') ?? DEFAULT_TRAIN.members) };
  if (!Number.isInteger(opts.epochs) || opts.epochs < 1)
    throw new Error(`--epochs must be a whole number of at least 1, got ${arg('--epochs')}`);
  if (!Number.isInteger(opts.members) || opts.members < 1)
    throw new Error(`--members must be a whole number of at least 1, got ${arg('--members')}`);
  let last = '';
  const trainFile = arg('--train');
  if (trainFile) {
    const testFile = arg('--test');
    const rulFile = arg('--rul');
    if (testFile || rulFile) {
      if (!testFile || !rulFile) throw new Error('--test and --rul go together');
      const model = loadModel(SHIPPED_RUL_MODEL);
      const engines = parseCmapss(readFileSync(testFile, 'utf8'));
      const actual = readRul(rulFile, engines.length);
      const predicted = await predictLast(model.bytes, engines, model.manifest.normalization.mean, model.manifest.normalization.std);
      console.log(`shipped model ${model.key} on ${path.basename(testFile)}: ${fmt(predicted, actual)}`);
      last = `RMSE=${rmse(predicted, actual).toFixed(2)} SCORE=${phm08Score(predicted, actual).toFixed(1)}`;
    } else {
      const cv = await crossValidate(parseCmapss(readFileSync(trainFile, 'utf8')), opts, console.log);
      console.log(
        `${path.basename(trainFile)}, ${FOLDS}-fold cross-validation by engine: ${fmt(cv.predicted, cv.actual)}; ${CUTS} cuts per engine: ${fmt(cv.predictedMany, cv.actualMany)}`,
      );
      last = `RMSE=${rmse(cv.predicted, cv.actual).toFixed(2)} SCORE=${phm08Score(cv.predicted, cv.actual).toFixed(1)}`;
    }
    console.log(last);
    return;
  }
  const dir = arg('--data') ?? DEFAULT_DATA;
  const holdout = path.resolve(dir, '..', '..', 'holdout', 'cmapss');
  const sets = (arg('--sets') ?? 'FD001,FD002,FD003,FD004').split(',');
  const found = sets.filter((set) => existsSync(path.join(dir, `train_${set}.txt`)));
  if (found.length === 0) throw new Error(`no train_FD00x.txt of ${sets.join(', ')} in ${dir} (give the folder with --data)`);
  for (const set of found) {
    const engines = parseCmapss(readFileSync(path.join(dir, `train_${set}.txt`), 'utf8'));
    const conditions = new Set(engines.flatMap((e) => e.conditions ?? [])).size;
    const cv = await crossValidate(engines, opts, (line) => console.log(`${set} ${line}`));
    console.log(
      `${set} (${conditions} operating condition${conditions === 1 ? '' : 's'}), ${FOLDS}-fold CV by engine: ${fmt(cv.predicted, cv.actual)}; ${CUTS} cuts per engine: ${fmt(cv.predictedMany, cv.actualMany)}`,
    );
    last = `RMSE=${rmse(cv.predicted, cv.actual).toFixed(2)} SCORE=${phm08Score(cv.predicted, cv.actual).toFixed(1)}`;
    const where = [dir, holdout].find((d) => existsSync(path.join(d, `test_${set}.txt`)) && existsSync(path.join(d, `RUL_${set}.txt`)));
    if (!where) {
      console.log(`${set} test: test_${set}.txt / RUL_${set}.txt not in ${dir} or ${holdout}: not scored`);
      continue;
    }
    const test = parseCmapss(readFileSync(path.join(where, `test_${set}.txt`), 'utf8'));
    const rul = readRul(path.join(where, `RUL_${set}.txt`), test.length);
    console.log(`${set} test, trained on all of train_${set}: ${fmt(await testScore(engines, test, rul, opts), rul)}`);
    if (set === 'FD001') {
      const model = loadModel(SHIPPED_RUL_MODEL);
      const p = await predictLast(model.bytes, test, model.manifest.normalization.mean, model.manifest.normalization.std);
      console.log(`FD001 test, shipped model ${model.key}: ${fmt(p, rul)}`);
    }
  }
  console.log(last);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
