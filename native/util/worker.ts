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
import { describeError } from './errors.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** True when this module runs from the esbuild bundle in dist/native. */
const bundled = path.basename(here) === 'native' && path.basename(path.dirname(here)) === 'dist';

/**
 * `id` is `<folder>/<name>`, e.g. `inference/session` for native/inference/session.worker.ts; an
 * absolute path is a test fixture's own entry (never bundled, never named by configuration).
 */
export function workerEntry(id: string): string {
  const file = path.isAbsolute(id)
    ? id
    : bundled
      ? path.join(here, 'workers', `${id.replace('/', '-')}.mjs`)
      : path.resolve(here, '..', `${id}.worker.ts`);
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

export interface SupervisorOptions {
  /** Names the worker in every message: "historian writer", "inference worker". */
  name: string;
  /** Start a replacement; resolves once it is ready to take work (the first one is adopted). */
  start: () => Promise<Worker>;
  /** A worker (first or replacement) is ready: attach its message handler, replay what it must know. */
  onStart: (worker: Worker, restart: boolean) => void;
  /** The worker is gone: fail what was pending on it. May return a clause on what was lost. */
  onExit: (worker: Worker, why: string) => string | undefined;
  /** System messages (an error becomes a system alarm in the core). */
  say: (level: 'info' | 'warning' | 'error', message: string) => void;
  /** First restart delay, doubled on each further failure up to maxMs. */
  initialMs?: number;
  maxMs?: number;
}

const live = new Set<WorkerSupervisor>();

/**
 * The one supervisor for the console's worker threads (historian writer, inference): a worker that
 * dies (uncaught exception, exit, failed restart) is replaced after a backoff that doubles from
 * initialMs to maxMs and resets once a worker has stayed up for maxMs. Every death is a system
 * message at level error (a system alarm in the core); every restart is counted.
 */
export class WorkerSupervisor {
  worker: Worker | null = null;
  /** Replacements started since this supervisor began. */
  restarts = 0;
  private failures = 0;
  private upSince = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly initialMs: number;
  private readonly maxMs: number;

  get name(): string {
    return this.opts.name;
  }

  constructor(private readonly opts: SupervisorOptions) {
    this.initialMs = opts.initialMs ?? 500;
    this.maxMs = opts.maxMs ?? 30_000;
    live.add(this);
  }

  /** Take over a started worker (the first one, whose start the caller awaited itself). */
  adopt(worker: Worker, restart = false): void {
    this.worker = worker;
    this.upSince = Date.now();
    let cause: string | null = null;
    worker.on('error', (err) => {
      cause = `failed: ${describeError(err)}`;
    });
    worker.on('exit', (code) => this.died(worker, cause ?? `code ${code}`));
    this.opts.onStart(worker, restart);
  }

  private died(worker: Worker, why: string): void {
    if (this.worker !== worker) return;
    this.worker = null;
    const lost = this.opts.onExit(worker, why);
    if (this.stopped) return;
    if (Date.now() - this.upSince >= this.maxMs) this.failures = 0;
    this.schedule(`${this.opts.name} stopped (${why})${lost ? `; ${lost}` : ''}`);
  }

  private schedule(what: string): void {
    const delay = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.failures, 20));
    this.failures++;
    this.opts.say('error', `${what}; restarting it in ${delay >= 1000 ? `${delay / 1000} s` : `${delay} ms`}`);
    this.timer = setTimeout(() => this.restart(), delay);
    this.timer.unref();
  }

  private restart(): void {
    this.timer = null;
    if (this.stopped) return;
    this.opts.start().then(
      (w) => {
        if (this.stopped) {
          void w.terminate();
          return;
        }
        this.restarts++;
        this.adopt(w, true);
        this.opts.say('info', `${this.opts.name} restarted (restart ${this.restarts})`);
      },
      (err: unknown) => this.schedule(`${this.opts.name} could not restart: ${describeError(err)}`),
    );
  }

  /** No more restarts; the current worker is left to the caller (it may need a clean close). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    live.delete(this);
  }
}

/** Worker restarts in this process by worker name, for /metrics. */
export function workerRestarts(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of live) {
    const key = `${s.name.replace(/[^A-Za-z0-9]+/g, '_')}_restarts_total`;
    out[key] = (out[key] ?? 0) + s.restarts;
  }
  return out;
}
