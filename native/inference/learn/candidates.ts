// Learning candidates on disk: a candidate awaiting approval survives a restart with its report.
// One folder per candidate, <dataDir>/learn-candidates/<learned name>/<job id>/ with candidate.json
// (the job with its origin and period, and the fit's normalisation, threshold and components) and
// model.onnx; each is kept until it is approved or discarded on its own (jobs.ts bounds them per
// machine, LEARN_LIMITS.candidates). The files cross a trust boundary (disk) and are validated when
// read; one that does not pass is named and left out. A candidate of the earlier layout (format 1, one
// per machine, <learned name>/candidate.json) is read with its origin taken from who started it and
// moved into its own folder.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { LearnJob, LearnReport } from '../../api/prediction-requests.js';
import { describeValue, describeZodError } from '../../util/describe.js';
import { describeError } from '../../util/errors.js';
import { sha256 } from '../registry.js';
import type { StreamFit } from './stream.js';

/** The model name a machine's learned versions share, and the folder its candidates are kept in. */
export const learnedName = (machine: string) => `learned-${machine.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;

const FORMAT = 2;
/** A job id names its folder: letters, digits, dots, dashes and underscores only, never a path. */
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
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
const jobFields = {
  id: z.string().regex(ID),
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
};
const fileFields = {
  fit: z
    .object({ mean: z.array(num), std: z.array(num.positive()), threshold: num.positive(), components: z.number().int().min(1) })
    .strict(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
};
const onePerTag = (c: { job: { tags: string[] }; fit: { mean: number[]; std: number[] } }) =>
  c.fit.mean.length === c.job.tags.length && c.fit.std.length === c.job.tags.length;
const onePerTagIssue = { message: 'the normalisation needs one mean and one std per tag of the job', path: ['fit'] };
const candidateFile = z
  .object({
    format: z.literal(FORMAT),
    job: z.object({ ...jobFields, origin: z.enum(['engineer', 'maintenance']) }).strict(),
    ...fileFields,
  })
  .strict()
  .refine(onePerTag, onePerTagIssue);
/** The earlier layout (one candidate per machine): no origin, who started the job says it. */
const legacyFile = z
  .object({ format: z.literal(1), job: z.object(jobFields).strict(), ...fileFields })
  .strict()
  .refine(onePerTag, onePerTagIssue);

export interface StoredCandidate {
  wire: LearnJob;
  fit: StreamFit;
}

/** Keep a candidate in its own folder: model.onnx first, then candidate.json renamed into place. */
export function saveCandidate(dir: string, machineFolder: string, wire: LearnJob, fit: StreamFit): void {
  if (!ID.test(wire.id)) throw new Error(`the job id "${wire.id}" cannot name a folder`);
  const at = path.join(dir, machineFolder, wire.id);
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

/** Forget a kept candidate (approved, discarded, or the oldest past the machine's bound). */
export function removeCandidate(dir: string, machineFolder: string, id: string): void {
  if (!ID.test(id)) return; // never a path: nothing of that name was kept
  rmSync(path.join(dir, machineFolder, id), { recursive: true, force: true });
}

/** The candidate in `at` (candidate.json and model.onnx), checked; throws what is wrong with it. */
function readCandidate(at: string): StoredCandidate {
  const file = path.join(at, 'candidate.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`it is not JSON (${file}: ${describeError(err)})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new Error(`it is not a learning candidate (${file}): it holds ${describeValue(raw)}, not a mapping of fields`);
  const legacy = (raw as { format?: unknown }).format === 1;
  const schema = legacy ? legacyFile : candidateFile;
  const parsed = schema.safeParse(raw);
  // Each problem as a sentence naming its field, never the validator's own wording.
  if (!parsed.success)
    throw new Error(
      `it is not a learning candidate (${file}): ${describeZodError(parsed.error, schema, raw)
        .map((p) => p.message)
        .join('; ')}`,
    );
  const onnxFile = path.join(at, 'model.onnx');
  if (!existsSync(onnxFile)) throw new Error('model.onnx is missing');
  const onnx = new Uint8Array(readFileSync(onnxFile));
  const digest = sha256(onnx);
  if (digest !== parsed.data.sha256) throw new Error(`model.onnx has SHA-256 ${digest}, candidate.json says ${parsed.data.sha256}`);
  const job = parsed.data.job as LearnJob | Omit<LearnJob, 'origin'>;
  const wire: LearnJob =
    'origin' in job ? job : { ...job, origin: job.startedBy?.startsWith('maintenance event ') ? 'maintenance' : 'engineer' };
  return { wire, fit: { onnx, ...parsed.data.fit, report: wire.report as LearnReport } };
}

/** Every kept candidate that passes its checks; each one that does not is named in `refused`. */
export function loadCandidates(dir: string): { candidates: StoredCandidate[]; refused: string[] } {
  const candidates: StoredCandidate[] = [];
  const refused: string[] = [];
  if (!existsSync(dir)) return { candidates, refused };
  const read = (at: string, migrate: string | null) => {
    // A write cut short before the rename kept nothing.
    if (!existsSync(path.join(at, 'candidate.json'))) return;
    try {
      const c = readCandidate(at);
      // A candidate is approved or discarded by removing <machine folder>/<job id>: one whose folder
      // says otherwise (copied or moved by hand) could never be removed and would come back.
      const machineFolder = path.basename(migrate === null ? path.dirname(at) : at);
      if (machineFolder !== learnedName(c.wire.machine))
        throw new Error(
          `it is of machine ${c.wire.machine}, whose candidates are kept under ${learnedName(c.wire.machine)}/, not ${machineFolder}/`,
        );
      if (migrate === null && path.basename(at) !== c.wire.id)
        throw new Error(`it is job ${c.wire.id}, kept in a folder named ${path.basename(at)}`);
      if (migrate !== null) {
        // The earlier layout's one candidate of the machine moves into its own folder.
        saveCandidate(dir, migrate, c.wire, c.fit);
        rmSync(path.join(at, 'candidate.json'));
        rmSync(path.join(at, 'model.onnx'), { force: true });
      }
      candidates.push(c);
    } catch (err) {
      refused.push(`learning candidate ${path.relative(path.dirname(dir), at)} left out: ${describeError(err)}`);
    }
  };
  for (const machine of readdirSync(dir, { withFileTypes: true })) {
    if (!machine.isDirectory()) continue;
    const at = path.join(dir, machine.name);
    // Listed before a candidate of the earlier layout moves into a folder of its own beside them.
    const kept = readdirSync(at, { withFileTypes: true }).filter((e) => e.isDirectory());
    read(at, machine.name);
    for (const entry of kept) read(path.join(at, entry.name), null);
  }
  return { candidates, refused };
}
