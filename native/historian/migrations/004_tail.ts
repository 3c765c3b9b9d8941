// The tail (tail.ts) replaces `segment`: the samples of chunks still being filled go into rows of
// 64 tags each, appended at every commit, instead of a row per tag keyed by tag (which made every
// commit write one page per tag). A file from before this migration has its segment rows (left
// by a crash) turned into tail rows by convertSegments, in the transaction that applies it; the
// writer then merges them into chunks at open, as it does with any tail left behind.
import type { SqliteDatabase } from '../../util/sqlite.js';
import { decodeChunk } from '../codec.js';
import { TailRow, tailGroup } from '../tail.js';

export const TAIL_MIGRATION = '004_tail';

export const sql = `
CREATE TABLE tail (
  grp INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  t0 REAL NOT NULL,
  t1 REAL NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (grp, seq)
) WITHOUT ROWID;
`;

/**
 * Move the rows of a `segment` table into tail rows (one each, in chunk order) and drop it. Also
 * used at open for a salvaged file whose damaged original still had one. Returns the rows moved.
 */
export function convertSegments(db: SqliteDatabase): number {
  const exists = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'segment'").pluck().get() as number;
  if (exists === 0) return 0;
  const rows = db.prepare('SELECT tag, chunk, data FROM segment ORDER BY tag, chunk, seq').all() as {
    tag: number;
    chunk: number;
    data: Uint8Array;
  }[];
  let seq = ((db.prepare('SELECT max(seq) FROM tail').pluck().get() as number | null) ?? 0) + 1;
  const insert = db.prepare('INSERT INTO tail (grp, seq, t0, t1, data) VALUES (?, ?, ?, ?, ?)');
  let key = '';
  let offset = 0;
  for (const r of rows) {
    const k = `${r.tag}:${r.chunk}`;
    if (k !== key) {
      key = k;
      offset = 0;
    }
    const s = decodeChunk(r.data);
    const row = new TailRow(tailGroup(r.tag), seq++);
    row.add(r.tag, r.chunk, offset, s);
    offset += s.length;
    if (row.entries.length === 0) continue;
    const [t0, t1] = row.span;
    insert.run(row.grp, row.seq, t0, t1, row.encode());
  }
  db.exec('DROP TABLE segment');
  return rows.length;
}
