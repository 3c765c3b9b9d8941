import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensurePrivateDir, openSqlite } from './sqlite.js';

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});
const mode = (p: string) => statSync(p).mode & 0o777;

describe.skipIf(process.platform === 'win32')('data file permissions', () => {
  it('creates a database and its -wal and -shm owner-only, and tightens an older world-readable file', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'aurum-sqlite-'));
    const data = path.join(dir, 'data');
    ensurePrivateDir(data);
    expect(mode(data)).toBe(0o700);
    const file = path.join(data, 'fresh.db');
    const db = openSqlite(file);
    db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
    for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(mode(f), f).toBe(0o600);
    db.close();

    const old = path.join(data, 'old.db');
    writeFileSync(old, '');
    chmodSync(old, 0o644);
    chmodSync(data, 0o755);
    openSqlite(old).close();
    ensurePrivateDir(data);
    expect(mode(old)).toBe(0o600);
    expect(mode(data)).toBe(0o700);
  });
});
