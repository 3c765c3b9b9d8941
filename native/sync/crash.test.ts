// kill -9 of the console mid-upload, then a restart: nothing queued is lost, and the first
// delivery of every message comes in order (re-sends after the restart are de-duplicated by id).
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { startEmbeddedBroker } from '../drivers/mqtt/broker.js';
import { collect, decodeJson, until } from './test-kit.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

function child(args: string[]): { proc: ChildProcess; out: () => string } {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'crash-child.ts'), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, AURUM_LOG: 'silent' },
  });
  children.push(proc);
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  return { proc, out: () => out };
}

it('loses nothing when killed with SIGKILL mid-upload and restarted', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aurum-sync-crash-'));
  const broker = await startEmbeddedBroker();
  const sub = await collect(broker.url, 'aurum/#');
  const COUNT = 3000;
  const ids = new Map<string, number>();
  const firsts: number[] = [];
  const tally = () => {
    for (const r of sub.raw.splice(0)) {
      for (const m of decodeJson(r.payload).messages) {
        if (ids.has(m.id)) continue;
        const n = (m.data as { n: number }).n;
        ids.set(m.id, n);
        firsts.push(n);
      }
    }
    return ids.size;
  };
  try {
    const fill = child(['fill', dir, broker.url, String(COUNT)]);
    await until(() => fill.out().includes('queued') && tally() >= 200, 90_000, 'the child to queue and start uploading');
    fill.proc.kill('SIGKILL');
    await new Promise((r) => fill.proc.once('exit', r));
    expect(tally()).toBeLessThan(COUNT);

    const drain = child(['drain', dir, broker.url]);
    await until(() => tally() >= COUNT, 90_000, 'every message after the restart');
    drain.proc.kill('SIGKILL');
    expect(ids.size).toBe(COUNT);
    expect(new Set(ids.values()).size).toBe(COUNT);
    expect(firsts).toEqual([...firsts].sort((a, b) => a - b));
  } finally {
    await sub.close();
    await broker.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 240_000);
