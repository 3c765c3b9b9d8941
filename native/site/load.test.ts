import { describe, expect, it } from 'vitest';
import { DEMO_SITE_FILE } from '../core.js';
import { ConfigError, loadSiteFile, parseSiteFile } from './index.js';

function issuesOf(text: string) {
  try {
    parseSiteFile(text, 'site.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  throw new Error('expected the site file to be refused');
}

const valid = `version: 1
site: { name: Plant }
connections:
  - { name: plc, protocol: modbus, host: 10.0.0.5 }
templates:
  Pump:
    roles: { running: Run }
    tags:
      - { name: Run, address: "{base}", type: bool }
      - { name: Flow, address: "{base+1}", unit: m³/h, options: { type: float32 } }
areas:
  - name: North
    machines:
      - { name: P1, template: Pump, connection: plc, params: { base: 40001 } }
      - { name: P2, template: Pump, connection: plc, params: { base: 40011 } }
`;

describe('site file loading', () => {
  it('loads the demo site: at least 40 tags over OPC UA, Modbus and MQTT', () => {
    const model = loadSiteFile(DEMO_SITE_FILE);
    expect(model.tags.length).toBeGreaterThanOrEqual(40);
    expect(new Set(model.connections.map((c) => c.protocol))).toEqual(new Set(['opcua', 'modbus', 'mqtt']));
    expect(model.tags.every((t, i) => t.id === i)).toBe(true);
  });

  it('instantiates a template per machine with its parameters', () => {
    const model = parseSiteFile(valid, 'site.yaml');
    expect(model.tags.map((t) => `${t.name}@${t.address}`)).toEqual([
      'Plant/North/P1/Run@40001',
      'Plant/North/P1/Flow@40002',
      'Plant/North/P2/Run@40011',
      'Plant/North/P2/Flow@40012',
    ]);
    expect(model.machines[1]?.roles.running).toBe('Plant/North/P2/Run');
    expect(model.driverTags.get('plc')?.map((t) => t.options.type)).toEqual([undefined, 'float32', undefined, 'float32']);
  });

  it('reports every schema error at once with line, column and field', () => {
    const text = valid.replace('host: 10.0.0.5', 'host: 10.0.0.5, wordOrder: XYZW').replace('unit: m³/h,', 'unit: m³/h, periodMs: -5,');
    const issues = issuesOf(text);
    expect(issues).toHaveLength(2);
    const order = issues.find((i) => i.field === 'connections[0].wordOrder');
    expect(order).toMatchObject({ file: 'site.yaml', line: 4 });
    expect(order?.message).toMatch(/must be one of "ABCD", .*but it is the text "XYZW"/);
    const period = issues.find((i) => i.field === 'templates.Pump.tags[1].periodMs');
    expect(period?.line).toBe(10);
    expect(period?.column).toBeGreaterThan(1);
  });

  it('reports unknown fields, unknown references and duplicates with positions', () => {
    const text = valid
      .replace('connection: plc, params: { base: 40011 }', 'connection: plx, params: { base: 40011 }')
      .replace('site: { name: Plant }', 'site: { name: Plant, colour: blue }');
    const issues = issuesOf(text);
    expect(issues.map((i) => i.message).join('\n')).toMatch(/unknown field "colour"/);
    const dup = valid.replace('- { name: P2, template: Pump', '- { name: P1, template: Pump');
    const dupIssues = issuesOf(dup);
    expect(dupIssues[0]?.message).toMatch(/defined twice/);
    expect(dupIssues[0]?.line).toBe(15);
    const badRef = issuesOf(
      valid
        .replace('params: { base: 40011 }', 'params: { base: 40011 }\n        ')
        .replace('connection: plc, params: { base: 40011 }', 'connection: plx, params: { base: 40011 }'),
    );
    expect(badRef[0]).toMatchObject({ field: 'areas[0].machines[1].connection', line: 15 });
    expect(badRef[0]?.message).toMatch(/no connection named "plx"/);
  });

  it('reports YAML syntax errors with their position', () => {
    const issues = issuesOf('version: 1\nsite:\n  name: a\n description: x\n');
    expect(issues[0]).toMatchObject({ line: 4, column: 1 });
    expect(issues[0]?.message).toMatch(/^YAML syntax error: /);
    expect(issuesOf('version: 1\nversion: 2\n')[0]).toMatchObject({
      line: 2,
      message: 'YAML syntax error: the key "version" is given twice in the same mapping',
    });
  });

  it('refuses a missing template parameter', () => {
    const issues = issuesOf(valid.replace('params: { base: 40011 }', 'params: {}'));
    expect(issues.some((i) => /template parameter "base" is not given/.test(i.message))).toBe(true);
  });
});

describe('secrets in the site file', () => {
  it('refuses a plain-text connection password and accepts a sealed one', () => {
    const withPassword = (pw: string, field = 'password') =>
      `version: 1
site: { name: P }
connections:
  - { name: broker, protocol: mqtt, url: "mqtt://10.0.0.9:1883", username: console, ${field}: "${pw}" }
areas:
  - name: A
    machines:
      - { name: S, connection: broker, tags: [{ name: T, address: a/b }] }
`;
    const issues = issuesOf(withPassword('hunter2-plain'));
    expect(issues[0]).toMatchObject({ field: 'connections[0].password', line: 4 });
    expect(issues[0]?.message).toMatch(/a plain-text password never stands in a site file: seal it/);
    expect(JSON.stringify(issues)).not.toContain('hunter2-plain');
    expect(() => parseSiteFile(withPassword('enc:v1:AAAA', 'passwordSecret'), 'site.yaml')).not.toThrow();
  });
});
