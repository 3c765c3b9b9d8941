// The site file's versions in a real SQLite file: version 1 is the file as first loaded; each
// added version is numbered on; a file changed outside config.apply becomes a version of its own;
// the numbering and the texts survive a reopen; the list pages newest first.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VersionStore } from './versions.js';

const dirs: string[] = [];
const dataDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'aurum-versions-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('VersionStore', () => {
  it('records the file as first loaded as version 1, then numbers each version on, across a reopen', () => {
    const dir = dataDir();
    let t = 1_000;
    const store = new VersionStore(dir, () => t++);
    expect(store.current('a: 1\n')).toMatchObject({ version: 1, kind: 'initial', author: null, text: 'a: 1\n', at: 1_000 });
    expect(store.current('a: 1\n').version).toBe(1);
    expect(
      store.add({ author: 'eng1', comment: 'pump added', kind: 'apply', text: 'a: 2\n', renames: { 'S/A/M/X': 'S/A/M/Y' } }),
    ).toMatchObject({
      version: 2,
      author: 'eng1',
    });
    store.close();
    const again = new VersionStore(dir);
    expect(again.current('a: 2\n')).toMatchObject({ version: 2, comment: 'pump added', renames: { 'S/A/M/X': 'S/A/M/Y' } });
    // Edited by hand while the console was stopped: listed as a version of its own, never lost.
    expect(again.current('a: 3 # by hand\n')).toMatchObject({ version: 3, kind: 'outside', author: null });
    expect(again.get(1)?.text).toBe('a: 1\n');
    expect(again.get(9)).toBeNull();
    again.close();
  });

  it('lists newest first, a page at a time', () => {
    const store = new VersionStore(dataDir());
    store.current('v1');
    for (let i = 2; i <= 7; i++) store.add({ author: 'eng1', comment: `c${i}`, kind: 'apply', text: `v${i}` });
    const first = store.list(3);
    expect(first.total).toBe(7);
    expect(first.versions.map((v) => v.version)).toEqual([7, 6, 5]);
    expect(store.list(3, 5).versions.map((v) => v.version)).toEqual([4, 3, 2]);
    expect(store.list(3, 2).versions.map((v) => v.version)).toEqual([1]);
    store.close();
  });
});
