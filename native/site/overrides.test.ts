// Per-machine overrides of template tags (machines[].overrides): the fields given replace the
// template's for that machine only; the tag is then defined at the override (an edit of the
// template's tag leaves the machine's overridden fields alone, and config.updateTag writes there);
// an override of a tag the template lacks, on a machine without a template, or one that makes an
// invalid tag is refused by the one validator, naming the machine, the tag and the cause.
import { describe, expect, it } from 'vitest';
import { validateSiteText } from './index.js';

const site = (overrides: string, template = 'template: Pump') => `version: 1
site: { name: Plant }
connections:
  - { name: gw, protocol: ingest }
templates:
  Pump:
    tags:
      - { name: Flow, address: "{id}.flow", unit: m3/h, range: [0, 100] }
      - { name: Speed, address: "{id}.speed", unit: rpm }
areas:
  - name: North
    machines:
      - name: P1
        ${template}
        connection: gw
        params: { id: p1 }
${overrides}
      - { name: P2, template: Pump, connection: gw, params: { id: p2 } }
`;

describe('template tag overrides', () => {
  it('changes the overridden fields of one machine only; the tag is defined at the override', () => {
    const v = validateSiteText(site('        overrides:\n          Flow: { unit: l/s, range: [0, 30] }'), 'site.yaml');
    expect(v.issues).toEqual([]);
    const model = v.model;
    if (!model) throw new Error('valid');
    const flow1 = model.tags.find((t) => t.name === 'Plant/North/P1/Flow');
    const flow2 = model.tags.find((t) => t.name === 'Plant/North/P2/Flow');
    expect(flow1).toMatchObject({ unit: 'l/s', rangeLo: 0, rangeHi: 30, address: 'p1.flow' });
    expect(flow2).toMatchObject({ unit: 'm3/h', rangeLo: 0, rangeHi: 100, address: 'p2.flow' });
    expect(model.definedAt[flow1?.id ?? -1]).toEqual(['areas', 0, 'machines', 0, 'overrides', 'Flow']);
    expect(model.definedAt[flow2?.id ?? -1]).toEqual(['templates', 'Pump', 'tags', 0]);
    // Speed is not overridden: both machines' Speed are the template's.
    const speed1 = model.tags.find((t) => t.name === 'Plant/North/P1/Speed');
    expect(model.definedAt[speed1?.id ?? -1]).toEqual(['templates', 'Pump', 'tags', 1]);
  });

  it('refuses an override of a tag the template does not have, suggesting the near name', () => {
    const v = validateSiteText(site('        overrides:\n          Flw: { unit: l/s }'), 'site.yaml');
    expect(v.issues.map((i) => `${i.field}: ${i.message}`)).toEqual([
      'areas[0].machines[0].overrides.Flw: machine Plant/North/P1 overrides tag "Flw", which its template Pump does not have: did you mean Flow?',
    ]);
  });

  it('refuses overrides on a machine without a template', () => {
    const v = validateSiteText(
      site('        tags: [{ name: Own, address: own }]\n        overrides:\n          Flow: { unit: l/s }', 'kind: pump'),
      'site.yaml',
    );
    expect(v.issues.map((i) => `${i.field}: ${i.message}`)).toEqual([
      "areas[0].machines[0].overrides: machine Plant/North/P1 has no template: overrides change a template's tags; edit its own tags instead",
    ]);
  });

  it('refuses an override that makes the tag invalid, at the override', () => {
    const v = validateSiteText(site('        overrides:\n          Flow: { writable: true, writeLimits: [10, 5] }'), 'site.yaml');
    expect(v.issues.map((i) => `${i.field}: ${i.message}`)).toEqual([
      'areas[0].machines[0].overrides.Flow.writeLimits: with this override the tag is not valid: must be [low, high] with low below high',
    ]);
  });

  it('refuses an unknown field in an override, naming the field it resembles', () => {
    const v = validateSiteText(site('        overrides:\n          Speed: { unti: rpm }'), 'site.yaml');
    expect(v.issues.map((i) => `${i.field}: ${i.message}`)).toEqual([
      'areas[0].machines[0].overrides.Speed.unti: unknown field "unti": did you mean unit?',
    ]);
  });
});
