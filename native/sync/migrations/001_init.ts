// The uplink's outbox: rows wait here until the broker acknowledged them, then are deleted.
// AUTOINCREMENT: an id is never reused, so (site, epoch, id) stays a stable message id upstream.
export default `
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  stream TEXT NOT NULL,
  priority INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  payload TEXT NOT NULL
);
CREATE INDEX outbox_stream ON outbox (stream, id);
CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;
