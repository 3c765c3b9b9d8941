// auth.db in the data dir: users, sessions and the audit trail in one file, so a sign-in and its
// audit entry share one database and the command line finds both without configuration.
import path from 'node:path';
import type { Logger } from '../util/log.js';
import { ensurePrivateDir, openSqlite, type SqliteDatabase, storageFault } from '../util/sqlite.js';
import { type AuditLog, openAuditLog } from './audit.js';
import { type AuthService, openAuth, type PolicyOverrides } from './service.js';

export const AUTH_DB = 'auth.db';
/** The first-run setup code of the current start, while no user exists (0600; removed once the administrator exists). */
export const SETUP_CODE_FILE = 'setup-code';

export interface AuthStore {
  db: SqliteDatabase;
  auth: AuthService;
  audit: AuditLog;
  close(): void;
}

export function openAuthStore(dataDir: string, opts: { now?: () => number; policy?: PolicyOverrides; log?: Logger } = {}): AuthStore {
  ensurePrivateDir(dataDir);
  const db = openSqlite(path.join(dataDir, AUTH_DB));
  // A disk full at start: readable, sessions and audit entries held in memory (see service.ts, audit.ts).
  const fault = storageFault(db);
  if (fault) opts.log?.('error', `${fault.message}; sessions are kept in memory and audit entries held until there is room`);
  try {
    const audit = openAuditLog(db, { now: opts.now });
    const auth = openAuth({
      db,
      audit,
      now: opts.now,
      policy: opts.policy,
      log: opts.log,
      setupCodeFile: path.join(dataDir, SETUP_CODE_FILE),
    });
    return {
      db,
      auth,
      audit,
      close: () => {
        // The aggregated audit rows still pending are written before the file closes.
        auth.close();
        audit.close();
        db.close();
      },
    };
  } catch (err) {
    db.close();
    throw err;
  }
}
