// Test fixture: the real inference worker (session.worker.ts, real onnxruntime) behind a gate that
// holds each `run` until the test posts `{ type: 'release', count }`. A run is then pending for as
// long as the test decides, so what the main thread does meanwhile is checked by order and counts,
// not by timing. Not a *.worker.ts: never bundled, reachable only from tests through an absolute path.
import { parentPort } from 'node:worker_threads';

const port = parentPort;
if (!port) throw new Error('gated-session.fixture.ts must run as a worker thread');
type Listener = (m: unknown) => void;
let deliver: Listener | null = null;
const early: unknown[] = [];
const held: unknown[] = [];
let credits = 0;

const pass = (m: unknown) => {
  if (deliver) deliver(m);
  else early.push(m);
};
const drain = () => {
  while (credits > 0 && held.length > 0) {
    credits--;
    pass(held.shift());
  }
};
const listen = port.on.bind(port);
listen('message', (m: { type?: string; count?: number }) => {
  if (m.type === 'release') {
    credits += m.count ?? 1;
    drain();
  } else if (m.type === 'run') {
    held.push(m);
    drain();
  } else pass(m);
});
// The real worker registers its own message listener on import: it gets what the gate lets through.
port.on = ((event: string, listener: Listener) => {
  if (event !== 'message') return listen(event, listener);
  deliver = listener;
  for (const m of early.splice(0)) listener(m);
  return port;
}) as typeof port.on;
await import('./session.worker.js');
