// The structural diff of two site files, by name: connections, templates, machines, tags (a
// template edit reaches every machine made from it), alarms and the capability sections; a rename
// named by the apply keeps the tag's identity instead of a removal and an addition.
import { describe, expect, it } from 'vitest';
import { diffSites } from './diff.js';
import { parseSiteFile } from './index.js';

const base = `version: 1
site: { name: S }
connections:
  - { name: a, protocol: ingest }
  - { name: b, protocol: ingest }
templates:
  pump:
    tags:
      - { name: Flow, address: "{base}.Flow", unit: m3/h }
areas:
  - name: Area
    machines:
      - { name: P1, connection: a, template: pump, params: { base: p1 } }
      - { name: P2, connection: a, template: pump, params: { base: p2 } }
      - name: Tank
        connection: b
        tags:
          - { name: Level, address: Level, unit: m }
          - { name: Temp, address: Temp, unit: C }
alarms:
  - { tag: S/Area/Tank/Level, type: hi, limit: 8, priority: High }
`;

const site = (text: string) => parseSiteFile(text, 'site.yaml');

describe('diffSites', () => {
  it('finds nothing between a file and itself', () => {
    expect(diffSites(site(base), site(base)).entries).toEqual([]);
  });

  it('names added, removed and changed parts with the changed fields', () => {
    const next = base
      .replace('  - { name: b, protocol: ingest }', '  - { name: c, protocol: ingest }')
      .replace('connection: b', 'connection: c')
      .replace('{ name: Temp, address: Temp, unit: C }', '{ name: Temp, address: Temp, unit: K }')
      .replace('limit: 8, priority: High', 'limit: 9, priority: High')
      .concat('historian:\n  maxDbMB: 100\n');
    const d = diffSites(site(base), site(next));
    expect(d.entries).toContainEqual({ kind: 'connection', name: 'b', change: 'removed' });
    expect(d.entries).toContainEqual({ kind: 'connection', name: 'c', change: 'added' });
    expect(d.entries).toContainEqual({ kind: 'machine', name: 'S/Area/Tank', change: 'changed', fields: ['connection', 'tags'] });
    // The display decimals follow the unit (tags/decimals.ts): the tag as the console runs it changed there too.
    expect(d.entries).toContainEqual({
      kind: 'tag',
      name: 'S/Area/Tank/Temp',
      change: 'changed',
      fields: ['connection', 'decimals', 'unit'],
    });
    expect(d.entries).toContainEqual({ kind: 'tag', name: 'S/Area/Tank/Level', change: 'changed', fields: ['connection'] });
    expect(d.entries).toContainEqual({ kind: 'alarm', name: 'S.Area.Tank.Level.hi', change: 'changed', fields: ['limit'] });
    expect(d.entries).toContainEqual({
      kind: 'historian',
      name: 'historian',
      change: 'changed',
      fields: expect.arrayContaining(['maxDbMB']),
    });
    expect(d.summary).toContain('connection b removed');
    expect(d.summary).toContain('tag S/Area/Tank/Temp changed (connection, decimals, unit)');
  });

  it('shows a template edit as a change of the template and of every machine tag made from it', () => {
    const d = diffSites(site(base), site(base.replace('unit: m3/h', 'unit: l/s')));
    expect(d.entries).toEqual([
      { kind: 'template', name: 'pump', change: 'changed', fields: ['tags'] },
      { kind: 'tag', name: 'S/Area/P1/Flow', change: 'changed', fields: ['unit'] },
      { kind: 'tag', name: 'S/Area/P2/Flow', change: 'changed', fields: ['unit'] },
    ]);
  });

  it('without a rename, a changed tag name is a removal and an addition; with one, a rename', () => {
    const next = site(
      base
        .replace('{ name: Level, address: Level', '{ name: TankLevel, address: Level')
        .replace('Tank/Level, type', 'Tank/TankLevel, type'),
    );
    const plain = diffSites(site(base), next).entries.filter((e) => e.kind === 'tag');
    expect(plain).toEqual([
      { kind: 'tag', name: 'S/Area/Tank/Level', change: 'removed' },
      { kind: 'tag', name: 'S/Area/Tank/TankLevel', change: 'added' },
    ]);
    const renamed = diffSites(site(base), next, { 'S/Area/Tank/Level': 'S/Area/Tank/TankLevel' });
    expect(renamed.entries.filter((e) => e.kind === 'tag')).toEqual([
      { kind: 'tag', name: 'S/Area/Tank/TankLevel', change: 'renamed', from: 'S/Area/Tank/Level' },
    ]);
    expect(renamed.summary).toContain('tag S/Area/Tank/Level renamed to S/Area/Tank/TankLevel');
  });
});
