// kill -9 in the middle of a stream: the database must pass its integrity check and hold every
// sample acknowledged (flushed) before the kill.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqlite } from '../util/sqlite.js';
import { resolvePolicies } from './config.js';
import { HistorianStore } from './store.js';
import { makeTags, tempDir } from './test-kit.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = tempDir('aurum-historian-crash-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runAndKill(dir: string, killAfterAcks: number, extraMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'crash-child.ts'), dir], {
      cwd: path.resolve(here, '..', '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let acked = 0;
    let acks = 0;
    let buf = '';
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        const m = /^acked (\d+)$/.exec(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        nl = buf.indexOf('\n');
        if (!m) continue;
        acked = Number(m[1]);
        if (++acks === killAfterAcks) setTimeout(() => child.kill('SIGKILL'), extraMs);
      }
    });
    child.on('exit', (_code, signal) => {
      clearTimeout(guard);
      if (signal !== 'SIGKILL') reject(new Error(`child ended without the kill (${signal})`));
      else resolve(acked);
    });
  });
}

describe('crash safety', () => {
  it('survives kill -9 mid-stream with integrity and every acknowledged sample', { timeout: 60_000 }, async () => {
    for (const [acks, extra] of [
      [25, 0],
      [22, 37],
    ] as const) {
      const runDir = path.join(dir, `run-${acks}`);
      const acked = await runAndKill(runDir, acks, extra);
      // Several flushes' worth of samples, each tag at least one full 1,024-sample chunk.
      expect(acked).toBeGreaterThan(1024);
      const file = path.join(runDir, 'historian.db');
      const check = openSqlite(file);
      expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
      check.close();
      const tags = makeTags(10);
      const store = new HistorianStore({ file, tagNames: tags.map((t) => t.name), policies: resolvePolicies(tags) });
      for (let id = 1; id <= 10; id++) {
        const s = store.reader.raw(id, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
        const seen = new Set(Array.from(s.values));
        for (let k = 0; k < acked; k++) if (!seen.has(k)) throw new Error(`tag ${id}: acknowledged sample ${k} missing`);
      }
      store.close();
    }
  });
});
