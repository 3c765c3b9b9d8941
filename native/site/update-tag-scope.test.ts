// Issue 18: "Editing Pump101/VibrationRMS silently changed Pump102's tag too (both come from one
// template), with no warning." An edit of a template's tag says where it goes: the template (every
// machine made from it) or this machine's override (machines[].overrides.<tag>); without a scope it
// is refused with a sentence naming the template and the machines it would change.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TagResults } from '../api/tag-requests.js';
import { type Core, startCore } from '../core.js';
import { serveSite } from '../server/test-server.js';
import { parseSiteFile } from './index.js';
import { ENGINEER, type SiteCore, startSiteCore } from './test-core.js';

const TEXT = `version: 1
site: { name: Plant }
connections:
  - { name: gw, protocol: ingest }
templates:
  CentrifugalPump:
    tags:
      # vibration of the drive end
      - { name: VibrationRMS, address: "{id}.vib", unit: mm/s, range: [0, 20] }
areas:
  - name: North
    machines:
      - { name: Pump101, template: CentrifugalPump, connection: gw, params: { id: p1 } }
      - { name: Pump102, template: CentrifugalPump, connection: gw, params: { id: p2 } }
      - name: Own
        connection: gw
        tags: [{ name: Level, address: own.level, unit: m }]
`;

// One core for the edits below, made in order (the refusals first, while the file is as written).
let t: SiteCore<Core>;
beforeAll(async () => {
  t = await startSiteCore(TEXT, 'aurum-scope-', startCore);
}, 60_000);
afterAll(() => t?.stop());

const P1 = 'Plant/North/Pump101/VibrationRMS';
const P2 = 'Plant/North/Pump102/VibrationRMS';
type Updated = TagResults['config.updateTag'];
const update = (args: unknown) => t.call<Updated>('config.updateTag', args);
const refusal = async (args: unknown): Promise<string> => {
  const r = await t.core.call('config.updateTag', args, ENGINEER);
  expect(r.error?.type).toBe('validation');
  return r.error?.message ?? '';
};
const tag = (name: string) => t.core.model.tags.find((x) => x.name === name);
const onDisk = () => parseSiteFile(readFileSync(t.file, 'utf8'), t.file);

describe('config.updateTag on a tag made from a template', () => {
  it('without a scope, is refused naming the template and the machines it would change; nothing written', async () => {
    expect(await refusal({ tag: P1, changes: { unit: 'in/s' } })).toBe(
      `${P1} comes from template CentrifugalPump (2 machines: Plant/North/Pump101, Plant/North/Pump102): say whether to change the template or override Plant/North/Pump101 only`,
    );
    expect(readFileSync(t.file, 'utf8')).toBe(TEXT);
    expect(tag(P2)?.unit).toBe('mm/s');
  });

  it('an override that would remove a template field is refused: the template range would show through', async () => {
    expect(await refusal({ tag: P1, changes: { range: null }, scope: 'machine' })).toBe(
      `${P1}: an override cannot remove the range that template CentrifugalPump gives; change the template, or give this machine its own range`,
    );
    expect(readFileSync(t.file, 'utf8')).toBe(TEXT);
  });

  it('with scope machine, overrides Pump101 only: Pump102 unchanged, the file has the override', async () => {
    const r = await update({ tag: P1, changes: { unit: 'in/s' }, scope: 'machine' });
    expect(r.changed.map((x) => x.name)).toEqual([P1]);
    expect(tag(P1)?.unit).toBe('in/s');
    expect(tag(P2)?.unit).toBe('mm/s');
    const fresh = onDisk();
    expect(fresh.tags.find((x) => x.name === P1)?.unit).toBe('in/s');
    expect(fresh.tags.find((x) => x.name === P2)?.unit).toBe('mm/s');
    expect(fresh.raw.areas[0]?.machines[0]?.overrides).toEqual({ VibrationRMS: { unit: 'in/s' } });
    expect(readFileSync(t.file, 'utf8')).toContain('# vibration of the drive end');
    // A second edit of the same machine updates its override, still for Pump101 only.
    await update({ tag: P1, changes: { range: [0, 1] }, scope: 'machine' });
    const again = onDisk();
    expect(again.raw.areas[0]?.machines[0]?.overrides).toEqual({ VibrationRMS: { unit: 'in/s', range: [0, 1] } });
    expect(again.tags.find((x) => x.name === P2)).toMatchObject({ unit: 'mm/s', rangeHi: 20 });
  });

  it('with scope template, changes the tag of every machine made from it', async () => {
    // Pump101's override gives unit and range; the template's description reaches both machines.
    const r = await update({ tag: P1, changes: { description: 'drive end' }, scope: 'template' });
    expect(r.changed.map((x) => x.name).sort()).toEqual([P1, P2]);
    const fresh = onDisk();
    expect(fresh.tags.filter((x) => x.name.endsWith('/VibrationRMS')).map((x) => x.description)).toEqual(['drive end', 'drive end']);
    expect(fresh.raw.templates.CentrifugalPump?.tags[0]).toMatchObject({ description: 'drive end', unit: 'mm/s' });
    expect(fresh.raw.areas[0]?.machines[1]?.overrides).toEqual({});
  });

  it("a machine's own tag needs no scope", async () => {
    expect((await update({ tag: 'Plant/North/Own/Level', changes: { unit: 'cm' } })).changed.map((x) => x.unit)).toEqual(['cm']);
  });
});

describe('config.updateTag over HTTP', () => {
  it('refuses a template tag without scope as the scope field, then overrides with scope machine', async () => {
    const served = await serveSite(TEXT, 'aurum-scope-http-');
    try {
      const refused = await served.post('/api/config/tag', { tag: P1, changes: { unit: 'in/s' } });
      expect(refused.status).toBe(400);
      const sentence = `${P1} comes from template CentrifugalPump (2 machines: Plant/North/Pump101, Plant/North/Pump102): say whether to change the template or override Plant/North/Pump101 only`;
      expect(await refused.json()).toMatchObject({
        error: { type: 'validation', message: sentence, fields: [{ path: 'scope', message: sentence }] },
      });
      const ok = await served.post('/api/config/tag', { tag: P1, scope: 'machine', changes: { unit: 'in/s' } });
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as { changed: { name: string; unit: string }[] }).changed.map((t) => [t.name, t.unit])).toEqual([
        [P1, 'in/s'],
      ]);
    } finally {
      await served.stop();
    }
  }, 60_000);
});
