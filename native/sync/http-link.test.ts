// The HTTPS-POST uplink against a local HTTP server that fails at first: batches retried after the
// backoff, each message delivered once after de-duplication, in order, with the bearer token.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { openSync, syncConfigSchema } from './index.js';
import { decodeJson, until } from './test-kit.js';

it('POSTs batches, retries refused ones, and delivers every message once in order', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aurum-sync-http-'));
  const posts: { headers: http.IncomingHttpHeaders; body: Buffer }[] = [];
  let refusals = 2;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (refusals-- > 0) {
        res.writeHead(503).end();
        return;
      }
      posts.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  process.env.AURUM_TEST_SYNC_TOKEN = 't0ken';
  const svc = openSync({
    config: syncConfigSchema.parse({
      enabled: true,
      url: `http://127.0.0.1:${port}/ingest`,
      token: 'env:AURUM_TEST_SYNC_TOKEN',
      backoff: { initialMs: 20, maxMs: 50 },
      batch: { maxMessages: 10, maxBytes: 65536 },
    }),
    dataDir: dir,
    siteName: 'Plant 1',
  });
  try {
    for (let n = 0; n < 35; n++) svc.enqueue('events', { n });
    await until(() => svc.status().delivered.messages === 35, 10_000, 'delivery over HTTP');
    expect(svc.status().errors).toBe(2);
    expect(posts.length).toBe(4);
    const first = posts[0]?.headers;
    expect(first).toMatchObject({
      authorization: 'Bearer t0ken',
      'content-encoding': 'gzip',
      'x-aurum-stream': 'events',
      'x-aurum-site': 'Plant%201',
    });
    expect(first?.['idempotency-key']).toMatch(/^[0-9a-f]{12}-1-10$/);
    const ns = posts.flatMap((p) => decodeJson(p.body).messages.map((m) => (m.data as { n: number }).n));
    expect(ns).toEqual(Array.from({ length: 35 }, (_, i) => i));
  } finally {
    await svc.stop();
    await new Promise((r) => server.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
