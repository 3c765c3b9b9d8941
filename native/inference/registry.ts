// The model registry: models/<name>/<version>/{model.onnx, manifest.json}, in one or more roots
// (the shipped models, read-only, and the console's own learned models). A model is only ever used
// after `loadModel` has checked its manifest, its checksum and its graph's declared inputs and
// outputs against the manifest; anything else is refused with a message that says what is wrong.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
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

/** Read and check one model folder. Throws an Error whose message names the folder and the fault. */
export function loadModel(dir: string): LoadedModel {
  const where = path.basename(path.dirname(dir)) ? `${path.basename(path.dirname(dir))}/${path.basename(dir)}` : dir;
  try {
    const manifestFile = path.join(dir, 'manifest.json');
    if (!existsSync(manifestFile)) throw new Error('manifest.json is missing');
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(manifestFile, 'utf8'));
    } catch (err) {
      throw new Error(`manifest.json is not JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
    const parsed = manifestSchema.safeParse(raw);
    if (!parsed.success) throw new Error(`manifest.json is invalid: ${z.prettifyError(parsed.error)}`);
    const manifest = parsed.data;
    const modelFile = path.join(dir, 'model.onnx');
    if (!existsSync(modelFile)) throw new Error('model.onnx is missing');
    const bytes = new Uint8Array(readFileSync(modelFile));
    const digest = sha256(bytes);
    if (digest !== manifest.sha256)
      throw new Error(`model.onnx has SHA-256 ${digest}, the manifest says ${manifest.sha256}: the file is corrupted or was replaced`);

    const sig = readSignature(bytes);
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
    return { manifest, bytes, dir, key: modelKey(manifest.name, manifest.version) };
  } catch (err) {
    throw new Error(`model ${where} refused: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Write a model folder (used by on-site learning and the training scripts): manifest gets the checksum. */
export function writeModel(root: string, manifest: Omit<ManifestInput, 'sha256'>, onnx: Uint8Array): string {
  const dir = path.join(root, manifest.name, String(manifest.version));
  mkdirSync(dir, { recursive: true });
  const full = { ...manifest, sha256: sha256(onnx) };
  // Checked before writing so a bad manifest never lands on disk.
  manifestSchema.parse(full);
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

/** Every model folder below the roots, checked; refused ones are listed with their reason. */
export function listModels(roots: string[]): ModelEntry[] {
  const out: ModelEntry[] = [];
  for (const root of roots) {
    if (!existsSync(root)) continue;
    for (const name of readdirSync(root, { withFileTypes: true })) {
      if (!name.isDirectory() || name.name === 'training' || name.name === 'eval') continue;
      for (const v of readdirSync(path.join(root, name.name), { withFileTypes: true })) {
        if (!v.isDirectory() || !/^\d+$/.test(v.name)) continue;
        const dir = path.join(root, name.name, v.name);
        try {
          const m = loadModel(dir);
          out.push({ name: name.name, version: Number(v.name), dir, error: null, manifest: m.manifest });
        } catch (err) {
          out.push({
            name: name.name,
            version: Number(v.name),
            dir,
            error: err instanceof Error ? err.message : String(err),
            manifest: null,
          });
        }
      }
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name) || a.version - b.version);
}
