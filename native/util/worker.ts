// Where a worker thread's code lives, and how to start it. In the packaged app and serve mode the
// core is bundled and every `native/<folder>/<name>.worker.ts` is emitted beside it as
// `dist/native/workers/<folder>-<name>.mjs`. From sources (tests, benchmarks) the TypeScript entry
// runs through tsx — registered inside the worker itself, because on Node 20 `--import tsx` in a
// worker's execArgv does not reach its entry module unless the parent already runs under tsx.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

const here = path.dirname(fileURLToPath(import.meta.url));
/** True when this module runs from the esbuild bundle in dist/native. */
const bundled = path.basename(here) === 'native' && path.basename(path.dirname(here)) === 'dist';

/** `id` is `<folder>/<name>`, e.g. `inference/session` for native/inference/session.worker.ts. */
export function workerEntry(id: string): string {
  const file = bundled ? path.join(here, 'workers', `${id.replace('/', '-')}.mjs`) : path.resolve(here, '..', `${id}.worker.ts`);
  if (!existsSync(file))
    throw new Error(`worker ${bundled ? 'bundle' : 'source'} missing: ${file}${bundled ? ' (run npm run build)' : ''}`);
  return file;
}

export function startWorker(id: string, options: Omit<WorkerOptions, 'execArgv' | 'eval'> = {}): Worker {
  const file = workerEntry(id);
  if (!file.endsWith('.ts')) return new Worker(file, options);
  // The ESM build of tsx's API: require.resolve finds the CommonJS one beside it.
  const api = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const code = `import(${JSON.stringify(api)}).then((t) => { t.register(); return import(${JSON.stringify(pathToFileURL(file).href)}); });`;
  return new Worker(code, { ...options, eval: true });
}
