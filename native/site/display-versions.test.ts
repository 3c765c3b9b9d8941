// Displays are versioned with the site file, on a real core over HTTP (serveSite): a save writes the
// display's file and is a configuration version (author, time, comment) whose diff names the display
// and its elements; config.diff between any two versions names the displays that differ; a rollback
// puts the earlier displays back byte for byte (a display-only version without touching the site
// file; a version that changed the site file too, both); a save made on a version after which the
// same display changed is refused naming who changed it; other roles are refused; an invalid
// document is refused with its field; the SVG import answers a safe drawing.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigApplyResult, ConfigResults, ConfigVersionInfo } from '../api/config-requests.js';
import type { DisplayEditResults } from '../api/display-edit-requests.js';
import { type ServedCore, serveSite } from '../server/test-server.js';

const SITE = `version: 1
site: { name: Plant }
connections:
  - { name: gw, protocol: ingest }
areas:
  - name: Hall
    machines:
      - { name: P1, connection: gw, tags: [{ name: Flow, address: Flow }, { name: Running, address: Running }] }
`;

const display = (elements: unknown[], title = 'Hall') => ({ id: 'hall', title, size: { w: 800, h: 600 }, elements });
const pump = { id: 'p1', kind: 'pump', x: 100, y: 100, w: 60, h: 60, bind: { state: 'Plant/Hall/P1/Running' } };
const value = { id: 'v1', kind: 'value', x: 200, y: 100, w: 120, h: 40, bind: { value: 'Plant/Hall/P1/Flow' } };

let served: ServedCore;
let dir: string;
beforeAll(async () => {
  served = await serveSite(SITE, 'aurum-display-versions-');
  dir = path.join(path.dirname(served.core.model.file), 'displays');
}, 120_000);
afterAll(async () => {
  await served?.stop();
});

const post = async <T>(p: string, body: unknown, status = 200): Promise<T> => {
  const r = await served.post(p, body);
  const j = (await r.json()) as T;
  expect(r.status, JSON.stringify(j)).toBe(status);
  return j;
};
const get = async <T>(p: string): Promise<T> => {
  const r = await fetch(`${served.server.url}${p}`, { headers: served.auth });
  expect(r.status).toBe(200);
  return (await r.json()) as T;
};
const file = () => readFileSync(path.join(dir, 'hall.json'), 'utf8');

describe('displays.save, versioned with the site file', () => {
  let first: number;
  let second: number;
  let firstText: string;

  it('a save writes the display file and is a version by its author with its comment; the site file is untouched', async () => {
    const r = await post<DisplayEditResults['displays.save']>('/api/displays', { display: display([pump]), comment: 'hall drawn' });
    expect(r.version).toMatchObject({ version: 2, author: 'admin', comment: 'hall drawn', kind: 'apply' });
    expect(r.diff.summary).toEqual(['display hall added']);
    firstText = file();
    expect(JSON.parse(firstText)).toMatchObject({ id: 'hall', elements: [{ id: 'p1', kind: 'pump', props: {} }] });
    expect(readFileSync(served.core.model.file, 'utf8')).toBe(SITE);
    const shown = await get<{ display: { elements: { id: string }[] } }>('/api/displays/hall');
    expect(shown.display.elements.map((e) => e.id)).toEqual(['p1']);
    first = r.version.version;
  });

  it('a second save says which elements changed; both are in config.versions', async () => {
    const r = await post<DisplayEditResults['displays.save']>('/api/displays', {
      display: display([{ ...pump, x: 140 }, value]),
      comment: 'flow shown',
      baseVersion: first,
    });
    expect(r.diff.summary).toEqual(['display hall changed (elements: v1 added; p1 (x) changed)']);
    second = r.version.version;
    const list = await get<ConfigResults['config.versions']>('/api/config/versions');
    expect(list.versions.map((v: ConfigVersionInfo) => [v.version, v.comment])).toEqual([
      [3, 'flow shown'],
      [2, 'hall drawn'],
      [1, 'the site file as first loaded'],
    ]);
  });

  it('config.diff between two versions names the display; version 1 recorded no display', async () => {
    const d = await get<ConfigResults['config.diff']>(`/api/config/diff?from=${first}&to=${second}`);
    expect(d.diff.entries).toEqual([{ kind: 'display', name: 'hall', change: 'changed', fields: ['elements'] }]);
    const fromStart = await get<ConfigResults['config.diff']>(`/api/config/diff?from=1&to=${second}`);
    expect(fromStart.diff.summary).toEqual(['display hall added']);
  });

  it('saving the same document again is refused: nothing to save', async () => {
    const r = await post<{ error: { type: string; message: string } }>(
      '/api/displays',
      { display: display([{ ...pump, x: 140 }, value]), comment: 'again' },
      400,
    );
    expect(r.error.message).toBe('display hall is saved as it is already (version 3): nothing to save');
  });

  it('a save made on a version after which the display changed is refused, naming who changed it', async () => {
    const r = await post<{ error: { type: string; message: string } }>(
      '/api/displays',
      { display: display([pump], 'Hall (old tab)'), comment: 'title', baseVersion: first },
      409,
    );
    expect(r.error.message).toMatch(
      /^this edit of display hall was made on version 2, but version 3 changed it since: by admin at .* \("flow shown"\)\. Load the display again/,
    );
  });

  it('an invalid document is refused naming its field; other roles are refused', async () => {
    const bad = await post<{ error: { message: string } }>(
      '/api/displays',
      { display: display([{ ...pump, kind: 'spaceship' }]), comment: 'x' },
      400,
    );
    expect(bad.error.message).toMatch(/^the display is not saved: displays\/hall\.json:\d+: elements\[0\]\.kind: a symbol kind is one of /);
    const noComment = await post<{ error: { message: string } }>('/api/displays', { display: display([pump]), comment: ' ' }, 400);
    expect(noComment.error.message).toMatch(/say in a comment what the change is for/);
    for (const role of ['operator', 'viewer']) {
      const r = await served.core.call('displays.save', { display: display([]), comment: 'x' }, { user: 'u', role, origin: 'ipc' });
      expect(r).toMatchObject({ error: { type: 'forbidden' } });
      const s = await served.core.call('displays.importSvg', { svg: '<svg/>' }, { user: 'u', role, origin: 'ipc' });
      expect(s).toMatchObject({ error: { type: 'forbidden' } });
    }
  });

  it('rolling back to the first save puts its display back byte for byte (the site file untouched, no capability handed anything)', async () => {
    const r = await post<ConfigApplyResult>('/api/config/rollback', {
      version: first,
      baseVersion: second,
      comment: 'back to the pump only',
    });
    expect(r.version).toMatchObject({ version: 4, kind: 'rollback', author: 'admin' });
    expect(r.diff.summary).toEqual(['display hall changed (elements: v1 removed; p1 (x) changed)']);
    expect(r.applied).toEqual([{ capability: 'displays', result: 'applied', detail: 'wrote hall; shown when next opened' }]);
    expect(file()).toBe(firstText);
    expect(readFileSync(served.core.model.file, 'utf8')).toBe(SITE);
  });

  it('rolling back to version 1 (before any display was saved) removes the display again', async () => {
    const r = await post<ConfigApplyResult>('/api/config/rollback', { version: 1, baseVersion: 4, comment: 'no displays' });
    expect(r.diff.summary).toEqual(['display hall removed']);
    expect(existsSync(path.join(dir, 'hall.json'))).toBe(false);
  });

  it('a version that changed the site file and a display is rolled back in both', async () => {
    await post('/api/displays', { display: display([pump]), comment: 'hall again' });
    const withTag = SITE.replace(
      '{ name: Running, address: Running }',
      '{ name: Running, address: Running }, { name: Speed, address: Speed }',
    );
    const cur = await get<ConfigResults['config.current']>('/api/config/current');
    await post('/api/config/apply', { text: withTag, baseVersion: cur.version.version, comment: 'speed' });
    const saved = await post<DisplayEditResults['displays.save']>('/api/displays', {
      display: display([pump, { ...value, bind: { value: 'Plant/Hall/P1/Speed' } }]),
      comment: 'speed shown',
    });
    const r = await post<ConfigApplyResult>('/api/config/rollback', {
      version: cur.version.version,
      baseVersion: saved.version.version,
      comment: 'before speed',
    });
    expect(r.diff.summary).toEqual(
      expect.arrayContaining(['tag Plant/Hall/P1/Speed removed', 'display hall changed (elements: v1 removed)']),
    );
    expect(readFileSync(served.core.model.file, 'utf8')).toBe(SITE);
    expect(JSON.parse(file()).elements).toHaveLength(1);
  });
});

describe('displays.importSvg', () => {
  it('answers the drawing made safe and what was removed; a DOCTYPE is refused with a sentence', async () => {
    const r = await post<DisplayEditResults['displays.importSvg']>('/api/displays/import-svg', {
      svg: '<svg viewBox="0 0 10 10"><script>alert(1)</script><rect id="body" width="4" height="4" onclick="x()"/></svg>',
    });
    expect(r).toEqual({
      markup: '<rect id="body" width="4" height="4"/>',
      viewBox: '0 0 10 10',
      ids: [{ id: 'body', element: 'rect' }],
      removed: ['script element (<script>)', 'event handler attribute (onclick)'],
    });
    const bad = await post<{ error: { message: string } }>('/api/displays/import-svg', { svg: '<!DOCTYPE x><svg/>' }, 400);
    expect(bad.error.message).toMatch(/^the SVG is not imported: a DOCTYPE or other declaration at line 1 is not accepted/);
  });
});

// Display templates (displays/templates/<id>.json) are configuration like displays: recorded with each
// version (a display save, a site-file apply), named in config.diff, put back by config.rollback.
describe('display templates, versioned with the displays', () => {
  const template = (title: string) =>
    `${JSON.stringify({ id: 'pump', title, machineKind: 'pump', faceplate: { keyTags: ['Flow'], commands: [], setpoints: [], trend: ['Flow'] } }, null, 2)}\n`;
  const templateFile = () => path.join(dir, 'templates', 'pump.json');
  let saved: number;

  it('a template changed on disk is recorded with the next display save and named in config.diff', async () => {
    mkdirSync(path.join(dir, 'templates'), { recursive: true });
    writeFileSync(templateFile(), template('Pump'));
    const r = await post<DisplayEditResults['displays.save']>('/api/displays', {
      display: display([pump], 'Hall with faceplates'),
      comment: 'title',
    });
    expect(r.diff.summary).toEqual(['display hall changed (title)', 'display template pump added']);
    saved = r.version.version;
    const d = await get<ConfigResults['config.diff']>(`/api/config/diff?from=${saved - 1}&to=${saved}`);
    expect(d.diff.entries).toContainEqual({ kind: 'display', name: 'templates/pump', change: 'added' });
  });

  it('a site-file apply records the templates as the files hold them', async () => {
    writeFileSync(templateFile(), template('Centrifugal pump'));
    const site = readFileSync(served.core.model.file, 'utf8');
    const r = await post<ConfigApplyResult>('/api/config/apply', {
      text: site.replace('site: { name: Plant }', 'site: { name: Plant, description: Hall }'),
      baseVersion: saved,
      comment: 'described',
    });
    expect(r.diff.summary).toContain('display template pump changed (title)');
    const d = await get<ConfigResults['config.diff']>(`/api/config/diff?from=${saved}&to=${r.version.version}`);
    expect(d.diff.entries).toContainEqual({ kind: 'display', name: 'templates/pump', change: 'changed', fields: ['title'] });
  });

  it('a rollback puts the template back byte for byte; one back to before it existed removes it', async () => {
    const cur = await get<ConfigResults['config.current']>('/api/config/current');
    const r = await post<ConfigApplyResult>('/api/config/rollback', { version: saved, baseVersion: cur.version.version, comment: 'back' });
    expect(r.diff.summary).toContain('display template pump changed (title)');
    expect(r.applied.findLast((x) => x.capability === 'displays')?.detail).toBe('wrote templates/pump; shown when next opened');
    expect(readFileSync(templateFile(), 'utf8')).toBe(template('Pump'));
    const back = await post<ConfigApplyResult>('/api/config/rollback', {
      version: saved - 1,
      baseVersion: r.version.version,
      comment: 'before the template',
    });
    expect(back.diff.summary).toEqual(['display hall changed (title)', 'display template pump removed']);
    expect(existsSync(templateFile())).toBe(false);
  });
});
