// Child process for the kill -9 test: streams samples into a historian and prints, after each
// flush resolves, how many samples per tag were acknowledged. The test kills it mid-stream.
import { openHistorian } from './historian.js';
import { makeTags } from './test-kit.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: crash-child <dir>');
const TAGS = 10;
const PER_TICK = 20;
const T0 = Date.UTC(2026, 0, 1);
const h = await openHistorian({ dir, tags: makeTags(TAGS), retentionIntervalMs: 0, flushIntervalMs: 100 });
const n = PER_TICK * TAGS;
const ids = new Uint32Array(n);
const ts = new Float64Array(n);
const values = new Float64Array(n);
const quality = new Uint8Array(n);
let perTag = 0;
let tick = 0;
function step(): void {
  for (let k = 0; k < PER_TICK; k++) {
    for (let id = 0; id < TAGS; id++) {
      const i = k * TAGS + id;
      ids[i] = id;
      ts[i] = T0 + (perTag + k) * 100;
      values[i] = perTag + k;
    }
  }
  perTag += PER_TICK;
  h.ingest({ length: n, ids, ts, values, quality });
  if (++tick % 5 === 0) {
    const acked = perTag;
    h.flush().then(() => process.stdout.write(`acked ${acked}\n`));
  }
  setTimeout(step, 1);
}
step();
