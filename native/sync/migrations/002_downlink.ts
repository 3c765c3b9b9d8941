// Model packages received over the downlink and the engineer's decision on each.
export default `
CREATE TABLE downlink (
  key TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  version INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
  received_at INTEGER NOT NULL,
  decided_at INTEGER,
  decided_by TEXT,
  reason TEXT NOT NULL DEFAULT ''
);
`;
