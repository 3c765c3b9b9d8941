// Learning candidates kept on disk (candidates.ts): read back as written, each in its own folder, a
// file that does not pass its checks left out with the file and each field named in sentences, never
// zod's wording, and a candidate of the earlier layout (one per machine, no origin) moved into its own.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LearnJob, LearnReport } from '../../api/prediction-requests.js';
import { VALIDATOR_WORDING } from '../../util/validator-wording.js';
import { learnedName, loadCandidates, saveCandidate } from './candidates.js';
import type { StreamFit } from './stream.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'aurum-candidates-'));

const report: LearnReport = {
  rows: { read: 100, train: 80, heldBack: 20, excluded: 0 },
  windows: { train: 70, heldBack: 10, calibration: 10 },
  falseAlarmRate: 0,
  windowsAboveRate: 0.1,
  alarm: { k: 3, n: 5, quantile: 0.999, margin: 1.2, threshold: 4, floored: false },
  quantiles: [{ q: 1, train: 3, heldBack: 3.5 }],
  histogram: [{ from: 0, to: null, count: 10 }],
  contributors: [{ tag: 'Flow', share: 0.6 }],
  excluded: [],
  excludedMore: 0,
  subsampled: false,
  components: 1,
  healthNormal: 0.5,
};

const wire: LearnJob = {
  id: 'job-1',
  machine: 'S/A/P1',
  origin: 'engineer',
  from: 0,
  to: 3_600_000,
  tags: ['Flow', 'Power'],
  include: { stopped: false, alarms: false },
  state: 'candidate',
  phase: 'done',
  fraction: 1,
  startedBy: 'engineer',
  startedAt: 1,
  finishedAt: 2,
  message: null,
  report,
  model: null,
  approvedBy: null,
  approvedAt: null,
};

/** The folder the machine's candidates are kept in. */
const M = learnedName(wire.machine);

const fit: StreamFit = { onnx: new Uint8Array([1, 2, 3]), mean: [1, 2], std: [0.5, 0.25], threshold: 4, components: 1, report };

describe('learning candidates on disk', () => {
  it('reads back the candidate it kept', () => {
    const dir = mkdtempSync(path.join(tmp, 'kept-'));
    saveCandidate(dir, M, wire, fit);
    const { candidates, refused } = loadCandidates(dir);
    expect(refused).toEqual([]);
    expect(candidates).toEqual([{ wire, fit }]);
  });

  it('leaves out a file that fails its checks, naming the file and each field in sentences', () => {
    const dir = mkdtempSync(path.join(tmp, 'kept-'));
    saveCandidate(dir, M, wire, fit);
    const file = path.join(dir, M, 'job-1', 'candidate.json');
    const body = JSON.parse(readFileSync(file, 'utf8'));
    body.job.report.falseAlarmRate = 3;
    body.job.state = 'candidat';
    delete body.sha256;
    writeFileSync(file, JSON.stringify(body));
    const { candidates, refused } = loadCandidates(dir);
    expect(candidates).toEqual([]);
    expect(refused).toEqual([
      `learning candidate ${path.basename(dir)}/${M}/job-1 left out: it is not a learning candidate (${file}): ` +
        'the field "job.state" must be "candidate", but it is the text "candidat"; ' +
        'the field "job.report.falseAlarmRate" must be at most 1, but it is 3; ' +
        'the field "sha256" is required and must be text',
    ]);
    expect(refused[0]).not.toMatch(VALIDATOR_WORDING);

    writeFileSync(file, '"a candidate"');
    expect(loadCandidates(dir).refused).toEqual([
      `learning candidate ${path.basename(dir)}/${M}/job-1 left out: it is not a learning candidate (${file}): it holds the text "a candidate", not a mapping of fields`,
    ]);
    writeFileSync(file, '{');
    expect(loadCandidates(dir).refused[0]).toMatch(
      `learning candidate ${path.basename(dir)}/${M}/job-1 left out: it is not JSON (${file}: `,
    );
  });

  it('keeps two candidates of a machine side by side, each in its own folder', () => {
    const dir = mkdtempSync(path.join(tmp, 'kept-'));
    const other: LearnJob = { ...wire, id: 'job-2', origin: 'maintenance', startedBy: 'maintenance event 7', finishedAt: 3 };
    saveCandidate(dir, M, wire, fit);
    saveCandidate(dir, M, other, fit);
    expect(readdirSync(path.join(dir, M)).sort()).toEqual(['job-1', 'job-2']);
    const { candidates } = loadCandidates(dir);
    expect(candidates.map((c) => c.wire).sort((a, b) => a.id.localeCompare(b.id))).toEqual([wire, other]);
    // A job id never names a path.
    expect(() => saveCandidate(dir, M, { ...wire, id: '../escape' }, fit)).toThrow('the job id "../escape" cannot name a folder');
  });

  it('reads a candidate of the earlier layout (one per machine, no origin) and moves it into its own folder', () => {
    const dir = mkdtempSync(path.join(tmp, 'kept-'));
    const { origin: _, ...old } = { ...wire, startedBy: 'maintenance event 7' };
    const scratch = mkdtempSync(path.join(tmp, 'scratch-'));
    saveCandidate(scratch, M, wire, fit);
    // What format 1 wrote: <machine>/candidate.json and model.onnx, the job without its origin.
    const body = JSON.parse(readFileSync(path.join(scratch, M, 'job-1', 'candidate.json'), 'utf8'));
    mkdirSync(path.join(dir, M));
    writeFileSync(path.join(dir, M, 'candidate.json'), JSON.stringify({ ...body, format: 1, job: old }));
    renameSync(path.join(scratch, M, 'job-1', 'model.onnx'), path.join(dir, M, 'model.onnx'));
    const { candidates, refused } = loadCandidates(dir);
    expect(refused).toEqual([]);
    expect(candidates).toEqual([{ wire: { ...old, origin: 'maintenance' }, fit }]);
    expect(existsSync(path.join(dir, M, 'candidate.json'))).toBe(false);
    expect(readdirSync(path.join(dir, M))).toEqual(['job-1']);
    expect(readdirSync(path.join(dir, M, 'job-1')).sort()).toEqual(['candidate.json', 'model.onnx']);
    expect(loadCandidates(dir)).toEqual({ candidates: [{ wire: { ...old, origin: 'maintenance' }, fit }], refused: [] });
  });

  it('leaves out a candidate kept in a folder that is not its own (copied or moved by hand): it could never be removed', () => {
    const dir = mkdtempSync(path.join(tmp, 'kept-'));
    saveCandidate(dir, M, wire, fit);
    cpSync(path.join(dir, M, 'job-1'), path.join(dir, M, 'job-9'), { recursive: true });
    cpSync(path.join(dir, M, 'job-1'), path.join(dir, 'learned-other', 'job-1'), { recursive: true });
    const { candidates, refused } = loadCandidates(dir);
    expect(candidates.map((c) => c.wire.id)).toEqual(['job-1']);
    expect(refused.sort()).toEqual(
      [
        `learning candidate ${path.basename(dir)}/${M}/job-9 left out: it is job job-1, kept in a folder named job-9`,
        `learning candidate ${path.basename(dir)}/learned-other/job-1 left out: it is of machine S/A/P1, whose candidates are kept under ${M}/, not learned-other/`,
      ].sort(),
    );
  });
});
