// npm run eval:cmapss -- --train <train_FD001.txt> [--test <test_FD001.txt> --rul <RUL_FD001.txt>] [--epochs N]
//
// With --test and --rul: the shipped RUL model (models/cmapss-rul/1) on the last window of every
// test engine against the true RUL. Without: 5-fold cross-validation by engine on the training
// file — a model is trained on four fifths of the engines and scored on the rest, each held-out
// engine cut at a seeded random cycle (as NASA's test trajectories are) and judged on its last
// window. True RUL is capped at 125, as in training. Prints RMSE and the PHM08 score; the last
// line is `RMSE=<f> SCORE=<f>`.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../../native/inference/registry.js';
import { openSession, runFloat } from '../../native/inference/session.js';
import {
  DEFAULT_TRAIN,
  type Engine,
  mulberry32,
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

export async function crossValidate(
  engines: Engine[],
  epochs: number,
  log: (line: string) => void,
): Promise<{ predicted: number[]; actual: number[] }> {
  const predicted: number[] = [];
  const actual: number[] = [];
  for (let fold = 0; fold < FOLDS; fold++) {
    const train = engines.filter((_, i) => i % FOLDS !== fold);
    const held = engines.filter((_, i) => i % FOLDS === fold);
    const net = trainRul(train, { ...DEFAULT_TRAIN, epochs });
    const rand = mulberry32(1000 + fold);
    const cut = held.map((e) => truncate(e, rand));
    const p = await predictLast(
      rulToOnnx(net),
      cut.map((c) => c.engine),
      net.mean,
      net.std,
    );
    const a = cut.map((c) => Math.min(RUL_CAP, c.rul));
    log(`fold ${fold + 1}/${FOLDS}: ${held.length} engines, RMSE ${rmse(p, a).toFixed(2)}`);
    predicted.push(...p);
    actual.push(...a);
  }
  return { predicted, actual };
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const trainFile = arg('--train');
  if (!trainFile) throw new Error('usage: npm run eval:cmapss -- --train <file> [--test <file> --rul <file>] [--epochs N]');
  const testFile = arg('--test');
  const rulFile = arg('--rul');
  let predicted: number[];
  let actual: number[];
  if (testFile || rulFile) {
    if (!testFile || !rulFile) throw new Error('--test and --rul go together');
    const model = loadModel(SHIPPED_RUL_MODEL);
    const engines = parseCmapss(readFileSync(testFile, 'utf8'));
    actual = readFileSync(rulFile, 'utf8')
      .split(/\s+/)
      .filter((s) => s !== '')
      .map((s) => Math.min(RUL_CAP, Number(s)));
    if (actual.length !== engines.length) throw new Error(`${engines.length} test engines but ${actual.length} RUL values`);
    predicted = await predictLast(model.bytes, engines, model.manifest.normalization.mean, model.manifest.normalization.std);
    console.log(`shipped model ${model.key} on ${engines.length} test engines`);
  } else {
    const epochs = Number(arg('--epochs') ?? DEFAULT_TRAIN.epochs);
    ({ predicted, actual } = await crossValidate(parseCmapss(readFileSync(trainFile, 'utf8')), epochs, console.log));
    console.log(`${FOLDS}-fold cross-validation by engine, ${actual.length} engines`);
  }
  console.log(`RMSE=${rmse(predicted, actual).toFixed(2)} SCORE=${phm08Score(predicted, actual).toFixed(1)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
