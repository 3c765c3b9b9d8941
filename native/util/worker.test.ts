// The one worker supervisor (historian writer, inference worker), on real worker threads: a death
// is reported with its cause and a restart is scheduled with a doubling delay; a failed restart is
// retried; replacements are counted and attached like the first. Checked by messages and counts.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { WorkerSupervisor, workerRestarts } from './worker.js';

const worker = (code: string) => new Worker(code, { eval: true });

describe('WorkerSupervisor', () => {
  it('restarts a worker that throws or exits, retries a failed start with a doubled delay, and counts restarts', async () => {
    const said: string[] = [];
    const attached: boolean[] = [];
    const lost: string[] = [];
    let starts = 0;
    let current: Worker | null = null;
    let supervisor: WorkerSupervisor | null = null;
    const up = new Promise<void>((resolve) => {
      const s = new WorkerSupervisor({
        name: 'test worker',
        initialMs: 10,
        maxMs: 1000,
        start: async () => {
          starts++;
          if (starts === 1) throw new Error('no such module');
          current = worker("require('node:worker_threads').parentPort.on('message', () => {});");
          return current;
        },
        onStart: (_w, restart) => {
          attached.push(restart);
          if (restart) resolve();
        },
        onExit: (_w, why) => {
          lost.push(why);
          return '3 items lost';
        },
        say: (level, m) => said.push(`${level} ${m}`),
      });
      s.adopt(worker("throw new TypeError('boom')"));
      supervisor = s;
    });
    await up;
    expect(lost).toEqual(['failed: boom']);
    expect(attached).toEqual([false, true]);
    expect(said).toEqual([
      'error test worker stopped (failed: boom); 3 items lost; restarting it in 10 ms',
      'error test worker could not restart: no such module; restarting it in 20 ms',
      'info test worker restarted (restart 1)',
    ]);
    const s = supervisor as unknown as WorkerSupervisor;
    expect(s.restarts).toBe(1);
    expect(workerRestarts().test_worker_restarts_total).toBe(1);
    // Stopped: its worker's exit is reported to the owner, but nothing is restarted.
    s.stop();
    await (current as unknown as Worker).terminate();
    expect(lost).toHaveLength(2);
    expect(lost[1]).toMatch(/^code \d+$/);
    expect(said).toHaveLength(3);
    expect(workerRestarts().test_worker_restarts_total).toBeUndefined();
  });
});
