// Form edits written into the site file's text (comments kept), the validator's issues by field,
// and template-aware tag edits: for the template, or as the machine's override of only the fields
// that differ from the template's.
import { describe, expect, it } from 'vitest';
import { applyChanges, issuesByField, machinesOfTemplate, parsed, tagEditChanges } from './site-edit';

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
