// openSqlite on a real full disk (a small tmpfs: root only): an existing WAL file whose -shm cannot
// be created opens without it, readable, and writable again by itself once there is room; a file
// that cannot be created opens in memory; both say so through storageFault; `whenFull: 'throw'` keeps
// the old behaviour for callers that decide themselves (the historian).
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqlite, storageFault } from './sqlite.js';

const canMount = process.getuid?.() === 0;
const dir = mkdtempSync(path.join(os.tmpdir(), 'aurum-sqlite-full-'));
let mounted = false;
afterAll(() => {
  if (mounted) execFileSync('umount', ['-l', dir]);
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!canMount)('openSqlite on a full disk (a real tmpfs: root only)', () => {
  it('opens an existing file without its index and a new one in memory, and writes resume once there is room', () => {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
    mounted = true;
    const file = path.join(dir, 'a.db');
    const first = openSqlite(file);
    first.exec('CREATE TABLE t (x INTEGER)');
    first.prepare('INSERT INTO t VALUES (1)').run();
    expect(storageFault(first)).toBeUndefined();
    first.close();

    const filler = path.join(dir, 'filler');
    const fd = openSync(filler, 'w');
    try {
      for (let i = 0; i < 1000; i++) writeSync(fd, Buffer.alloc(4096));
    } catch {
      // full
    }
    closeSync(fd);

    expect(() => openSqlite(file, { whenFull: 'throw' })).toThrow(/disk I\/O error|disk is full/);
    const db = openSqlite(file);
    expect(storageFault(db)).toMatchObject({
      file,
      mode: 'exclusive',
      message: expect.stringMatching(/^a\.db opened read-only for lack of room/),
    });
    expect(db.prepare('SELECT x FROM t').pluck().all()).toEqual([1]);
    expect(() => db.prepare('INSERT INTO t VALUES (2)').run()).toThrow(/full/);

    const fresh = openSqlite(path.join(dir, 'new.db'));
    expect(storageFault(fresh)).toMatchObject({
      mode: 'memory',
      message: expect.stringMatching(/^new\.db could not be created for lack of room/),
    });
    fresh.exec('CREATE TABLE t (x INTEGER)');
    fresh.close();

    rmSync(filler);
    db.prepare('INSERT INTO t VALUES (3)').run();
    db.close();
    const again = openSqlite(file);
    expect(storageFault(again)).toBeUndefined();
    expect(again.prepare('SELECT x FROM t ORDER BY x').pluck().all()).toEqual([1, 3]);
    again.close();
  });
});
