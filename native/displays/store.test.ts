// The demo's shipped displays and templates reach a data dir on every start, not only the first: a
// shipped file the data dir was never given is copied when no file of its name is there; an existing
// file is never overwritten; one given before and deleted since is not brought back (the list in
// displays/.shipped); a data dir made before the list existed is given what it lacks once.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyShippedDisplays, SHIPPED_RECORD } from './store.js';

let root: string;
let shipped: string;
let to: string;
const ship = (name: string, text: string) => {
  mkdirSync(path.dirname(path.join(shipped, name)), { recursive: true });
  writeFileSync(path.join(shipped, name), text);
};
const at = (name: string) => path.join(to, name);

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'aurum-shipped-'));
  shipped = path.join(root, 'resources');
  to = path.join(root, 'data', 'displays');
  ship('overview.json', 'overview v1\n');
  ship('templates/pump.json', 'pump v1\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('copyShippedDisplays', () => {
  it('copies every shipped file on the first start and lists them', () => {
    expect(copyShippedDisplays(shipped, to)).toEqual(['overview.json', 'templates/pump.json']);
    expect(readFileSync(at('templates/pump.json'), 'utf8')).toBe('pump v1\n');
    expect(readFileSync(at(SHIPPED_RECORD), 'utf8')).toBe('overview.json\ntemplates/pump.json\n');
    expect(copyShippedDisplays(shipped, to)).toEqual([]);
  });

  it('a later start gives files shipped since, never overwrites, and does not bring back a deleted one', () => {
    copyShippedDisplays(shipped, to);
    rmSync(at('overview.json'));
    writeFileSync(at('templates/pump.json'), 'pump edited\n');
    ship('utilities.json', 'utilities v1\n');
    ship('templates/boiler.json', 'boiler v1\n');
    ship('templates/pump.json', 'pump v2\n');
    expect(copyShippedDisplays(shipped, to)).toEqual(['utilities.json', 'templates/boiler.json']);
    expect(existsSync(at('overview.json'))).toBe(false);
    expect(readFileSync(at('templates/pump.json'), 'utf8')).toBe('pump edited\n');
    expect(readFileSync(at('utilities.json'), 'utf8')).toBe('utilities v1\n');
  });

  it('a data dir made before the list existed is given the shipped files it lacks, keeping its own', () => {
    mkdirSync(to, { recursive: true });
    writeFileSync(at('overview.json'), 'overview edited\n');
    expect(copyShippedDisplays(shipped, to)).toEqual(['templates/pump.json']);
    expect(readFileSync(at('overview.json'), 'utf8')).toBe('overview edited\n');
    expect(readFileSync(at(SHIPPED_RECORD), 'utf8')).toBe('overview.json\ntemplates/pump.json\n');
  });
});
