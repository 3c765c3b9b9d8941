// Child process for the learning memory test and the bench: fits a model of 8 tags at 1 Hz over
// `hours` of synthetic history (generated per stretch as it is read, so nothing but the fit holds
// it) and prints, as JSON, the live memory (heap without compiled code + array buffers after a full GC, every third slice
// and at the end: what the fit holds is steady within a pass) at its largest during the fit, above
// the lowest reading (before it or during it), with the time taken and the rows read.
// Usage: node --expose-gc --import tsx memory.fixture.ts <hours> [--no-gc] [--in-memory]
// (--no-gc: no forced collection, for timing; the peak is then of heap + buffers as they stood.
// --in-memory: the same rows held whole and fitted by pca.ts fitPca, the bench's baseline.)
import { getHeapSpaceStatistics } from 'node:v8';
import { LEARN_LIMITS } from '../../api/prediction-requests.js';
import { DEFAULT_PCA_OPTIONS, fitPcaSteps } from './pca.js';
import { learnPlan } from './plan.js';
import { fitStreaming } from './stream.js';

const hours = Number(process.argv[2]);
const forceGc = !process.argv.includes('--no-gc');
const gc = (globalThis as { gc?: () => void }).gc;
if (!Number.isFinite(hours) || hours <= 0) throw new Error('usage: memory.fixture.ts <hours> [--no-gc]');
if (forceGc && !gc) throw new Error('run with node --expose-gc');

const TAGS = ['Flow', 'Pressure', 'Current', 'Power', 'Speed', 'BearingTemp', 'MotorTemp', 'Vibration'];
const T0 = Date.parse('2025-01-01T00:00:00Z');

/** Eight correlated signals at any grid time: a slow load cycle drives the others; noise hashed from time. */
function fill(ts: Float64Array, columns: Float64Array[]): void {
  for (let i = 0; i < ts.length; i++) {
    const s = (ts[i] as number) / 1000;
    const noise = (k: number) => ((Math.sin(s * 12.9898 + k * 78.233) * 43758.5453) % 1) - 0.5;
    const load = 0.7 + 0.2 * Math.sin(s / 900) + 0.05 * Math.sin(s / 53);
    const v = [
      140 * load + noise(1),
      4 + 2 * load + noise(2) * 0.05,
      60 * load + noise(3) * 0.5,
      40 * load + noise(4) * 0.4,
      1500 * load + noise(5) * 3,
      55 + 5 * load + noise(6) * 0.2,
      60 + 8 * load + noise(7) * 0.3,
      2 + 0.5 * load + noise(8) * 0.1,
    ];
    for (let j = 0; j < 8; j++) (columns[j] as Float64Array)[i] = v[j] as number;
  }
}

/**
 * Heap spaces of code and its metadata (bytecode in the trusted spaces of newer V8), and the
 * read-only space (constant): what the JIT adds while the fit runs depends on when it tiers up
 * (on a loaded machine, later), not on the rows.
 */
const CODE_SPACES = new Set(['code_space', 'code_large_object_space', 'trusted_space', 'trusted_large_object_space', 'read_only_space']);
const live = () => {
  if (forceGc) {
    gc?.();
    // A second collection: the first leaves the backing stores of the dead arrays to a background
    // sweeper, which on a loaded machine has not run yet (they would count as live).
    gc?.();
  }
  let heap = 0;
  for (const s of getHeapSpaceStatistics()) if (!CODE_SPACES.has(s.space_name)) heap += s.space_used_size;
  return heap + process.memoryUsage().arrayBuffers;
};

const plan = learnPlan(T0, T0 + hours * 3_600_000, 1000);
let rows = 0;
const inMemory = process.argv.includes('--in-memory');
/** The baseline: every row of the plan read first and held as arrays, then fitted (pca.ts). */
function* wholeFit() {
  const segments: number[][][] = [];
  for (const seg of plan.segments) {
    const n = Math.floor((seg.to - seg.from) / 1000) + 1;
    const ts = Float64Array.from({ length: n }, (_, i) => seg.from + i * 1000);
    const columns = TAGS.map(() => new Float64Array(n));
    fill(ts, columns);
    rows += n;
    segments.push(Array.from({ length: n }, (_, i) => columns.map((c) => c[i] as number)));
    yield;
  }
  const fit = yield* fitPcaSteps(segments, DEFAULT_PCA_OPTIONS);
  return { components: fit.components, report: { falseAlarmRate: Number.NaN } };
}
const steps = inMemory
  ? wholeFit()
  : fitStreaming({
      segments: plan.segments,
      subsampled: !plan.whole,
      tags: TAGS,
      read: (seg) => {
        const n = Math.floor((seg.to - seg.from) / 1000) + 1;
        const ts = Float64Array.from({ length: n }, (_, i) => seg.from + i * 1000);
        const columns = TAGS.map(() => new Float64Array(n));
        fill(ts, columns);
        rows += n;
        return { ts, columns };
      },
      exclude: () => null,
      periodMs: 1000,
      options: DEFAULT_PCA_OPTIONS,
      maxSpans: LEARN_LIMITS.spans,
    });
// Above the lowest reading, not the first: what the runtime still held when the fit started (a
// module being loaded, a message in flight) would otherwise lower the figure by its size.
let low = live();
let peak = low;
const sample = () => {
  const m = live();
  peak = Math.max(peak, m);
  low = Math.min(low, m);
};
let slices = 0;
const t0 = performance.now();
let result = steps.next();
while (!result.done) {
  if (++slices % 3 === 0) sample();
  result = steps.next();
}
const ms = performance.now() - t0;
sample();
const fit = result.value;
process.stdout.write(
  `${JSON.stringify({ hours, rows, slices, ms, peakBytes: peak - low, falseAlarmRate: fit.report.falseAlarmRate, components: fit.components })}\n`,
);
