// Issue 18: "Editing Pump101/VibrationRMS silently changed Pump102's tag too (both come from one
// template), with no warning." An edit of a template's tag says where it goes: the template (every
// machine made from it) or this machine's override (machines[].overrides.<tag>); without a scope it
// is refused with a sentence naming the template and the machines it would change.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serveSite } from '../server/test-server.js';
import { editTag, TagEditError } from './editor.js';
import { parseSiteFile } from './index.js';

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

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

function site() {
  dir = mkdtempSync(path.join(tmpdir(), 'aurum-scope-'));
  const file = path.join(dir, 'site.yaml');
  writeFileSync(file, TEXT);
  return { file, model: parseSiteFile(TEXT, file) };
}
const P1 = 'Plant/North/Pump101/VibrationRMS';
const P2 = 'Plant/North/Pump102/VibrationRMS';

describe('config.updateTag on a tag made from a template', () => {
  it('with scope machine, overrides Pump101 only: Pump102 unchanged, the file has the override', () => {
    const { file, model } = site();
    const r = editTag(model, P1, { unit: 'in/s' }, 'machine');
    expect(r.changed.map((t) => t.name)).toEqual([P1]);
    expect(model.tags.find((t) => t.name === P1)?.unit).toBe('in/s');
    expect(model.tags.find((t) => t.name === P2)?.unit).toBe('mm/s');
    const fresh = parseSiteFile(readFileSync(file, 'utf8'), file);
    expect(fresh.tags.find((t) => t.name === P1)?.unit).toBe('in/s');
    expect(fresh.tags.find((t) => t.name === P2)?.unit).toBe('mm/s');
    expect(fresh.raw.areas[0]?.machines[0]?.overrides).toEqual({ VibrationRMS: { unit: 'in/s' } });
    expect(readFileSync(file, 'utf8')).toContain('# vibration of the drive end');
    // A second edit of the same machine updates its override, still for Pump101 only.
    editTag(model, P1, { range: [0, 1] }, 'machine');
    const again = parseSiteFile(readFileSync(file, 'utf8'), file);
    expect(again.raw.areas[0]?.machines[0]?.overrides).toEqual({ VibrationRMS: { unit: 'in/s', range: [0, 1] } });
    expect(again.tags.find((t) => t.name === P2)).toMatchObject({ unit: 'mm/s', rangeHi: 20 });
  });

  it('without a scope, is refused naming the template and the machines it would change; nothing written', () => {
    const { file, model } = site();
    expect(() => editTag(model, P1, { unit: 'in/s' })).toThrow(TagEditError);
    expect(() => editTag(model, P1, { unit: 'in/s' })).toThrow(
      `${P1} comes from template CentrifugalPump (2 machines: Plant/North/Pump101, Plant/North/Pump102): say whether to change the template or override Plant/North/Pump101 only`,
    );
    expect(readFileSync(file, 'utf8')).toBe(TEXT);
    expect(model.tags.find((t) => t.name === P2)?.unit).toBe('mm/s');
  });

  it('with scope template, changes the tag of every machine made from it', () => {
    const { file, model } = site();
    const r = editTag(model, P1, { unit: 'in/s' }, 'template');
    expect(r.changed.map((t) => t.name).sort()).toEqual([P1, P2]);
    const fresh = parseSiteFile(readFileSync(file, 'utf8'), file);
    expect(fresh.tags.filter((t) => t.name.endsWith('/VibrationRMS')).map((t) => t.unit)).toEqual(['in/s', 'in/s']);
    expect(fresh.raw.areas[0]?.machines[0]?.overrides).toEqual({});
  });

  it("a machine's own tag needs no scope", () => {
    const { model } = site();
    expect(editTag(model, 'Plant/North/Own/Level', { unit: 'cm' }).changed.map((t) => t.unit)).toEqual(['cm']);
  });
});

describe('an override edit that would remove a template field', () => {
  it('is refused: the template range would show through', () => {
    const { file, model } = site();
    expect(() => editTag(model, P1, { range: null }, 'machine')).toThrow(
      `${P1}: an override cannot remove the range that template CentrifugalPump gives; change the template, or give this machine its own range`,
    );
    expect(readFileSync(file, 'utf8')).toBe(TEXT);
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
