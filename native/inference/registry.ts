// The model registry: models/<name>/<version>/{model.onnx, manifest.json}, in one or more roots
// (the shipped models, read-only, and the console's own learned models). A model is only ever used
// after `loadModel` has checked its manifest, its checksum and its graph's declared inputs and
// outputs against the manifest; anything else is refused with a message that says what is wrong.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describeValue, describeZodError } from '../util/describe.js';
import { describeError } from '../util/errors.js';
import { ByFileStamp } from '../util/file-stamp.js';
import { type Manifest, type ManifestInput, manifestSchema } from './manifest.js';
import { readSignature, type TensorSignature } from './onnx/proto.js';

export interface LoadedModel {
  manifest: Manifest;
  bytes: Uint8Array;
  dir: string;
  /** `<name>@<version>`. */
  key: string;
}

export const modelKey = (name: string, version: number) => `${name}@${version}`;

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function checkDims(what: string, sig: TensorSignature, expected: (number | null)[]): void {
  const shape = sig.shape;
  const fail = () =>
    new Error(
      `${what} "${sig.name}" has shape [${shape.join(', ')}], the manifest implies [${expected.map((d) => d ?? 'batch').join(', ')}]`,
    );
  if (shape.length !== expected.length) throw fail();
  expected.forEach((d, i) => {
    if (d !== null && typeof shape[i] === 'number' && shape[i] !== d) throw fail();
  });
}

/** Where a folder is, as messages name it: `<name>/<version>`. */
function folderName(dir: string): string {
  return path.basename(path.dirname(dir)) ? `${path.basename(path.dirname(dir))}/${path.basename(dir)}` : dir;
}

/** A manifest.json's content checked: the manifest, or the sentence that says what is wrong with it. */
type ManifestRead = { manifest: Manifest; error: null } | { manifest: null; error: string };

function readManifest(file: string, bytes: Uint8Array): ManifestRead {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes));
  } catch (err) {
    return { manifest: null, error: `${file} is not JSON: ${describeError(err)}` };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { manifest: null, error: `${file} must hold a manifest (a mapping of fields), but it holds ${describeValue(raw)}` };
  const parsed = manifestSchema.safeParse(raw);
  if (parsed.success) return { manifest: parsed.data, error: null };
  // Each problem as a sentence naming its field, never the validator's own wording.
  const problems = describeZodError(parsed.error, manifestSchema, raw).map((p) => p.message);
  return { manifest: null, error: `${file} is not a valid manifest: ${problems.join('; ')}` };
}

/** What a model.onnx says of itself: its digest, and its graph's inputs and outputs or why it has none. */
interface GraphFacts {
  digest: string;
  signature: { inputs: TensorSignature[]; outputs: TensorSignature[] } | null;
  unreadable: string | null;
}

function readGraph(bytes: Uint8Array): GraphFacts {
  const digest = sha256(bytes);
  try {
    return { digest, signature: readSignature(bytes), unreadable: null };
  } catch (err) {
    return { digest, signature: null, unreadable: describeError(err) };
  }
}

/** The manifest's checksum and graph declarations against the graph's. Throws what does not match. */
function checkGraph(manifest: Manifest, facts: GraphFacts): void {
  if (facts.digest !== manifest.sha256)
    throw new Error(`model.onnx has SHA-256 ${facts.digest}, the manifest says ${manifest.sha256}: the file is corrupted or was replaced`);
  const sig = facts.signature;
  if (!sig) throw new Error(facts.unreadable ?? 'not an ONNX model');
  const g = manifest.graph;
  if (sig.inputs.length !== 1)
    throw new Error(
      `the graph has ${sig.inputs.length} inputs (${sig.inputs.map((i) => i.name).join(', ')}), the manifest expects one: "${g.input}"`,
    );
  const input = sig.inputs[0] as TensorSignature;
  if (input.name !== g.input) throw new Error(`the graph's input is "${input.name}", the manifest says "${g.input}"`);
  checkDims('input', input, [null, manifest.window.length, manifest.inputs.length]);
  const outputs = new Map(sig.outputs.map((o) => [o.name, o]));
  const need: [string | undefined, (number | null)[]][] = [
    [g.score, [null]],
    [g.contributions, [null, manifest.inputs.length]],
    [g.rul, [null, 3]],
  ];
  for (const [name, dims] of need) {
    if (name === undefined) continue;
    const out = outputs.get(name);
    if (!out) throw new Error(`the graph has no output "${name}" (it has: ${[...outputs.keys()].join(', ')})`);
    checkDims('output', out, dims);
  }
}

/** Read and check one model folder. Throws an Error whose message names the folder and the fault. */
export function loadModel(dir: string): LoadedModel {
  try {
    const manifestFile = path.join(dir, 'manifest.json');
    if (!existsSync(manifestFile)) throw new Error('manifest.json is missing');
    const read = readManifest(manifestFile, readFileSync(manifestFile));
    if (read.error !== null) throw new Error(read.error);
    const manifest = read.manifest;
    const modelFile = path.join(dir, 'model.onnx');
    if (!existsSync(modelFile)) throw new Error('model.onnx is missing');
    // A model about to run is always hashed afresh: what runs is exactly what was checked.
    const bytes = new Uint8Array(readFileSync(modelFile));
    checkGraph(manifest, readGraph(bytes));
    return { manifest, bytes, dir, key: modelKey(manifest.name, manifest.version) };
  } catch (err) {
    throw new Error(`model ${folderName(dir)} refused: ${describeError(err)}`);
  }
}

/** Write a model folder (used by on-site learning and the training scripts): manifest gets the checksum. */
export function writeModel(root: string, manifest: Omit<ManifestInput, 'sha256'>, onnx: Uint8Array): string {
  const dir = path.join(root, manifest.name, String(manifest.version));
  mkdirSync(dir, { recursive: true });
  const full = { ...manifest, sha256: sha256(onnx) };
  // Checked before writing so a bad manifest never lands on disk.
  const checked = manifestSchema.safeParse(full);
  if (!checked.success)
    throw new Error(
      `the manifest of ${modelKey(manifest.name, manifest.version)} is not valid: ${describeZodError(checked.error, manifestSchema, full)
        .map((p) => p.message)
        .join('; ')}`,
    );
  writeFileSync(path.join(dir, 'model.onnx'), onnx);
  writeFileSync(path.join(dir, 'manifest.json.tmp'), `${JSON.stringify(full, null, 2)}\n`);
  renameSync(path.join(dir, 'manifest.json.tmp'), path.join(dir, 'manifest.json'));
  return dir;
}

export interface ModelEntry {
  name: string;
  version: number;
  dir: string;
  /** Null when the model is usable, else why it was refused. */
  error: string | null;
  manifest: Manifest | null;
}

/** What was derived from each file's bytes, reused while the file is unchanged (util/file-stamp.ts). */
class ByStamp<T> {
  private readonly known = new ByFileStamp<T>();
  constructor(private readonly derive: (file: string, bytes: Uint8Array) => T) {}

  /** The file's derived value (undefined when there is no such file): read again only when it changed. */
  get(file: string, files: ModelFiles, seen: Set<string>): T | undefined {
    const value = this.known.through(
      file,
      () => this.derive(file, files.read(file)),
      () => files.now(),
    );
    if (value !== undefined) seen.add(file);
    return value;
  }

  /** Forget the files below `roots` that were not seen (model folders deleted since), so the cache stays bounded. */
  prune(roots: string[], seen: Set<string>): void {
    this.known.retain((file) => seen.has(file) || !roots.some((r) => file.startsWith(r + path.sep)));
  }
}

/**
 * The registry's files as last read. Listing the models runs on every models request and at each
 * activation; with it, a listing reads directories and stats only, and reads and hashes a
 * manifest.json or model.onnx again only when that file changed: its size, modification or change
 * time, or inode (a file renamed over it). A file changed less than 2 s ago (SETTLED_MS) is read on each
 * listing until it is older. `loadModel` hashes a model afresh before it runs. `read` reads a
 * file's bytes and `now` is the clock file times are compared with (tests count the reads and set
 * the clock).
 */
export class ModelFiles {
  readonly manifests = new ByStamp<ManifestRead>(readManifest);
  readonly graphs = new ByStamp<GraphFacts>((_file, bytes) => readGraph(bytes));
  constructor(
    readonly read: (file: string) => Uint8Array = (file) => new Uint8Array(readFileSync(file)),
    readonly now: () => number = Date.now,
  ) {}
}

const registryFiles = new ModelFiles();

/** One model folder checked as `loadModel` checks it, through the cache of file reads. */
function checkFolder(dir: string, files: ModelFiles, seen: Set<string>): Manifest {
  const read = files.manifests.get(path.join(dir, 'manifest.json'), files, seen);
  if (!read) throw new Error('manifest.json is missing');
  if (read.error !== null) throw new Error(read.error);
  const facts = files.graphs.get(path.join(dir, 'model.onnx'), files, seen);
  if (!facts) throw new Error('model.onnx is missing');
  checkGraph(read.manifest, facts);
  return read.manifest;
}

/**
 * Every model folder below the roots, checked; refused ones are listed with their reason. A file
 * is re-read only when it changed since the last listing (`files`, one cache for the process).
 */
export function listModels(roots: string[], files: ModelFiles = registryFiles): ModelEntry[] {
  const out: ModelEntry[] = [];
  const seen = new Set<string>();
  for (const root of roots) {
    if (!existsSync(root)) continue;
    for (const name of readdirSync(root, { withFileTypes: true })) {
      if (!name.isDirectory() || name.name === 'training' || name.name === 'eval') continue;
      for (const v of readdirSync(path.join(root, name.name), { withFileTypes: true })) {
        if (!v.isDirectory() || !/^\d+$/.test(v.name)) continue;
        const dir = path.join(root, name.name, v.name);
        try {
          const manifest = checkFolder(dir, files, seen);
          out.push({ name: name.name, version: Number(v.name), dir, error: null, manifest });
        } catch (err) {
          out.push({
            name: name.name,
            version: Number(v.name),
            dir,
            error: `model ${folderName(dir)} refused: ${describeError(err)}`,
            manifest: null,
          });
        }
      }
    }
  }
  files.manifests.prune(roots, seen);
  files.graphs.prune(roots, seen);
  return out.sort((a, b) => a.name.localeCompare(b.name) || a.version - b.version);
}
