// Who shelved an alarm or took it out of service, and since when its condition has stood (a
// shelved row keeps its "active since"); and the runs of the alarm service, so KPIs are computed
// over the time the console was actually watching, not over the span asked for.
export const sql = `
ALTER TABLE alarm_state ADD COLUMN mask_by TEXT;
ALTER TABLE alarm_state ADD COLUMN condition_since INTEGER;

CREATE TABLE alarm_runs (
  id INTEGER PRIMARY KEY,
  started INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  CHECK (last_seen >= started)
);
CREATE INDEX alarm_runs_last_seen ON alarm_runs(last_seen);

-- A journal written before runs were recorded: taken as observed from its first entry to its last
-- (the best that is known), so its activations are not divided by the current run alone.
INSERT INTO alarm_runs (started, last_seen) SELECT MIN(ts), MAX(ts) FROM alarm_journal HAVING COUNT(*) > 0;
`;
