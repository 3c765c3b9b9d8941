// Fixtures shared by this folder's tests and the inference benchmark: deterministic synthetic
// "normal operation" data, a tag table, a deliberately slow graph, and a hand-checkable model run
// second by second on simulated time.
import type { InferenceDiagnostics } from '../api/prediction-requests.js';
import type { MachineInfo, QualityCode, TagInfo } from '../api/types.js';
import { TagBus } from '../tags/bus.js';
import { testTag } from '../tags/test-tag.js';
import { mulberry32 } from '../util/random.js';
import type { ManifestInput } from './manifest.js';
import { GraphBuilder } from './onnx/builder.js';
import { writeModel } from './registry.js';
import { type Inference, openInference } from './service.js';

export { mulberry32 } from '../util/random.js';

/** Correlated pump-like signals: flow drives power and current; vibration and temperature idle. */
export function normalRows(n: number, seed = 1): number[][] {
  const r = mulberry32(seed);
  const noise = () => r() + r() + r() - 1.5;
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const flow = 140 + 8 * Math.sin(i / 37) + noise();
    rows.push([flow, 0.12 * flow + 4 + noise() * 0.3, 0.35 * flow + noise() * 0.6, 2.1 + noise() * 0.1, 55 + noise() * 0.2]);
  }
  return rows;
}

export const FIXTURE_TAGS = ['Flow', 'Power', 'MotorCurrent', 'VibrationRMS', 'BearingTemp'];

/** A pump of the fixture tags (ids from 0) and a bool Running tag after them, its running role set. */
export function runningPump(name: string): { tags: TagInfo[]; machine: MachineInfo } {
  const [site = '', area = ''] = name.split('/');
  return {
    tags: [
      ...FIXTURE_TAGS.map((t, i) => testTag(i, `${name}/${t}`)),
      testTag(FIXTURE_TAGS.length, `${name}/Running`, { dataType: 'bool' }),
    ],
    machine: { name, site, area, kind: 'pump', description: '', roles: { running: `${name}/Running` }, keyTags: [] },
  };
}

export function tagTable(machines: string[], tags: string[] = FIXTURE_TAGS): TagInfo[] {
  const out: TagInfo[] = [];
  for (const m of machines) for (const t of tags) out.push(testTag(out.length, `${m}/${t}`, { connection: 'test' }));
  return out;
}

/** A graph that takes a while: `repeats` chained 256×256 matrix products on a [batch, 256] input. */
export function slowModel(repeats: number): Uint8Array {
  const g = new GraphBuilder('slow');
  const x = g.input('x', ['batch', 256]);
  const r = mulberry32(7);
  const w = g.floats(
    Array.from({ length: 256 * 256 }, () => (r() - 0.5) / 16),
    [256, 256],
  );
  let h = x;
  for (let i = 0; i < repeats; i++) h = g.op('MatMul', [h, w]);
  g.op('Identity', [h], {}, 'y');
  g.output('y', ['batch', 256]);
  return g.encode();
}

/** Windows the worker has answered (results and errors) over all models: tests wait on this count. */
export function answeredWindows(svc: { diagnostics(): InferenceDiagnostics }): number {
  return svc.diagnostics().models.reduce((a, m) => a + m.windows + m.errors, 0);
}

/**
 * Model "echo"@1: one input X, a window of one 1-second row, score and contribution = the input,
 * threshold 2 (a normalised score of 1.0 is a value of 2). `extra` adds or replaces manifest fields
 * (alarm, adapt, description).
 */
export function writeEchoModel(root: string, extra: Partial<Omit<ManifestInput, 'sha256'>> = {}): string {
  const g = new GraphBuilder('echo');
  const x = g.input('window', ['batch', 1, 1]);
  g.op('Reshape', [x, g.int64s([-1])], {}, 'score');
  g.op('Reshape', [x, g.int64s([-1, 1])], {}, 'contributions');
  g.output('score', ['batch']);
  g.output('contributions', ['batch', 1]);
  return writeModel(
    root,
    {
      name: 'echo',
      version: 1,
      kind: 'anomaly',
      description: 'score = input',
      inputs: [{ tag: 'X' }],
      window: { length: 1, periodMs: 1000 },
      normalization: { mean: [0], std: [1] },
      graph: { input: 'window', score: 'score', contributions: 'contributions' },
      threshold: 2,
      outputs: { score: 'the input' },
      provenance: { data: 'none', rows: 0, createdAt: '2026-01-01T00:00:00Z', code: 'native/inference/testing.ts' },
      metrics: {},
      ...extra,
    },
    g.encode(),
  );
}

/** The inference service on one machine "S/A/M", stepped one simulated second at a time. */
export interface SteppedInference {
  bus: TagBus;
  svc: Inference;
  /** Windows submitted so far. */
  submitted(): number;
  /**
   * One second: the clock advances, the samples (by tag name within the machine) are given, a tick,
   * and every submitted window is answered before it returns (a bounded wait on the count).
   */
  second(samples: [tag: string, value: number, quality?: QualityCode][]): Promise<void>;
  stop(): Promise<void>;
}

/** `reason` goes with every sample given (the quality text a driver would send). */
export async function openStepped(modelsDir: string, model: string, tags: string[], reason = ''): Promise<SteppedInference> {
  const bus = new TagBus(tagTable(['S/A/M'], tags));
  let clock = Date.UTC(2026, 0, 1);
  const svc = await openInference({
    modelsDir,
    bus,
    machines: [{ machine: 'S/A/M', model }],
    onPrediction: () => {},
    onSystemMessage: () => {},
    now: () => clock,
    tickMs: 3_600_000,
  });
  let submitted = 0;
  return {
    bus,
    svc,
    submitted: () => submitted,
    async second(samples) {
      clock += 1000;
      for (const [tag, v, q] of samples) bus.update(bus.idOf(`S/A/M/${tag}`) as number, v, q ?? 0, clock, reason);
      bus.flush();
      submitted += svc.tick(clock);
      // Bounded by count: every submitted window answered (a withheld prediction emits nothing).
      for (let spins = 0; answeredWindows(svc) < submitted && spins < 100_000; spins++) await new Promise((r) => setImmediate(r));
      if (answeredWindows(svc) !== submitted)
        throw new Error(`${answeredWindows(svc)} of ${submitted} submitted windows answered after 100,000 turns of the event loop`);
    },
    stop: () => svc.stop(),
  };
}
