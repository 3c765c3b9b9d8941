// The alarm feed's resume mark lives in sync.db in the same transaction as the rows it queued: at
// any moment the process could die, the file holds exactly the entries up to the mark, so a
// restart neither skips nor repeats one. Read from a second connection after every turn.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import type { JournalEntry } from '../api/alarm-requests.js';
import { freePort } from '../util/net.js';
import { startAlarmFeed } from './alarm-feed.js';
import { openSync, syncConfigSchema } from './index.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const entry = (seq: number): JournalEntry =>
  ({ seq, ts: new Date(seq * 1000).toISOString(), alarmId: 'A', tag: 'S/A/M/T', kind: seq % 2 ? 'activate' : 'clear' }) as JournalEntry;

it('queues the journal in pages, the mark always equal to the last entry sync.db holds, and resumes there', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aurum-alarm-feed-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  // Broker unreachable: everything stays in the outbox where it can be read.
  const config = syncConfigSchema.parse({
    enabled: true,
    url: `mqtt://127.0.0.1:${await freePort()}`,
    backoff: { initialMs: 60_000, maxMs: 60_000 },
  });
  let journalled = 1200;
  const journal = {
    journal: ({ afterSeq, limit }: { afterSeq: number; limit: number }) => {
      const out: JournalEntry[] = [];
      for (let s = afterSeq + 1; s <= journalled && out.length < limit; s++) out.push(entry(s));
      return out;
    },
  };
  const sync = openSync({ config, dataDir: dir, siteName: 'S' });
  cleanups.push(() => sync.stop());
  const feed = startAlarmFeed({ sync, journal });
  cleanups.push(() => feed.stop());

  const file = new Database(path.join(dir, 'sync.db'), { readonly: true });
  cleanups.push(() => {
    file.close();
  });
  const onDisk = () => {
    const rows = file.prepare("SELECT payload FROM outbox WHERE stream = 'alarms' ORDER BY id").all() as { payload: string }[];
    const mark = file.prepare("SELECT value FROM sync_state WHERE key = 'mark:alarms.lastSeq'").get() as { value: string } | undefined;
    return { seqs: rows.map((r) => (JSON.parse(r.payload) as JournalEntry).seq), mark: mark ? Number(mark.value) : 0 };
  };
  const turn = () => new Promise((r) => setImmediate(r));

  const seen: number[] = [];
  for (let i = 0; i < 12; i++) {
    await turn();
    const d = onDisk();
    // Never a row without the mark past it, never a mark past a row that is not there.
    expect(d.seqs).toEqual(Array.from({ length: d.mark }, (_, k) => k + 1));
    seen.push(d.mark);
  }
  expect(seen.at(-1)).toBe(1200);
  // Read in pages of 500 over several turns, not in one.
  expect(seen.filter((m) => m > 0 && m < 1200).length).toBeGreaterThan(0);

  journalled = 1205;
  feed.changed();
  for (let i = 0; i < 4; i++) await turn();
  expect(onDisk().seqs).toEqual(Array.from({ length: 1205 }, (_, k) => k + 1));
});
