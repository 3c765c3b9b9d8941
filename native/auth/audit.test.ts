import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite } from '../util/sqlite.js';
import { openAuditLog } from './audit.js';

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function open(file: string) {
  const db = openSqlite(file);
  let t = Date.UTC(2025, 2, 1, 8);
  return { db, audit: openAuditLog(db, { now: () => (t += 1000) }) };
}

function writeTen(file: string) {
  const { db, audit } = open(file);
  for (let i = 1; i <= 10; i++) {
    audit.append({
      actor: 'ana',
      origin: 'ipc',
      action: 'tags.write',
      target: 'Site/A/P1/Speed',
      details: { old: 40 + i, new: 50 + i, note: `setpoint-change-${String(i).padStart(2, '0')}` },
    });
  }
  return { db, audit };
}

describe('audit trail', () => {
  it('chains each entry to the one before and verifies', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'aurum-audit-'));
    const { db, audit } = writeTen(path.join(dir, 'auth.db'));
    const all = audit.query({ limit: 100 }).reverse();
    expect(all.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(all[0]?.prevHash).toBe('0'.repeat(64));
    for (let i = 1; i < all.length; i++) expect(all[i]?.prevHash).toBe(all[i - 1]?.hash);
    expect(audit.verify()).toEqual({ ok: true, entries: 10, head: all[9]?.hash });
    db.close();
  });

  it('refuses UPDATE and DELETE through SQL', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'aurum-audit-'));
    const { db } = writeTen(path.join(dir, 'auth.db'));
    expect(() => db.prepare("UPDATE audit_log SET actor = 'eve' WHERE id = 3").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log WHERE id = 3').run()).toThrow(/append-only/);
    db.close();
  });

  it('detects one byte altered in the database file', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'aurum-audit-'));
    const file = path.join(dir, 'auth.db');
    writeTen(file).db.close(); // closing the last connection checkpoints the WAL into the file
    const bytes = readFileSync(file);
    const at = bytes.indexOf('setpoint-change-07');
    expect(at).toBeGreaterThan(0);
    bytes[at + 'setpoint-change-0'.length] = '8'.charCodeAt(0); // "…-07" → "…-08": same length, no SQLite checksum to trip
    writeFileSync(file, bytes);

    const { db, audit } = open(file);
    expect(audit.query({ limit: 100 }).find((e) => e.id === 7)?.details.note).toBe('setpoint-change-08');
    expect(audit.verify()).toMatchObject({ ok: false, firstBadId: 7, reason: expect.stringMatching(/changed/) });
    db.close();
  });

  it('detects a removed entry and a rewritten one whose hash was recomputed without the chain', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'aurum-audit-'));
    const { db, audit } = writeTen(path.join(dir, 'auth.db'));
    // Someone with the sqlite3 shell can drop the triggers; the chain still tells.
    db.exec('DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_log_no_update');
    db.prepare('DELETE FROM audit_log WHERE id = 4').run();
    expect(audit.verify()).toMatchObject({ ok: false, firstBadId: 5, reason: expect.stringMatching(/missing/) });
    db.close();
  });

  it('filters, pages backwards and exports CSV that a spreadsheet cannot execute', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'aurum-audit-'));
    const { db, audit } = open(path.join(dir, 'auth.db'));
    audit.append({ actor: 'ana', action: 'alarms.ack', target: 'P1_HighTemp' });
    audit.append({ actor: 'ben', action: 'tags.write', target: 'Site/A/P1/Speed', details: { old: 1, new: 2 } });
    audit.append({
      actor: 'ben',
      action: 'tags.write',
      target: 'Site/A/P2/Speed',
      result: 'denied',
      details: { reason: '=HYPERLINK("http://x")' },
    });
    audit.append({ actor: 'eve', action: 'auth.login', result: 'denied' });
    expect(audit.query({ actor: 'ben' }).map((e) => e.id)).toEqual([3, 2]);
    expect(audit.query({ action: 'tags.' }).map((e) => e.id)).toEqual([3, 2]);
    expect(audit.query({ action: 'tags_' })).toEqual([]); // LIKE wildcards are literal
    expect(audit.query({ target: 'P2' }).map((e) => e.id)).toEqual([3]);
    expect(audit.query({ result: 'denied' }).map((e) => e.id)).toEqual([4, 3]);
    expect(audit.query({ limit: 2 }).map((e) => e.id)).toEqual([4, 3]);
    expect(audit.query({ limit: 2, beforeId: 3 }).map((e) => e.id)).toEqual([2, 1]);

    const csv = audit.exportCsv({ actor: 'ben' });
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,ts_ms,time,actor,origin,action,target,result,details,prev_hash,hash');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain('"{""reason"":""=HYPERLINK(\\""http://x\\"")""}"');
    const formula = audit.exportCsv({ actor: 'eve' }); // no cell may start with = + - @
    for (const line of formula.split('\r\n').slice(1)) for (const c of line.split(',')) expect(c).not.toMatch(/^[=+@-]/);
    db.close();
  });

  it('exports in steps of 2,000 entries while the trail keeps being appended to', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'aurum-audit-'));
    const { db, audit } = open(path.join(dir, 'auth.db'));
    for (let i = 0; i < 4_500; i++) audit.append({ actor: 'ana', origin: 'ipc', action: 'alarms.ack', target: `A${i}`, details: {} });
    const steps = audit.exportCsvSteps({});
    let yields = 0;
    let step = steps.next();
    while (!step.done) {
      yields++;
      // Appending between steps must not fail (no statement is held open across a step) ...
      audit.append({ actor: 'bo', origin: 'ipc', action: 'tags.write', target: `during-${yields}`, details: {} });
      step = steps.next();
    }
    // 4,500 rows + 2 appended = 4,502: pages of 2,000, 2,000 and 502, a yield after each full page.
    expect(yields).toBe(2);
    const lines = step.value.trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,ts_ms,time,actor,origin,action,target,result,details,prev_hash,hash');
    expect(lines.length).toBe(1 + 4_502);
    expect(lines.filter((l) => l.startsWith('id,'))).toHaveLength(1);
    // ... and the stepped export is the one-shot export.
    expect(audit.exportCsv({ to: Date.UTC(2030, 0, 1) })).toBe(step.value);
    db.close();
  });
});
