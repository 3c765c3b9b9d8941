// ESG database, first schema. Times are ms since epoch (UTC); hours and slots are keyed by the UTC
// instant they start at, local hours being computed in the site's time zone.
export const sql = `
CREATE TABLE factor (
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  label TEXT NOT NULL,
  unit TEXT NOT NULL,
  fuel TEXT,
  valid_from INTEGER NOT NULL,
  valid_to INTEGER,
  co2 REAL,
  ch4 REAL,
  n2o REAL,
  co2e_stated REAL,
  gwp_stated TEXT,
  source TEXT NOT NULL,
  url TEXT,
  notes TEXT NOT NULL DEFAULT '',
  is_default INTEGER NOT NULL,
  origin TEXT NOT NULL,
  added_at INTEGER NOT NULL,
  added_by TEXT,
  PRIMARY KEY (id, version)
) WITHOUT ROWID;

-- Every factor correction or new version, and what it changed: read by the audit capability.
CREATE TABLE factor_change (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  user TEXT,
  factor_id TEXT NOT NULL,
  new_version INTEGER NOT NULL,
  reason TEXT NOT NULL,
  records INTEGER NOT NULL,
  co2e_before_kg REAL NOT NULL,
  co2e_after_kg REAL NOT NULL,
  detail TEXT NOT NULL
);

CREATE TABLE activity_hour (
  meter TEXT NOT NULL,
  hour_start INTEGER NOT NULL,
  kind TEXT NOT NULL,
  site TEXT NOT NULL,
  area TEXT NOT NULL,
  machine TEXT NOT NULL,
  fuel TEXT,
  unit TEXT NOT NULL,
  quantity REAL NOT NULL,
  idle_qty REAL NOT NULL,
  covered_ms INTEGER NOT NULL,
  uncertain_ms INTEGER NOT NULL,
  estimated_ms INTEGER NOT NULL,
  PRIMARY KEY (meter, hour_start)
) WITHOUT ROWID;
CREATE INDEX activity_hour_time ON activity_hour (hour_start);

-- Energy per demand slot (15 min), for peak demand.
CREATE TABLE demand_slot (
  meter TEXT NOT NULL,
  slot_start INTEGER NOT NULL,
  kwh REAL NOT NULL,
  PRIMARY KEY (meter, slot_start)
) WITHOUT ROWID;
CREATE INDEX demand_slot_time ON demand_slot (slot_start);

-- Activity × factor, per meter, local hour, emission source and scope 2 method ('' for scopes 1 and 3).
CREATE TABLE emission_record (
  meter TEXT NOT NULL,
  hour_start INTEGER NOT NULL,
  method TEXT NOT NULL,
  source_id TEXT NOT NULL,
  scope INTEGER NOT NULL,
  category TEXT NOT NULL,
  site TEXT NOT NULL,
  area TEXT NOT NULL,
  machine TEXT NOT NULL,
  activity REAL NOT NULL,
  activity_unit TEXT NOT NULL,
  factor_id TEXT NOT NULL,
  factor_version INTEGER,
  market_fallback INTEGER NOT NULL DEFAULT 0,
  co2_kg REAL,
  ch4_kg REAL,
  n2o_kg REAL,
  co2e_kg REAL,
  gwp_set TEXT,
  computed_at INTEGER NOT NULL,
  PRIMARY KEY (meter, hour_start, source_id, method)
) WITHOUT ROWID;
CREATE INDEX emission_record_time ON emission_record (hour_start);
CREATE INDEX emission_record_factor ON emission_record (factor_id, hour_start);

CREATE TABLE gap (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  meter TEXT NOT NULL,
  start_ms INTEGER NOT NULL,
  end_ms INTEGER NOT NULL,
  kind TEXT NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX gap_time ON gap (end_ms, start_ms);

CREATE TABLE meter_state (
  meter TEXT PRIMARY KEY,
  ts INTEGER NOT NULL,
  value REAL NOT NULL,
  quality INTEGER NOT NULL
) WITHOUT ROWID;
`;
