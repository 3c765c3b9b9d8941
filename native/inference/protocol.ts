// Messages between the inference host (main thread) and its worker. Same process, structured
// clone, typed arrays transferred, not copied: these are trusted and on the hot path, so typed
// but not re-validated.

export type ToWorker =
  | { type: 'load'; key: string; bytes: Uint8Array }
  | { type: 'unload'; key: string }
  | { type: 'run'; id: number; key: string; input: string; data: Float32Array; dims: number[] }
  /** Finish what is queued, release every session, then end the thread. */
  | { type: 'close' };

export type FromWorker =
  | { type: 'loaded'; key: string }
  | { type: 'load-error'; key: string; message: string }
  | { type: 'result'; id: number; outputs: Record<string, Float32Array>; runMs: number }
  | { type: 'run-error'; id: number; message: string };
