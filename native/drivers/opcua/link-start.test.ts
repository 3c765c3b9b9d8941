// What a link's start leaves in the history, against a real node-opcua server, the real bus and a
// real historian (SQLite file, writer worker). The server's values were set before the console
// connects, so each item's first notification carries a source time older than the Bad status the
// link's start puts on its tags ("comm failure: not connected yet"). Stored at that time, the good
// sample sorted before the Bad one, and the history read Bad until the value next changed: the
// demo's Running tag read "has no good value" over every period learning was asked for.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Historian, openHistorian } from '../../historian/index.js';
import { tempDir } from '../../historian/test-kit.js';
import { stateAt } from '../../inference/learn/state.js';
import { TagBus } from '../../tags/bus.js';
import { testTag } from '../../tags/test-tag.js';
import type { DriverTag } from '../driver.js';
import { until } from '../test-support.js';
import { opcuaConnectionSchema } from './config.js';
import { createOpcuaDriver } from './driver.js';
import { type FixtureServer, startFixtureServer } from './test-server.js';

const dir = tempDir('aurum-opcua-link-start-');
let server: FixtureServer;
let h: Historian;

beforeAll(async () => {
  process.env.HOME = dir;
  server = await startFixtureServer({ pkiDir: `${dir}/pki` });
  h = await openHistorian({ dir: `${dir}/historian`, tags: table, retentionIntervalMs: 0 });
}, 60_000);

afterAll(async () => {
  await h?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const NAMES = ['Site/A/M/Flag', 'Site/A/M/Counter', 'Site/A/M/Missing'] as const;
const [FLAG, COUNTER, MISSING] = NAMES;
const table = NAMES.map((name, id) => testTag(id, name, { dataType: id === 0 ? 'bool' : 'float', expectedPeriodMs: 0 }));

/** Every stored sample of a tag, in time order. */
function stored(name: string): { ts: number; v: number; q: number }[] {
  const [s] = h.rangeRead({ tags: [name], from: 0, to: Date.now() + 60_000 });
  if (!s) return [];
  return Array.from(s.ts, (ts, i) => ({ ts, v: s.values[i] as number, q: s.quality[i] as number }));
}

/** Wait until the historian has stored `n` samples of the tag (bounded). */
async function storedCount(name: string, n: number): Promise<void> {
  await until(
    `${n} stored samples of ${name}`,
    () => {
      void h.flush();
      return stored(name).length >= n;
    },
    20_000,
  );
  await h.flush();
}

describe('an OPC UA link start in the history', () => {
  it('leaves no Bad sample after a tag’s first good one; a restart’s Bad marks are followed by the good value; a refused node stays Bad', async () => {
    const bus = new TagBus(table);
    bus.onBatch((b) => h.ingest(b), 'historian');
    const ns = server.ns;
    const tags: DriverTag[] = [
      { id: 0, name: FLAG, address: `ns=${ns};s=Fixture.Flag`, dataType: 'bool', scaling: null, periodMs: 100, options: {} },
      { id: 1, name: COUNTER, address: `ns=${ns};s=Fixture.Counter`, dataType: 'float', scaling: null, periodMs: 100, options: {} },
      { id: 2, name: MISSING, address: `ns=${ns};s=Fixture.NoSuchNode`, dataType: 'float', scaling: null, periodMs: 100, options: {} },
    ];
    const config = opcuaConnectionSchema.parse({
      name: 'fixture',
      protocol: 'opcua',
      endpoint: server.endpointUrl,
      publishingIntervalMs: 100,
      keepAliveMs: 1000,
    });
    const driver = createOpcuaDriver(config, tags, { bus, dataDir: dir, log: () => undefined });
    await driver.start();
    try {
      await until('Good Flag and Counter', () => bus.current(0).quality === 0 && bus.current(1).quality === 0, 20_000);
      // Neither value changes on the server: the link's start mark and one good sample each.
      await storedCount(FLAG, 2);
      await storedCount(COUNTER, 2);
      for (const name of [FLAG, COUNTER]) {
        const s = stored(name);
        const firstGood = s.findIndex((x) => x.q === 0);
        expect(firstGood, `${name}: ${JSON.stringify(s)}`).toBeGreaterThanOrEqual(0);
        expect(
          s.slice(firstGood).filter((x) => x.q === 2),
          `${name}: ${JSON.stringify(s)}`,
        ).toEqual([]);
        // The history ends as the current value does.
        expect(s[s.length - 1]?.q).toBe(0);
      }
      expect(stored(FLAG).at(-1)?.v).toBe(1);
      expect(stored(COUNTER).at(-1)?.v).toBe(1);
      // The running gate of learning reads the flag as set from the good sample on.
      const goodAt = stored(FLAG).find((x) => x.q === 0)?.ts as number;
      expect(stateAt(h, FLAG, goodAt)).toBe(1);
      // A grid read (learning's rows) has the value wherever it asks after the good sample.
      const [grid] = h.rangeRead({ tags: [FLAG], from: goodAt, to: goodAt + 10_000, stepMs: 1000 });
      expect([...(grid?.values ?? [])]).toEqual(Array(11).fill(1));
      // A node the server refuses is a real fault: Bad, and nothing good stored for it.
      await until('Missing Bad with the server’s reason', () => bus.current(2).reason.includes('NoSuchNode'), 20_000);
      await h.flush();
      expect(stored(MISSING).length).toBeGreaterThan(0);
      expect(stored(MISSING).every((x) => x.q === 2)).toBe(true);

      // Stop and start again: the values still carry the server's time of their last change,
      // older than both Bad marks (driver stopped, not connected yet).
      const before = stored(FLAG).length;
      await driver.stop();
      expect(bus.current(0).quality).toBe(2);
      await driver.start();
      await until('Good Flag and Counter again', () => bus.current(0).quality === 0 && bus.current(1).quality === 0, 20_000);
      await storedCount(FLAG, before + 3);
      for (const name of [FLAG, COUNTER]) {
        const s = stored(name);
        // Each restart's marks are stored Bad, and the good value follows them.
        expect(s.filter((x) => x.q === 2).length, `${name}: ${JSON.stringify(s)}`).toBeGreaterThanOrEqual(3);
        expect(s[s.length - 1], `${name}: ${JSON.stringify(s)}`).toMatchObject({ q: 0, v: 1 });
        const lastBad = s.findLastIndex((x) => x.q === 2);
        expect(s[lastBad + 1]?.q).toBe(0);
      }
      // The refused node is Bad again, with the server's reason, after the restart.
      await until('Missing Bad again', () => bus.current(2).reason.includes('NoSuchNode'), 20_000);
    } finally {
      await driver.stop();
    }
    // Stopping is a real fault: every tag's history ends Bad.
    await h.flush();
    await until(
      'the stop stored',
      () => {
        void h.flush();
        return NAMES.every((n) => stored(n).at(-1)?.q === 2);
      },
      20_000,
    );
  }, 90_000);
});
