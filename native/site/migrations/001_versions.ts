// The site file's versions: every apply and rollback from the console, and the file as first loaded
// (version 1). The full text is kept, so any version can be shown, compared and restored byte for byte.
export const sql = `
CREATE TABLE config_version (
  version INTEGER PRIMARY KEY,
  author TEXT,
  at INTEGER NOT NULL,
  comment TEXT NOT NULL,
  kind TEXT NOT NULL,
  text TEXT NOT NULL,
  renames TEXT NOT NULL DEFAULT '{}'
);
`;
