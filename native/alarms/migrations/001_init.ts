// The alarm journal (every transition and operator action, append-only) and the current state of
// each alarm, which is what a restart restores. Both live in the console's events.db.
export const sql = `
CREATE TABLE alarm_journal (
  seq INTEGER PRIMARY KEY,
  ts INTEGER NOT NULL,
  alarm_id TEXT NOT NULL,
  tag TEXT NOT NULL,
  area TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('activate', 'clear', 'ack', 'shelve', 'unshelve', 'suppress', 'unsuppress', 'out_of_service', 'return_to_service')),
  state TEXT NOT NULL,
  value REAL,
  alarm_limit REAL,
  priority TEXT NOT NULL,
  user TEXT,
  comment TEXT NOT NULL DEFAULT '',
  message TEXT NOT NULL DEFAULT '',
  until INTEGER,
  one_shot INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX alarm_journal_ts ON alarm_journal(ts);
CREATE INDEX alarm_journal_alarm ON alarm_journal(alarm_id, ts);
CREATE INDEX alarm_journal_kind ON alarm_journal(kind, ts);

CREATE TRIGGER alarm_journal_no_update BEFORE UPDATE ON alarm_journal
BEGIN SELECT RAISE(ABORT, 'the alarm journal is append-only'); END;

CREATE TABLE alarm_state (
  alarm_id TEXT PRIMARY KEY,
  tag TEXT NOT NULL,
  area TEXT NOT NULL,
  priority TEXT NOT NULL,
  message TEXT NOT NULL,
  base TEXT NOT NULL CHECK (base IN ('normal', 'unack_active', 'ack_active', 'unack_rtn')),
  condition INTEGER NOT NULL,
  suppressed INTEGER NOT NULL,
  out_of_service INTEGER NOT NULL,
  shelved_until INTEGER,
  one_shot INTEGER NOT NULL,
  mask_reason TEXT NOT NULL DEFAULT '',
  active_since INTEGER,
  acked_at INTEGER,
  acked_by TEXT,
  value REAL,
  changed_at INTEGER NOT NULL,
  system INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
`;
