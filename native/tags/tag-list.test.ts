import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { machineTagsText } from '../site/editor.js';
import { loadSiteFile, parseSiteFile } from '../site/index.js';
import { VALIDATOR_WORDING } from '../util/validator-wording.js';
import { exportTagsCsv, importTagsCsv, importTagsJson, parseCsv } from './tag-list.js';

const site = `version: 1
site: { name: P }
connections:
  - { name: plc, protocol: modbus, host: 10.0.0.5 }
areas:
  - name: A
    machines:
      - name: Tank
        connection: plc
        tags:
          - { name: Level, address: "40101", unit: "%", writable: true, writeLimits: [0, 100], options: { type: float32 }, scaling: { rawLo: 0, rawHi: 1000, engLo: 0, engHi: 100, clamp: true } }
`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function siteFile() {
  const dir = mkdtempSync(path.join(tmpdir(), 'aurum-taglist-'));
  dirs.push(dir);
  const file = path.join(dir, 'site.yaml');
  writeFileSync(file, site);
  return file;
}

describe('CSV', () => {
  it('parses quoted fields, doubled quotes, embedded commas and newlines, with line numbers', () => {
    const rows = parseCsv('a,b\r\n"x, y","say ""hi"""\n"multi\nline",2\n');
    expect(rows).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"'] },
      { line: 3, fields: ['multi\nline', '2'] },
    ]);
  });

  it('round-trips the running tags through a Kepware-style export and import', () => {
    const model = loadSiteFile(siteFile());
    const csv = exportTagsCsv(model.tags, new Map([...model.driverTags.values()].flat().map((d) => [d.id, d])));
    expect(csv.split('\r\n')[0]).toMatch(/^Tag Name,Address,Data Type,Respect Data Type,Client Access,Scan Rate,Scaling/);
    const back = importTagsCsv(csv);
    expect(back.issues).toEqual([]);
    expect(back.tags).toEqual([
      expect.objectContaining({
        name: 'Level',
        address: '40101',
        type: 'float',
        unit: '%',
        writable: true,
        options: { type: 'float32' },
        scaling: { rawLo: 0, rawHi: 1000, engLo: 0, engHi: 100, clamp: true },
      }),
    ]);
  });

  it('reports every bad row with its line and column, and a missing column up front', () => {
    const csv =
      'Tag Name,Address,Data Type,Scan Rate\nChannel1.Dev1.Ok,40001,Word,1000\nBad1,40002,Quad,1000\nBad2,,Float,1000\nBad3,40003,Float,-5\nChannel1.Dev1.Ok,40009,Word,1000\n';
    const r = importTagsCsv(csv);
    expect(r.tags.map((t) => t.name)).toEqual(['Ok']);
    expect(r.issues.map((i) => [i.line, i.column])).toEqual([
      [3, 'Data Type'],
      [4, 'address'],
      [5, 'periodMs'],
      [6, 'Tag Name'],
    ]);
    expect(importTagsCsv('Name,Addr\nx,1\n').issues[0]?.message).toMatch(/missing column "Tag Name"/);
  });

  it('validates JSON lists against the site-file tag schema', () => {
    const r = importTagsJson(JSON.stringify([{ name: 'A', address: 'ns=2;s=A' }, { name: 'B' }]));
    expect(r.tags.map((t) => t.name)).toEqual(['A']);
    expect(r.issues).toEqual([{ line: 2, column: 'address', message: expect.any(String) }]);
    expect(importTagsJson('{').issues[0]?.message).toMatch(/not JSON/);
  });

  // Raw validator wording never reaches the engineer: each problem is a sentence naming the row's tag and the field.

  it('words each bad CSV row as a sentence naming the tag and the Kepware column', () => {
    const csv =
      'Tag Name,Address,Data Type,Scan Rate,Scaling,Raw Low,Raw High,Scaled Low,Scaled High\nBad2,,Float,1000\nBad3,40003,Float,-5\nBad4,40004,Float,1000,Linear,0,0,0,10\nBad5,40005,Float,fast\n';
    const messages = importTagsCsv(csv).issues.map((i) => i.message);
    expect(messages).toEqual([
      'the Address column of tag "Bad2" must not be empty',
      'the Scan Rate column of tag "Bad3" must be at least 10, but it is -5',
      'the Raw Low, Raw High, Scaled Low and Scaled High columns of tag "Bad4" are refused: rawLo and rawHi must differ, and so must engLo and engHi: an empty range cannot be scaled',
      'the Scan Rate column of tag "Bad5" must be a number, but it is the text "fast"',
    ]);
    for (const m of messages) expect(m).not.toMatch(VALIDATOR_WORDING);
  });

  it('words each bad JSON entry as a sentence naming the tag (or its place) and the field', () => {
    const r = importTagsJson(
      JSON.stringify([
        { name: 'B' },
        { name: 'C', address: 'x', type: 'flaot' },
        { name: 'D', address: 'x', adress: 'y' },
        3,
        { address: 'y' },
      ]),
    );
    expect(r.issues).toEqual([
      { line: 1, column: 'address', message: 'the field "address" of tag "B" is required and must be text' },
      {
        line: 2,
        column: 'type',
        message:
          'the field "type" of tag "C" must be one of "float", "int", "bool", "string", but it is the text "flaot": did you mean float?',
      },
      { line: 3, column: 'adress', message: 'in tag "D", unknown field "adress": did you mean address?' },
      { line: 4, column: 'item', message: 'entry 4 of the list must be a mapping of tag fields, but it is the number 3' },
      { line: 5, column: 'name', message: 'the field "name" of entry 5 of the list is required and must be text' },
    ]);
    for (const i of r.issues) expect(i.message).not.toMatch(VALIDATOR_WORDING);
    expect(importTagsJson('{}').issues[0]?.message).toBe('the tag list must be a JSON array of tags, but it is a mapping');
  });

  // As config.importTags puts it in force (native/site/import-live.test.ts applies it on a real core).
  it("writes an import into a machine's tags in the site file's text, replacing tags of the same name", () => {
    const file = siteFile();
    const model = loadSiteFile(file);
    const { tags } = importTagsCsv('Tag Name,Address,Data Type,Eng Units\nLevel,40201,Float,m\nTemp,40203,Float,°C\n');
    const result = machineTagsText(model, readFileSync(file, 'utf8'), 'P/A/Tank', tags);
    expect(result.added).toEqual(['P/A/Tank/Level', 'P/A/Tank/Temp']);
    const next = parseSiteFile(result.text, file);
    expect(next.tags.map((t) => `${t.name}@${t.address}:${t.unit}`)).toEqual(['P/A/Tank/Level@40201:m', 'P/A/Tank/Temp@40203:°C']);
    expect(readFileSync(file, 'utf8')).toBe(site);
  });
});
