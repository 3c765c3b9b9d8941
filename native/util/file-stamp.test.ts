import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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

  it('through derives once while the file is unchanged and settled, again after a change, never for a missing file', () => {
    const f = file('one');
    const cache = new ByFileStamp<string>();
    let reads = 0;
    let clock = 0;
    const derive = () => {
      reads++;
      return readFileSync(f, 'utf8');
    };
    const at = stampOf(f) as NonNullable<ReturnType<typeof stampOf>>;
    // Not settled yet: derived on every call.
    clock = at.mtimeMs;
    expect(cache.through(f, derive, () => clock)).toBe('one');
    expect(cache.through(f, derive, () => clock)).toBe('one');
    expect(reads).toBe(2);
    clock = at.mtimeMs + SETTLED_MS;
    expect(cache.through(f, derive, () => clock)).toBe('one');
    expect(cache.through(f, derive, () => clock)).toBe('one');
    expect(reads).toBe(3);
    const other = path.join(path.dirname(f), 'b.json');
    writeFileSync(other, 'two');
    renameSync(other, f);
    clock = (stampOf(f) as typeof at).mtimeMs + SETTLED_MS;
    expect(cache.through(f, derive, () => clock)).toBe('two');
    expect(reads).toBe(4);
    rmSync(f);
    expect(cache.through(f, derive, () => clock)).toBeUndefined();
    expect(reads).toBe(4);
  });

  it('through keeps nothing when derive throws, and throws it', () => {
    const f = file('one');
    const cache = new ByFileStamp<string>();
    const clock = () => Number.MAX_SAFE_INTEGER;
    expect(cache.through(f, () => 'v1', clock)).toBe('v1');
    writeFileSync(f, 'changed');
    expect(() =>
      cache.through(
        f,
        () => {
          throw new Error('unreadable');
        },
        clock,
      ),
    ).toThrow('unreadable');
    expect(cache.through(f, () => 'v2', clock)).toBe('v2');
  });
});
