// The main thread's side of the inference worker. Windows submitted for the same model in the
// same turn (or while the worker is busy) go to the worker as one batch; one batch is in flight
// at a time, so a slow model makes batches bigger rather than the queue longer. The queue is
// bounded: when it is full `submit` says no and the caller skips that prediction (backpressure).
// If the worker dies, pending work fails, a system message is raised, and the console's one worker
// supervisor (util/worker.ts) starts a new worker with the same models after a growing delay.
import type { Worker } from 'node:worker_threads';
import { startWorker, WorkerSupervisor } from '../util/worker.js';
import type { FromWorker, ToWorker } from './protocol.js';

export interface HostOptions {
  /** Largest batch sent to the worker. */
  maxBatch?: number;
  /** Windows waiting (all models) beyond which `submit` refuses. */
  maxQueue?: number;
  onSystemMessage?: (level: 'info' | 'warning' | 'error', message: string) => void;
  /** Worker id for startWorker; tests may substitute another entry. */
  workerId?: string;
}

export type RunCallback = (err: Error | null, outputs: Record<string, Float32Array> | null, row: number) => void;

interface Pending {
  data: Float32Array;
  done: RunCallback;
  at: number;
}

interface ModelSlot {
  key: string;
  bytes: Uint8Array;
  input: string;
  /** Per-window dims, without the batch dimension. */
  dims: number[];
  size: number;
  queue: Pending[];
  stats: ModelStats;
}

export interface ModelStats {
  model: string;
  windows: number;
  batches: number;
  errors: number;
  dropped: number;
  /** Submit-to-result latency percentiles over the last 1,024 windows, ms. */
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** Mean onnxruntime run time per batch, ms (last 1,024 batches). */
  runMsMean: number;
  meanBatch: number;
  /** Windows per second over the last metrics read. */
  throughput: number;
}

class Ring {
  private readonly buf: Float64Array;
  private n = 0;
  constructor(size: number) {
    this.buf = new Float64Array(size);
  }
  push(v: number): void {
    this.buf[this.n++ % this.buf.length] = v;
  }
  quantile(q: number): number {
    const len = Math.min(this.n, this.buf.length);
    if (len === 0) return 0;
    const s = Array.from(this.buf.subarray(0, len)).sort((a, b) => a - b);
    return s[Math.min(len - 1, Math.floor(q * (len - 1)))] as number;
  }
  mean(): number {
    const len = Math.min(this.n, this.buf.length);
    let s = 0;
    for (let i = 0; i < len; i++) s += this.buf[i] as number;
    return len ? s / len : 0;
  }
}

export class InferenceHost {
  private readonly supervisor: WorkerSupervisor;
  private get worker(): Worker | null {
    return this.supervisor.worker;
  }
  private readonly models = new Map<string, ModelSlot>();
  private readonly latency = new Map<string, Ring>();
  private readonly runMs = new Map<string, Ring>();
  private readonly loadWaiters = new Map<string, { resolve: () => void; reject: (e: Error) => void }[]>();
  private inFlight: { id: number; slot: ModelSlot; items: Pending[] } | null = null;
  private nextId = 1;
  private queued = 0;
  private flushScheduled = false;
  private lastRead = { at: performance.now(), windows: new Map<string, number>() };
  private readonly maxBatch: number;
  private readonly maxQueue: number;
  private readonly say: NonNullable<HostOptions['onSystemMessage']>;
  private readonly workerId: string;

  constructor(opts: HostOptions = {}) {
    this.maxBatch = opts.maxBatch ?? 256;
    this.maxQueue = opts.maxQueue ?? 8192;
    this.say = opts.onSystemMessage ?? (() => {});
    this.workerId = opts.workerId ?? 'inference/session';
    this.supervisor = new WorkerSupervisor({
      name: 'inference worker',
      // A worker is ready as soon as it runs: messages posted before its first turn wait for it.
      start: async () => startWorker(this.workerId),
      onStart: (w, restart) => this.attach(w, restart),
      onExit: (_w, why) => {
        this.failAll(new Error(`inference worker stopped (${why})`));
        return undefined;
      },
      say: (level, message) => this.say(level, message),
    });
    this.supervisor.adopt(startWorker(this.workerId));
  }

  get workerRestarts(): number {
    return this.supervisor.restarts;
  }

  /** Load (or replace: hot swap) a model in the worker. Resolves once onnxruntime accepted it. */
  load(key: string, bytes: Uint8Array, input: string, dims: number[]): Promise<void> {
    const existing = this.models.get(key);
    const stats = existing?.stats ?? {
      model: key,
      windows: 0,
      batches: 0,
      errors: 0,
      dropped: 0,
      latencyP50Ms: 0,
      latencyP99Ms: 0,
      runMsMean: 0,
      meanBatch: 0,
      throughput: 0,
    };
    const size = dims.reduce((a, b) => a * b, 1);
    this.models.set(key, { key, bytes, input, dims, size, queue: existing?.queue ?? [], stats });
    if (!this.latency.has(key)) {
      this.latency.set(key, new Ring(1024));
      this.runMs.set(key, new Ring(1024));
    }
    return this.sendLoad(key, bytes);
  }

  unload(key: string): void {
    const slot = this.models.get(key);
    if (!slot) return;
    this.models.delete(key);
    for (const p of slot.queue) p.done(new Error(`model ${key} was unloaded`), null, 0);
    this.queued -= slot.queue.length;
    this.post({ type: 'unload', key });
  }

  /** Queue one window (length = product of the model's dims). False when the queue is full. */
  submit(key: string, data: Float32Array, done: RunCallback): boolean {
    const slot = this.models.get(key);
    if (!slot) throw new Error(`model ${key} is not loaded`);
    if (data.length !== slot.size) throw new Error(`window of ${data.length} values for model ${key}, expected ${slot.size}`);
    if (this.queued >= this.maxQueue) {
      slot.stats.dropped++;
      return false;
    }
    slot.queue.push({ data, done, at: performance.now() });
    this.queued++;
    this.scheduleFlush();
    return true;
  }

  stats(): ModelStats[] {
    const now = performance.now();
    const dt = (now - this.lastRead.at) / 1000;
    const out = [...this.models.values()].map((slot) => {
      const s = slot.stats;
      const lat = this.latency.get(slot.key) as Ring;
      s.latencyP50Ms = lat.quantile(0.5);
      s.latencyP99Ms = lat.quantile(0.99);
      s.runMsMean = (this.runMs.get(slot.key) as Ring).mean();
      s.meanBatch = s.batches ? s.windows / s.batches : 0;
      const before = this.lastRead.windows.get(slot.key) ?? 0;
      s.throughput = dt > 0 ? (s.windows - before) / dt : 0;
      this.lastRead.windows.set(slot.key, s.windows);
      return { ...s };
    });
    this.lastRead.at = now;
    return out;
  }

  async stop(): Promise<void> {
    this.supervisor.stop();
    this.failAll(new Error('inference stopped'));
    const w = this.worker;
    if (!w) return;
    // A worker asked to close releases its sessions and ends by itself; terminate only one that
    // does not end in time (a run stuck in native code).
    const exited = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 5_000);
      w.once('exit', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    w.postMessage({ type: 'close' } satisfies ToWorker);
    if (!(await exited)) await w.terminate();
  }

  private attach(w: Worker, restart: boolean): void {
    w.on('message', (msg: FromWorker) => this.onMessage(msg));
    if (!restart) return;
    if (this.queued > 0) this.scheduleFlush();
    for (const slot of this.models.values()) {
      this.sendLoad(slot.key, slot.bytes).then(
        () => this.say('info', `inference worker restarted; model ${slot.key} reloaded`),
        (err: Error) => this.say('error', `model ${slot.key} could not be reloaded: ${err.message}`),
      );
    }
  }

  private failAll(err: Error): void {
    if (this.inFlight) {
      const { items, slot } = this.inFlight;
      this.inFlight = null;
      slot.stats.errors += items.length;
      for (const [i, p] of items.entries()) p.done(err, null, i);
    }
    for (const waiters of this.loadWaiters.values()) for (const w of waiters) w.reject(err);
    this.loadWaiters.clear();
  }

  private sendLoad(key: string, bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      const list = this.loadWaiters.get(key) ?? [];
      list.push({ resolve, reject });
      this.loadWaiters.set(key, list);
      // A copy: the slot keeps its bytes to reload after a worker restart.
      if (!this.post({ type: 'load', key, bytes: bytes.slice() })) {
        this.loadWaiters.delete(key);
        reject(new Error('inference worker is not running'));
      }
    });
  }

  private post(msg: ToWorker, transfer: ArrayBuffer[] = []): boolean {
    if (!this.worker) return false;
    this.worker.postMessage(msg, transfer);
    return true;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.inFlight) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.inFlight || !this.worker) return;
    // The model with the oldest waiting window goes first, so no model starves.
    let slot: ModelSlot | null = null;
    for (const s of this.models.values()) {
      const head = s.queue[0];
      if (head && (!slot || head.at < (slot.queue[0] as Pending).at)) slot = s;
    }
    if (!slot) return;
    const items = slot.queue.splice(0, this.maxBatch);
    this.queued -= items.length;
    const data = new Float32Array(items.length * slot.size);
    for (const [i, p] of items.entries()) data.set(p.data, i * slot.size);
    const id = this.nextId++;
    this.inFlight = { id, slot, items };
    this.post({ type: 'run', id, key: slot.key, input: slot.input, data, dims: [items.length, ...slot.dims] }, [data.buffer]);
  }

  private onMessage(msg: FromWorker): void {
    if (msg.type === 'loaded' || msg.type === 'load-error') {
      const waiters = this.loadWaiters.get(msg.key) ?? [];
      this.loadWaiters.delete(msg.key);
      for (const w of waiters) {
        if (msg.type === 'loaded') w.resolve();
        else w.reject(new Error(`onnxruntime refused model ${msg.key}: ${msg.message}`));
      }
      return;
    }
    const flight = this.inFlight;
    if (!flight || flight.id !== msg.id) return;
    this.inFlight = null;
    const { slot, items } = flight;
    const now = performance.now();
    if (msg.type === 'result') {
      slot.stats.windows += items.length;
      slot.stats.batches++;
      this.runMs.get(slot.key)?.push(msg.runMs);
      const lat = this.latency.get(slot.key) as Ring;
      items.forEach((p, i) => {
        lat.push(now - p.at);
        p.done(null, msg.outputs, i);
      });
    } else {
      slot.stats.errors += items.length;
      const err = new Error(`model ${slot.key} failed: ${msg.message}`);
      for (const [i, p] of items.entries()) p.done(err, null, i);
    }
    if (this.queued > 0) this.scheduleFlush();
  }
}
