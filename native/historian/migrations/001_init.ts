// The historian's fixed tables. Time-partitioned tables (raw chunks per day, minute rollups per
// 30 days, hour rollups per 365 days) are created on demand from partitions.ts and listed in
// `partition`, so retention drops whole tables instead of deleting rows.
export const sql = `
CREATE TABLE tag (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
CREATE TABLE partition (
  name TEXT PRIMARY KEY,
  level TEXT NOT NULL,
  start INTEGER NOT NULL,
  end INTEGER NOT NULL
);
CREATE INDEX partition_by_level ON partition (level, start);
-- Samples of chunks still being filled, written at every flush; merged into one chunk when the
-- chunk is sealed (or on the next start after a crash).
CREATE TABLE segment (
  tag INTEGER NOT NULL,
  chunk INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  t0 REAL NOT NULL,
  t1 REAL NOT NULL,
  n INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (tag, chunk, seq)
) WITHOUT ROWID;
-- Append-only queue for the sync uplink: rows are acknowledged by id, never updated otherwise.
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  stream TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  payload TEXT NOT NULL,
  acked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_pending ON outbox (acked, stream, id);
`;
