import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { editTag, TagEditError } from './editor.js';
import { loadSiteFile } from './index.js';

const site = `# Plant site — comments survive edits
version: 1
site: { name: P }
connections:
  - { name: plc, protocol: modbus, host: 10.0.0.5 }
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

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function siteFile() {
  const dir = mkdtempSync(path.join(tmpdir(), 'aurum-edit-'));
  dirs.push(dir);
  const file = path.join(dir, 'site.yaml');
  writeFileSync(file, site);
  return file;
}

describe('editTag', () => {
  it('writes a valid edit back atomically, keeps comments and a backup, and updates the running tag', () => {
    const file = siteFile();
    const model = loadSiteFile(file);
    const result = editTag(model, 'P/A/Tank/Level', { description: 'Tank level', writeLimits: [10, 90] });
    expect(result.changed.map((t) => t.name)).toEqual(['P/A/Tank/Level']);
    expect(model.tags.find((t) => t.name === 'P/A/Tank/Level')).toMatchObject({ description: 'Tank level', writeMin: 10, writeMax: 90 });
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('# Plant site — comments survive edits');
    expect(text).toContain('# level setpoint');
    expect(readFileSync(result.backup, 'utf8')).toBe(site);
    expect(loadSiteFile(file).tags.find((t) => t.name === 'P/A/Tank/Level')?.writeMax).toBe(90);
  });

  it('edits a template tag once for all its instances', () => {
    const file = siteFile();
    const model = loadSiteFile(file);
    // Said explicitly since issue 18: without a scope a template's tag is refused (update-tag-scope.test.ts).
    const result = editTag(model, 'P/A/P2/Flow', { range: [5, 80] }, 'template');
    expect(result.changed.map((t) => t.name)).toEqual(['P/A/P1/Flow', 'P/A/P2/Flow']);
    expect(model.tags.filter((t) => t.machine === 'P1' || t.machine === 'P2').map((t) => [t.rangeLo, t.rangeHi])).toEqual([
      [5, 80],
      [5, 80],
    ]);
  });

  it('refuses an edit that makes the file invalid, naming the field, and changes nothing', () => {
    const file = siteFile();
    const model = loadSiteFile(file);
    expect(() => editTag(model, 'P/A/Tank/Level', { writeLimits: [90, 10] })).toThrow(TagEditError);
    expect(() => editTag(model, 'P/A/Tank/Level', { writeLimits: [90, 10] })).toThrow(
      /writeLimits: must be \[low, high\] with low below high/,
    );
    expect(readFileSync(file, 'utf8')).toBe(site);
    expect(existsSync(`${file}.bak`)).toBe(false);
    expect(model.tags.find((t) => t.name === 'P/A/Tank/Level')?.writeMax).toBe(100);
    expect(() => editTag(model, 'P/A/Tank/Nope', { unit: 'x' })).toThrow(/no tag named/);
  });

  it('checks an edit with the same validator as check-config, protocol rules included', () => {
    const file = siteFile();
    const model = loadSiteFile(file);
    // Modbus makes input registers read-only: the Modbus rules refuse the edit, as check-config would.
    expect(() => editTag(model, 'P/A/M1/Speed', { writable: true })).toThrow(/tags\[0\]\.writable: .*30001 is an input register/);
    expect(readFileSync(file, 'utf8')).toBe(site);
  });
});
