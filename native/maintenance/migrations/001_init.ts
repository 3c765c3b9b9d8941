// Operational events per machine (maintenance, failure, repair, calibration, shift notes) and
// maintenance requests raised from alarms or predictions. Kept in events.db beside the alarm journal.
export const sql = `
CREATE TABLE operational_events (
  id INTEGER PRIMARY KEY,
  machine TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('maintenance', 'failure', 'repair', 'calibration', 'shift_note')),
  at INTEGER NOT NULL,
  recorded_at INTEGER NOT NULL,
  user TEXT,
  what TEXT NOT NULL,
  parts TEXT NOT NULL DEFAULT '[]',
  downtime_min REAL NOT NULL DEFAULT 0,
  resets_baseline INTEGER NOT NULL DEFAULT 0,
  alarm_id TEXT
);
CREATE INDEX operational_events_machine ON operational_events(machine, at);
CREATE INDEX operational_events_at ON operational_events(at);

CREATE TABLE maintenance_requests (
  id INTEGER PRIMARY KEY,
  machine TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  user TEXT,
  source TEXT NOT NULL CHECK (source IN ('alarm', 'prediction', 'manual')),
  alarm_id TEXT,
  prediction TEXT,
  description TEXT NOT NULL,
  priority TEXT NOT NULL CHECK (priority IN ('Critical', 'High', 'Medium', 'Low')),
  status TEXT NOT NULL CHECK (status IN ('open', 'sent', 'failed', 'closed')),
  webhook_error TEXT
);
CREATE INDEX maintenance_requests_machine ON maintenance_requests(machine, created_at);
`;
