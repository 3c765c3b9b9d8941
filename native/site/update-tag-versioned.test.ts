// Issue 18 point 4: "Every apply is a numbered version with author, time and comment ... Every
// apply and rollback is audited." An edit from the Tags screen's editor (config.updateTag) goes
// through config.apply like any edit: a version by the caller with a comment naming the tag and
// its fields (or the one given), listed with its diff, refused on a stale base, audited, and
// rolled back like any version (the site file restored byte for byte).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigApplyResult, ConfigVersionInfo } from '../api/config-requests.js';
import type { CallContext } from '../api/contract.js';
import type { TagResults } from '../api/tag-requests.js';
import { type Core, startCore } from '../core.js';

const site = `version: 1
site: { name: S }
connections:
  - { name: gw, protocol: ingest }
templates:
  Pump:
    tags:
      - { name: Speed, address: "{id}.speed", unit: rpm }
areas:
  - name: A
    machines:
      - name: M
        connection: gw
        tags:
          - { name: Level, address: Level, unit: m }   # the tank's level
      - { name: P1, template: Pump, connection: gw, params: { id: p1 } }
`;

const ENGINEER: CallContext = { user: 'eng1', role: 'engineer', origin: 'internal' };
const ADMIN: CallContext = { user: 'admin', role: 'admin', origin: 'internal' };
let dir: string;
let file: string;
let core: Core;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'aurum-update-tag-versioned-'));
  file = path.join(dir, 'site.yaml');
  writeFileSync(file, site);
  core = await startCore({ siteFile: file, dataDir: path.join(dir, 'data'), shell: 'test', log: () => undefined });
}, 60_000);

afterAll(async () => {
  await core?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const call = async <T>(name: string, args: unknown, ctx: CallContext = ENGINEER): Promise<T> => {
  const r = await core.call(name, args, ctx);
  if (r.error) throw new Error(`${name}: ${r.error.type}: ${r.error.message}`);
  return r.data as T;
};

describe('config.updateTag through config.apply', () => {
  it('makes a version by the caller naming the tag, listed with its diff, audited, and rolled back', async () => {
    const levelId = core.bus.idOf('S/A/M/Level');
    const r = await call<TagResults['config.updateTag']>('config.updateTag', {
      tag: 'S/A/M/Level',
      changes: { unit: 'cm', description: 'Tank level' },
    });
    expect(r.changed.map((t) => [t.name, t.unit, t.description])).toEqual([['S/A/M/Level', 'cm', 'Tank level']]);
    expect(r.version).toMatchObject({ version: 2, author: 'eng1', kind: 'apply', comment: 'edited tag S/A/M/Level: description, unit' });
    // The running tag keeps its id; the file keeps the engineer's comment.
    expect(core.bus.idOf('S/A/M/Level')).toBe(levelId);
    expect(core.bus.tag(levelId as number)?.unit).toBe('cm');
    expect(readFileSync(file, 'utf8')).toContain('# the tank');

    const { versions } = await call<{ versions: ConfigVersionInfo[] }>('config.versions', {});
    expect(versions[0]).toMatchObject({ version: 2, author: 'eng1', comment: 'edited tag S/A/M/Level: description, unit' });
    const d = await call<{ diff: { summary: string[] } }>('config.diff', { from: 1, to: 2 });
    expect(d.diff.summary.join('; ')).toContain('tag S/A/M/Level changed');

    // A template's tag with its scope and a comment of the caller's.
    const t = await call<TagResults['config.updateTag']>('config.updateTag', {
      tag: 'S/A/P1/Speed',
      scope: 'machine',
      changes: { unit: 'rad/s' },
      comment: 'drive reads rad/s',
    });
    expect(t.version).toMatchObject({ version: 3, comment: 'drive reads rad/s' });
    // Made on a version no longer in force: refused, naming the version in force; nothing written.
    const before = readFileSync(file, 'utf8');
    const stale = await core.call('config.updateTag', { tag: 'S/A/M/Level', changes: { unit: 'mm' }, baseVersion: 2 }, ENGINEER);
    expect(stale.error).toMatchObject({ type: 'conflict', message: expect.stringContaining('but version 3 is in force') });
    expect(readFileSync(file, 'utf8')).toBe(before);

    const audit = await call<{ action: string; user: string; result: string }[]>('audit.query', { action: 'config.updateTag' }, ADMIN);
    expect(audit.filter((e) => e.result === 'ok').length).toBe(2);
    expect(JSON.stringify(audit)).toContain('edited tag S/A/M/Level: description, unit');

    const rb = await call<ConfigApplyResult>('config.rollback', { version: 1, baseVersion: 3, comment: 'back to the first' });
    expect(rb.version).toMatchObject({ version: 4, kind: 'rollback' });
    expect(readFileSync(file, 'utf8')).toBe(site);
    expect(core.bus.tag(levelId as number)?.unit).toBe('m');
  }, 60_000);
});
