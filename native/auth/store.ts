// auth.db in the data dir: users, sessions and the audit trail in one file, so a sign-in and its
// audit entry share one database and the command line finds both without configuration.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../util/log.js';
import { openSqlite, type SqliteDatabase } from '../util/sqlite.js';
import { type AuditLog, openAuditLog } from './audit.js';
import { type AuthService, openAuth, type PolicyOverrides } from './service.js';

export const AUTH_DB = 'auth.db';

export interface AuthStore {
  db: SqliteDatabase;
  auth: AuthService;
  audit: AuditLog;
  close(): void;
}

export function openAuthStore(dataDir: string, opts: { now?: () => number; policy?: PolicyOverrides; log?: Logger } = {}): AuthStore {
  mkdirSync(dataDir, { recursive: true });
  const db = openSqlite(path.join(dataDir, AUTH_DB));
  try {
    const audit = openAuditLog(db, { now: opts.now });
    const auth = openAuth({ db, audit, now: opts.now, policy: opts.policy, log: opts.log });
    return { db, auth, audit, close: () => db.close() };
  } catch (err) {
    db.close();
    throw err;
  }
}
