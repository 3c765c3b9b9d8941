// A display template edited on disk is recorded with the next configuration version whichever
// request makes it: config.apply, config.updateTag, config.importTags and config.import all record
// the templates as the files hold them (live configuration records them, apply.ts), and config.diff
// names the template between the versions. An import of a file without templates leaves the
// template files as they are (recorded as they are, not undone). A real core (test-core.ts).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigApplyResult, ConfigImportResult, ConfigResults } from '../api/config-requests.js';
import type { TagResults } from '../api/tag-requests.js';
import type { ExportFile } from '../api/types.js';
import { type Core, startCore } from '../core.js';
import { gatewaySite, type SiteCore, startSiteCore } from './test-core.js';

const SITE = gatewaySite(['{ name: Level, address: Level, unit: m }']);

const template = (title: string) =>
  `${JSON.stringify({ id: 'pump', title, machineKind: 'pump', faceplate: { keyTags: ['Level'], commands: [], setpoints: [], trend: ['Level'] } }, null, 2)}\n`;
const changed = { kind: 'display', name: 'templates/pump', change: 'changed', fields: ['title'] };

let t: SiteCore<Core>;
let templateFile: string;
beforeAll(async () => {
  t = await startSiteCore(SITE, 'aurum-template-versions-', startCore);
  const dir = path.join(path.dirname(t.file), 'displays', 'templates');
  mkdirSync(dir, { recursive: true });
  templateFile = path.join(dir, 'pump.json');
  writeFileSync(templateFile, template('Pump'));
}, 60_000);
afterAll(() => t?.stop());

const diffEntries = async (from: number, to: number) =>
  (await t.call<ConfigResults['config.diff']>('config.diff', { from, to })).diff.entries;

describe('a display template edited on disk is in the next version', () => {
  let inForce = 0;

  it('config.apply records it (the first version that records templates takes them as they are)', async () => {
    const r = await t.call<ConfigApplyResult>('config.apply', {
      text: SITE.replace('site: { name: S }', 'site: { name: S, description: Hall }'),
      baseVersion: 1,
      comment: 'described',
    });
    inForce = r.version.version;
    writeFileSync(templateFile, template('Centrifugal pump'));
    const again = await t.call<ConfigApplyResult>('config.apply', {
      text: readFileSync(t.file, 'utf8').replace('description: Hall', 'description: Hall 2'),
      baseVersion: inForce,
      comment: 'described again',
    });
    expect(again.diff.summary).toContain('display template pump changed (title)');
    expect(await diffEntries(inForce, again.version.version)).toContainEqual(changed);
    inForce = again.version.version;
  });

  it('config.updateTag records it as config.apply does', async () => {
    writeFileSync(templateFile, template('Pump, edited by hand'));
    const r = await t.call<TagResults['config.updateTag']>('config.updateTag', {
      tag: 'S/A/M/Level',
      changes: { unit: 'cm' },
      baseVersion: inForce,
    });
    const v = r.version?.version ?? 0;
    expect(v).toBe(inForce + 1);
    expect(await diffEntries(inForce, v)).toContainEqual(changed);
    inForce = v;
  });

  it('config.importTags records it as config.apply does', async () => {
    writeFileSync(templateFile, template('Pump, edited by hand again'));
    const csv =
      'Tag Name,Address,Data Type,Client Access,Scan Rate,Eng Units,Description\r\nChannel1.Device1.Flow,Flow,Float,RO,1000,m3/h,Inlet flow\r\n';
    const r = await t.call<TagResults['config.importTags']>('config.importTags', {
      machine: 'S/A/M',
      format: 'csv',
      text: csv,
      apply: true,
      baseVersion: inForce,
    });
    const v = r.outcome?.version.version ?? 0;
    expect(v).toBe(inForce + 1);
    expect(r.outcome?.diff.summary).toContain('display template pump changed (title)');
    expect(await diffEntries(inForce, v)).toContainEqual(changed);
    inForce = v;
  });

  it('config.import of a file without templates records them as the files hold them and leaves the files as they are', async () => {
    const exported = await t.call<ExportFile>('config.export', { version: inForce });
    const { templates: _none, ...bundle } = JSON.parse(exported.body) as { templates?: unknown; site: { text: string } };
    bundle.site.text = bundle.site.text.replace('description: Hall 2', 'description: Hall 3');
    const edited = template('Pump, edited by hand a third time');
    writeFileSync(templateFile, edited);
    const r = await t.call<ConfigImportResult>('config.import', {
      bundle: JSON.stringify(bundle),
      baseVersion: inForce,
      comment: 'imported',
      apply: true,
    });
    const v = r.outcome?.version.version ?? 0;
    expect(v).toBe(inForce + 1);
    expect(await diffEntries(inForce, v)).toContainEqual(changed);
    expect(readFileSync(templateFile, 'utf8')).toBe(edited);
  });
});
