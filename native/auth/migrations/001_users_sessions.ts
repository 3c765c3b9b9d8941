// Users and their sessions. Passwords are stored only as scrypt hashes; sessions only as the
// SHA-256 of their token, so a copy of this file yields neither a password nor a live session.
export const sql = `
CREATE TABLE users (
  name TEXT PRIMARY KEY COLLATE NOCASE,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'engineer', 'esg_analyst', 'admin')),
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  failed_count INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  password_changed_at INTEGER NOT NULL,
  last_login_at INTEGER
);

CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE ON UPDATE CASCADE,
  origin TEXT NOT NULL,
  address TEXT,
  position TEXT,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  locked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_user ON sessions(user);
`;
