// The whole configuration as one file (config.export / config.import): exported from one console
// (site file with its model bindings and ESG mapping, and its process displays), it is checked on
// another with the one validator and the display schema, previewed (diff, contents, nothing
// changed), then put in force as a new version made on its base version — applied live, the site
// file and the displays written as exported, audited; a file that is not one, an invalid site file
// or display, and a stale base version are refused with the reason; a viewer may do neither.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigImportResult } from '../api/config-requests.js';
import type { CallContext } from '../api/contract.js';
import type { ExportFile } from '../api/types.js';
import { type Core, startCore } from '../core.js';
import { VALIDATOR_WORDING } from '../util/validator-wording.js';

const source = `version: 1
site: { name: Plant }
connections:
  - { name: gw, protocol: ingest }
areas:
  - name: Hall
    machines:
      - name: P1
        connection: gw
        tags:
          - { name: Flow, address: f, unit: m³/h }
          - { name: Power, address: p, unit: kW }   # the drive's meter
esg:
  meters:
    - { tag: Plant/Hall/P1/Power, kind: power, source: grid }
  sources:
    - { id: grid, label: Grid, scope: 2, category: electricity, locationFactor: grid.GB }
`;
const target = `version: 1
site: { name: Spare }
connections:
  - { name: gw, protocol: ingest }
areas:
  - name: Bay
    machines:
      - { name: M1, connection: gw, tags: [{ name: Level, address: l }] }
`;
const display = `${JSON.stringify(
  {
    id: 'hall',
    title: 'Hall',
    size: { w: 800, h: 600 },
    elements: [{ id: 'v1', kind: 'value', x: 200, y: 100, w: 120, h: 40, bind: { value: 'Plant/Hall/P1/Flow' } }],
  },
  null,
  2,
)}\n`;

const ENGINEER: CallContext = { user: 'eng1', role: 'engineer', origin: 'http' };
const VIEWER: CallContext = { user: 'vic', role: 'viewer', origin: 'http' };
const ADMIN: CallContext = { user: 'admin', role: 'admin', origin: 'internal' };
let dir: string;
let a: Core;
let b: Core;

async function coreOn(name: string, text: string, displays: Record<string, string> = {}): Promise<Core> {
  const at = path.join(dir, name);
  mkdirSync(path.join(at, 'displays'), { recursive: true });
  for (const [id, t] of Object.entries(displays)) writeFileSync(path.join(at, 'displays', `${id}.json`), t);
  writeFileSync(path.join(at, 'site.yaml'), text);
  return startCore({ siteFile: path.join(at, 'site.yaml'), dataDir: path.join(at, 'data'), shell: 'test', log: () => undefined });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'aurum-bundle-'));
  a = await coreOn('a', source, { hall: display });
  b = await coreOn('b', target);
}, 60_000);

afterAll(async () => {
  await a?.stop();
  await b?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function call<T>(core: Core, name: string, args: unknown, ctx = ENGINEER): Promise<T> {
  const r = await core.call(name, args, ctx);
  if (r.error) throw new Error(`${name}: ${r.error.type}: ${r.error.message}`);
  return r.data as T;
}

describe('config.export and config.import', () => {
  it('moves the whole configuration to another console: previewed, then applied live as a new version', async () => {
    const file = await call<ExportFile>(a, 'config.export', {});
    expect(file).toMatchObject({ filename: 'Plant-configuration-v1.json', contentType: 'application/json' });
    const bundle = JSON.parse(file.body) as { site: { text: string }; displays: Record<string, string> };
    expect(bundle.site.text).toBe(source);
    expect(bundle.displays).toEqual({ hall: display });

    const preview = await call<ConfigImportResult>(b, 'config.import', { bundle: file.body, baseVersion: 1, comment: 'from the plant' });
    expect(preview).toMatchObject({ valid: true, issues: [], baseVersion: 1, outcome: null });
    expect(preview.contents).toMatchObject({
      site: 'Plant',
      exportedVersion: 1,
      machines: 1,
      tags: 2,
      esgMeters: 1,
      modelBindings: 0,
      displays: 1,
    });
    expect(preview.diff?.summary).toEqual(
      expect.arrayContaining(['the site section changed (name)', 'tag Plant/Hall/P1/Flow added', 'tag Spare/Bay/M1/Level removed']),
    );
    expect(preview.diff?.entries).toContainEqual(expect.objectContaining({ kind: 'display', name: 'hall', change: 'added' }));
    expect(readFileSync(b.model.file, 'utf8')).toBe(target);

    const applied = await call<ConfigImportResult>(b, 'config.import', {
      bundle: file.body,
      baseVersion: 1,
      comment: 'from the plant',
      apply: true,
    });
    expect(applied.outcome?.version).toMatchObject({ version: 2, author: 'eng1', kind: 'apply', comment: 'from the plant' });
    expect(applied.outcome?.applied.filter((x) => x.result === 'restart-needed')).toEqual([]);
    expect(applied.outcome?.applied.find((x) => x.capability === 'esg')).toMatchObject({
      result: 'applied',
      detail: 'opened with its new section',
    });
    expect(applied.outcome?.applied.findLast((x) => x.capability === 'displays')?.detail).toBe('wrote hall; shown when next opened');
    expect(readFileSync(b.model.file, 'utf8')).toBe(source);
    expect(readFileSync(path.join(path.dirname(b.model.file), 'displays', 'hall.json'), 'utf8')).toBe(display);
    expect(b.bus.tags.map((t) => t.name)).toEqual(['Plant/Hall/P1/Flow', 'Plant/Hall/P1/Power']);
    // Exported again from the console it went to: the same configuration.
    const again = JSON.parse((await call<ExportFile>(b, 'config.export', {})).body) as typeof bundle;
    expect(again.site.text).toBe(source);
    expect(again.displays).toEqual({ hall: display });

    // Audited with its comment and the version it made.
    const audit = await call<{ action: string; result: string }[]>(b, 'audit.query', { action: 'config.import' }, ADMIN);
    expect(audit.map((e) => e.result)).toEqual(expect.arrayContaining(['ok']));
    expect(JSON.stringify(audit)).toContain('from the plant');
  }, 60_000);

  it('refuses what is not a valid configuration file, a stale base version and a viewer', async () => {
    const cur = await call<{ version: { version: number } }>(b, 'config.current', {});
    const base = cur.version.version;
    const notJson = await call<ConfigImportResult>(b, 'config.import', { bundle: 'site: x', baseVersion: base, comment: 'x' });
    expect(notJson.issues[0]?.text).toMatch(/^bundle: the configuration file is not JSON/);
    const good = JSON.parse((await call<ExportFile>(a, 'config.export', {})).body) as Record<string, unknown>;
    const wrongFormat = await call<ConfigImportResult>(b, 'config.import', {
      bundle: JSON.stringify({ ...good, format: 'other' }),
      baseVersion: base,
      comment: 'x',
    });
    expect(wrongFormat.issues.map((i) => i.text)).toEqual([
      'bundle.format: not a configuration file of the console (format must be "aurum-configuration")',
    ]);
    const badSite = await call<ConfigImportResult>(b, 'config.import', {
      bundle: JSON.stringify({
        ...good,
        site: { name: 'site.yaml', text: source.replace('protocol: ingest', 'protocol: telnet') },
        displays: { hall: '{' },
      }),
      baseVersion: base,
      comment: 'x',
      apply: true,
    });
    expect(badSite.valid).toBe(false);
    expect(badSite.outcome).toBeNull();
    expect(badSite.issues.map((i) => i.field)).toEqual(expect.arrayContaining(['displays.hall', 'connections[0].protocol']));
    const changed = JSON.stringify({ ...good, site: { name: 'site.yaml', text: source.replace('unit: kW', 'unit: W') } });
    const stale = await b.call('config.import', { bundle: changed, baseVersion: base - 1, comment: 'x', apply: true }, ENGINEER);
    expect(stale.error).toMatchObject({ type: 'conflict', message: expect.stringContaining(`but version ${base} is in force`) });
    const viewer = await b.call('config.import', { bundle: changed, baseVersion: base, comment: 'x' }, VIEWER);
    expect(viewer.error?.type).toBe('forbidden');
    expect((await b.call('config.export', {}, VIEWER)).error?.type).toBe('forbidden');
    expect(readFileSync(b.model.file, 'utf8')).toBe(source);
  }, 60_000);

  it('words each problem of a file that is not a configuration file as a sentence naming the file and the field', async () => {
    const base = (await call<{ version: { version: number } }>(b, 'config.current', {})).version.version;
    const good = JSON.parse((await call<ExportFile>(a, 'config.export', {})).body) as Record<string, unknown>;
    const importOf = (bundle: string) => call<ConfigImportResult>(b, 'config.import', { bundle, baseVersion: base, comment: 'x' });
    const bad = await importOf(
      JSON.stringify({ ...good, exportedVersion: 0, site: { name: 'site.yaml' }, displays: { 'Bad Id': '{}' }, extra: 1 }),
    );
    const texts = bad.issues.map((i) => i.text);
    expect(texts).toEqual(
      expect.arrayContaining([
        'bundle.exportedVersion: the configuration file\'s "exportedVersion" must be at least 1, but it is 0',
        'bundle.site.text: the configuration file\'s "site.text" is required and must be text',
        'bundle.displays.Bad Id: in the configuration file\'s "displays", the key "Bad Id" must be a display id: lower-case letters, digits and dashes, but it is the text "Bad Id"',
        'bundle.extra: in the configuration file, unknown field "extra"; the fields here are format, formatVersion, exportedAt, exportedVersion, site, displays, templates',
      ]),
    );
    expect(texts).toHaveLength(4);
    const notObject = await importOf('[1, 2]');
    expect(notObject.issues.map((i) => i.text)).toEqual([
      'bundle: the configuration file must be a JSON object with format, formatVersion, site and displays, but it is a list of 2',
    ]);
    for (const t of [...texts, ...notObject.issues.map((i) => i.text)]) expect(t).not.toMatch(VALIDATOR_WORDING);
    expect(readFileSync(b.model.file, 'utf8')).toBe(source);
  }, 60_000);
});

// Display templates travel with the displays: exported, checked with the display template schema
// (a broken one refuses the file, naming it and its field), written as exported.
describe('config.export and config.import of display templates', () => {
  const template = `${JSON.stringify({ id: 'pump', title: 'Pump', machineKind: 'pump', faceplate: { keyTags: ['Flow'], commands: [], setpoints: [], trend: [] } }, null, 2)}\n`;
  let c: Core;
  let d: Core;
  beforeAll(async () => {
    c = await coreOn('c', source, { hall: display });
    mkdirSync(path.join(dir, 'c', 'displays', 'templates'));
    writeFileSync(path.join(dir, 'c', 'displays', 'templates', 'pump.json'), template);
    d = await coreOn('d', target);
  }, 60_000);
  afterAll(async () => {
    await c?.stop();
    await d?.stop();
  });
  const templateOn = (core: Core) => path.join(path.dirname(core.model.file), 'displays', 'templates', 'pump.json');

  it('the exported file holds the templates; imported, they are written byte for byte and recorded with the version', async () => {
    const file = await call<ExportFile>(c, 'config.export', {});
    const bundle = JSON.parse(file.body) as { templates?: Record<string, string> };
    expect(bundle.templates).toEqual({ pump: template });
    const preview = await call<ConfigImportResult>(d, 'config.import', { bundle: file.body, baseVersion: 1, comment: 'x' });
    expect(preview.diff?.summary).toContain('display template pump added');
    const applied = await call<ConfigImportResult>(d, 'config.import', {
      bundle: file.body,
      baseVersion: 1,
      comment: 'from the plant',
      apply: true,
    });
    expect(applied.outcome?.applied.findLast((x) => x.capability === 'displays')?.detail).toBe(
      'wrote hall, templates/pump; shown when next opened',
    );
    expect(readFileSync(templateOn(d), 'utf8')).toBe(template);
    // Recorded with version 2: exported as recorded even after the file changed on disk.
    writeFileSync(templateOn(d), template.replace('"Pump"', '"Edited"'));
    const again = JSON.parse((await call<ExportFile>(d, 'config.export', { version: 2 })).body) as typeof bundle;
    expect(again.templates).toEqual({ pump: template });
    writeFileSync(templateOn(d), template);
  }, 60_000);

  it('a file with a broken template is refused naming the template file and its field; nothing is written', async () => {
    const good = JSON.parse((await call<ExportFile>(c, 'config.export', {})).body) as Record<string, unknown>;
    const broken = template.replace('"Flow"', '"Plant/Hall/P1/Flow"').replace('"title": "Pump"', '"title": "Broken"');
    const r = await call<ConfigImportResult>(d, 'config.import', {
      bundle: JSON.stringify({ ...good, templates: { pump: broken } }),
      baseVersion: 2,
      comment: 'x',
      apply: true,
    });
    expect(r).toMatchObject({ valid: false, outcome: null });
    expect(r.issues.map((i) => i.field)).toEqual(['templates.pump']);
    expect(r.issues[0]?.text).toMatch(
      /^templates\.pump: displays\/templates\/pump\.json:\d+: faceplate\.keyTags\[0\]: a tag name of the machine/,
    );
    expect(readFileSync(templateOn(d), 'utf8')).toBe(template);
  }, 60_000);
});
