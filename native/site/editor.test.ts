// A tag edit from the console (config.updateTag, editor.ts tagEditText) on a real core: written back
// atomically with comments and a backup, the running tag updated; a template's tag edited once for
// every machine made from it; an edit that makes the file invalid refused naming the field, nothing
// changed; the one validator's protocol rules apply (check-config refuses what this refuses).
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TagResults } from '../api/tag-requests.js';
import { type Core, startCore } from '../core.js';
import { freePort } from '../util/net.js';
import { loadSiteFile } from './index.js';
import { ENGINEER, type SiteCore, startSiteCore } from './test-core.js';

// A Modbus connection to a port nothing listens on: its tags are Bad, its rules still apply.
const siteOn = (port: number) => `# Plant site — comments survive edits
version: 1
site: { name: P }
connections:
  - { name: plc, protocol: modbus, host: 127.0.0.1, port: ${port} }
templates:
  Pump:
    tags:
      - { name: Flow, address: "{base}", unit: m3/h, range: [0, 100] }
areas:
  - name: A
    machines:
      - { name: P1, template: Pump, connection: plc, params: { base: 40001 } }
      - { name: P2, template: Pump, connection: plc, params: { base: 40011 } }
      - { name: M1, connection: plc, tags: [{ name: Speed, address: "30001" }] }
      - name: Tank
        connection: plc
        tags:
          - { name: Level, address: "40101", unit: "%", writable: true, writeLimits: [0, 100] } # level setpoint
`;

let t: SiteCore<Core>;
let site: string;
beforeAll(async () => {
  site = siteOn(await freePort());
  t = await startSiteCore(site, 'aurum-edit-', startCore);
}, 60_000);
afterAll(() => t?.stop());

type Updated = TagResults['config.updateTag'];
const refusal = async (args: unknown): Promise<string> => {
  const r = await t.core.call('config.updateTag', args, ENGINEER);
  expect(r.error?.type).toBe('validation');
  return r.error?.message ?? '';
};
const tag = (name: string) => t.core.model.tags.find((x) => x.name === name);

describe('config.updateTag writes the edit into the site file', () => {
  it('refuses an edit that makes the file invalid, naming the field, and changes nothing', async () => {
    expect(await refusal({ tag: 'P/A/Tank/Level', changes: { writeLimits: [90, 10] } })).toMatch(
      /writeLimits: must be \[low, high\] with low below high/,
    );
    expect(readFileSync(t.file, 'utf8')).toBe(site);
    expect(existsSync(`${t.file}.bak`)).toBe(false);
    expect(tag('P/A/Tank/Level')?.writeMax).toBe(100);
    expect(await refusal({ tag: 'P/A/Tank/Nope', changes: { unit: 'x' } })).toMatch(/no tag named/);
  });

  it('checks an edit with the same validator as check-config, protocol rules included', async () => {
    // Modbus makes input registers read-only: the Modbus rules refuse the edit, as check-config would.
    expect(await refusal({ tag: 'P/A/M1/Speed', changes: { writable: true } })).toMatch(
      /tags\[0\]\.writable: .*30001 is an input register/,
    );
    expect(readFileSync(t.file, 'utf8')).toBe(site);
  });

  it('writes a valid edit back atomically, keeps comments and a backup, and updates the running tag', async () => {
    const r = await t.call<Updated>('config.updateTag', {
      tag: 'P/A/Tank/Level',
      changes: { description: 'Tank level', writeLimits: [10, 90] },
    });
    expect(r.changed.map((x) => x.name)).toEqual(['P/A/Tank/Level']);
    expect(tag('P/A/Tank/Level')).toMatchObject({ description: 'Tank level', writeMin: 10, writeMax: 90 });
    const text = readFileSync(t.file, 'utf8');
    expect(text).toContain('# Plant site — comments survive edits');
    expect(text).toContain('# level setpoint');
    expect(readFileSync(r.backup, 'utf8')).toBe(site);
    expect(loadSiteFile(t.file).tags.find((x) => x.name === 'P/A/Tank/Level')?.writeMax).toBe(90);
  });

  it('edits a template tag once for all its instances', async () => {
    // Said explicitly since issue 18: without a scope a template's tag is refused (update-tag-scope.test.ts).
    const r = await t.call<Updated>('config.updateTag', { tag: 'P/A/P2/Flow', changes: { range: [5, 80] }, scope: 'template' });
    expect(r.changed.map((x) => x.name).sort()).toEqual(['P/A/P1/Flow', 'P/A/P2/Flow']);
    expect(['P/A/P1/Flow', 'P/A/P2/Flow'].map((n) => [tag(n)?.rangeLo, tag(n)?.rangeHi])).toEqual([
      [5, 80],
      [5, 80],
    ]);
  });
});
