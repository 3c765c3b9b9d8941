// Starting the writer thread. From the bundle, startWorker runs the emitted .mjs. From sources on
// Node 20, `--import tsx` in a worker's execArgv does not reach the worker's entry module
// (ERR_UNKNOWN_FILE_EXTENSION), so the worker first registers tsx's loader itself, then imports
// the TypeScript entry.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { startWorker, workerEntry } from '../util/worker.js';

export function spawnWriter(options: Omit<WorkerOptions, 'execArgv' | 'eval'>): Worker {
  const id = 'historian/writer';
  const { file } = workerEntry(id);
  if (!file.endsWith('.ts')) return startWorker(id, options);
  const api = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const code = `import(${JSON.stringify(api)}).then((t) => { t.register(); return import(${JSON.stringify(pathToFileURL(file).href)}); });`;
  return new Worker(code, { ...options, eval: true });
}
