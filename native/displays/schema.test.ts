// The display document is refused with a sentence naming the file, line and field; the demo's
// shipped display is valid and binds only tags the demo site has.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_SITE_FILE } from '../site/files.js';
import { loadSiteFile } from '../site/index.js';
import { boundPaths, DISPLAY_LIMITS, parseDisplay } from './schema.js';
import { copyShippedDisplays, displayFiles } from './store.js';

const SHIPPED = path.resolve(import.meta.dirname, '..', '..', 'resources', 'displays');

const doc = (elements: string) => `{
  "id": "area-1",
  "title": "Area 1",
  "size": {"w": 800, "h": 600},
  "elements": [
${elements}
  ]
}
`;
const pump = '    {"id": "p1", "kind": "pump", "x": 10, "y": 10, "w": 60, "h": 60, "bind": {"state": "Demo/A/P1/Running"}}';

describe('display documents', () => {
  it('a valid document parses, with defaults for bind and props', () => {
    const r = parseDisplay(doc(pump), 'displays/area-1.json');
    expect(r.ok && r.display.elements[0]).toMatchObject({ id: 'p1', kind: 'pump', props: {} });
  });

  it('an unknown symbol kind is refused naming file:line and field', () => {
    const r = parseDisplay(doc(`${pump},\n    {"id": "x", "kind": "spaceship", "x": 0, "y": 0, "w": 1, "h": 1}`), 'displays/area-1.json');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems).toEqual([
      expect.stringMatching(/^displays\/area-1\.json:7: elements\[1\]\.kind: a symbol kind is one of pump, valve/),
    ]);
  });

  it('a tag path that is not Site/Area/Machine/Tag, a duplicate element id and an unknown field are each a sentence', () => {
    const bad = [
      '    {"id": "p1", "kind": "value", "x": 0, "y": 0, "w": 1, "h": 1, "bind": {"value": "Flow"}}',
      '    {"id": "p1", "kind": "text", "x": 0, "y": 0, "w": 1, "h": 1}',
      '    {"id": "p3", "kind": "text", "x": 0, "y": 0, "w": 1, "h": 1, "colour": "red"}',
    ].join(',\n');
    const r = parseDisplay(doc(bad), 'd.json');
    expect(!r.ok && r.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^d\.json:6: elements\[0\]\.bind\.value: a tag path is Site\/Area\/Machine\/Tag$/),
        expect.stringMatching(/^d\.json:8: elements\[2\]: .*colour/),
        'd.json:7: elements[1].id: element id "p1" is used twice',
      ]),
    );
    expect(!r.ok && r.problems.join('\n')).not.toMatch(/\[object|invalid_type|"code"/);
  });

  it('text that is not JSON is refused with its line', () => {
    const r = parseDisplay('{\n  "id": "a",\n  "title": "A"\n  "size": {}\n}', 'displays/a.json');
    expect(!r.ok && r.problems).toEqual(["displays/a.json:4: not valid JSON: Expected ',' or '}' after property value"]);
  });

  it('a missing field names the field', () => {
    const r = parseDisplay('{"id": "a", "title": "A", "elements": []}', 'a.json');
    expect(!r.ok && r.problems).toEqual([expect.stringMatching(/^a\.json:1: size: /)]);
  });

  it("the demo's pump station binds only tags the demo site has", () => {
    const r = parseDisplay(readFileSync(path.join(SHIPPED, 'pump-station.json'), 'utf8'), 'pump-station.json');
    if (!r.ok) throw new Error(r.problems.join('\n'));
    const tags = new Set(loadSiteFile(DEMO_SITE_FILE).tags.map((t) => t.name));
    expect(boundPaths(r.display).filter((p) => !tags.has(p))).toEqual([]);
    expect(boundPaths(r.display)).toContain('Demo/PumpStation/Pump101/Running');
  });
});

describe('display files', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('lists good files, names refused ones, and answers not_found for an unknown id', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'displays-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'area-1.json'), doc(pump));
    writeFileSync(path.join(dir, 'broken.json'), '{');
    writeFileSync(path.join(dir, 'other.json'), doc(pump)); // its id is area-1
    const files = displayFiles(dir);
    const listed = files.list();
    expect(listed.displays.map((d) => d.id)).toEqual(['area-1']);
    expect(listed.problems).toEqual([
      expect.stringMatching(/^displays\/broken\.json:\d+: not valid JSON/),
      'displays/other.json:1: id: the document\'s id "area-1" is not its file name "other"',
    ]);
    expect(() => files.get('nope')).toThrow('there is no display "nope" (no file displays/nope.json beside the site file)');
    expect(files.get('area-1').title).toBe('Area 1');
  });

  it('more files than a site may hold: the first ones by name are read and the rest is said', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'displays-'));
    dirs.push(dir);
    for (let i = 0; i <= DISPLAY_LIMITS.displays; i++) {
      const id = `d-${String(i).padStart(4, '0')}`;
      writeFileSync(path.join(dir, `${id}.json`), JSON.stringify({ id, title: id, size: { w: 10, h: 10 }, elements: [] }));
    }
    const listed = displayFiles(dir).list();
    expect(listed.displays).toHaveLength(DISPLAY_LIMITS.displays);
    expect(listed.problems).toEqual([`displays/: 501 files, more than the 500 a site may hold; only the first 500 by name are read`]);
  });

  it('the demo copies its shipped displays once, keeping later edits', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'displays-'));
    dirs.push(dir);
    const to = path.join(dir, 'displays');
    copyShippedDisplays(SHIPPED, to);
    expect(
      displayFiles(to)
        .list()
        .displays.map((d) => d.id),
    ).toEqual(['pump-station']);
    writeFileSync(path.join(to, 'pump-station.json'), '{');
    copyShippedDisplays(SHIPPED, to);
    expect(readFileSync(path.join(to, 'pump-station.json'), 'utf8')).toBe('{');
  });
});
