// The MQTT rules of the site-file validator: every problem the driver would fail on (or silently
// misread) is refused by check-config and serve start, with file:line, field and a sentence.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateSiteText } from '../../site/index.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aurum-mqtt-rules-'));
fs.mkdirSync(path.join(dir, 'certs'));
fs.writeFileSync(path.join(dir, 'certs', 'ca.pem'), 'not checked here\n');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = path.join(dir, 'site.yaml');

const SEALED = 'enc:v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

function issues(connection: string, tags: string, mode = 'json'): string[] {
  const text = `version: 1
site: { name: S }
connections:
  - name: mq
    protocol: mqtt
    url: mqtts://broker.example:8883
    mode: ${mode}
${connection}
areas:
  - name: A
    machines:
      - name: M
        connection: mq
        tags:
${tags}
`;
  return validateSiteText(text, file).issues.map((i) => `${i.line}:${i.column} ${i.field}: ${i.message}`);
}

const tag = (t: string) => `          - ${t}`;
const ok = tag('{ name: T, address: plant/t }');

describe('mqttSiteRules', () => {
  it('accepts a valid connection: sealed passwordSecret, a CA relative to the site file, wildcard filters, a writable tag with its write topic', () => {
    expect(
      issues(
        `    username: console\n    passwordSecret: ${SEALED}\n    tls: { ca: certs/ca.pem }\n    expectedPeriodMs: 5000`,
        [
          tag('{ name: A, address: "application/+/device/#" , options: { value: object.t, timestamp: time, expectedPeriodMs: 60000 } }'),
          tag('{ name: B, address: plant/b, writable: true, options: { writeTopic: plant/b/set } }'),
        ].join('\n'),
      ),
    ).toEqual([]);
  });

  it('refuses a plain-text password, telling how to seal it, and an unsealed passwordSecret', () => {
    expect(issues('    username: console\n    password: s3cret', ok)).toEqual([
      '9:15 connections[0].password: a plain-text password never stands in a site file: seal it with "aurum secret seal" and write the enc:v1:… text it prints as passwordSecret',
    ]);
    expect(issues('    username: console\n    passwordSecret: s3cret', ok)).toEqual([
      '9:21 connections[0].passwordSecret: is not a sealed secret: seal the password with "aurum secret seal" and put the enc:v1:… text here; a plain-text password never stands in a site file',
    ]);
  });

  it('refuses a TLS file that does not exist beside the site file, naming where it looked', () => {
    const [only, ...rest] = issues('    tls: { ca: certs/absent.pem }', ok);
    expect(rest).toEqual([]);
    expect(only).toBe(
      `8:16 connections[0].tls.ca: file "certs/absent.pem" does not exist: relative names are read from the site file's folder, so it would be ${path.join(dir, 'certs', 'absent.pem')}`,
    );
  });

  it('refuses invalid topic filters: "#" not last, "+" inside a level, wildcards in a write topic', () => {
    expect(
      issues(
        '',
        [
          tag('{ name: A, address: "#/" }'),
          tag('{ name: B, address: "plant/#/x" }'),
          tag('{ name: C, address: "plant/pump+/t" }'),
          tag('{ name: D, address: plant/d, writable: true, options: { writeTopic: "plant/+/set" } }'),
        ].join('\n'),
      ),
    ).toEqual([
      '15:33 areas[0].machines[0].tags[0].address: S/A/M/A: "#/" is not a valid MQTT topic filter: "#" stands alone as the last level (a/#), never before a "/" or inside a level',
      '16:33 areas[0].machines[0].tags[1].address: S/A/M/B: "plant/#/x" is not a valid MQTT topic filter: "#" stands alone as the last level (a/#), never before a "/" or inside a level',
      '17:33 areas[0].machines[0].tags[2].address: S/A/M/C: "plant/pump+/t" is not a valid MQTT topic filter: "+" stands for a whole level (a/+/c), never part of one ("pump+")',
      '18:81 areas[0].machines[0].tags[3].options.writeTopic: S/A/M/D: the write topic "plant/+/set" has a wildcard (+ or #): a message is published to one topic',
    ]);
  });

  it('refuses option typos with did-you-mean, wrong option types, and a writable tag without a write topic', () => {
    expect(
      issues(
        '',
        [
          tag('{ name: A, address: plant/a, options: { timestmap: time } }'),
          tag('{ name: B, address: plant/b, options: { expectedPeriodMs: "1s" } }'),
          tag('{ name: C, address: plant/c, writable: true }'),
        ].join('\n'),
      ),
    ).toEqual([
      '15:64 areas[0].machines[0].tags[0].options.timestmap: S/A/M/A: unknown field "timestmap": did you mean timestamp?',
      '16:71 areas[0].machines[0].tags[1].options.expectedPeriodMs: S/A/M/B: must be a number, but it is the text "1s"',
      '17:52 areas[0].machines[0].tags[2].writable: S/A/M/C is writable but has no options.writeTopic: name the topic a write publishes {"value": v} to, or make it read-only',
    ]);
  });

  it('refuses Sparkplug addresses that are not group/edge_node[/device]/metric, and one metric mapped twice', () => {
    expect(
      issues(
        '',
        [
          tag('{ name: A, address: Plant/Edge1 }'),
          tag('{ name: B, address: "Plant/+/Temp" }'),
          tag('{ name: C, address: Plant/Edge1/Temp }'),
          tag('{ name: D, address: Plant/Edge1/Temp, options: { value: x } }'),
        ].join('\n'),
        'sparkplug',
      ),
    ).toEqual([
      '15:33 areas[0].machines[0].tags[0].address: S/A/M/A: Sparkplug address "Plant/Edge1" must be group/edge_node[/device]/metric',
      '16:33 areas[0].machines[0].tags[1].address: S/A/M/B: Sparkplug address "Plant/+/Temp" has a wildcard (+ or #): name one metric',
      '18:33 areas[0].machines[0].tags[3].address: S/A/M/D: Sparkplug metric Plant/Edge1/Temp is already mapped to S/A/M/C',
      '18:69 areas[0].machines[0].tags[3].options.value: S/A/M/D: unknown field "value"; the fields here are expectedPeriodMs',
    ]);
  });
});
