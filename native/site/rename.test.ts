// Renames and in-place tag changes through config.apply on a real core (ingest connection, real
// historian): a renamed tag keeps its id, its current value and quality and its history under the
// new name; a tag whose unit changed keeps its id and value; a removed tag leaves the table (Bad with the reason);
// other tags are not touched; a rename that names no tag is refused before anything changes.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigApplyResult } from '../api/config-requests.js';
import type { HistorySeries } from '../api/history-requests.js';
import { type Core, startCore } from '../core.js';
import { ENGINEER, gatewaySite, type SiteCore, startSiteCore } from './test-core.js';

const site = gatewaySite([
  '{ name: Level, address: Level, unit: m }',
  '{ name: Temp, address: Temp, unit: C }',
  '{ name: Spare, address: Spare }',
]);

let t: SiteCore<Core>;
let core: Core;

beforeAll(async () => {
  t = await startSiteCore(site, 'aurum-rename-', startCore);
  core = t.core;
}, 60_000);

afterAll(() => t?.stop());

const call = <T>(name: string, args: unknown): Promise<T> => t.call<T>(name, args);

describe('config.apply: renames and in-place tag changes', () => {
  it('keeps a renamed tag\u2019s id, value and history; changes a unit in place; removes a removed tag from the table', async () => {
    const t0 = Date.now() - 10_000;
    const items = [0, 1, 2].flatMap((i) => [
      { tag: 'S/A/M/Level', value: i, timestamp: t0 + i * 1000 },
      { tag: 'S/A/M/Temp', value: 20 + i, timestamp: t0 + i * 1000 },
    ]);
    await call('tags.ingest', { items });
    const levelId = core.bus.idOf('S/A/M/Level');
    const tempId = core.bus.idOf('S/A/M/Temp') as number;
    const spareId = core.bus.idOf('S/A/M/Spare') as number;
    const tempBefore = { ...core.bus.current(tempId) };

    const next = site
      .replace('{ name: Level, address: Level, unit: m }', '{ name: TankLevel, address: Level, unit: m }')
      .replace('unit: C', 'unit: K')
      .replace('          - { name: Spare, address: Spare }\n', '');
    const refused = await core.call(
      'config.apply',
      { text: next, baseVersion: 1, comment: 'typo', renames: { 'S/A/M/Lvl': 'S/A/M/TankLevel' } },
      ENGINEER,
    );
    expect(refused.error?.message).toBe('rename S/A/M/Lvl -> S/A/M/TankLevel: there is no tag S/A/M/Lvl in the version in force');
    expect(readFileSync(t.file, 'utf8')).toBe(site);

    const told: unknown[] = [];
    const off = core.onEvent((stream, data) => {
      if (stream === 'tagTable') told.push(data);
    });
    const r = await call<ConfigApplyResult>('config.apply', {
      text: next,
      baseVersion: 1,
      comment: 'tank level named as on the P&ID',
      renames: { 'S/A/M/Level': 'S/A/M/TankLevel' },
    });
    // Clients are told once, with what changed in the table.
    await new Promise((resolve) => setImmediate(resolve));
    off();
    expect(told).toEqual([
      {
        added: [],
        removed: [{ id: spareId, name: 'S/A/M/Spare' }],
        renamed: [{ id: levelId, from: 'S/A/M/Level', to: 'S/A/M/TankLevel' }],
        count: 2,
      },
    ]);
    expect(r.diff.summary).toEqual([
      'machine S/A/M changed (tags)',
      'tag S/A/M/Level renamed to S/A/M/TankLevel',
      'tag S/A/M/Temp changed (decimals, unit)',
      'tag S/A/M/Spare removed',
    ]);
    expect(r.applied.find((a) => a.capability === 'historian')?.detail).toContain('1 renamed tags keep their history');
    expect(r.applied.find((a) => a.capability === 'tags')).toMatchObject({ result: 'applied' });

    expect(core.bus.idOf('S/A/M/TankLevel')).toBe(levelId);
    expect(core.bus.idOf('S/A/M/Level')).toBeUndefined();
    expect(core.bus.current(levelId as number)).toMatchObject({ value: 2, quality: 0 });
    expect(core.bus.idOf('S/A/M/Temp')).toBe(tempId);
    expect(core.bus.current(tempId)).toEqual(tempBefore);
    expect(core.bus.tag(tempId)?.unit).toBe('K');
    // The removed tag left the table with a last Bad sample naming why; the others kept their ids.
    expect(core.bus.idOf('S/A/M/Spare')).toBeUndefined();
    expect(core.bus.tags.map((t) => t.name)).toEqual(['S/A/M/TankLevel', 'S/A/M/Temp']);
    expect(core.bus.current(spareId)).toMatchObject({ quality: 2, reason: 'S/A/M/Spare was removed from the site file' });

    // Pushed under the new name, kept in the same series as before the rename.
    await call('tags.ingest', { items: [{ tag: 'S/A/M/TankLevel', value: 3, timestamp: t0 + 3000 }] });
    const [series] = await call<HistorySeries[]>('history.query', { tags: ['S/A/M/TankLevel'], from: t0, to: Date.now(), maxPoints: 100 });
    expect(series?.v).toEqual([0, 1, 2, 3]);
  });

  it("a machine renamed (as the forms send it: every tag under it renamed) keeps its tags' ids and history", async () => {
    const current = await call<{ version: { version: number }; text: string }>('config.current', {});
    const levelId = core.bus.idOf('S/A/M/TankLevel');
    const next = current.text.replace('      - name: M\n', '      - name: Tank\n');
    const r = await call<ConfigApplyResult>('config.apply', {
      text: next,
      baseVersion: current.version.version,
      comment: 'machine named as on the P&ID',
      renames: { 'S/A/M/TankLevel': 'S/A/Tank/TankLevel', 'S/A/M/Temp': 'S/A/Tank/Temp' },
    });
    expect(r.diff.summary).toContain('tag S/A/M/TankLevel renamed to S/A/Tank/TankLevel (and changed: machine)');
    expect(core.bus.idOf('S/A/Tank/TankLevel')).toBe(levelId);
    expect(core.bus.idOf('S/A/M/TankLevel')).toBeUndefined();
    const [series] = await call<HistorySeries[]>('history.query', {
      tags: ['S/A/Tank/TankLevel'],
      from: Date.now() - 3_600_000,
      to: Date.now(),
      maxPoints: 100,
    });
    expect(series?.v).toEqual([0, 1, 2, 3]);
  });
});
