// The registry's listing (registry.ts listModels): it runs on every models request, so it reads and
// hashes a model's files again only when they changed. Reads are counted through ModelFiles'
// injectable reader and its clock is set by the test; whether a change is seen is shown on real
// files, never by timing.
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VALIDATOR_WORDING } from '../util/validator-wording.js';
import { listModels, loadModel, ModelFiles, sha256 } from './registry.js';
import { writeEchoModel } from './testing.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'aurum-registry-'));

/**
 * A registry root with models echo@1..n whose files were last changed an hour ago, and a ModelFiles
 * whose reads are recorded and whose clock is `clock.now`.
 */
function setup(n: number) {
  const root = mkdtempSync(path.join(tmp, 'models-'));
  const dirs = Array.from({ length: n }, (_, i) => writeEchoModel(root, { version: i + 1 }));
  const anHourAgo = Date.now() / 1000 - 3600;
  for (const dir of dirs) for (const f of readdirSync(dir)) utimesSync(path.join(dir, f), anHourAgo, anHourAgo);
  const reads: string[] = [];
  const clock = { now: Date.now() };
  const files = new ModelFiles(
    (file) => {
      reads.push(path.relative(root, file));
      return new Uint8Array(readFileSync(file));
    },
    () => clock.now,
  );
  return { root, dirs, reads, files, clock };
}

/** Reads of one more listing. */
function readsOf(list: () => unknown, reads: string[]): string[] {
  reads.length = 0;
  list();
  return [...reads];
}

describe('listing the registry', () => {
  it('reads each file once; a listing of unchanged files reads none and answers the same', () => {
    const { root, reads, files } = setup(3);
    const first = listModels([root], files);
    expect(first.map((e) => [e.name, e.version, e.error])).toEqual([
      ['echo', 1, null],
      ['echo', 2, null],
      ['echo', 3, null],
    ]);
    expect(reads.sort()).toEqual([
      'echo/1/manifest.json',
      'echo/1/model.onnx',
      'echo/2/manifest.json',
      'echo/2/model.onnx',
      'echo/3/manifest.json',
      'echo/3/model.onnx',
    ]);
    reads.length = 0;
    for (let i = 0; i < 3; i++) expect(listModels([root], files)).toEqual(first);
    expect(reads).toEqual([]);
  });

  it('sees a model.onnx replaced under the same name: the new digest is reported, only that file is read', () => {
    const { root, dirs, reads, files, clock } = setup(2);
    const list = () => listModels([root], files);
    list();
    reads.length = 0;
    // Replaced as an installer does (written beside, renamed over): same name, same size, new bytes.
    const file = path.join(dirs[1] as string, 'model.onnx');
    const declared = JSON.parse(readFileSync(path.join(dirs[1] as string, 'manifest.json'), 'utf8')).sha256;
    const bytes = readFileSync(file);
    bytes[bytes.length - 5] ^= 0xff;
    writeFileSync(`${file}.new`, bytes);
    renameSync(`${file}.new`, file);
    const changedAt = statSync(file).mtimeMs;
    clock.now = changedAt + 1000;
    const after = list();
    expect(reads).toEqual(['echo/2/model.onnx']);
    expect(after[0]?.error).toBeNull();
    expect(after[1]?.error).toBe(
      `model echo/2 refused: model.onnx has SHA-256 ${sha256(bytes)}, the manifest says ${declared}: the file is corrupted or was replaced`,
    );
    // The listing says what loading says.
    expect(() => loadModel(dirs[1] as string)).toThrow(after[1]?.error as string);

    // Changed a moment ago (file times are coarse: it may change again with the same stamp): read
    // at each listing until it is 2 s old, then kept.
    expect(readsOf(list, reads)).toEqual(['echo/2/model.onnx']);
    clock.now = changedAt + 2000;
    expect(readsOf(list, reads)).toEqual(['echo/2/model.onnx']);
    expect(readsOf(list, reads)).toEqual([]);

    // Rewritten in place (same inode, same size, new bytes): seen by its modification time.
    const one = path.join(dirs[0] as string, 'model.onnx');
    const oneBytes = readFileSync(one);
    oneBytes[oneBytes.length - 5] ^= 0xff;
    writeFileSync(one, oneBytes);
    clock.now = statSync(one).mtimeMs + 2000;
    let listed: ReturnType<typeof listModels> = [];
    expect(readsOf(() => (listed = list()), reads)).toEqual(['echo/1/model.onnx']);
    expect(listed[0]?.error).toContain(`model.onnx has SHA-256 ${sha256(oneBytes)}`);
  });

  it('reads a changed manifest again without hashing the unchanged model, and forgets a deleted folder', () => {
    const { root, dirs, reads, files, clock } = setup(2);
    listModels([root], files);
    reads.length = 0;
    const manifestFile = path.join(dirs[0] as string, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    writeFileSync(`${manifestFile}.new`, JSON.stringify({ ...manifest, description: 'described again' }));
    renameSync(`${manifestFile}.new`, manifestFile);
    clock.now = statSync(manifestFile).mtimeMs + 2000;
    const listed = listModels([root], files);
    expect(reads).toEqual(['echo/1/manifest.json']);
    expect(listed[0]?.manifest?.description).toBe('described again');

    rmSync(dirs[1] as string, { recursive: true });
    reads.length = 0;
    expect(listModels([root], files).map((e) => e.version)).toEqual([1]);
    expect(reads).toEqual([]);
  });
});

describe('a manifest that does not pass its checks', () => {
  it('is refused with the file and each field named in sentences, never the validator’s own wording', () => {
    const root = mkdtempSync(path.join(tmp, 'models-'));
    const dir = writeEchoModel(root);
    const manifestFile = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    writeFileSync(manifestFile, JSON.stringify({ ...manifest, kind: 'anomoly', window: { length: 'ten', periodMs: 1000 } }));
    const [entry] = listModels([root], new ModelFiles());
    const message = entry?.error as string;
    expect(message).toBe(
      `model echo/1 refused: ${manifestFile} is not a valid manifest: ` +
        'the field "kind" must be one of "anomaly", "rul", but it is the text "anomoly": did you mean anomaly?; ' +
        'the field "window.length" must be a number, but it is the text "ten"',
    );
    expect(message).not.toMatch(VALIDATOR_WORDING);
    // Loading it says the same.
    expect(() => loadModel(dir)).toThrow(message);

    // Not a mapping at all, and not JSON: the file named, the cause in a sentence.
    writeFileSync(manifestFile, '[1, 2]');
    expect(listModels([root], new ModelFiles())[0]?.error).toBe(
      `model echo/1 refused: ${manifestFile} must hold a manifest (a mapping of fields), but it holds a list of 2`,
    );
    writeFileSync(manifestFile, '{"name": ');
    expect(listModels([root], new ModelFiles())[0]?.error).toMatch(`model echo/1 refused: ${manifestFile} is not JSON: `);
  });

  it('is never written: writeModel says which field is wrong', () => {
    const root = mkdtempSync(path.join(tmp, 'models-'));
    let message = '';
    try {
      writeEchoModel(root, { threshold: -1 });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe('the manifest of echo@1 is not valid: the field "threshold" must be greater than 0, but it is -1');
    expect(message).not.toMatch(VALIDATOR_WORDING);
  });
});
