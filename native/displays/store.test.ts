// The demo's shipped displays and templates reach a data dir on every start, not only the first: a
// shipped file the data dir was never given is copied when no file of its name is there; an existing
// file is never overwritten; one given before and deleted since is not brought back (the list in
// displays/.shipped); a data dir made before the list existed is given what it lacks once.
// A display or template file is read and checked again only when it changed on disk (counted reads):
// an edit is seen on the next request, a hand-edited drawing is still checked, a deleted file leaves.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyShippedDisplays, displayFiles, SHIPPED_RECORD, templateFiles } from './store.js';
import { sanitizeSvg } from './svg.js';

let root: string;
let shipped: string;
let to: string;
const ship = (name: string, text: string) => {
  mkdirSync(path.dirname(path.join(shipped, name)), { recursive: true });
  writeFileSync(path.join(shipped, name), text);
};
const at = (name: string) => path.join(to, name);

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'aurum-shipped-'));
  shipped = path.join(root, 'resources');
  to = path.join(root, 'data', 'displays');
  ship('overview.json', 'overview v1\n');
  ship('templates/pump.json', 'pump v1\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('copyShippedDisplays', () => {
  it('copies every shipped file on the first start and lists them', () => {
    expect(copyShippedDisplays(shipped, to)).toEqual(['overview.json', 'templates/pump.json']);
    expect(readFileSync(at('templates/pump.json'), 'utf8')).toBe('pump v1\n');
    expect(readFileSync(at(SHIPPED_RECORD), 'utf8')).toBe('overview.json\ntemplates/pump.json\n');
    expect(copyShippedDisplays(shipped, to)).toEqual([]);
  });

  it('a later start gives files shipped since, never overwrites, and does not bring back a deleted one', () => {
    copyShippedDisplays(shipped, to);
    rmSync(at('overview.json'));
    writeFileSync(at('templates/pump.json'), 'pump edited\n');
    ship('utilities.json', 'utilities v1\n');
    ship('templates/boiler.json', 'boiler v1\n');
    ship('templates/pump.json', 'pump v2\n');
    expect(copyShippedDisplays(shipped, to)).toEqual(['utilities.json', 'templates/boiler.json']);
    expect(existsSync(at('overview.json'))).toBe(false);
    expect(readFileSync(at('templates/pump.json'), 'utf8')).toBe('pump edited\n');
    expect(readFileSync(at('utilities.json'), 'utf8')).toBe('utilities v1\n');
  });

  it('a data dir made before the list existed is given the shipped files it lacks, keeping its own', () => {
    mkdirSync(to, { recursive: true });
    writeFileSync(at('overview.json'), 'overview edited\n');
    expect(copyShippedDisplays(shipped, to)).toEqual(['templates/pump.json']);
    expect(readFileSync(at('overview.json'), 'utf8')).toBe('overview edited\n');
    expect(readFileSync(at(SHIPPED_RECORD), 'utf8')).toBe('overview.json\ntemplates/pump.json\n');
  });
});

describe('display files are read again only when they changed', () => {
  const clean = sanitizeSvg('<svg viewBox="0 0 10 10"><rect id="body" width="5" height="5"/></svg>');
  const display = (id: string, title: string, svg = clean.markup) =>
    JSON.stringify({
      id,
      title,
      size: { w: 800, h: 600 },
      elements: [{ id: 'd1', kind: 'drawing', x: 0, y: 0, w: 100, h: 100, svg, props: { viewBox: clean.viewBox } }],
    });
  /** Writes a file with its mtime an hour back (settled: SETTLED_MS), or at `mtime`. */
  const put = (name: string, text: string, mtime = Date.now() / 1000 - 3600) => {
    mkdirSync(path.dirname(at(name)), { recursive: true });
    writeFileSync(at(name), text);
    utimesSync(at(name), mtime, mtime);
  };
  const counting = () => {
    const reads: string[] = [];
    return {
      reads,
      read: (file: string) => {
        reads.push(path.basename(file));
        return readFileSync(file, 'utf8');
      },
    };
  };

  it('reads each file once over list and get, then only the changed one; the edit is seen', () => {
    put('area-1.json', display('area-1', 'Area 1'));
    put('area-2.json', display('area-2', 'Area 2'));
    const c = counting();
    const files = displayFiles(to, c.read);
    expect(files.list().displays.map((d) => d.title)).toEqual(['Area 1', 'Area 2']);
    expect(files.list().displays).toHaveLength(2);
    expect(files.get('area-2').title).toBe('Area 2');
    expect(c.reads).toEqual(['area-1.json', 'area-2.json']);
    // The same size: the file's times tell the edit.
    put('area-2.json', display('area-2', 'Area 9'), Date.now() / 1000 - 1800);
    expect(files.get('area-2').title).toBe('Area 9');
    expect(files.list().displays.map((d) => d.title)).toEqual(['Area 1', 'Area 9']);
    expect(c.reads).toEqual(['area-1.json', 'area-2.json', 'area-2.json']);
  });

  it('a drawing edited on disk to hold a script is checked again and refused', () => {
    put('area-1.json', display('area-1', 'Area 1'));
    const c = counting();
    const files = displayFiles(to, c.read);
    expect(files.list().problems).toEqual([]);
    put('area-1.json', display('area-1', 'Area 1', `${clean.markup}<script>alert(1)</script>`));
    const listed = files.list();
    expect(listed.displays).toEqual([]);
    expect(listed.problems).toEqual([expect.stringMatching(/^displays\/area-1\.json:\d+: elements\[0\]\.svg: /)]);
    expect(() => files.get('area-1')).toThrow(/display "area-1" is refused/);
    expect(c.reads).toEqual(['area-1.json', 'area-1.json']);
  });

  it('a file deleted or added on disk leaves or joins the list', () => {
    put('area-1.json', display('area-1', 'Area 1'));
    const c = counting();
    const files = displayFiles(to, c.read);
    expect(files.list().displays).toHaveLength(1);
    rmSync(at('area-1.json'));
    put('area-3.json', display('area-3', 'Area 3'));
    expect(files.list().displays.map((d) => d.id)).toEqual(['area-3']);
    expect(() => files.get('area-1')).toThrow(/there is no display "area-1"/);
    expect(c.reads).toEqual(['area-1.json', 'area-3.json']);
  });

  it('a file changed moments ago is read on each request until it has settled', () => {
    put('area-1.json', display('area-1', 'Area 1'), Date.now() / 1000 + 60);
    const c = counting();
    const files = displayFiles(to, c.read);
    files.list();
    files.list();
    expect(c.reads).toEqual(['area-1.json', 'area-1.json']);
  });

  it('display templates are read again only when they changed', () => {
    const template = (title: string) => JSON.stringify({ id: 'pump', title, machineKind: 'pump', faceplate: { keyTags: [] } });
    put('templates/pump.json', template('Pump A'));
    const c = counting();
    const templates = templateFiles(path.join(to, 'templates'), c.read);
    expect(templates().problems).toEqual([]);
    expect(templates().templates.map((t) => t.title)).toEqual(['Pump A']);
    put('templates/pump.json', template('Pump B'), Date.now() / 1000 - 1800);
    expect(templates().templates.map((t) => t.title)).toEqual(['Pump B']);
    expect(c.reads).toEqual(['pump.json', 'pump.json']);
  });
});
