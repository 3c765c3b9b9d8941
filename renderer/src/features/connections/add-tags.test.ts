// The site-file edit behind "Add as tags": tags land in the machine's own list, a name already there
// is refused (never replaced), a machine without a list (made from a template) gets one, comments
// stay, and the machines offered are those on the connection.

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { machinesIn, withTags } from './add-tags';

const SITE = `version: 1
site: { name: S }
# the plant's connections
connections:
  - { name: mq, protocol: mqtt, url: mqtt://127.0.0.1:1883 }
areas:
  - name: A
    machines:
      - name: M1 # the weather sensor
        connection: mq
        tags:
          - { name: T, address: a/t }
      - { name: P1, template: Pump, connection: ua, params: { base: x } }
`;

describe('withTags', () => {
  it("adds to the machine's own list and keeps comments", () => {
    const text = withTags(SITE, 'S/A/M1', [
      { name: 'H', address: 'a/h', type: 'float', options: { value: 'v' } },
      { name: 'K', address: 'a/k', type: 'int', unit: '', options: {} },
    ]);
    const m = parse(text).areas[0].machines[0];
    expect(m.tags).toEqual([
      { name: 'T', address: 'a/t' },
      { name: 'H', address: 'a/h', type: 'float', options: { value: 'v' } },
      { name: 'K', address: 'a/k', type: 'int' },
    ]);
    expect(text).toContain("# the plant's connections");
    expect(text).toContain('# the weather sensor');
  });

  it('never replaces a tag: a name the machine has, or one given twice, is refused', () => {
    expect(() => withTags(SITE, 'S/A/M1', [{ name: 'T', address: 'a/t2', type: 'float' }])).toThrow(
      'machine S/A/M1 already has a tag named T: rename before adding',
    );
    expect(() =>
      withTags(SITE, 'S/A/M1', [
        { name: 'X', address: 'a/x', type: 'float' },
        { name: 'X', address: 'a/y', type: 'float' },
      ]),
    ).toThrow('machine S/A/M1 already has a tag named X: rename before adding');
  });

  it('gives a machine made from a template a list of its own', () => {
    const m = parse(withTags(SITE, 'S/A/P1', [{ name: 'Speed', address: 'ns=1;s=x.Speed', type: 'float', range: [0, 10] }])).areas[0]
      .machines[1];
    expect(m).toMatchObject({ template: 'Pump', tags: [{ name: 'Speed', address: 'ns=1;s=x.Speed', type: 'float', range: [0, 10] }] });
  });

  it('names a machine that is not there', () => {
    expect(() => withTags(SITE, 'S/A/Nope', [])).toThrow('machine S/A/Nope is not in the site file');
    expect(() => withTags(SITE, 'Other/A/M1', [])).toThrow('machine Other/A/M1 is not in this site');
  });
});

describe('machinesIn', () => {
  it('lists every machine with its connection', () => {
    expect(machinesIn(SITE)).toEqual([
      { name: 'S/A/M1', connection: 'mq' },
      { name: 'S/A/P1', connection: 'ua' },
    ]);
  });
});
