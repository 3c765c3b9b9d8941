// Imports applied live through config.apply (issue 18 point 5): a Kepware-style CSV or the
// console's JSON list is checked row by row, then as a whole site file with the one validator, and
// previewed with the diff against the version in force (the file unchanged); applied, it is a new
// version (author, comment), its tags readable and stored in history at once, without a restart; an
// import made on a version no longer in force is refused, never merged.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistorySeries } from '../api/history-requests.js';
import type { TagResults } from '../api/tag-requests.js';
import { type Core, startCore } from '../core.js';
import { ENGINEER, gatewaySite, type SiteCore, startSiteCore } from './test-core.js';

const site = gatewaySite(["{ name: Level, address: Level, unit: m }   # the tank's level"]);

const csv = `Tag Name,Address,Data Type,Client Access,Scan Rate,Eng Units,Description\r
Channel1.Device1.Flow,Flow,Float,RO,1000,m3/h,Inlet flow\r
Channel1.Device1.Temp,Temp,Float,RO,1000,C,Inlet temperature\r
`;

let t: SiteCore<Core>;
let core: Core;
let file: string;
type Imported = TagResults['config.importTags'];

beforeAll(async () => {
  t = await startSiteCore(site, 'aurum-import-live-', startCore);
  core = t.core;
  file = t.file;
}, 60_000);

afterAll(() => t?.stop());

const call = <T>(name: string, args: unknown): Promise<T> => t.call<T>(name, args);

describe('config.importTags through config.apply', () => {
  it('previews with per-row errors and the diff, then applies live as a version', async () => {
    const bad = await call<Imported>('config.importTags', {
      machine: 'S/A/M',
      format: 'csv',
      text: `${csv}Channel1.Device1.X,X,Quad,RO,1000,,\r\n`,
    });
    expect(bad.issues).toEqual([{ line: 4, column: 'Data Type', message: expect.stringContaining('unknown data type "Quad"') }]);
    expect(bad.diff).toBeNull();

    const preview = await call<Imported>('config.importTags', { machine: 'S/A/M', format: 'csv', text: csv });
    expect(preview).toMatchObject({
      tags: 2,
      issues: [],
      applied: false,
      added: ['S/A/M/Flow', 'S/A/M/Temp'],
      baseVersion: 1,
      outcome: null,
    });
    expect(preview.diff?.summary).toEqual(['machine S/A/M changed (tags)', 'tag S/A/M/Flow added', 'tag S/A/M/Temp added']);
    expect(readFileSync(file, 'utf8')).toBe(site);
    expect(core.bus.idOf('S/A/M/Flow')).toBeUndefined();

    const levelId = core.bus.idOf('S/A/M/Level');
    const applied = await call<Imported>('config.importTags', { machine: 'S/A/M', format: 'csv', text: csv, apply: true, baseVersion: 1 });
    expect(applied).toMatchObject({ applied: true, added: ['S/A/M/Flow', 'S/A/M/Temp'] });
    expect(applied.outcome?.version).toMatchObject({
      version: 2,
      author: 'eng1',
      kind: 'apply',
      comment: 'imported 2 tags into S/A/M from a CSV list',
    });
    expect(applied.outcome?.applied.filter((a) => a.result === 'restart-needed')).toEqual([]);
    // The file keeps the engineer's comment; the new tags are read and stored at once.
    expect(readFileSync(file, 'utf8')).toContain('# the tank');
    expect(core.bus.idOf('S/A/M/Level')).toBe(levelId);
    const t = Date.now() - 1000;
    await call('tags.ingest', { items: [{ tag: 'S/A/M/Flow', value: 12.5, timestamp: t }] });
    const [snap] = await call<{ quality: string; value: unknown }[]>('tags.snapshot', { names: ['S/A/M/Flow'] });
    expect(snap).toMatchObject({ quality: 'Good', value: 12.5 });
    const [flow] = await call<HistorySeries[]>('history.query', { tags: ['S/A/M/Flow'], from: t - 1, to: Date.now(), maxPoints: 10 });
    expect(flow?.v).toEqual([12.5]);

    // JSON, made on version 1 after version 2 came: refused, naming the version in force.
    const json = JSON.stringify([{ name: 'Pressure', address: 'P', unit: 'bar' }]);
    const stale = await core.call(
      'config.importTags',
      { machine: 'S/A/M', format: 'json', text: json, apply: true, baseVersion: 1 },
      ENGINEER,
    );
    expect(stale.error).toMatchObject({ type: 'conflict', message: expect.stringContaining('but version 2 is in force') });
    const now = await call<Imported>('config.importTags', {
      machine: 'S/A/M',
      format: 'json',
      text: json,
      apply: true,
      comment: 'pressure gauge',
    });
    expect(now.outcome?.version).toMatchObject({ version: 3, comment: 'pressure gauge' });
    expect(core.bus.idOf('S/A/M/Pressure')).toBeDefined();
  }, 60_000);
});
