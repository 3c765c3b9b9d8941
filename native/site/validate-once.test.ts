// A site-file text that a request makes and checks is validated once on its way into force:
// config.updateTag (its text is validated by the apply alone), config.importTags and config.import
// (the text their preview checked is not validated again by the apply). The one validator is
// wrapped to count the texts it is handed; a real core (test-core.ts).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ConfigImportResult } from '../api/config-requests.js';
import type { TagResults } from '../api/tag-requests.js';
import type { ExportFile } from '../api/types.js';
import { type Core, startCore } from '../core.js';
import { type SiteCore, startSiteCore } from './test-core.js';

const validated = vi.hoisted((): string[] => []);
vi.mock('./validate.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('./validate.js')>();
  return {
    ...real,
    validateSiteText: (text: string, file: string) => {
      validated.push(text);
      return real.validateSiteText(text, file);
    },
  };
});

const SITE = `version: 1
site: { name: Once }
connections:
  - { name: gw, protocol: ingest }
areas:
  - name: A
    machines:
      - { name: M, connection: gw, tags: [{ name: Level, address: Level, unit: m }] }
`;

let t: SiteCore<Core>;
beforeAll(async () => {
  t = await startSiteCore(SITE, 'aurum-validate-once-', startCore);
}, 60_000);
afterAll(() => t?.stop());

/** How often the text now in the site file was validated since `from` (an index into `validated`). */
const timesValidated = (from: number) => validated.slice(from).filter((x) => x === readFileSync(t.file, 'utf8')).length;

describe('a text on its way into force is validated once', () => {
  it('config.updateTag', async () => {
    const from = validated.length;
    const r = await t.call<TagResults['config.updateTag']>('config.updateTag', { tag: 'Once/A/M/Level', changes: { unit: 'cm' } });
    expect(r.version?.version).toBe(2);
    expect(timesValidated(from)).toBe(1);
  });

  it('config.importTags', async () => {
    const from = validated.length;
    const csv =
      'Tag Name,Address,Data Type,Client Access,Scan Rate,Eng Units,Description\r\nChannel1.Device1.Flow,Flow,Float,RO,1000,m3/h,Inlet flow\r\n';
    const r = await t.call<TagResults['config.importTags']>('config.importTags', {
      machine: 'Once/A/M',
      format: 'csv',
      text: csv,
      apply: true,
      baseVersion: 2,
    });
    expect(r.outcome?.version.version).toBe(3);
    expect(timesValidated(from)).toBe(1);
  });

  it('config.import', async () => {
    const exported = await t.call<ExportFile>('config.export', {});
    const bundle = JSON.parse(exported.body) as { site: { text: string } };
    bundle.site.text = bundle.site.text.replace('site: { name: Once }', 'site: { name: Once, description: imported }');
    const from = validated.length;
    const r = await t.call<ConfigImportResult>('config.import', {
      bundle: JSON.stringify(bundle),
      baseVersion: 3,
      comment: 'imported',
      apply: true,
    });
    expect(r.outcome?.version.version).toBe(4);
    expect(timesValidated(from)).toBe(1);
  });

  it('is never taken from an earlier request: a text checked, then applied after a file it names went away, is refused', async () => {
    const ca = path.join(path.dirname(t.file), 'broker-ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n');
    const text = readFileSync(t.file, 'utf8').replace(
      'connections:\n',
      "connections:\n  - { name: mq, protocol: mqtt, url: 'mqtts://127.0.0.1:1', tls: { ca: broker-ca.pem } }\n",
    );
    const checked = await t.call<{ valid: boolean; baseVersion: number }>('config.validate', { text });
    expect(checked.valid).toBe(true);
    rmSync(ca);
    await expect(t.call('config.apply', { text, baseVersion: checked.baseVersion, comment: 'broker' })).rejects.toThrow(
      /config\.apply: validation: .*broker-ca\.pem/,
    );
  });
});
