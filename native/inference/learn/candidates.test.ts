// Learning candidates kept on disk (candidates.ts): read back as written, and a file that does not
// pass its checks is left out with the file and each field named in sentences, never zod's wording.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LearnJob, LearnReport } from '../../api/prediction-requests.js';
import { VALIDATOR_WORDING } from '../../util/validator-wording.js';
import { loadCandidates, saveCandidate } from './candidates.js';
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

const fit: StreamFit = { onnx: new Uint8Array([1, 2, 3]), mean: [1, 2], std: [0.5, 0.25], threshold: 4, components: 1, report };

describe('learning candidates on disk', () => {
  it('reads back the candidate it kept', () => {
    const dir = mkdtempSync(path.join(tmp, 'kept-'));
    saveCandidate(dir, 'p1', wire, fit);
    const { candidates, refused } = loadCandidates(dir);
    expect(refused).toEqual([]);
    expect(candidates).toEqual([{ wire, fit }]);
  });

  it('leaves out a file that fails its checks, naming the file and each field in sentences', () => {
    const dir = mkdtempSync(path.join(tmp, 'kept-'));
    saveCandidate(dir, 'p1', wire, fit);
    const file = path.join(dir, 'p1', 'candidate.json');
    const body = JSON.parse(readFileSync(file, 'utf8'));
    body.job.report.falseAlarmRate = 3;
    body.job.state = 'candidat';
    delete body.sha256;
    writeFileSync(file, JSON.stringify(body));
    const { candidates, refused } = loadCandidates(dir);
    expect(candidates).toEqual([]);
    expect(refused).toEqual([
      `learning candidate ${path.basename(dir)}/p1 left out: it is not a learning candidate (${file}): ` +
        'the field "job.state" must be "candidate", but it is the text "candidat"; ' +
        'the field "job.report.falseAlarmRate" must be at most 1, but it is 3; ' +
        'the field "sha256" is required and must be text',
    ]);
    expect(refused[0]).not.toMatch(VALIDATOR_WORDING);

    writeFileSync(file, '"a candidate"');
    expect(loadCandidates(dir).refused).toEqual([
      `learning candidate ${path.basename(dir)}/p1 left out: it is not a learning candidate (${file}): it holds the text "a candidate", not a mapping of fields`,
    ]);
    writeFileSync(file, '{');
    expect(loadCandidates(dir).refused[0]).toMatch(`learning candidate ${path.basename(dir)}/p1 left out: it is not JSON (${file}: `);
  });
});
