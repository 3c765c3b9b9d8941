import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ByFileStamp, SETTLED_MS, stampOf } from './file-stamp.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function file(text: string): string {
  const d = mkdtempSync(path.join(tmpdir(), 'aurum-stamp-'));
  dirs.push(d);
  const f = path.join(d, 'a.json');
  writeFileSync(f, text);
  return f;
}

describe('ByFileStamp', () => {
  it('keeps a value while the file is unchanged, and only once it has settled', () => {
    const f = file('one');
    const at = stampOf(f);
    if (!at) throw new Error('no stamp');
    const cache = new ByFileStamp<string>();
    cache.keep(f, at, 'v1', at.mtimeMs + SETTLED_MS - 1);
    expect(cache.lookup(f, at)).toBeUndefined();
    cache.keep(f, at, 'v1', at.mtimeMs + SETTLED_MS);
    expect(cache.lookup(f, at)).toBe('v1');
    expect(cache.lookup(f, stampOf(f) as typeof at)).toBe('v1');
  });

  it('sees a file renamed over the kept one (same size), and a missing file has no stamp', () => {
    const f = file('one');
    const at = stampOf(f) as NonNullable<ReturnType<typeof stampOf>>;
    const cache = new ByFileStamp<string>();
    cache.keep(f, at, 'v1', at.mtimeMs + SETTLED_MS);
    const other = path.join(path.dirname(f), 'b.json');
    writeFileSync(other, 'two');
    renameSync(other, f);
    const now = stampOf(f) as typeof at;
    expect(now.stamp).not.toBe(at.stamp);
    expect(cache.lookup(f, now)).toBeUndefined();
    expect(stampOf(path.join(path.dirname(f), 'none.json'))).toBeUndefined();
    cache.retain(() => false);
    expect(cache.lookup(f, at)).toBeUndefined();
  });
});
