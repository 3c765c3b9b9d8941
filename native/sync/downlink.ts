// Model downlink: a package (manifest + ONNX) arrives over MQTT, is verified — the manifest valid,
// model.onnx hashing to the manifest's SHA-256, that hash on the site's pinned list, the graph
// matching the manifest — and is kept as pending. Only an engineer's approval moves it into the
// inference model folder; nothing received is ever activated or run by itself.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { loadModel } from '../inference/index.js';
import type { SqliteDatabase } from '../util/sqlite.js';

export const modelPackageSchema = z
  .object({
    type: z.literal('model'),
    /** The model's manifest.json content (validated by the inference capability's schema). */
    manifest: z.object({ name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/), version: z.number().int().min(1), sha256: z.string() }).loose(),
    /** model.onnx, base64. */
    onnx: z.string().min(1),
  })
  .strict();

export type DownlinkState = 'pending' | 'approved' | 'rejected';

export interface DownlinkModel {
  key: string;
  name: string;
  version: number;
  sha256: string;
  state: DownlinkState;
  receivedAt: number;
  decidedAt: number | null;
  decidedBy: string | null;
  reason: string;
}

export class DownlinkError extends Error {
  override name = 'DownlinkError';
  constructor(
    readonly kind: 'not_found' | 'conflict',
    message: string,
  ) {
    super(message);
  }
}

export interface DownlinkOptions {
  db: SqliteDatabase;
  /** Where verified packages wait: <pendingDir>/<name>/<version>. */
  pendingDir: string;
  /** The inference model root approved packages move into; without it approval is refused. */
  modelsDir?: string;
  pinned: readonly string[];
  maxBytes: number;
  now: () => number;
  onRejected(reason: string): void;
  onApproved?(key: string, dir: string): void;
}

type Row = {
  key: string;
  name: string;
  version: number;
  sha256: string;
  state: DownlinkState;
  received_at: number;
  decided_at: number | null;
  decided_by: string | null;
  reason: string;
};
const toModel = (r: Row): DownlinkModel => ({
  key: r.key,
  name: r.name,
  version: r.version,
  sha256: r.sha256,
  state: r.state,
  receivedAt: r.received_at,
  decidedAt: r.decided_at,
  decidedBy: r.decided_by,
  reason: r.reason,
});

export class ModelDownlink {
  private readonly pinned: Set<string>;

  constructor(private readonly opts: DownlinkOptions) {
    this.pinned = new Set(opts.pinned);
  }

  private row(key: string): DownlinkModel | undefined {
    const r = this.opts.db.prepare('SELECT * FROM downlink WHERE key = ?').get(key) as Row | undefined;
    return r && toModel(r);
  }

  list(): DownlinkModel[] {
    return (this.opts.db.prepare('SELECT * FROM downlink ORDER BY received_at DESC, key').all() as Row[]).map(toModel);
  }

  /** Verify and keep one received package. Returns the pending entry, or null when refused (reported via onRejected). */
  receive(body: Buffer): DownlinkModel | null {
    const refuse = (why: string) => {
      this.opts.onRejected(`Model package refused: ${why}`);
      return null;
    };
    if (body.length > this.opts.maxBytes) return refuse(`${body.length} bytes exceeds the ${this.opts.maxBytes}-byte limit`);
    let parsed: z.output<typeof modelPackageSchema>;
    try {
      parsed = modelPackageSchema.parse(JSON.parse(body.toString('utf8')));
    } catch (err) {
      return refuse(`not a model package (${err instanceof Error ? err.message.slice(0, 200) : String(err)})`);
    }
    const { name, version } = parsed.manifest;
    const key = `${name}@${version}`;
    const onnx = Buffer.from(parsed.onnx, 'base64');
    const digest = createHash('sha256').update(onnx).digest('hex');
    if (digest !== parsed.manifest.sha256)
      return refuse(
        `${key}: model.onnx hashes to ${digest}, the manifest says ${parsed.manifest.sha256} (altered in transit or tampered with)`,
      );
    if (!this.pinned.has(digest)) return refuse(`${key}: SHA-256 ${digest} is not on this site's pinned list`);
    const existing = this.row(key);
    if (existing && existing.sha256 === digest && existing.state !== 'rejected') return existing;
    if (existing && existing.state !== 'rejected')
      return refuse(`${key}: a different package with this name and version was already received`);

    const dir = path.join(this.opts.pendingDir, name, String(version));
    const staging = `${dir}.incoming`;
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    try {
      fs.writeFileSync(path.join(staging, 'model.onnx'), onnx);
      fs.writeFileSync(path.join(staging, 'manifest.json'), `${JSON.stringify(parsed.manifest, null, 2)}\n`);
      loadModel(staging);
    } catch (err) {
      fs.rmSync(staging, { recursive: true, force: true });
      return refuse(`${key}: ${err instanceof Error ? err.message : String(err)}`);
    }
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(staging, dir);
    this.opts.db
      .prepare(
        `INSERT INTO downlink (key, name, version, sha256, state, received_at) VALUES (?, ?, ?, ?, 'pending', ?)
         ON CONFLICT (key) DO UPDATE SET sha256 = excluded.sha256, state = 'pending', received_at = excluded.received_at, decided_at = NULL, decided_by = NULL, reason = ''`,
      )
      .run(key, name, version, digest, this.opts.now());
    return this.row(key) ?? null;
  }

  private pending(name: string, version: number): DownlinkModel {
    const key = `${name}@${version}`;
    const m = this.row(key);
    if (!m) throw new DownlinkError('not_found', `no model package ${key} was received`);
    if (m.state !== 'pending') throw new DownlinkError('conflict', `${key} is already ${m.state}`);
    return m;
  }

  /** Move a pending package into the inference model folder (re-verified: it sat on disk meanwhile). */
  approve(name: string, version: number, by: string): DownlinkModel {
    const m = this.pending(name, version);
    const root = this.opts.modelsDir;
    if (!root) throw new DownlinkError('conflict', 'this console has no model folder to install into');
    const from = path.join(this.opts.pendingDir, name, String(version));
    const loaded = loadModel(from);
    if (createHash('sha256').update(loaded.bytes).digest('hex') !== m.sha256)
      throw new DownlinkError('conflict', `${m.key} changed on disk since it was verified`);
    const to = path.join(root, name, String(version));
    if (fs.existsSync(to)) throw new DownlinkError('conflict', `${m.key} already exists in the model folder`);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.renameSync(from, to);
    this.decide(m.key, 'approved', by, '');
    this.opts.onApproved?.(m.key, to);
    return this.row(m.key) as DownlinkModel;
  }

  reject(name: string, version: number, by: string, reason: string): DownlinkModel {
    const m = this.pending(name, version);
    fs.rmSync(path.join(this.opts.pendingDir, name, String(version)), { recursive: true, force: true });
    this.decide(m.key, 'rejected', by, reason);
    return this.row(m.key) as DownlinkModel;
  }

  private decide(key: string, state: DownlinkState, by: string, reason: string): void {
    this.opts.db
      .prepare('UPDATE downlink SET state = ?, decided_at = ?, decided_by = ?, reason = ? WHERE key = ?')
      .run(state, this.opts.now(), by, reason, key);
  }
}
