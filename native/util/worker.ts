// Where a worker thread's code lives. In the packaged app and serve mode the core is bundled and
// every `native/<folder>/<name>.worker.ts` is emitted beside it as `dist/native/workers/<folder>-<name>.mjs`;
// from sources (tests, benchmarks) the TypeScript entry runs through tsx.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

const here = path.dirname(fileURLToPath(import.meta.url));
/** True when this module runs from the esbuild bundle in dist/native. */
const bundled = path.basename(here) === 'native' && path.basename(path.dirname(here)) === 'dist';

/** `id` is `<folder>/<name>`, e.g. `inference/session` for native/inference/session.worker.ts. */
export function workerEntry(id: string): { file: string; execArgv: string[] } {
  if (bundled) {
    const file = path.join(here, 'workers', `${id.replace('/', '-')}.mjs`);
    if (!existsSync(file)) throw new Error(`worker bundle missing: ${file} (run npm run build)`);
    return { file, execArgv: [] };
  }
  const file = path.resolve(here, '..', `${id}.worker.ts`);
  if (!existsSync(file)) throw new Error(`worker source missing: ${file}`);
  return { file, execArgv: ['--import', 'tsx'] };
}

export function startWorker(id: string, options: Omit<WorkerOptions, 'execArgv'> = {}): Worker {
  const { file, execArgv } = workerEntry(id);
  return new Worker(file, { ...options, execArgv });
}
