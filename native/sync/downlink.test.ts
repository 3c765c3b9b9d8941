// Model downlink over a real broker: a pinned, intact package waits as pending and is installed
// only on approval; a tampered or unpinned one is refused and leaves nothing behind.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterEach, expect, it } from 'vitest';
import type { SyncSystemMessage } from '../api/sync-requests.js';
import { startEmbeddedBroker } from '../drivers/mqtt/broker.js';
import { listModels } from '../inference/index.js';
import { GraphBuilder } from '../inference/onnx/builder.js';
import { openSync, syncConfigSchema, syncHandlers } from './index.js';
import { until } from './test-kit.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function model(): Uint8Array {
  const g = new GraphBuilder('tiny');
  const x = g.input('x', ['batch', 4, 2]);
  g.op('ReduceMean', [x], { axes: [1, 2], keepdims: 0 }, 'score');
  g.output('score', ['batch']);
  return g.encode();
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function manifest(version: number, onnx: Uint8Array) {
  return {
    name: 'pump-ae',
    version,
    kind: 'anomaly',
    description: 'fleet model',
    inputs: [{ tag: 'Flow' }, { tag: 'Power' }],
    window: { length: 4, periodMs: 1000 },
    normalization: { mean: [0, 0], std: [1, 1] },
    graph: { input: 'x', score: 'score' },
    threshold: 1,
    outputs: {},
    provenance: { data: 'fleet', rows: 10, createdAt: '2026-01-01T00:00:00Z', code: 'test' },
    sha256: sha(onnx),
  };
}

const ctx = { user: 'eve', role: 'engineer', origin: 'http' as const };

it('installs a verified package only after approval, and refuses tampered and unpinned ones', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aurum-sync-down-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const broker = await startEmbeddedBroker();
  cleanups.push(() => broker.close());
  const onnx = model();
  const other = new Uint8Array([...onnx]);
  const modelsDir = path.join(dir, 'models');
  const messages: SyncSystemMessage[] = [];
  const approved: string[] = [];
  const svc = openSync({
    config: syncConfigSchema.parse({ enabled: true, url: broker.url, downlink: { enabled: true, pinnedSha256: [sha(onnx)] } }),
    dataDir: path.join(dir, 'data'),
    siteName: 'Plant 1',
    modelsDir,
    onSystemMessage: (m) => messages.push(m),
    onModelApproved: (key) => approved.push(key),
  });
  cleanups.push(() => svc.stop());
  await until(() => svc.status().link === 'connected', 5000, 'the link');
  const h = syncHandlers(svc);

  const cloud = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
  cleanups.push(() => cloud.endAsync());
  const send = (body: unknown, topic = 'aurum/fleet/downlink/models') => cloud.publishAsync(topic, JSON.stringify(body), { qos: 1 });

  // Tampered: the manifest was made for other bytes than those sent.
  const tampered = Buffer.from(onnx);
  tampered[tampered.length - 1] ^= 0xff;
  await send({ type: 'model', manifest: manifest(1, onnx), onnx: tampered.toString('base64') });
  // Intact but not released for this site.
  other[other.length - 1] ^= 0x01;
  await send({ type: 'model', manifest: manifest(3, other), onnx: Buffer.from(other).toString('base64') });
  await until(() => messages.filter((m) => m.code === 'sync.model_rejected').length === 2, 5000, 'two refusals');
  expect(messages[0]?.message).toMatch(/pump-ae@1: model\.onnx hashes to .* the manifest says/);
  expect(messages[1]?.message).toMatch(/pump-ae@3: SHA-256 .* not on this site's pinned list/);
  expect(h['sync.models.list']({}, ctx)).toEqual([]);
  expect(fs.existsSync(path.join(dir, 'data', 'sync-models', 'pump-ae'))).toBe(false);

  // Genuine and pinned: pending, not installed.
  await send({ type: 'model', manifest: manifest(2, onnx), onnx: Buffer.from(onnx).toString('base64') }, 'aurum/Plant_1/downlink/models');
  await until(() => svc.status().pendingModels === 1, 5000, 'a pending package');
  expect(messages.at(-1)).toMatchObject({ code: 'sync.model_received' });
  expect(listModels([modelsDir])).toEqual([]);
  expect(() => h['sync.models.approve']({ name: 'pump-ae', version: 1 }, ctx)).toThrow(/no model package pump-ae@1/);

  const done = h['sync.models.approve']({ name: 'pump-ae', version: 2 }, ctx);
  expect(done).toMatchObject({ key: 'pump-ae@2', state: 'approved', decidedBy: 'eve', sha256: sha(onnx) });
  expect(approved).toEqual(['pump-ae@2']);
  const installed = listModels([modelsDir]);
  expect(installed.map((m) => [m.name, m.version, m.error])).toEqual([['pump-ae', 2, null]]);
  expect(svc.status().pendingModels).toBe(0);
  expect(() => h['sync.models.approve']({ name: 'pump-ae', version: 2 }, ctx)).toThrow(/already approved/);
});
