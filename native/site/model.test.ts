// The model built from a parsed site file (buildModel): a template tag with a machine's override is
// checked with the tag schema, and each problem is a sentence naming the field, never zod's wording.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { VALIDATOR_WORDING } from '../util/validator-wording.js';
import { buildModel, type Path } from './model.js';
import { siteFileSchema } from './schema.js';

const site = `version: 1
site: { name: Plant }
connections:
  - { name: gw, protocol: ingest }
templates:
  Pump:
    tags:
      - { name: Flow, address: "{id}.flow", unit: m3/h, range: [0, 100] }
areas:
  - name: North
    machines:
      - { name: P1, template: Pump, connection: gw, params: { id: p1 }, overrides: { Flow: { unit: l/s } } }
`;

describe('buildModel: overrides', () => {
  it('words an override that makes the merged tag invalid as a sentence naming the field', () => {
    const cfg = siteFileSchema.parse(parse(site));
    // An override given by a caller of buildModel (not read from the file), out of the tag's bounds.
    const machine = cfg.areas[0]?.machines[0];
    if (!machine) throw new Error('the site has its machine');
    machine.overrides.Flow = { unit: 'l/s', periodMs: 5, description: 'x'.repeat(300) };
    const reports: [Path, string][] = [];
    buildModel(cfg, 'site.yaml', (at, message) => reports.push([at, message]));
    expect(reports).toEqual([
      [
        ['areas', 0, 'machines', 0, 'overrides', 'Flow', 'description'],
        'with this override the tag is not valid: its field "description" must be at most 256 characters long',
      ],
      [
        ['areas', 0, 'machines', 0, 'overrides', 'Flow', 'periodMs'],
        'with this override the tag is not valid: its field "periodMs" must be at least 10, but it is 5',
      ],
    ]);
    for (const [, m] of reports) expect(m).not.toMatch(VALIDATOR_WORDING);
  });
});
