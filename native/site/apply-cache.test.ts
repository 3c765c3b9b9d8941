// The version in force without reading the site file at every config request: the file is read
// again only when its stat changed (an external edit, even one keeping its size and modification
// time, is picked up at the next request) or another version was recorded since; parsed versions
// stay parsed for the diffs that compare them. Counted with spies on readFileSync and the
// validator, never timed.
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallContext } from '../api/contract.js';
import { LiveConfig, type LiveTargets } from './apply.js';
import { configHandlers } from './config-handlers.js';
import { loadSiteFile } from './index.js';
import { validateSiteText } from './validate.js';
import { VersionStore } from './versions.js';

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return { ...fs, readFileSync: vi.fn(fs.readFileSync) };
});
vi.mock('./validate.js', async (importOriginal) => {
  const v = await importOriginal<typeof import('./validate.js')>();
  return { ...v, validateSiteText: vi.fn(v.validateSiteText) };
});

const site = (unit: string) => `version: 1
site: { name: Plant }
connections:
  - { name: gw, protocol: ingest }
areas:
  - name: Hall
    machines:
      - { name: P1, connection: gw, tags: [{ name: Flow, address: f, unit: ${unit} }] }
`;

const ENGINEER: CallContext = { user: 'eng1', role: 'engineer', origin: 'http' };
// The file's times, set well before the requests: a stat that can be trusted to show the next edit.
const HOUR_AGO = Date.now() / 1000 - 3600;

let dir: string;
let file: string;
let versions: VersionStore;
let live: LiveConfig;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'aurum-apply-cache-'));
  file = path.join(dir, 'site.yaml');
  writeFileSync(file, site('m3/h'));
  utimesSync(file, HOUR_AGO, HOUR_AGO);
  versions = new VersionStore(dir);
  // These requests read versions and the file; they never reach the running core.
  live = new LiveConfig(loadSiteFile(file), {} as LiveTargets, versions);
  vi.mocked(readFileSync).mockClear();
  vi.mocked(validateSiteText).mockClear();
});
afterEach(() => {
  versions.close();
  rmSync(dir, { recursive: true, force: true });
});

/** How often the site file itself was read since the last clear. */
const fileReads = () => vi.mocked(readFileSync).mock.calls.filter(([p]) => p === file).length;

describe('LiveConfig: the version in force', () => {
  it('reads the file once while it is unchanged on disk, and again after an edit outside the console', async () => {
    const h = configHandlers(live);
    const current = async () => (await h['config.current']({}, ENGINEER)).version;
    expect(await current()).toMatchObject({ version: 1, kind: 'initial' });
    expect(await current()).toMatchObject({ version: 1 });
    await h['config.versions']({ limit: 10 }, ENGINEER);
    expect(await current()).toMatchObject({ version: 1 });
    expect(fileReads()).toBe(1);

    // An edit of the same size, its modification time put back as it was: the change time says it changed.
    writeFileSync(file, site('m3/s'));
    utimesSync(file, HOUR_AGO, HOUR_AGO);
    const edited = await h['config.current']({}, ENGINEER);
    expect(edited.version).toMatchObject({ version: 2, kind: 'outside' });
    expect(edited.text).toBe(site('m3/s'));
    expect(await current()).toMatchObject({ version: 2 });
    expect(fileReads()).toBe(2);
  });

  it('sees a version recorded beside it (a display save keeps the text): the file is read once more, then not', () => {
    expect(live.current().version).toBe(1);
    versions.add({ author: 'eng1', comment: 'display saved', kind: 'apply', text: site('m3/h'), displays: { hall: '{}' } });
    expect(live.current()).toMatchObject({ version: 2, comment: 'display saved' });
    expect(live.current().version).toBe(2);
    expect(live.current().version).toBe(2);
    expect(fileReads()).toBe(2);
  });

  it('reads again at every request a file whose modification time is too recent to trust', () => {
    // In the future: a stat taken now cannot show an edit made within the same clock tick.
    utimesSync(file, HOUR_AGO + 7200, HOUR_AGO + 7200);
    live.current();
    live.current();
    writeFileSync(file, site('m3/s'));
    utimesSync(file, HOUR_AGO + 7200, HOUR_AGO + 7200);
    expect(live.current().text).toBe(site('m3/s'));
    expect(fileReads()).toBe(3);
  });
});

describe('LiveConfig: parsed versions', () => {
  it('parses each version once for diffs between them, back and forth', async () => {
    const h = configHandlers(live);
    live.current();
    writeFileSync(file, site('m3/s'));
    utimesSync(file, HOUR_AGO, HOUR_AGO);
    expect(live.current().version).toBe(2);
    for (let i = 0; i < 3; i++) {
      const d = await h['config.diff']({ from: 1, to: 2 }, ENGINEER);
      expect(d.diff.entries).toContainEqual(expect.objectContaining({ kind: 'tag', change: 'changed', name: 'Plant/Hall/P1/Flow' }));
      await h['config.diff']({ from: 2, to: 1 }, ENGINEER);
    }
    expect(vi.mocked(validateSiteText)).toHaveBeenCalledTimes(2);
  });
});
