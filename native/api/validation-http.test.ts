// The argument check's sentences as HTTP clients get them, on a real core and server: a JSON route
// answers `{ error: { type, message, fields } }`; POST /api/write answers as InfluxDB does,
// `{ error: "<sentence>" }`, the sentence the same words — never zod's own output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServedCore, serveSite } from '../server/test-server.js';

const site = `version: 1
site: { name: Edge }
connections:
  - name: gateway
    protocol: ingest
    lineProtocol:
      name: "{measurement}/{tag:area}/{tag:machine}/{field}"
areas:
  - name: Yard
    machines:
      - name: Bank
        connection: gateway
        tags:
          - { name: Temp, address: Temp }
`;

const RAW = /✖|→|Expected|expected|received|Invalid|Too (small|big)|Unrecognized|invalid_|too_|unrecognized_|\[object|undefined/;

let served: ServedCore;
beforeAll(async () => {
  served = await serveSite(site, 'aurum-validation-http-');
});
afterAll(async () => {
  await served?.stop();
});

describe('HTTP answers to arguments that fail the check', () => {
  it('POST /api/write with a bad precision: 400 and a sentence naming the parameter and the values it takes', async () => {
    const r = await fetch(`${served.server.url}/api/write?precision=d`, { method: 'POST', headers: served.auth, body: 'x v=1' });
    expect(r.status).toBe(400);
    const body = (await r.json()) as { error: unknown };
    expect(body.error).toBe('the field "precision" must be one of "ns", "n", "u", "us", "ms", "s", "m", "h", but it is the text "d"');
    expect(String(body.error)).not.toMatch(RAW);
  });

  it('a JSON route: 400 with the sentence and each field it names', async () => {
    const r = await served.post('/api/call/alarms.ack', { ids: ['P1', 5], colour: 'red' });
    expect(r.status).toBe(400);
    const body = (await r.json()) as { error: { type: string; message: string; fields: { path: string; message: string }[] } };
    expect(body.error).toEqual({
      type: 'validation',
      message: 'the field "ids[1]" must be text, but it is the number 5; unknown field "colour"; the fields here are ids, comment',
      fields: [
        { path: 'ids[1]', message: 'the field "ids[1]" must be text, but it is the number 5' },
        { path: 'colour', message: 'unknown field "colour"; the fields here are ids, comment' },
      ],
    });
  });
});
