// The alarm journal on a full disk (SQLite's max_page_count, which fails exactly like one): raising
// a system alarm about it must not throw; the alarm is shown from memory, its journal rows are held
// and written once there is room again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqlite } from '../util/sqlite.js';
import { openAlarmService } from './index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'aurum-alarm-full-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('alarm journal on a full disk', () => {
  it('raises a system alarm without throwing, holds its journal rows in memory, and writes them when space returns', () => {
    const db = openSqlite(path.join(dir, 'events.db'));
    let t = Date.UTC(2026, 0, 5);
    const alarms = openAlarmService({ db, tags: [], definitions: [], now: () => t });
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    // Long messages fill the last free pages quickly; every raise after that fails to write.
    for (let i = 0; i < 200; i++) {
      t += 1000;
      expect(() => alarms.raiseSystemAlarm(`historian-${i}`, `disk full ${'x'.repeat(2000)}`, 'High')).not.toThrow();
      alarms.clearSystemAlarm(`historian-${i}`);
    }
    const listed = alarms.list().alarms.map((a) => a.id);
    expect(listed.length).toBeGreaterThan(0);
    const stored = () => (db.prepare('SELECT count(*) AS n FROM alarm_journal').get() as { n: number }).n;
    expect(stored()).toBeLessThan(400);
    db.pragma('max_page_count = 4294967294');
    t += 1000;
    alarms.raiseSystemAlarm('historian', 'space again', 'High');
    // 200 raises and 200 clears held while full, plus the last raise: all journaled now, none lost.
    expect(stored()).toBe(401);
    db.close();
  });
});
