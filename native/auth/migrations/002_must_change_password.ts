// An administrator who resets a user's password may require a new one at that user's next sign-in:
// until then the user's sessions watch read-only (docs/security.md "Users, passwords and sessions").
export const sql = `
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
`;
