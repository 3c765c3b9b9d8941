// The inference worker: owns the onnxruntime sessions, runs one batch at a time. Everything slow
// (session creation, inference) happens here, never on the console's main thread.
import { parentPort } from 'node:worker_threads';
import type { FromWorker, ToWorker } from './protocol.js';
import { openSession, runFloat, type Session } from './session.js';

const port = parentPort;
if (!port) throw new Error('session.worker.ts must run as a worker thread');
const sessions = new Map<string, Promise<Session>>();
const send = (msg: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

// Messages are handled strictly in order: a run that follows a load waits for that load.
let chain: Promise<void> = Promise.resolve();
port.on('message', (msg: ToWorker) => {
  chain = chain.then(() => handle(msg));
});

async function handle(msg: ToWorker): Promise<void> {
  if (msg.type === 'load') {
    const opening = openSession(msg.bytes);
    sessions.set(msg.key, opening);
    try {
      await opening;
      send({ type: 'loaded', key: msg.key });
    } catch (err) {
      sessions.delete(msg.key);
      send({ type: 'load-error', key: msg.key, message: message(err) });
    }
  } else if (msg.type === 'close') {
    // Ending the thread while onnxruntime runs or holds a session aborts the whole process
    // (std::terminate on a Napi::Error): release everything first, then leave.
    for (const s of sessions.values()) await (await s.catch(() => null))?.release();
    sessions.clear();
    port?.close();
  } else if (msg.type === 'unload') {
    const s = sessions.get(msg.key);
    sessions.delete(msg.key);
    if (s) await (await s).release();
  } else {
    const s = sessions.get(msg.key);
    if (!s) {
      send({ type: 'run-error', id: msg.id, message: `model ${msg.key} is not loaded` });
      return;
    }
    try {
      const t0 = performance.now();
      const outputs = await runFloat(await s, msg.input, msg.data, msg.dims);
      send(
        { type: 'result', id: msg.id, outputs, runMs: performance.now() - t0 },
        Object.values(outputs).map((o) => o.buffer as ArrayBuffer),
      );
    } catch (err) {
      send({ type: 'run-error', id: msg.id, message: message(err) });
    }
  }
}
