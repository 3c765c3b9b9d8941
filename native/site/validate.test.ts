import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { DEMO_SITE_FILE } from '../core.js';
import { createDriver } from '../drivers/index.js';
import { TagBus } from '../tags/bus.js';
import { closest } from '../util/describe.js';
import { checkSiteFile, validateSiteText } from './index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'aurum-site-'));
  dirs.push(d);
  return d;
}

/** Deterministic pseudo-random numbers (a fixed seed: every run mutates the same way). */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path into a parsed YAML value, containers included. */
function pathsOf(v: Json, at: (string | number)[] = []): (string | number)[][] {
  const here = at.length > 0 ? [at] : [];
  if (Array.isArray(v)) return [...here, ...v.flatMap((x, i) => pathsOf(x, [...at, i]))];
  if (v && typeof v === 'object') return [...here, ...Object.entries(v).flatMap(([k, x]) => pathsOf(x, [...at, k]))];
  return here;
}

describe('the site-file validator', () => {
  it('reads every damaged variant of the demo site without throwing, and says each problem in words', () => {
    const demo = parse(readFileSync(DEMO_SITE_FILE, 'utf8')) as Json;
    const rnd = lcg(20261201);
    const values: Json[] = [5, -1, 3.7, 'x', '', true, null, [], {}, [1, 2], { a: 1 }, '40000', 'hr:65536', '{nope}', 'ns=2,s=x'];
    const raw = /Invalid (input|option|string|type|element|key)|Unrecognized key|\[object|undefined|NaN|ZodError/;
    let refused = 0;
    for (let n = 0; n < 300; n++) {
      const site = structuredClone(demo) as { [k: string]: Json };
      for (let k = 0; k < 2; k++) {
        const paths = pathsOf(site);
        const at = paths[Math.floor(rnd() * paths.length)] as (string | number)[];
        let parent = site as Json;
        for (const p of at.slice(0, -1)) parent = (parent as Record<string | number, Json>)[p] as Json;
        const last = at[at.length - 1] as string | number;
        const container = parent as Record<string | number, Json>;
        if (typeof last === 'string' && rnd() < 0.25) {
          // A misspelt key: the value moves to a key one letter off.
          container[`${last.slice(0, -1)}${last.endsWith('x') ? 'y' : 'x'}`] = container[last] as Json;
          delete container[last];
        } else container[last] = values[Math.floor(rnd() * values.length)] as Json;
      }
      const result = validateSiteText(stringify(site), 'site.yaml');
      if (result.model) continue;
      refused++;
      expect(result.issues.length).toBeGreaterThan(0);
      for (const i of result.issues) {
        expect(i.line).toBeGreaterThanOrEqual(1);
        expect(i.column).toBeGreaterThanOrEqual(1);
        expect(i.message.length).toBeGreaterThan(5);
        expect(i.message, `${i.field}: ${i.message}`).not.toMatch(raw);
      }
    }
    // Most damage is refused; some (a description changed to "x") is a valid file.
    expect(refused).toBeGreaterThan(150);
  }, 120_000);

  it('accepts only what the drivers accept: every tag the validator lets through, its driver takes', async () => {
    const demo = parse(readFileSync(DEMO_SITE_FILE, 'utf8')) as { areas: { machines: { tags?: Record<string, Json>[] }[] }[] };
    const rnd = lcg(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    const addresses = ['40001', '400001', 'hr:0', 'ir:5', 'co:1', 'di:2', '30001', '4x0001', '00001', '10001', '49999', 'hr:65535'];
    const moreAddresses = ['ns=2;s=Plant.X', 'ns=1;i=5', 'i=2258', 'nsu=urn:aurum:demo;s=A', 'ns=3;g=72962b91-fa75-4ae6-8d28-b404dc7daf63'];
    const topics = ['plant/+/t', 'a/#', 'plant/x/y', 'AurumDemo/Plant/Power', 'Plant/Power', '+/+/v'];
    const options: Json[] = [
      {},
      { type: 'float32' },
      { type: 'int16', wordOrder: 'CDAB' },
      { type: 'uint32' },
      { bit: 3 },
      { type: 'string', stringLength: 4 },
      { type: 'float64', wordOrder: 'DCBA' },
      { value: 'a.b' },
      { timestamp: 'ts' },
      { writeTopic: 'x/set' },
      { deadband: { absolute: 0.5 } },
    ];
    const dataDir = tempDir();
    let accepted = 0;
    for (let n = 0; n < 200; n++) {
      const site = structuredClone(demo);
      const machines = site.areas.flatMap((a) => a.machines).filter((m) => m.tags && m.tags.length > 0);
      const tags = pick(machines).tags as Record<string, Json>[];
      const tag = pick(tags);
      tag.address = pick([...addresses, ...moreAddresses, ...topics]);
      tag.type = pick(['float', 'int', 'bool', 'string']);
      tag.options = pick(options);
      tag.writable = rnd() < 0.3;
      const result = validateSiteText(stringify(site), 'site.yaml');
      if (!result.model) continue;
      accepted++;
      const model = result.model;
      const bus = new TagBus(model.tags);
      for (const conn of model.connections) {
        // Building a driver (not starting it) is where it refuses a tag it cannot serve.
        const driver = createDriver(conn, model.driverTags.get(conn.name) ?? [], { bus, dataDir, log: () => undefined });
        await driver.stop();
      }
    }
    expect(accepted).toBeGreaterThan(20);
  }, 120_000);

  it('resolves a referenced file against the site file’s folder and gives the driver its absolute path', () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'pki'));
    writeFileSync(path.join(dir, 'pki', 'ca.pem'), '-----BEGIN CERTIFICATE-----\n');
    const site = (ca: string) => `version: 1
site: { name: P }
connections:
  - { name: gw, protocol: ingest }
areas:
  - { name: A, machines: [{ name: M, connection: gw, tags: [{ name: T, address: t }] }] }
sync: { enabled: true, url: "mqtts://cloud.example:8883", tls: { ca: ${ca} } }
`;
    const file = path.join(dir, 'site.yaml');
    writeFileSync(file, site('pki/ca.pem'));
    // The working directory is not the site file's folder.
    expect(process.cwd()).not.toBe(dir);
    const ok = checkSiteFile(file);
    expect(ok.issues).toEqual([]);
    expect(ok.model?.raw.sync?.tls?.ca).toBe(path.join(dir, 'pki', 'ca.pem'));

    writeFileSync(file, site('ca.pem'));
    const missing = checkSiteFile(file);
    expect(missing.issues).toEqual([
      {
        file,
        line: 7,
        column: 70,
        field: 'sync.tls.ca',
        message: `file "ca.pem" does not exist: relative names are read from the site file's folder, so it would be ${path.join(dir, 'ca.pem')}`,
      },
    ]);
  });

  it('says an empty site file is empty, naming what a site file holds at least', () => {
    for (const text of ['', '# nothing yet\n'])
      expect(validateSiteText(text, 'site.yaml').issues.map((i) => i.message)).toEqual([
        'the file is empty: a site file needs at least version, site, connections and areas',
      ]);
  });

  it('reports a site file that cannot be read as one issue', () => {
    const file = path.join(tempDir(), 'absent.yaml');
    const r = checkSiteFile(file);
    expect(r.model).toBeNull();
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ file, line: 1, column: 1, field: '' });
    expect(r.issues[0]?.message).toMatch(/^the site file cannot be read: ENOENT/);
  });

  it('refuses a file far larger than any site file without reading it', () => {
    const file = path.join(tempDir(), 'huge.yaml');
    writeFileSync(file, '');
    truncateSync(file, 33 * 1024 * 1024);
    expect(checkSiteFile(file).issues).toEqual([
      { file, line: 1, column: 1, field: '', message: 'the site file is 33 MB; a site file is at most 32 MB' },
    ]);
  });

  it('suggests the name meant for a misspelling, and nothing for a name like none', () => {
    expect(closest('wordorder', ['type', 'wordOrder', 'bit'])).toBe('wordOrder');
    expect(closest('writeable', ['writable', 'writeLimits'])).toBe('writable');
    expect(closest('boolean', ['float', 'int', 'bool', 'string'])).toBe('bool');
    expect(closest('rawHigh', ['rawLo', 'rawHi', 'engLo', 'engHi', 'clamp'])).toBe('rawHi');
    expect(closest('colour', ['name', 'description', 'machines'])).toBeUndefined();
  });
});
