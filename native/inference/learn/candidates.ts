// Learning candidates on disk: a candidate awaiting approval survives a restart with its report.
// One folder per machine, <dataDir>/learn-candidates/<learned name>/ with candidate.json (the job and
// the fit's normalisation, threshold and components) and model.onnx; at most one per machine (a new
// job on the machine replaces it), so the count is bounded by the site's machines. The files cross a
// trust boundary (disk) and are validated when read; one that does not pass is named and left out.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { LearnJob } from '../../api/prediction-requests.js';
import { describeValue, describeZodError } from '../../util/describe.js';
import { describeError } from '../../util/errors.js';
import { sha256 } from '../registry.js';
import type { StreamFit } from './stream.js';

const FORMAT = 1;
const num = z.number().finite();
const share = z.object({ tag: z.string(), share: num }).strict();
const span = z.object({ from: num, to: num, reason: z.enum(['stopped', 'alarm', 'no data']), detail: z.string() }).strict();
const report = z
  .object({
    rows: z.object({ read: num, train: num, heldBack: num, excluded: num }).strict(),
    windows: z.object({ train: num, heldBack: num, calibration: num }).strict(),
    falseAlarmRate: num.min(0).max(1),
    windowsAboveRate: num.min(0).max(1),
    alarm: z
      .object({
        k: z.number().int().min(1),
        n: z.number().int().min(1),
        quantile: num,
        margin: num,
        threshold: num.positive(),
        floored: z.boolean(),
      })
      .strict(),
    quantiles: z.array(z.object({ q: num, train: num, heldBack: num }).strict()),
    histogram: z.array(z.object({ from: num, to: num.nullable(), count: z.number().int().min(0) }).strict()),
    contributors: z.array(share),
    excluded: z.array(span),
    excludedMore: z.number().int().min(0),
    subsampled: z.boolean(),
    components: z.number().int().min(1),
    healthNormal: num.min(0).max(0.99),
  })
  .strict();
const job = z
  .object({
    id: z.string().min(1),
    machine: z.string().min(1),
    from: num,
    to: num,
    tags: z.array(z.string().min(1)).min(1),
    include: z.object({ stopped: z.boolean(), alarms: z.boolean() }).strict(),
    state: z.literal('candidate'),
    phase: z.literal('done'),
    fraction: z.literal(1),
    startedBy: z.string().nullable(),
    startedAt: num,
    finishedAt: num.nullable(),
    message: z.string().nullable(),
    report,
    model: z.null(),
    approvedBy: z.null(),
    approvedAt: z.null(),
  })
  .strict();
const candidateFile = z
  .object({
    format: z.literal(FORMAT),
    job,
    fit: z
      .object({ mean: z.array(num), std: z.array(num.positive()), threshold: num.positive(), components: z.number().int().min(1) })
      .strict(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict()
  .refine((c) => c.fit.mean.length === c.job.tags.length && c.fit.std.length === c.job.tags.length, {
    message: 'the normalisation needs one mean and one std per tag of the job',
    path: ['fit'],
  });

export interface StoredCandidate {
  wire: LearnJob;
  fit: StreamFit;
}

/** Keep the machine's candidate (replacing the one it had): model.onnx first, then candidate.json renamed into place. */
export function saveCandidate(dir: string, folder: string, wire: LearnJob, fit: StreamFit): void {
  const at = path.join(dir, folder);
  mkdirSync(at, { recursive: true });
  writeFileSync(path.join(at, 'model.onnx'), fit.onnx);
  const body = {
    format: FORMAT,
    job: wire,
    fit: { mean: fit.mean, std: fit.std, threshold: fit.threshold, components: fit.components },
    sha256: sha256(fit.onnx),
  };
  writeFileSync(path.join(at, 'candidate.json.tmp'), `${JSON.stringify(body)}\n`);
  renameSync(path.join(at, 'candidate.json.tmp'), path.join(at, 'candidate.json'));
}

/** Forget the machine's kept candidate (approved, discarded, or replaced by a new job). */
export function removeCandidate(dir: string, folder: string): void {
  rmSync(path.join(dir, folder), { recursive: true, force: true });
}

/** Every kept candidate that passes its checks; each one that does not is named in `refused`. */
export function loadCandidates(dir: string): { candidates: StoredCandidate[]; refused: string[] } {
  const candidates: StoredCandidate[] = [];
  const refused: string[] = [];
  if (!existsSync(dir)) return { candidates, refused };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const at = path.join(dir, entry.name);
    const file = path.join(at, 'candidate.json');
    if (!existsSync(file)) continue; // a write cut short before the rename: nothing was kept
    try {
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(file, 'utf8'));
      } catch (err) {
        throw new Error(`it is not JSON (${file}: ${describeError(err)})`);
      }
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
        throw new Error(`it is not a learning candidate (${file}): it holds ${describeValue(raw)}, not a mapping of fields`);
      const parsed = candidateFile.safeParse(raw);
      // Each problem as a sentence naming its field, never the validator's own wording.
      if (!parsed.success)
        throw new Error(
          `it is not a learning candidate (${file}): ${describeZodError(parsed.error, candidateFile, raw)
            .map((p) => p.message)
            .join('; ')}`,
        );
      const onnxFile = path.join(at, 'model.onnx');
      if (!existsSync(onnxFile)) throw new Error('model.onnx is missing');
      const onnx = new Uint8Array(readFileSync(onnxFile));
      const digest = sha256(onnx);
      if (digest !== parsed.data.sha256) throw new Error(`model.onnx has SHA-256 ${digest}, candidate.json says ${parsed.data.sha256}`);
      const wire = parsed.data.job;
      candidates.push({ wire, fit: { onnx, ...parsed.data.fit, report: wire.report } });
    } catch (err) {
      refused.push(`learning candidate ${path.join(path.basename(dir), entry.name)} left out: ${describeError(err)}`);
    }
  }
  return { candidates, refused };
}
