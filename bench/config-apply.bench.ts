// Live configuration on a site of 10,000 tags over 20 push (ingest) connections: one connection is
// changed with config.apply (a setting and one tag more) while every connection is fed samples
// without pause. Measured: the time to applied (the request's answer), and the samples lost on the
// 19 connections that did not change (accepted by their push, not delivered on the bus by the time
// the feed has drained; must be 0). Beside it, in the same run and on the same site: a full restart
// of the core (stop, then start on the file), the only way to change a connection before.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ConfigApplyResult } from '../native/api/config-requests.js';
import type { CallContext } from '../native/api/contract.js';
import type { IngestOutcome } from '../native/api/tag-requests.js';
import { type Core, startCore } from '../native/core.js';
import type { Bench, BenchResult } from './types.js';

const CONNECTIONS = 20;
const ENGINEER: CallContext = { user: 'bench', role: 'engineer', origin: 'internal' };

function siteText(tagsPerConnection: number): string {
  const conns = Array.from({ length: CONNECTIONS }, (_, c) => `  - { name: gw${c}, protocol: ingest, maxQueue: 50000 }`).join('\n');
  const machines = Array.from(
    { length: CONNECTIONS },
    (_, c) =>
      `      - name: M${c}\n        connection: gw${c}\n        tags:\n${Array.from({ length: tagsPerConnection }, (_, t) => `          - { name: T${t}, address: T${t} }`).join('\n')}`,
  ).join('\n');
  return `version: 1\nsite: { name: Bench }\nconnections:\n${conns}\nareas:\n  - name: Yard\n    machines:\n${machines}\n`;
}

const start = (file: string, dataDir: string) => startCore({ siteFile: file, dataDir, shell: 'test', log: () => undefined });

export default (async ({ quick }) => {
  const tagsPerConnection = quick ? 50 : 500;
  const dir = mkdtempSync(path.join(tmpdir(), 'aurum-bench-config-'));
  const file = path.join(dir, 'site.yaml');
  const dataDir = path.join(dir, 'data');
  const text = siteText(tagsPerConnection);
  writeFileSync(file, text);
  let core: Core = await start(file, dataDir);
  try {
    // Samples of the 19 unchanged connections, accepted by their push and seen on the bus.
    const others = new Set<number>();
    for (const t of core.bus.tags) if (t.connection !== 'gw0') others.add(t.id);
    let delivered = 0;
    core.bus.onBatch((b) => {
      // Good samples only: a stale or link-quality change is a sample of the bus's own, not a push.
      for (let i = 0; i < b.length; i++) if (b.quality[i] === 0 && others.has(b.ids[i] as number)) delivered++;
    }, 'bench');
    let accepted = 0;
    let feeding = true;
    let round = 0;
    const feed = (async () => {
      while (feeding) {
        round++;
        // One sample for one tag of each of the 19 unchanged connections per round, and one for gw0.
        const items = Array.from({ length: CONNECTIONS - 1 }, (_, c) => ({
          tag: `Bench/Yard/M${c + 1}/T${round % tagsPerConnection}`,
          value: round,
          timestamp: Date.now(),
        }));
        const r = await core.call('tags.ingest', { items }, ENGINEER);
        accepted += (r.data as IngestOutcome | undefined)?.accepted ?? 0;
        await core.call('tags.ingest', { items: [{ tag: `Bench/Yard/M0/T${round % tagsPerConnection}`, value: round }] }, ENGINEER);
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    await new Promise((r) => setTimeout(r, 1000));

    const cur = (await core.call('config.current', {}, ENGINEER)).data as { version: { version: number } };
    const next = text
      .replace('  - { name: gw0, protocol: ingest, maxQueue: 50000 }', '  - { name: gw0, protocol: ingest, maxQueue: 40000 }')
      .replace(
        '        connection: gw0\n        tags:\n',
        '        connection: gw0\n        tags:\n          - { name: Added, address: Added }\n',
      );
    const t0 = performance.now();
    const applied = await core.call('config.apply', { text: next, baseVersion: cur.version.version, comment: 'bench' }, ENGINEER);
    const applyMs = performance.now() - t0;
    if (applied.error) throw new Error(`config.apply: ${applied.error.message}`);
    const drivers = (applied.data as ConfigApplyResult).applied.find((a) => a.capability === 'drivers')?.detail ?? '';
    await new Promise((r) => setTimeout(r, 1000));
    feeding = false;
    await feed;
    // Every accepted push is on the bus once its batch is delivered (one turn of the event loop).
    core.bus.flush();
    await new Promise((r) => setImmediate(r));
    const lost = accepted - delivered;
    // The historian kept running through the apply (its open store took the new tag in place):
    // every sample it was given is committed, none dropped.
    const stored = core.serviceMetrics().historian ?? {};
    const historianDropped = stored.droppedSamples ?? Number.NaN;
    const historianDetail = (applied.data as ConfigApplyResult).applied.find((a) => a.capability === 'historian')?.detail ?? '';

    await core.stop();
    const t1 = performance.now();
    core = await start(file, dataDir);
    const restartStartMs = performance.now() - t1;
    if (readFileSync(file, 'utf8') !== next) throw new Error('the site file was not written as applied');

    const tags = CONNECTIONS * tagsPerConnection;
    return [
      {
        bench: 'config-apply',
        metric: `change 1 of ${CONNECTIONS} connections (${tags.toLocaleString('en-US')} tags): time to applied`,
        value: applyMs,
        unit: 'ms',
        baseline: 'core start after a stop (full restart)',
        baselineValue: restartStartMs,
        notes: drivers,
      },
      {
        bench: 'config-apply',
        metric: `samples lost on the ${CONNECTIONS - 1} unchanged connections during the apply`,
        value: lost,
        unit: 'samples',
        baseline: `samples pushed to them and accepted (${round} rounds)`,
        baselineValue: accepted,
        target: '0',
      },
      {
        bench: 'config-apply',
        metric: 'samples the historian dropped (it stores the added tag without a restart)',
        value: historianDropped,
        unit: 'samples',
        baseline: 'samples it committed since start',
        baselineValue: stored.committedSamples ?? Number.NaN,
        target: '0',
        notes: historianDetail,
      },
    ] satisfies BenchResult[];
  } finally {
    await core.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}) satisfies Bench;
