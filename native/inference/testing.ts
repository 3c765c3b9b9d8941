// Fixtures shared by this folder's tests and the inference benchmark: deterministic synthetic
// "normal operation" data, a tag table, and a deliberately slow graph.
import type { InferenceDiagnostics } from '../api/prediction-requests.js';
import type { TagInfo } from '../api/types.js';
import { testTag } from '../tags/test-tag.js';
import { mulberry32 } from '../util/random.js';
import { GraphBuilder } from './onnx/builder.js';

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
