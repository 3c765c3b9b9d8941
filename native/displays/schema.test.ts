// The display document is refused with a sentence naming the file, line and field; the demo's
// shipped display is valid and binds only tags the demo site has.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_SITE_FILE } from '../site/files.js';
import { loadSiteFile } from '../site/index.js';
import { section } from './index.js';
import {
  boundPaths,
  DISPLAY_LIMITS,
  type DisplayDocument,
  type DisplayTemplate,
  expandSections,
  faceplateOf,
  namedMachines,
  parseDisplay,
  parseTemplate,
} from './schema.js';
import { copyShippedDisplays, displayFiles, templateFiles } from './store.js';

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
      expect.stringMatching(/^displays\/area-1\.json:7: elements\[1\]\.kind: a symbol kind is one of pump, compressor, fan, motor, valve/),
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
    // Its pumps are sections of the centrifugal-pump template: checked as shown (expanded).
    const r = parseDisplay(readFileSync(path.join(SHIPPED, 'pump-station.json'), 'utf8'), 'pump-station.json');
    if (!r.ok) throw new Error(r.problems.join('\n'));
    const site = loadSiteFile(DEMO_SITE_FILE);
    const tags = new Set(site.tags.map((t) => t.name));
    const view = expandSections(r.display, templateFiles(path.join(SHIPPED, 'templates'))().templates, section(site).machines);
    expect(view.problems).toEqual([]);
    expect(boundPaths(view).filter((p) => !tags.has(p))).toEqual([]);
    expect(boundPaths(view)).toContain('Demo/PumpStation/Pump101/Running');
  });
});

// ── Display templates (issue 19 point 3): defined once for a machine template, instantiated per machine.
const pumpTemplate = (elements: string) => `{
  "id": "centrifugal-pump",
  "title": "Centrifugal pump",
  "machineTemplate": "CentrifugalPump",
  "faceplate": {"keyTags": ["Flow"], "commands": ["RunCommand"], "setpoints": ["SpeedSetpoint"], "trend": ["Flow"]},
  "section": {
    "size": {"w": 200, "h": 100},
    "elements": [
${elements}
    ]
  }
}
`;
const sectionPump =
  '      {"id": "pump", "kind": "pump", "x": 10, "y": 20, "w": 60, "h": 60, "label": "{name}", "bind": {"state": "{machine}/Running"}, "props": {"machine": "{machine}"}},\n' +
  '      {"id": "flow", "kind": "value", "x": 80, "y": 20, "w": 80, "h": 40, "label": "{name} Flow", "bind": {"value": "{machine}/Flow"}}';
const machines = [
  { name: 'S/A/P1', kind: 'pump', template: 'CentrifugalPump' },
  { name: 'S/A/P2', kind: 'pump', template: 'CentrifugalPump' },
  { name: 'S/A/P3', kind: 'pump' },
  { name: 'S/B/C1', kind: 'compressor' },
];
const parsedTemplate = (text: string): DisplayTemplate => {
  const r = parseTemplate(text, 't.json');
  if (!r.ok) throw new Error(r.problems.join('\n'));
  return r.template;
};

describe('display templates', () => {
  it('a template of a section and a faceplate parses', () => {
    const t = parsedTemplate(pumpTemplate(sectionPump));
    expect(t.section?.elements.map((e) => e.id)).toEqual(['pump', 'flow']);
    expect(t.faceplate).toEqual({ keyTags: ['Flow'], commands: ['RunCommand'], setpoints: ['SpeedSetpoint'], trend: ['Flow'] });
  });

  it('a template that binds a tag outside its machine, holds a section or says not what it is for is refused with the field', () => {
    const other = '      {"id": "x", "kind": "value", "x": 0, "y": 0, "w": 1, "h": 1, "bind": {"value": "S/A/P9/Flow"}}';
    const r = parseTemplate(pumpTemplate(`${sectionPump},\n${other}`), 'displays/templates/centrifugal-pump.json');
    expect(!r.ok && r.problems).toEqual([
      'displays/templates/centrifugal-pump.json:11: section.elements[2].bind.value: a template binds the tags of its machine: write {machine}/<tag> (not "S/A/P9/Flow")',
    ]);
    const nested = '      {"id": "x", "kind": "section", "x": 0, "y": 0, "w": 1, "h": 1, "props": {"template": "a", "machine": "S/A/P1"}}';
    const n = parseTemplate(pumpTemplate(nested), 't.json');
    expect(!n.ok && n.problems).toEqual(['t.json:9: section.elements[0].kind: a section cannot hold another section']);
    const r2 = parseTemplate('{"id": "a", "title": "A", "faceplate": {}}', 'a.json');
    expect(!r2.ok && r2.problems).toEqual([
      'a.json:1: the document: a display template names the machineTemplate or the machineKind it is for',
    ]);
    const r3 = parseTemplate('{"id": "a", "title": "A", "machineKind": "pump", "faceplate": {"keyTags": ["P1/Flow"]}}', 'a.json');
    expect(!r3.ok && r3.problems).toEqual([
      expect.stringMatching(/^a\.json:1: faceplate\.keyTags\[0\]: a tag name of the machine, without its path/),
    ]);
  });

  it('a section without its template or machine in the display is refused naming the prop', () => {
    const r = parseDisplay(
      doc('    {"id": "s1", "kind": "section", "x": 0, "y": 0, "w": 1, "h": 1, "props": {"template": "x"}}'),
      'd.json',
    );
    expect(!r.ok && r.problems).toEqual([
      'd.json:6: elements[0].props.machine: a section names its machine (props.machine, Site/Area/Machine)',
    ]);
  });

  it('instantiated per machine: each section becomes the template elements for its machine, placed and named', () => {
    const t = parsedTemplate(pumpTemplate(sectionPump));
    const r = parseDisplay(
      doc(
        [
          '    {"id": "p1", "kind": "section", "x": 100, "y": 0, "w": 200, "h": 100, "props": {"template": "centrifugal-pump", "machine": "S/A/P1"}}',
          '    {"id": "p2", "kind": "section", "x": 100, "y": 300, "w": 200, "h": 100, "props": {"template": "centrifugal-pump", "machine": "S/A/P2"}}',
          '    {"id": "t", "kind": "text", "x": 0, "y": 0, "w": 10, "h": 10, "label": "Title"}',
          '    {"id": "bad", "kind": "section", "x": 0, "y": 0, "w": 1, "h": 1, "props": {"template": "nope", "machine": "S/A/P1"}}',
          '    {"id": "gone", "kind": "section", "x": 0, "y": 0, "w": 1, "h": 1, "props": {"template": "centrifugal-pump", "machine": "S/A/P9"}}',
        ].join(',\n'),
      ),
      'd.json',
    );
    if (!r.ok) throw new Error(r.problems.join('\n'));
    const view = expandSections(r.display as DisplayDocument, [t], machines);
    expect(view.elements.map((e) => [e.id, e.x, e.y, e.label, e.bind.state ?? e.bind.value])).toEqual([
      ['p1-pump', 110, 20, 'P1', 'S/A/P1/Running'],
      ['p1-flow', 180, 20, 'P1 Flow', 'S/A/P1/Flow'],
      ['p2-pump', 110, 320, 'P2', 'S/A/P2/Running'],
      ['p2-flow', 180, 320, 'P2 Flow', 'S/A/P2/Flow'],
      ['t', 0, 0, 'Title', undefined],
    ]);
    expect(view.elements[0]?.props.machine).toBe('S/A/P1');
    expect(namedMachines(view.elements)).toEqual(['S/A/P1', 'S/A/P2']);
    expect(view.problems).toEqual([
      'section "bad": there is no display template "nope" with a section (displays/templates/nope.json)',
      'section "gone": the site has no machine "S/A/P9" (write Site/Area/Machine)',
    ]);
  });

  it("a machine's faceplate comes from the template for its machine template, else from the one for its kind", () => {
    const byTemplate = parsedTemplate(pumpTemplate(sectionPump));
    const byKind = parsedTemplate('{"id": "any-pump", "title": "Pump", "machineKind": "pump", "faceplate": {"keyTags": ["Speed"]}}');
    const templates = [byKind, byTemplate];
    expect(faceplateOf(machines[0] as (typeof machines)[number], templates)).toEqual({
      template: 'centrifugal-pump',
      keyTags: ['S/A/P1/Flow'],
      commands: ['S/A/P1/RunCommand'],
      setpoints: ['S/A/P1/SpeedSetpoint'],
      trend: ['S/A/P1/Flow'],
    });
    expect(faceplateOf(machines[2] as (typeof machines)[number], templates)?.template).toBe('any-pump');
    expect(faceplateOf(machines[3] as (typeof machines)[number], templates)).toBeUndefined();
  });

  it('the demo ships a site overview, one display per area and a faceplate for every machine; they bind only what the demo has', () => {
    const site = loadSiteFile(DEMO_SITE_FILE);
    const demoMachines = section(site).machines;
    const tags = new Set(site.tags.map((t) => t.name));
    const t = templateFiles(path.join(SHIPPED, 'templates'))();
    expect(t.problems).toEqual([]);
    const listed = displayFiles(SHIPPED).list();
    expect(listed.problems).toEqual([]);
    const ids = listed.displays.map((d) => d.id);
    expect(ids).toEqual(['production', 'pump-station', 'site-overview', 'utilities']);
    const overview = listed.displays.find((d) => d.id === 'site-overview');
    expect(overview?.parent).toBeUndefined();
    // Level 1 → level 2: the overview's buttons open each area's display, whose parent is the overview.
    expect(overview?.elements.filter((e) => e.kind === 'button').map((e) => e.props.display)).toEqual([
      'pump-station',
      'utilities',
      'production',
    ]);
    for (const d of listed.displays) {
      const view = expandSections(d, t.templates, demoMachines);
      expect(view.problems, d.id).toEqual([]);
      expect(
        boundPaths(view).filter((p) => !tags.has(p)),
        d.id,
      ).toEqual([]);
      expect(
        namedMachines(view.elements).filter((m) => !demoMachines.some((x) => x.name === m)),
        d.id,
      ).toEqual([]);
      if (d.parent) expect(ids).toContain(d.parent);
    }
    // Both pumps are instances of one template section.
    const ps = listed.displays.find((d) => d.id === 'pump-station') as DisplayDocument;
    expect(ps.elements.filter((e) => e.kind === 'section').map((e) => e.props.machine)).toEqual([
      'Demo/PumpStation/Pump101',
      'Demo/PumpStation/Pump102',
    ]);
    // A faceplate for every machine of the demo, from its template (the pumps) or its kind; its tags exist.
    for (const m of demoMachines) {
      const f = faceplateOf(m, t.templates);
      expect(f, m.name).toBeDefined();
      const named = [...(f?.keyTags ?? []), ...(f?.commands ?? []), ...(f?.setpoints ?? []), ...(f?.trend ?? [])];
      expect(
        named.filter((p) => !tags.has(p)),
        m.name,
      ).toEqual([]);
    }
    expect(faceplateOf(demoMachines.find((m) => m.name.endsWith('Pump101')) as (typeof demoMachines)[number], t.templates)?.template).toBe(
      'centrifugal-pump',
    );
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
    ).toEqual(['production', 'pump-station', 'site-overview', 'utilities']);
    expect(readdirSync(path.join(to, 'templates')).sort()).toEqual([
      'boiler.json',
      'centrifugal-pump.json',
      'compressor.json',
      'machine.json',
    ]);
    expect(existsSync(path.join(to, 'templates', 'centrifugal-pump.json'))).toBe(true);
    writeFileSync(path.join(to, 'pump-station.json'), '{');
    copyShippedDisplays(SHIPPED, to);
    expect(readFileSync(path.join(to, 'pump-station.json'), 'utf8')).toBe('{');
  });
});
