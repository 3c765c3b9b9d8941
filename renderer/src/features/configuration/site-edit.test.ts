// Form edits written into the site file's text (comments kept), the validator's issues by field,
// and template-aware tag edits: for the template, or as the machine's override of only the fields
// that differ from the template's.
import { describe, expect, it } from 'vitest';
import {
  applyChanges,
  type Change,
  foldRename,
  issuesByField,
  machinesOfTemplate,
  offeredValues,
  parsed,
  renamesFor,
  renamesOfEdit,
  type TagRenames,
  tagEditChanges,
} from './site-edit';

const TEXT = `# the plant
version: 1
site: { name: P }
connections:
  - name: gw # the gateway
    protocol: ingest
templates:
  Pump:
    tags:
      - { name: Flow, address: "{id}.flow", unit: m3/h }
areas:
  - name: A
    machines:
      - { name: P1, template: Pump, connection: gw, params: { id: p1 } }
      - { name: P2, template: Pump, connection: gw, params: { id: p2 } }
`;

describe('site-edit', () => {
  it('sets and removes fields in the text, keeping comments', () => {
    const t = applyChanges(TEXT, [
      [['connections', 0, 'name'], 'gate'],
      [['connections', 1], { name: 'plc', protocol: 'modbus', host: '10.0.0.5' }],
    ]);
    expect(t).toContain('# the plant');
    expect(t).toContain('name: gate # the gateway');
    expect(t).toMatch(/- name: plc\n\s+protocol: modbus\n\s+host: 10\.0\.0\.5/);
    expect(applyChanges(t, [[['connections', 1], undefined]])).not.toContain('plc');
  });

  it('groups the validator’s issues by field', () => {
    const m = issuesByField([{ line: 5, column: 3, field: 'connections[0].port', message: 'must be at most 65535', text: '' }]);
    expect(m.get('connections[0].port')).toEqual(['must be at most 65535 (line 5)']);
  });

  it('lists the machines of a template', () => {
    const p = parsed(TEXT);
    if ('problem' in p) throw new Error(p.problem);
    expect(machinesOfTemplate(p.value, 'Pump')).toEqual(['P1', 'P2']);
  });

  it('writes a template tag edit to the template, or as an override of the changed fields only; reverting removes the override', () => {
    const templateTag = { name: 'Flow', address: '{id}.flow', unit: 'm3/h' };
    const after = { ...templateTag, unit: 'l/s', description: 'outlet' };
    const machineAt = ['areas', 0, 'machines', 0] as const;
    expect(
      tagEditChanges({ scope: 'template', template: 'Pump', tagIndex: 0, templateTag, before: templateTag, after, machineAt }),
    ).toEqual([
      [['templates', 'Pump', 'tags', 0, 'unit'], 'l/s'],
      [['templates', 'Pump', 'tags', 0, 'description'], 'outlet'],
    ]);
    const override = tagEditChanges({
      scope: 'override',
      template: 'Pump',
      tagIndex: 0,
      templateTag,
      before: templateTag,
      after,
      machineAt,
    });
    const text = applyChanges(TEXT, override);
    expect(text).toMatch(/name: P1[^\n]*overrides: \{ Flow: \{ unit: l\/s, description: outlet \} \}|overrides:\n\s+Flow:/);
    const reverted = applyChanges(text, [[[...machineAt, 'overrides', 'Flow'], undefined]]);
    expect(reverted).not.toContain('overrides');
  });
});

/** What the forms do with each field edit: the text changed, and a tag's name edit kept as a rename. */
function typeInForms(text: string, renames: TagRenames, change: Change): { text: string; renames: TagRenames } {
  const before = parsed(text);
  if (!('value' in before)) throw new Error(before.problem);
  const [path, value] = change;
  const next = renamesOfEdit(before.value, path, value).reduce((r, [from, to]) => foldRename(r, from, to), renames);
  return { text: applyChanges(text, [change]), renames: next };
}
const siteOf = (text: string) => {
  const p = parsed(text);
  if (!('value' in p)) throw new Error(p.problem);
  return p.value;
};

describe("a tag's name edited in the forms", () => {
  const OWN = TEXT.replace(
    '      - { name: P2, template: Pump, connection: gw, params: { id: p2 } }\n',
    '      - { name: P2, template: Pump, connection: gw, params: { id: p2 } }\n      - name: Tank\n        connection: gw\n        tags:\n          - { name: Level, address: tank.level }\n',
  );
  const namePath = ['areas', 0, 'machines', 2, 'tags', 0, 'name'] as const;

  it('is a rename of the tag (config.apply renames), not a removal and an addition, however it was typed', () => {
    let s = { text: OWN, renames: {} as TagRenames };
    // Typed one character at a time: Level -> Leve -> LevelX... ends as one rename from the name in force.
    for (const name of ['Leve', 'Lev', 'TankLevel']) s = typeInForms(s.text, s.renames, [[...namePath], name]);
    expect(renamesFor(s.renames, siteOf(OWN), siteOf(s.text))).toEqual({ 'P/A/Tank/Level': 'P/A/Tank/TankLevel' });
    expect(s.text).toContain('{ name: TankLevel, address: tank.level }');
    // Typed back to the name in force: no rename at all.
    s = typeInForms(s.text, s.renames, [[...namePath], 'Level']);
    expect(renamesFor(s.renames, siteOf(OWN), siteOf(s.text))).toEqual({});
  });

  it("a template tag's name is renamed on every machine made from the template", () => {
    const s = typeInForms(TEXT, {}, [['templates', 'Pump', 'tags', 0, 'name'], 'Outflow']);
    expect(renamesFor(s.renames, siteOf(TEXT), siteOf(s.text))).toEqual({
      'P/A/P1/Flow': 'P/A/P1/Outflow',
      'P/A/P2/Flow': 'P/A/P2/Outflow',
    });
  });

  it("a machine's or an area's new name renames every tag under it, its template's too", () => {
    const machine = typeInForms(OWN, {}, [['areas', 0, 'machines', 2, 'name'], 'Reservoir']);
    expect(renamesFor(machine.renames, siteOf(OWN), siteOf(machine.text))).toEqual({ 'P/A/Tank/Level': 'P/A/Reservoir/Level' });
    // Renamed machine, then its tag: one rename from the path in force to the last one.
    const both = typeInForms(machine.text, machine.renames, [['areas', 0, 'machines', 2, 'tags', 0, 'name'], 'Height']);
    expect(renamesFor(both.renames, siteOf(OWN), siteOf(both.text))).toEqual({ 'P/A/Tank/Level': 'P/A/Reservoir/Height' });
    const area = typeInForms(OWN, {}, [['areas', 0, 'name'], 'North']);
    expect(renamesFor(area.renames, siteOf(OWN), siteOf(area.text))).toEqual({
      'P/A/P1/Flow': 'P/North/P1/Flow',
      'P/A/P2/Flow': 'P/North/P2/Flow',
      'P/A/Tank/Level': 'P/North/Tank/Level',
    });
    // Named back: no rename.
    const back = typeInForms(area.text, area.renames, [['areas', 0, 'name'], 'A']);
    expect(renamesFor(back.renames, siteOf(OWN), siteOf(back.text))).toEqual({});
  });

  it('a tag added in this edit and then renamed is no rename; nor a name changed back in the Text view', () => {
    let s = typeInForms(OWN, {}, [['areas', 0, 'machines', 2, 'tags', 1], { name: 'Temp', address: 'tank.temp' }]);
    s = typeInForms(s.text, s.renames, [['areas', 0, 'machines', 2, 'tags', 1, 'name'], 'Temperature']);
    expect(renamesFor(s.renames, siteOf(OWN), siteOf(s.text))).toEqual({});
    const renamed = typeInForms(OWN, {}, [[...namePath], 'TankLevel']);
    const backInText = renamed.text.replace('name: TankLevel', 'name: Level');
    expect(renamesFor(renamed.renames, siteOf(OWN), siteOf(backInText))).toEqual({});
  });
});

describe('what the forms offer', () => {
  it("a machine's template field offers the site's templates, its connection field the connections; other fields nothing", () => {
    const site = siteOf(TEXT);
    expect(offeredValues(site, ['areas', 0, 'machines', 1, 'template'])).toEqual(['Pump']);
    expect(offeredValues(site, ['areas', 0, 'machines', 1, 'connection'])).toEqual(['gw']);
    expect(offeredValues(site, ['areas', 0, 'machines', 1, 'name'])).toBeUndefined();
    expect(offeredValues(site, ['connections', 0, 'name'])).toBeUndefined();
  });
});
