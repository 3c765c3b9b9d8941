import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MigrationError, migrate } from './migrate.js';
import { openSqlite } from './sqlite.js';

const dirs: string[] = [];
function tempDb() {
  const dir = mkdtempSync(path.join(tmpdir(), 'aurum-migrate-'));
  dirs.push(dir);
  return path.join(dir, 'test.db');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const m1 = { id: '001_init', sql: 'CREATE TABLE a (x INTEGER)' };
const m2 = { id: '002_b', sql: 'CREATE TABLE b (y INTEGER)' };

describe('migrate', () => {
  it('applies pending migrations once, in order, and records them', () => {
    const file = tempDb();
    const db = openSqlite(file);
    expect(migrate(db, [m1])).toEqual(['001_init']);
    expect(migrate(db, [m1, m2])).toEqual(['002_b']);
    expect(migrate(db, [m1, m2])).toEqual([]);
    db.prepare('INSERT INTO b (y) VALUES (1)').run();
    db.close();
  });

  it('refuses a database whose applied list is not a prefix of the known list', () => {
    const db = openSqlite(tempDb());
    migrate(db, [m1, m2]);
    expect(() => migrate(db, [m1])).toThrow(/another version/);
    expect(() => migrate(db, [m1, { id: '002_other', sql: 'SELECT 1' }])).toThrow(MigrationError);
    db.close();
  });

  it('rolls back a failing migration as a whole', () => {
    const db = openSqlite(tempDb());
    const bad = { id: '002_bad', sql: 'CREATE TABLE c (z INTEGER); INSERT INTO missing VALUES (1);' };
    expect(() => migrate(db, [m1, bad])).toThrow();
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type='table' AND name='c'").all();
    expect(tables).toEqual([]);
    expect(migrate(db, [m1, m2])).toEqual(['002_b']);
    db.close();
  });
});
